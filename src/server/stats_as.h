/* Sightings per origin AS for /api/v1/stats and the statistics page, when
 * `serve --asn-db FILE` names ASN data (owners/asn.h). Counts only: no
 * address is ever listed. The ASN data is process-wide, loaded once at
 * start; the aggregate is computed with the rest of the stats at each
 * snapshot load. */
#ifndef SD_SERVER_STATS_AS_H
#define SD_SERVER_STATS_AS_H

#include <jansson.h>

#include "core/error.h"
#include "db/db.h"
#include "server/escape.h"

#define SRV_STATS_MAX_AS 50 /* ASes listed by name; the rest are summed */

int srv_stats_as_open(const char *path, struct sd_error *err);
void srv_stats_as_close(void);
/* Adds "as": {"data", "ases", "top": [{"asn", "name", "entries",
 * "sightings", "count"}], "other": {...}, "unknown": {...}} to stats when
 * ASN data is loaded; nothing otherwise. */
void srv_stats_as_add(json_t *stats, const struct db *db);
/* The page's table, from the body of /api/v1/stats (or a stats object) built with
 * srv_stats_as_add; a sentence saying there is no AS data otherwise. */
void srv_stats_as_html(struct srv_buf *b, const char *stats_json, size_t len);

#endif
