/* The changes between the snapshots this server has served, for
 * GET /api/v1/changes?since=ID (docs/server.md, docs/openapi.json).
 *
 * Each reload that brings other contents adds one generation: the
 * differences (db_diff) from the snapshot served before to the new one,
 * computed once in the reload thread. Only the last SRV_CHANGES_GENERATIONS
 * generations are kept, and a generation with more than
 * SRV_CHANGES_MAX_RECORDS differences is kept as "too large" (its content
 * ids only): a client asking from before either gets 410 Gone and a
 * pointer to the full listing of its scope. An answer is the net change
 * from the ID asked about to the snapshot served now, limited to the
 * token's scope prefixes. Anonymous callers get nothing (401). The
 * history is process-wide and guarded by a mutex. */
#ifndef SD_SERVER_CHANGES_H
#define SD_SERVER_CHANGES_H

#include "db/db.h"
#include "server/routes.h"
#include "server/snapshot.h"
#include "server/tokens.h"

#define SRV_CHANGES_GENERATIONS 16 /* generations kept */
#define SRV_CHANGES_MAX_RECORDS                                                          \
	250000u /* differences one generation holds (64 bytes each) */
#define SRV_CHANGES_MAX_ANSWER 100000u /* differences in one answer */

/* Called with the snapshot served until now and the one about to replace
 * it. Identical contents add nothing. */
void srv_changes_record(const struct db *old, const struct db *new);
/* Answers the request: tok NULL is anonymous; since is the query's
 * `since` value (NULL if absent). Fills resp like the other routes. */
void srv_changes_answer(const struct srv_snap *snap, const struct srv_token *tok,
			const char *since, struct srv_response *resp);

#endif
