/* Building a snapshot from sightings held in memory. Sightings may be
 * added in any order and any number of times: identical keys are combined
 * (per campaign: earliest first seen, latest last seen, summed count, union
 * of evidence and sources, highest confidence), which makes the result
 * independent of input order and lets merges be associative. */
#ifndef SD_DB_BUILDER_H
#define SD_DB_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "db/sighting.h"
#include "io/ident.h"
#include "net/addr.h"

struct db_builder;

struct db_builder *db_builder_new(void);
void db_builder_free(struct db_builder *b);

/* Declares or updates a campaign; *id is its builder-local id. Conflicting
 * metadata for one name is resolved by a fixed rule (the widest window; for
 * each text the longer, then the lexically smaller), never by call order. */
int db_builder_campaign(struct db_builder *b, const struct db_campaign_meta *m,
			uint16_t *id, struct sd_error *err);
/* A set of source labels; duplicates and order do not matter. */
int db_builder_sourceset(struct db_builder *b, const char *const *names, size_t n,
			 uint32_t *set, struct sd_error *err);
int db_builder_sourceset_union(struct db_builder *b, uint32_t a, uint32_t c,
			       uint32_t *set);

/* Adds one sighting for p; s->campaign and s->sources are builder ids. */
int db_builder_add(struct db_builder *b, const struct net_prefix *p,
		   const struct db_sighting *s, struct sd_error *err);

/* An IPv4 host's sighting for db_builder_add_v4_hosts. */
struct db_v4_host {
	uint32_t addr; /* the address as a number (a.b.c.d is a << 24 | ...) */
	uint32_t first_seen, last_seen, count;
	uint32_t sources; /* a source set id */
	uint8_t evidence, confidence;
};
/* As db_builder_add of each h[i] as a /32 of campaign, with its checks
 * made once for the lot where they can be: for a feed of millions of
 * hosts, such as a correlation where every record is a new client. */
int db_builder_add_v4_hosts(struct db_builder *b, uint16_t campaign,
			    const struct db_v4_host *h, size_t n, struct sd_error *err);

/* Sorts and combines what was added so far, as db_builder_write does, and
 * gives the number of distinct sightings held (one per prefix and
 * campaign). More may be added afterwards; what was settled is not sorted
 * again, and an addition much smaller than what is held is searched for in
 * it rather than merged with it, so settling after each of many small
 * inputs costs about their own size each (times the log of what is held),
 * not a pass over everything. Duplicates are combined here, so held memory
 * follows the distinct sightings, not the lines read. */
int db_builder_settle(struct db_builder *b, uint64_t *distinct, struct sd_error *err);

/* Records an input the sightings were read from (INPUTS): label, and the
 * identity of the file or range. Ranges of one file under one label that
 * meet are joined at write time; exact repeats are kept once. */
int db_builder_input(struct db_builder *b, const char *label, const struct io_ident *id,
		     struct sd_error *err);

/* Writes the snapshot atomically (temp file, fsync, rename). The file
 * depends only on what was added, never on the order: strings, campaigns,
 * source sets and inputs are written in content order, and only those
 * still referenced. The sightings are turned into the tables in place, so
 * a builder is written once (SD_EUSAGE after), then freed. */
int db_builder_write(struct db_builder *b, const char *path, uint64_t build_time,
		     struct sd_error *err);

#endif
