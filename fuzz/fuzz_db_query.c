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
#include "fuzz_db_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXPROBES 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n;
	unsigned char *buf = fuzz_db_image(data, size, &n);
	if (!buf)
		return 0;
	struct db *db;
	struct sd_error err = {0};
	static struct net_addr addrs[MAXPROBES];
	struct fuzz_probes p = {addrs, 0, MAXPROBES};
	static bool got[MAXPROBES];
	static struct db_entry entry[MAXPROBES];
	static uint8_t found[MAXPROBES];
	if (db_open_buffer(buf, n, &db, &err) == 0) {
		fuzz_probes_fill(&p, db);
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
