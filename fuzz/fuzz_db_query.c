/* Point queries on arbitrary snapshot images: whatever the reader accepts,
 * db_contains, db_contains_batch, db_cover_batch and db_cover stay in
 * bounds and agree (an entry db_cover_batch says is the only one is all
 * db_cover finds, and one it hands back is among them),
 * for every key of the image, its neighbours and a few fixed addresses.
 * As in fuzz_db, an odd first byte recomputes the checksum so mutations
 * reach the structural checks. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXPROBES 4096

struct probes {
	struct net_addr a[MAXPROBES];
	size_t n;
};

static void add(struct probes *p, uint64_t hi, uint64_t lo)
{
	if (p->n < MAXPROBES)
		net_addr_from_u64(&p->a[p->n++], hi, lo);
}

static int collect(const struct db_entry *e, void *ctx)
{
	struct probes *p = ctx;
	uint64_t hi = net_addr_hi(&e->prefix.addr), lo = net_addr_lo(&e->prefix.addr);
	add(p, hi, lo);
	add(p, hi, lo + 1);
	add(p, lo ? hi : hi - 1, lo - 1);
	return p->n >= MAXPROBES;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t n = size - 1;
	unsigned char *buf = malloc(n ? n : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, n);
	if ((data[0] & 1) && n >= sizeof(struct db_header))
		((struct db_header *)buf)->checksum = db_checksum(buf, n);
	struct db *db;
	struct sd_error err = {0};
	static struct probes p;
	static bool got[MAXPROBES];
	static struct db_entry entry[MAXPROBES];
	static uint8_t found[MAXPROBES];
	if (db_open_buffer(buf, n, &db, &err) == 0) {
		p.n = 0;
		add(&p, 0, 0);
		add(&p, ~0ull, ~0ull);
		add(&p, 0, 0xffffc0000207ull); /* 192.0.2.7 */
		add(&p, 0x20010db800000000ull, 1);
		db_foreach(db, collect, &p);
		db_contains_batch(db, p.a, p.n, got);
		db_cover_batch(db, p.a, p.n, entry, found);
		for (size_t i = 0; i < p.n; i++) {
			struct net_prefix h;
			struct db_entry e[8];
			net_prefix_host(&h, &p.a[i]);
			bool single = db_contains(db, &p.a[i]);
			size_t ncover = db_cover(db, &h, e, 8);
			bool cover = ncover > 0;
			if (single != got[i] || single != cover || found[i] > 2 ||
			    (found[i] != 0) != cover || (found[i] == 1 && ncover != 1))
				abort();
			bool among = found[i] == 0;
			for (size_t k = 0; k < ncover && k < 8 && !among; k++)
				among = e[k].table == entry[i].table &&
					e[k].index == entry[i].index &&
					!net_prefix_cmp(&e[k].prefix, &entry[i].prefix) &&
					e[k].nsightings == entry[i].nsightings &&
					e[k].count == entry[i].count &&
					e[k].first_seen == entry[i].first_seen &&
					e[k].last_seen == entry[i].last_seen;
			if (!among)
				abort();
		}
		db_close(db);
	} else if (err.msg[0] == '\0') {
		abort();
	}
	free(buf);
	return 0;
}
