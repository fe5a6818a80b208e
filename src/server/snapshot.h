/* A served snapshot: the open database plus what every answer repeats,
 * rendered once at load (the "snapshot" object, campaigns, stats). */
#ifndef SD_SERVER_SNAPSHOT_H
#define SD_SERVER_SNAPSHOT_H

#include <stddef.h>

#include "core/error.h"
#include "db/db.h"
#include "server/reload.h"

struct srv_snap {
	struct srv_ref ref;
	struct db *db;
	char *snapshot_json; /* report_snapshot(), compact */
	size_t snapshot_len;
	char *campaigns_json; /* body of /api/v1/campaigns */
	size_t campaigns_len;
	char *stats_json; /* body of /api/v1/stats */
	size_t stats_len;
};

/* Opens and validates path (db_open) and renders the caches. */
int srv_snap_open(const char *path, struct srv_snap **out, struct sd_error *err);
/* Takes ownership of an open db (tests and fuzzing). */
int srv_snap_from_db(struct db *db, struct srv_snap **out, struct sd_error *err);

#endif
