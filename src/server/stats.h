/* Aggregates of a snapshot for /api/v1/stats and the operator's chart:
 * per campaign, entries by family, sightings by evidence and confidence,
 * and new sightings per day (by first seen). Computed once per snapshot
 * load with db_foreach; never lists an address. */
#ifndef SD_SERVER_STATS_H
#define SD_SERVER_STATS_H

#include <jansson.h>

#include "db/db.h"

/* {"campaigns": [{"name", "entries", "ipv4", "ipv6", "sightings",
 * "count", "evidence": {...}, "confidence": {...}, "per_day": [[day, n]...],
 * "per_day_truncated"}], "entries": n}. NULL on out of memory. */
json_t *srv_stats_build(const struct db *db);

#endif
