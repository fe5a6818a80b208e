/* Requests to answers, independent of the HTTP library: the transport
 * (http.c) fills a srv_request from the connection and sends the
 * srv_response back; the fuzzer calls srv_handle directly. */
#ifndef SD_SERVER_ROUTES_H
#define SD_SERVER_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
	struct net_addr client; /* after the proxy rules */
	uint64_t now_ms;	/* wall clock, for the rate limiter */
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
	enum srv_route route;
};

/* Always fills *resp (a 500 JSON error if memory runs out while
 * rendering). Free with srv_response_free. */
void srv_handle(struct srv_ctx *ctx, const struct srv_request *req,
		struct srv_response *resp);
void srv_response_free(struct srv_response *resp);

#endif
