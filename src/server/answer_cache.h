/* Answers already built, kept per worker thread for reuse. libmicrohttpd
 * 0.9.75 copies every header of an answer into allocations of its own
 * (three per header: eight to ten headers, the security headers among
 * them), which made that copying the largest user-space cost of a small
 * answer. An answer whose status, headers and body bytes equal one sent
 * recently goes out as the same MHD_Response (MHD counts its uses), so the
 * headers are built once for it. A miss costs a hash of the body. Only
 * one worker thread touches a cache: no lock. */
#ifndef SD_SERVER_ANSWER_CACHE_H
#define SD_SERVER_ANSWER_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "server/limits.h"
#include "server/routes.h"

struct MHD_Response;

#define SRV_ANSWER_CACHE_SLOTS 64      /* answers kept per worker thread */
#define SRV_ANSWER_CACHE_MAX_BODY 4096 /* larger bodies are never kept */

struct srv_answer_slot {
	struct MHD_Response *m; /* NULL: empty; else the cache holds one use */
	uint64_t hash;
	const char *body; /* owned by m */
	size_t len;
	int status;
	const char *type;
	bool cacheable, close;
};

struct srv_answer_cache {
	struct srv_answer_slot slot[SRV_ANSWER_CACHE_SLOTS];
};

/* Whether rs may be kept: a buffered body of at most
 * SRV_ANSWER_CACHE_MAX_BODY bytes and no header that varies by request
 * (Retry-After, Allow, WWW-Authenticate). */
bool srv_answer_reusable(const struct srv_response *rs);
/* The kept answer equal to rs (reusable), or NULL. *hash is set for
 * srv_answer_cache_put. */
struct MHD_Response *srv_answer_cache_find(struct srv_answer_cache *c,
					   const struct srv_response *rs, uint64_t *hash);
/* Keeps m, built from rs (whose body m now owns: body and len are of m's
 * buffer), in place of what its slot held. The cache takes over the
 * caller's use of m. */
void srv_answer_cache_put(struct srv_answer_cache *c, struct MHD_Response *m,
			  uint64_t hash, const char *body, size_t len,
			  const struct srv_response *rs);
/* Gives up every kept answer (answers still being sent keep theirs). */
void srv_answer_cache_clear(struct srv_answer_cache *c);

#endif
