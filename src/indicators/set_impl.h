/* The inside of the indicator set, shared by set.c (the indicators as
 * added) and set_lookup.c (the compiled lookup keys and the matching).
 * Not for use outside src/indicators/.
 *
 * Every lookup goes through one hash of byte keys (core/intern.h) whose ids
 * index a posting table (CSR: offsets + indicator ids). Keys are tagged by
 * their first byte:
 *   'A' len addr[16]  an address or a prefix, masked to len (one key per
 *                     indicator; a lookup masks the address once for each
 *                     prefix length present in the set, at most 129);
 *   'D' name          a domain indicator (normalised);
 *   'H' host          the host of a non-shared URL indicator (exact);
 *   'U' host          the URL indicators on that host (the path prefix is
 *                     then compared for each, a handful at most).
 * A domain lookup probes the name and each of its parent suffixes, so its
 * cost is the number of labels, independent of the set size. */
#ifndef SD_INDICATORS_SET_IMPL_H
#define SD_INDICATORS_SET_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "indicators/indicators.h"
#include "net/addr.h"

struct posting {
	uint32_t key, ind;
};

/* Every flow record costs two address lookups, so the 'A' keys get their
 * own open-addressing table with the key inline and a multiplicative hash
 * (no byte-string hashing or comparing on the hot path). */
struct addr_slot {
	uint64_t hi, lo;
	uint32_t id1; /* key id + 1; 0 marks an empty slot */
	uint8_t len;
};

static inline uint64_t addr_mix(uint64_t hi, uint64_t lo, unsigned len)
{
	uint64_t h = (hi ^ (lo * 0x9e3779b97f4a7c15ull) ^ len) * 0xff51afd7ed558ccdull;
	return h ^ (h >> 29);
}

static inline size_t addr_hash(uint64_t hi, uint64_t lo, unsigned len, size_t mask)
{
	return (size_t)addr_mix(hi, lo, len) & mask;
}

/* The filter: two bits of one 64-bit word, all from the high half of the
 * mix (independent of the slot). wmask is the number of words - 1. */
static inline size_t addr_word(uint64_t mix, size_t wmask)
{
	return (size_t)(mix >> 32) & wmask;
}

static inline uint64_t addr_bits(uint64_t mix)
{
	return 1ull << (mix >> 58) | 1ull << ((mix >> 52) & 63);
}

struct ind_set {
	struct ind_indicator *inds;
	size_t n, cap;
	struct sd_intern *dedup;  /* kind|value|campaign -> indicator index */
	struct sd_intern *shared; /* normalised shared names */
	struct sd_intern *keys;	  /* lookup keys (see above) */
	uint32_t *post_off;	  /* key id -> first posting; nkeys + 1 */
	uint32_t *post;		  /* indicator ids */
	struct addr_slot *aslots; /* 'A' keys again, for the per-record path */
	size_t naslots;		  /* power of two, 0 when no address keys */
	/* Two bits in one word per (masked address, length) hash, 16 bits
	 * per key (about 2 % false positives), so that the common case -- an
	 * address that is no indicator -- costs one test in a table small
	 * enough to stay in cache instead of a miss into the slots. */
	uint64_t *abits;
	size_t abits_mask; /* number of words - 1 */
	/* The same for the name keys ('D', 'H', 'U'): a bit per key hash,
	 * 16 bits per key, so that a name (and each parent of it) that is no
	 * indicator costs a hash and a bit test, not misses into the table. */
	uint64_t *kbits;
	size_t kbits_mask;
	uint8_t lens[129]; /* prefix lengths present, longest first */
	unsigned nlens;
	bool compiled;
	bool allow_broad; /* ind_set_allow_broad */
	struct ind_stats stats;
	/* Shared addresses (/128) and prefixes: few, scanned only once an
	 * address has matched an indicator, never for the common miss (last:
	 * the hot fields above stay together). */
	struct net_prefix shared_pfx[IND_MAX_SHARED_ADDRS];
	size_t nshared_pfx;
};

/* True when a is a shared address or inside a shared prefix. */
static inline bool shared_addr(const struct ind_set *set, const struct net_addr *a)
{
	for (size_t i = 0; i < set->nshared_pfx; i++)
		if (net_prefix_contains(&set->shared_pfx[i], a))
			return true;
	return false;
}

/* The 'A' key of a (masked) address: 18 bytes written to k. */
static inline size_t addr_key(unsigned char *k, const struct net_addr *a, unsigned len)
{
	struct net_addr m = *a;
	net_addr_mask(&m, len);
	k[0] = 'A';
	k[1] = (unsigned char)len;
	memcpy(k + 2, m.b, 16);
	return 18;
}

#endif
