/* What a route handler works with, shared by routes.c and the handlers
 * kept in their own files (bulk.c; later /api/v1/changes): one request,
 * its answer, and the snapshot and token table it was started with. */
#ifndef SD_SERVER_CALL_H
#define SD_SERVER_CALL_H

#include <jansson.h>

#include "server/routes.h"
#include "server/snapshot.h"
#include "server/tokens.h"

#define SRV_JSON_TYPE "application/json"

struct srv_call {
	struct srv_ctx *ctx;
	const struct srv_request *req;
	struct srv_response *resp;
	struct srv_snap *snap;
	struct srv_tokens *tokens;
};

/* Frees an answer's body (unless static); a later answer replaces an
 * earlier one (a failed token guess that also runs out of rate is
 * answered 429, not 401). */
void srv_call_drop_body(struct srv_response *r);
/* Sets the answer; takes body (malloc'd). */
void srv_call_set_body(struct srv_response *r, int status, const char *type, char *body,
		       size_t len);
/* {"snapshot": ..., key: value} as the answer; takes value. */
void srv_call_answer(struct srv_call *c, int status, const char *key, json_t *value);
void srv_call_error(struct srv_call *c, int status, const char *code,
		    const char *message);
void srv_call_out_of_memory(struct srv_response *r);
/* The caller's token: *tok NULL for anonymous. Returns false (with a 401
 * written) for a malformed Authorization header or an unknown token. */
bool srv_call_authenticate(struct srv_call *c, const struct srv_token **tok);
/* Charges cost to the caller's bucket (the token's, else the client
 * address's); writes the 429 and returns false when it is empty. */
bool srv_call_rate(struct srv_call *c, const struct srv_token *tok, double cost);
/* Parses the text of one query; on failure *code and msg say why (the
 * query echoed is cut to a bounded prefix). */
bool srv_parse_query(const char *s, size_t n, struct net_prefix *q, const char **code,
		     char *msg, size_t msgsize);

#endif
