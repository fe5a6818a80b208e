/* A served snapshot: the open database plus what every answer repeats,
 * rendered once at load (the "snapshot" object, campaigns, stats).
 *
 * The file is read into private memory rather than mapped: a mapped file
 * truncated or overwritten in place (`truncate`, `cp new old`) would end
 * the process with SIGBUS on the next lookup. A private copy costs the
 * file's size in resident memory and one read at load (both in /metrics
 * and the log); in exchange nothing done to the file can reach requests
 * in flight, and a file changed under the server is only ever seen
 * through a reload that validates it first. */
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
	void *copy; /* the file's bytes (srv_snap_open), or NULL */
	size_t copy_len;
	uint64_t load_us; /* time to read and validate */
};

/* Reads path into private memory, validates it (as db_open does) and
 * renders the caches. A file that changes while it is read is refused. */
int srv_snap_open(const char *path, struct srv_snap **out, struct sd_error *err);
/* Takes ownership of an open db (tests and fuzzing). */
int srv_snap_from_db(struct db *db, struct srv_snap **out, struct sd_error *err);

#endif
