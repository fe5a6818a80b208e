/* The key lines of a table, shared by the builder and the reader
 * (docs/db-format.md, "Key lines").
 *
 * A table's sorted keys are laid out in fixed-size lines (16 IPv4 keys in
 * 64 bytes, 8 IPv6 keys in 128). The bits of a key after the `common`
 * leading bits (the prefix every key of the table shares) name its bucket,
 * scaled to the number of buckets so that buckets follow key order; a key
 * is stored in the line of its bucket, or, when that line is full, in the
 * next line with room. So the first memory read of a lookup is the line
 * that holds the key: one cache miss, where a separate index costs two.
 * Skipping the common bits keeps clustered sets (every key under
 * 2001:db8::/32, say) spread over the buckets. */
#ifndef SD_DB_INDEX_H
#define SD_DB_INDEX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "db/format.h"

typedef unsigned __int128 db_u128;

/* Significant bits of a key in a table of this kind and length. */
static inline unsigned db_key_sigbits(uint8_t kind, uint8_t plen)
{
	return kind == DB_KEY_V4 ? (unsigned)plen - 96u : plen;
}

static inline unsigned db_line_slots(uint8_t kind)
{
	return kind == DB_KEY_V4 ? DB_LINE_SLOTS_V4 : DB_LINE_SLOTS_V6;
}

/* Bytes of one key line: slots times the key size. */
static inline size_t db_line_bytes(uint8_t kind)
{
	return (size_t)db_line_slots(kind) * kind;
}

/* The bucket of a key: the bits after `common`, as a fraction of the key
 * space, times the number of buckets. Never decreases as the key grows. */
static inline uint64_t db_bucket_v4(uint32_t key, unsigned common, uint64_t buckets)
{
	uint32_t x = common >= 32 ? 0 : key << common;
	return (uint64_t)x * buckets >> 32;
}

static inline uint64_t db_bucket_v6(db_u128 key, unsigned common, uint64_t buckets)
{
	uint64_t x = common >= 128 ? 0 : (uint64_t)((key << common) >> 64);
	return (uint64_t)((db_u128)x * buckets >> 64);
}

static inline db_u128 db_u128_make(uint64_t hi, uint64_t lo)
{
	return (db_u128)hi << 64 | lo;
}

/* The key in slot s of line l of a table's key lines, as 128 bits (an
 * IPv4 key as its 32): for the walks and validation, where speed matters
 * less than in the lookups. */
static inline db_u128 db_line_key(const struct db_table_rec *t,
				  const unsigned char *lines, uint64_t l, unsigned s)
{
	const unsigned char *p = lines + l * db_line_bytes(t->kind) + (size_t)s * t->kind;
	if (t->kind == DB_KEY_V4) {
		uint32_t k;
		memcpy(&k, p, 4);
		return k;
	}
	uint64_t w[2];
	memcpy(w, p, 16);
	return db_u128_make(w[0], w[1]);
}

/* Chooses common, buckets and lines for rec (kind, plen and count set)
 * and its count sorted, distinct keys, and lays them out: *area is
 * malloc'd, db_index_bytes(rec) bytes, the key lines followed by the
 * ranks, as they are written to DATA. */
int db_index_build(struct db_table_rec *rec, const void *keys, void **area);
/* Size of the area db_index_build made for rec. */
size_t db_index_bytes(const struct db_table_rec *rec);

#endif
