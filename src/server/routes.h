/* Requests to answers, independent of the HTTP library: the transport
 * (http.c) fills a srv_request from the connection and sends the
 * srv_response back; the fuzzer calls srv_handle directly. */
#ifndef SD_SERVER_ROUTES_H
#define SD_SERVER_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "net/addr.h"
#include "server/metrics.h"
#include "server/policy.h"
#include "server/proxy.h"
#include "server/ratelimit.h"
#include "server/reload.h"

struct srv_ctx {
	struct srv_slot snap;	/* struct srv_snap */
	struct srv_slot tokens; /* struct srv_tokens */
	struct srv_policy policy;
	struct srv_trust trust;
	struct srv_ratelimit *rl;
	double anon_rate, anon_burst; /* anonymous token bucket */
};

struct srv_request {
	const char *method;	   /* "GET", "HEAD", "POST", ... */
	const char *path;	   /* decoded, without the query string */
	const char *arg_ip;	   /* ?ip= (the page's form), or NULL */
	const char *arg_since;	   /* ?since= (/api/v1/changes), or NULL */
	const char *authorization; /* header value, or NULL */
	const char *content_type;  /* header value, or NULL */
	const char *body;	   /* POST body (not NUL-terminated) */
	size_t body_len;
	bool body_too_large;	/* more than SRV_MAX_BODY was sent or announced */
	bool admitted;		/* srv_preflight let the body in (charged once) */
	struct net_addr client; /* after the proxy rules */
	uint64_t now_ms;	/* CLOCK_MONOTONIC, for the rate limiter */
};

struct srv_response {
	int status;
	const char *type; /* Content-Type */
	char *body;	  /* malloc'd unless body_static */
	size_t len;
	bool body_static;
	bool cacheable;	       /* an embedded asset: may be cached */
	unsigned retry_after;  /* seconds, for 429; 0 none */
	const char *allow;     /* for 405 */
	bool www_authenticate; /* for 401 */
	bool close;	       /* close the connection after this answer */
	enum srv_route route;
	/* An answer produced piece by piece instead of body (the bulk check):
	 * stream_read fills buf with up to max bytes and returns how many,
	 * 0 at the end, -1 on failure; stream_free releases stream. */
	ssize_t (*stream_read)(void *stream, char *buf, size_t max);
	void (*stream_free)(void *stream);
	void *stream;
};

/* Always fills *resp (a 500 JSON error if memory runs out while
 * rendering). Free with srv_response_free. */
void srv_handle(struct srv_ctx *ctx, const struct srv_request *req,
		struct srv_response *resp);
void srv_response_free(struct srv_response *resp);
/* Reads a streamed answer whole into body (fuzzing and tests); 0 or -1
 * (then a 500 answer). */
int srv_response_collect(struct srv_response *resp);

/* For a request that announces a body, decided from the header alone:
 * returns true with *resp filled when the request is answered without
 * reading the body (no token, unknown token, rate exhausted, announced
 * body too large, or a route that takes no body), false when the body may
 * be read (then set req->admitted for srv_handle). */
bool srv_preflight(struct srv_ctx *ctx, const struct srv_request *req,
		   struct srv_response *resp);
/* A JSON error answer like every other (400 for a malformed request). */
void srv_refuse(struct srv_ctx *ctx, const struct srv_request *req, int status,
		const char *code, const char *message, struct srv_response *resp);

#endif
