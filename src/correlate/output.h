/* Writing the aggregated sightings: a snapshot through db/builder.h (so
 * check, merge and info work on it) and, optionally, JSON Lines with the
 * evidence per client x indicator. Both atomically (temp, fsync, rename). */
#ifndef SD_CORRELATE_OUTPUT_H
#define SD_CORRELATE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "correlate/agg.h"
#include "correlate/roles.h"
#include "db/sighting.h"
#include "indicators/indicators.h"
#include "io/ident.h"

struct corr_output {
	const char *sdb_path;	/* NULL: no snapshot */
	const char *jsonl_path; /* NULL: no JSON Lines */
	const struct db_campaign_meta *campaign;
	const char *const *sources; /* label of each source id */
	size_t nsources;
	uint64_t build_time;
	const struct corr_roles *roles; /* proxies and resolvers; may be NULL */
	bool keep_proxies;		/* write the exchanges they forwarded too */
	const struct io_ident *inputs;	/* identities of the inputs read */
	const uint32_t *input_source;	/* the source id of each */
	size_t ninputs;
};

struct corr_output_stats {
	uint64_t sightings;	/* client x indicator pairs written */
	uint64_t clients;	/* distinct client addresses written */
	uint64_t proxy_dropped; /* client x indicator pairs that had exchanges
				 * forwarded by a proxy or resolver left out */
	uint64_t by_conf[4];	/* clients by their highest confidence */
};

int corr_write(struct corr_agg *agg, const struct ind_set *set,
	       const struct corr_output *o, struct corr_output_stats *st,
	       struct sd_error *err);

#endif
