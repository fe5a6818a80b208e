/* Sightings grouped by owner: one pass over a snapshot (or over what
 * changed since an older one), each sighting looked up in the owner index
 * and the ASN data, then sorted by owner with a stable counting sort, so
 * every owner's sightings stay in snapshot order. What no owner covers is
 * counted per AS. The same grouping feeds `report` and `notify`. */
#ifndef SD_OWNERS_GROUP_H
#define SD_OWNERS_GROUP_H

#include <stdint.h>

#include "db/db.h"
#include "db/diff.h"
#include "owners/asn.h"
#include "owners/match.h"
#include "owners/registry.h"

/* One sighting for one owner, packed: table (9 bits), entry index (42),
 * sighting index (12), changed-not-added (1), in snapshot order. */
struct owners_hit {
	uint64_t pos;
	uint32_t owner;
	uint32_t asn; /* asn_db id, 0 unknown */
};

static inline uint32_t owners_hit_table(const struct owners_hit *h)
{
	return (uint32_t)(h->pos >> 55);
}
static inline uint64_t owners_hit_index(const struct owners_hit *h)
{
	return (h->pos >> 13) & ((1ull << 42) - 1);
}
static inline uint32_t owners_hit_sighting(const struct owners_hit *h)
{
	return (uint32_t)(h->pos >> 1) & 0xfff;
}
static inline enum db_change owners_hit_change(const struct owners_hit *h)
{
	return (h->pos & 1) ? DB_CHANGE_CHANGED : DB_CHANGE_ADDED;
}

struct owners_as_count {
	uint64_t addresses, sightings;
};

struct owners_group {
	struct owners_hit *hits; /* by owner, then snapshot order */
	size_t nhits;
	size_t *start;	     /* owner o: hits [start[o], start[o + 1]) */
	uint64_t *addresses; /* distinct entries per owner */
	uint32_t nowners;
	struct owners_as_count *unowned; /* by asn_db id (0: no AS known) */
	uint32_t nunowned;
	uint64_t sightings, unowned_sightings, unowned_addresses;
	struct db_diff_stats diff;
	/* changes of the sources alone: not passed on to owners */
	uint64_t unchanged_sources;
};

/* since may be NULL (every sighting counts as added); asn may be NULL (no
 * AS data: AS scopes match nothing, every AS is unknown). Removed
 * sightings, and changes of the sources alone, are only counted. */
int owners_group_build(const struct db *snap, const struct db *since,
		       const struct owners_registry *r, const struct owners_index *ix,
		       struct asn_db *asn, struct owners_group *g, struct sd_error *err);
void owners_group_free(struct owners_group *g);

#endif
