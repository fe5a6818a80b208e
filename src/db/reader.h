/* Internal view of an open snapshot, shared by the files of db/. */
#ifndef SD_DB_READER_H
#define SD_DB_READER_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "db/db.h"
#include "db/format.h"
#include "db/index.h"

/* What db_contains needs of a snapshot that is one IPv4 table (the usual
 * set), gathered at open into one cache line so that a lookup reads the
 * table's descriptor, the mapping and the section offsets from none of
 * them: the fewer instructions surround a lookup's cache miss, the more
 * lookups the CPU's out-of-order window overlaps. */
struct db_v4_probe {
	const uint32_t *lines; /* the key lines; NULL when not one IPv4 table */
	uint64_t buckets;
	uint32_t plen_mask;   /* the table's prefix length, as a mask */
	uint32_t common_mask; /* the leading bits every key shares */
	uint32_t common_bits; /* their value, taken from the first key */
	uint32_t bucket_mask; /* 0 when every bit is common, else all ones */
	uint8_t bucket_shift; /* common, when below 32 */
};

struct db {
	const unsigned char *base;
	size_t size;
	bool mapped;
	char *path;
	ino_t ino;
	struct timespec mtime;
	const struct db_header *hdr;
	const unsigned char *sec[DB_SEC_MAX + 1];
	uint64_t secsize[DB_SEC_MAX + 1];
	const struct db_string_rec *strings;
	uint64_t nstrings;
	const char *blob;
	const struct db_campaign_rec *campaigns;
	uint64_t ncampaigns;
	const uint32_t *sets, *setdata;
	uint64_t nsets, nsetdata;
	const struct db_attr_rec *attrs;
	uint64_t nattrs;
	const uint32_t *multi;
	uint64_t nmulti;
	const struct db_table_rec *tables;
	uint64_t ntables;
	const struct db_input_rec *inputs;
	uint64_t ninputs;
	uint64_t content_hash; /* XXH3-64 of the body, see db_content_id() */
	struct db_v4_probe v4;
};

/* Fills db->v4 from a validated snapshot. */
void db_v4_probe_init(struct db *db);

const char *db_string(const struct db *db, uint32_t id);

#endif
