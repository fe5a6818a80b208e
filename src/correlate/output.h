/* Writing the aggregated sightings: a snapshot through db/builder.h (so
 * check, merge and info work on it) and, optionally, JSON Lines with the
 * evidence per client x indicator. Both atomically (temp, fsync, rename). */
#ifndef SD_CORRELATE_OUTPUT_H
#define SD_CORRELATE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "correlate/agg.h"
#include "db/sighting.h"
#include "indicators/indicators.h"

struct corr_output {
	const char *sdb_path;	/* NULL: no snapshot */
	const char *jsonl_path; /* NULL: no JSON Lines */
	const struct db_campaign_meta *campaign;
	const char *const *sources; /* label of each source id */
	size_t nsources;
	uint64_t build_time;
	bool keep_proxies; /* write the proxies' own sightings too */
};

struct corr_output_stats {
	uint64_t sightings;	/* client x indicator pairs written */
	uint64_t clients;	/* distinct client addresses written */
	uint64_t proxy_dropped; /* client x indicator pairs of proxies left out */
	uint64_t by_conf[4];	/* clients by their highest confidence */
};

int corr_write(struct corr_agg *agg, const struct ind_set *set,
	       const struct corr_output *o, struct corr_output_stats *st,
	       struct sd_error *err);

#endif
