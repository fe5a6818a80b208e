/* What a sighting is: the vocabulary shared by the builder and the reader. */
#ifndef SD_DB_SIGHTING_H
#define SD_DB_SIGHTING_H

#include <stddef.h>
#include <stdint.h>

#include "core/evidence.h"

/* One campaign sighted at one key. Times are UTC epoch seconds, 0 unknown.
 * campaign and sources are ids local to one snapshot or one builder. */
struct db_sighting {
	uint32_t first_seen;
	uint32_t last_seen;
	uint32_t count;
	uint16_t campaign;
	uint8_t evidence;
	uint8_t confidence;
	uint32_t sources; /* a source-set id */
};

/* Campaign metadata as given to the builder and read back. */
struct db_campaign_meta {
	const char *name;	 /* short id, e.g. "3cx-2023"; required */
	const char *title;	 /* one line for people */
	const char *advisory;	 /* URL of the advisory */
	const char *remediation; /* what to do when listed */
	uint32_t window_start;	 /* sightings outside are not counted; 0 open */
	uint32_t window_end;
};

/* Combine two sightings of the same campaign at the same key: the rule that
 * makes builds and merges associative and commutative. Sources are combined
 * by the caller (a set union). */
void db_sighting_combine(struct db_sighting *into, const struct db_sighting *s);

#endif
