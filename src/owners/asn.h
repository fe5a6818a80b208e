/* Origin AS of an address, from the datasets operators already have: a
 * MaxMind-format ASN database (GeoLite2-ASN layout, fields
 * autonomous_system_number and autonomous_system_organization) read with
 * libmaxminddb, or the ip2asn TSV layout (range start, range end, AS
 * number, country, description; gzip or zstd allowed). The format is
 * told by the content: an MMDB carries its metadata marker near its end.
 *
 * Each distinct (AS number, name) pair gets a dense id; id 0 is "no AS
 * known". Lookups remember the last network found, so the sorted walks of
 * a snapshot mostly skip the search. Not safe for concurrent lookups. */
#ifndef SD_OWNERS_ASN_H
#define SD_OWNERS_ASN_H

#include <stdint.h>

#include "core/error.h"
#include "net/addr.h"

struct asn_db;

/* Bad TSV lines are reported `file:line: why` on stderr and counted; more
 * than max_errors of them (negative: no limit) is an error. */
int asn_db_open(const char *path, long long max_errors, struct asn_db **out,
		struct sd_error *err);
void asn_db_close(struct asn_db *db);

/* Dense id of the AS announcing a, 0 when none is known. */
uint32_t asn_db_lookup(struct asn_db *db, const struct net_addr *a);
uint32_t asn_db_number(const struct asn_db *db, uint32_t id);
/* The AS number announcing the whole of p: every address of it inside
 * ranges (networks) of that one AS. 0 when part of p is announced by
 * another AS or by none: an AS is not known to own such an entry. */
uint32_t asn_db_prefix_number(struct asn_db *db, const struct net_prefix *p);
const char *asn_db_name(const struct asn_db *db, uint32_t id);
/* "mmdb" or "ip2asn", and the ranges or networks read. */
const char *asn_db_kind(const struct asn_db *db);

#endif
