/* The radix index of a table, shared by the builder and the reader.
 *
 * Keys of a table are sorted. The index maps the `index_bits` bits that
 * follow the `common` leading bits (the prefix every key of the table
 * shares) to the first key position of that bucket, so a lookup is one read
 * of two adjacent index words plus a scan of a few keys, usually in one
 * cache line. Skipping the common bits keeps clustered sets (every key
 * under 2001:db8::/32, say) spread over the buckets. */
#ifndef SD_DB_INDEX_H
#define SD_DB_INDEX_H

#include <stdint.h>

#include "db/format.h"

typedef unsigned __int128 db_u128;

/* Significant bits of a key in a table of this kind and length. */
static inline unsigned db_key_sigbits(uint8_t kind, uint8_t plen)
{
	return kind == DB_KEY_V4 ? (unsigned)plen - 96u : plen;
}

static inline uint32_t db_bucket_v4(uint32_t key, unsigned common, unsigned bits)
{
	if (!bits)
		return 0;
	return (uint32_t)(key << common) >> (32 - bits);
}

static inline uint32_t db_bucket_v6(db_u128 key, unsigned common, unsigned bits)
{
	if (!bits)
		return 0;
	return (uint32_t)((key << common) >> (128 - bits));
}

static inline db_u128 db_u128_make(uint64_t hi, uint64_t lo)
{
	return (db_u128)hi << 64 | lo;
}

/* Chooses common and index_bits for rec (kind, plen, count set) and keys,
 * and builds the index; *index is malloc'd, (1 << bits) + 1 words. */
int db_index_build(struct db_table_rec *rec, const void *keys, uint32_t **index);

#endif
