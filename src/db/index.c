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

/* Keys per bucket the builder aims for: 10 of 16 IPv4 slots and 5 of 8
 * IPv6 slots, so that a line seldom overflows (a Poisson count of mean 10
 * exceeds 16 about 3 % of the time) while key lines cost 6.4 bytes per
 * IPv4 entry. */
#define DB_LOAD_V4 10u
#define DB_LOAD_V6 5u

static uint64_t bucket_of(const struct db_table_rec *rec, const void *keys, uint64_t i)
{
	if (rec->kind == DB_KEY_V4)
		return db_bucket_v4(((const uint32_t *)keys)[i], rec->common,
				    rec->buckets);
	const uint64_t *k = keys;
	return db_bucket_v6(db_u128_make(k[2 * i], k[2 * i + 1]), rec->common,
			    rec->buckets);
}

size_t db_index_bytes(const struct db_table_rec *rec)
{
	return (size_t)rec->lines * db_line_bytes(rec->kind) +
	       ((size_t)rec->lines + 1) * sizeof(uint32_t);
}

int db_index_build(struct db_table_rec *rec, const void *keys, void **area)
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
	unsigned slots = db_line_slots(rec->kind);
	uint64_t load = rec->kind == DB_KEY_V4 ? DB_LOAD_V4 : DB_LOAD_V6;
	rec->common = (uint8_t)common;
	rec->buckets = n ? (n + load - 1) / load : 1;

	/* greedy placement: a key goes to the line of its bucket, or past it
	 * when earlier keys filled that line; first count the lines */
	uint64_t line = 0, fill = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t b = bucket_of(rec, keys, i);
		if (b > line) {
			line = b;
			fill = 0;
		}
		if (fill == slots) {
			line++;
			fill = 0;
		}
		fill++;
	}
	rec->lines = line + 1 > rec->buckets ? line + 1 : rec->buckets;

	size_t lb = db_line_bytes(rec->kind);
	unsigned char *a = malloc(db_index_bytes(rec));
	if (!a)
		return SD_ENOMEM;
	uint32_t *ranks = (uint32_t *)(a + (size_t)rec->lines * lb);
	size_t ksz = rec->kind;
	line = 0;
	fill = 0;
	ranks[0] = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t b = bucket_of(rec, keys, i);
		if (b > line || fill == slots) {
			uint64_t to = b > line ? b : line + 1;
			while (line < to)
				ranks[++line] = (uint32_t)i;
			fill = 0;
		}
		memcpy(a + line * lb + fill * ksz, (const char *)keys + i * ksz, ksz);
		fill++;
	}
	while (line < rec->lines)
		ranks[++line] = (uint32_t)n;
	/* an empty slot repeats the last key before it (the first key before
	 * any), so that every line is sorted, a line is full exactly when its
	 * last two slots differ, and a probe equal to a pad is a listed key */
	for (uint64_t l = 0; l < rec->lines; l++) {
		uint64_t used = ranks[l + 1] - ranks[l];
		uint64_t pad = ranks[l + 1] ? ranks[l + 1] - 1 : 0;
		for (uint64_t s = used; s < slots; s++)
			memcpy(a + l * lb + s * ksz, (const char *)keys + pad * ksz, ksz);
	}
	*area = a;
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
