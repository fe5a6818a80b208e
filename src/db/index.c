#include "db/index.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/error.h"

static unsigned clz128(db_u128 x)
{
	uint64_t hi = (uint64_t)(x >> 64), lo = (uint64_t)x;
	if (hi)
		return (unsigned)__builtin_clzll(hi);
	if (lo)
		return 64 + (unsigned)__builtin_clzll(lo);
	return 128;
}

static unsigned floor_log2(uint64_t n)
{
	return n ? 63u - (unsigned)__builtin_clzll(n) : 0;
}

int db_index_build(struct db_table_rec *rec, const void *keys, uint32_t **index)
{
	uint64_t n = rec->count;
	unsigned sig = db_key_sigbits(rec->kind, rec->plen);
	unsigned common = 0;
	if (n > 0) {
		if (rec->kind == DB_KEY_V4) {
			const uint32_t *k = keys;
			uint32_t x = k[0] ^ k[n - 1];
			common = x ? (unsigned)__builtin_clz(x) : 32;
		} else {
			const uint64_t *k = keys;
			db_u128 x = db_u128_make(k[0], k[1]) ^
				    db_u128_make(k[2 * (n - 1)], k[2 * (n - 1) + 1]);
			common = clz128(x);
		}
	}
	if (common > sig)
		common = sig;
	/* about four keys a bucket: a 16-byte scan for IPv4 keys, and an index
	 * of one byte per entry */
	unsigned bits = n >= 8 ? floor_log2(n) - 2 : 0;
	if (bits > DB_MAX_INDEX_BITS)
		bits = DB_MAX_INDEX_BITS;
	if (bits > sig - common)
		bits = sig - common;
	rec->common = (uint8_t)common;
	rec->index_bits = (uint8_t)bits;

	size_t nb = (size_t)1 << bits;
	uint32_t *idx = malloc((nb + 1) * sizeof(*idx));
	if (!idx)
		return SD_ENOMEM;
	size_t b = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t kb;
		if (rec->kind == DB_KEY_V4)
			kb = db_bucket_v4(((const uint32_t *)keys)[i], common, bits);
		else
			kb = db_bucket_v6(
			    db_u128_make(((const uint64_t *)keys)[2 * i],
					 ((const uint64_t *)keys)[2 * i + 1]),
			    common, bits);
		while (b <= kb)
			idx[b++] = (uint32_t)i;
	}
	while (b <= nb)
		idx[b++] = (uint32_t)n;
	*index = idx;
	return 0;
}

uint64_t db_checksum_parts(const struct db_header *h, uint64_t body_hash)
{
	struct db_header copy;
	memcpy(&copy, h, sizeof(copy));
	copy.checksum = 0;
	return XXH3_64bits_withSeed(&copy, sizeof(copy), body_hash);
}

uint64_t db_checksum(const unsigned char *file, size_t size)
{
	const struct db_header *h = (const void *)file;
	return db_checksum_parts(h, XXH3_64bits(file + sizeof(*h), size - sizeof(*h)));
}
