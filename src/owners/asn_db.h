/* Internal to owners/asn*.c: the shared state of both ASN backends, their
 * limits, and the id table they fill (asn_db.c). */
#ifndef SD_OWNERS_ASN_DB_H
#define SD_OWNERS_ASN_DB_H

#include <maxminddb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/intern.h"
#include "net/addr.h"

#define ASN_MAX_RANGES 100000000u /* ranges of an ip2asn table */
#define ASN_MAX_NAME 1024	  /* bytes of an AS name kept */

struct asn_range {
	struct net_addr lo, hi;
	uint32_t id;
	uint32_t line;
};

struct asn_db {
	bool is_mmdb;
	MMDB_s mmdb;
	struct asn_range *ranges; /* ip2asn, sorted by lo, disjoint */
	size_t nranges;
	struct sd_intern *names; /* u32 AS number + name bytes -> id */
	uint64_t bad_lines;
	/* the last answer and the network it holds for */
	bool cached;
	struct net_addr cache_lo, cache_hi;
	uint32_t cache_id;
};

/* Id of (asn, name), interning it; 0 for asn 0. Returns UINT32_MAX when
 * memory runs out. */
uint32_t asn_intern(struct asn_db *db, uint32_t asn, const char *name, size_t len);
int asn_tsv_load(struct asn_db *db, const char *path, long long max_errors,
		 struct sd_error *err);
int asn_mmdb_open(struct asn_db *db, const char *path, struct sd_error *err);
/* Looks a up; sets *lo..*hi to the network the answer holds for. */
uint32_t asn_mmdb_lookup(struct asn_db *db, const struct net_addr *a, struct net_addr *lo,
			 struct net_addr *hi);

#endif
