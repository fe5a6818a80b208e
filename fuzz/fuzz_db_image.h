/* Shared by the snapshot harnesses (fuzz_db, fuzz_db_query,
 * fuzz_check_render): the image is the input after its first byte, and an
 * odd first byte recomputes the header's checksum so mutations reach the
 * structural checks behind it; the addresses an image is probed with are
 * a few fixed ones, then every key of the image and its two neighbours. */
#ifndef SD_FUZZ_DB_IMAGE_H
#define SD_FUZZ_DB_IMAGE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/format.h"

/* A copy of the image in data (freed by the caller); NULL for an empty
 * input or when out of memory. */
static inline unsigned char *fuzz_db_image(const uint8_t *data, size_t size, size_t *n)
{
	if (size < 1)
		return NULL;
	*n = size - 1;
	unsigned char *buf = malloc(*n ? *n : 1);
	if (!buf)
		return NULL;
	memcpy(buf, data + 1, *n);
	if ((data[0] & 1) && *n >= sizeof(struct db_header))
		((struct db_header *)buf)->checksum = db_checksum(buf, *n);
	return buf;
}

struct fuzz_probes {
	struct net_addr *a; /* max of them */
	size_t n, max;
};

static inline void fuzz_probe_add(struct fuzz_probes *p, uint64_t hi, uint64_t lo)
{
	if (p->n < p->max)
		net_addr_from_u64(&p->a[p->n++], hi, lo);
}

static inline int fuzz_probe_key(const struct db_entry *e, void *ctx)
{
	struct fuzz_probes *p = ctx;
	uint64_t hi = net_addr_hi(&e->prefix.addr), lo = net_addr_lo(&e->prefix.addr);
	fuzz_probe_add(p, hi, lo);
	fuzz_probe_add(p, hi, lo + 1);
	fuzz_probe_add(p, lo ? hi : hi - 1, lo - 1);
	return p->n >= p->max;
}

static inline void fuzz_probes_fill(struct fuzz_probes *p, struct db *db)
{
	p->n = 0;
	fuzz_probe_add(p, 0, 0);
	fuzz_probe_add(p, ~0ull, ~0ull);
	fuzz_probe_add(p, 0, 0xffffc0000207ull); /* 192.0.2.7 */
	fuzz_probe_add(p, 0x20010db800000000ull, 1);
	db_foreach(db, fuzz_probe_key, p);
}

#endif
