#include "server/routes.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "report/report.h"
#include "server/assets.h"
#include "server/bulk.h"
#include "server/call.h"
#include "server/changes.h"
#include "server/check_body.h"
#include "server/limits.h"
#include "server/page.h"
#include "server/snapshot.h"
#include "server/tokens.h"

#define JSON_TYPE SRV_JSON_TYPE

static void cached(struct srv_call *c, const char *body, size_t len)
{
	char *copy = malloc(len + 1);
	if (!copy) {
		srv_call_out_of_memory(c->resp);
		return;
	}
	memcpy(copy, body, len);
	copy[len] = 0;
	srv_call_set_body(c->resp, 200, JSON_TYPE, copy, len);
}

static bool is_get(const struct srv_request *r)
{
	return !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD");
}

static void method_not_allowed(struct srv_call *c, const char *allow)
{
	c->resp->allow = allow;
	srv_call_error(c, 405, "method_not_allowed", "this method is not allowed here");
}

static void check_one(struct srv_call *c, const char *text, size_t n, bool own)
{
	const struct srv_token *tok;
	if (!srv_call_authenticate(c, &tok)) {
		srv_call_rate(c, NULL, 1); /* failed guesses cost the guesser */
		return;
	}
	if (!srv_call_rate(c, tok, 1))
		return;
	struct net_prefix q;
	if (own) {
		net_prefix_host(&q, &c->req->client);
	} else {
		const char *code;
		char msg[256];
		if (!srv_parse_query(text, n, &q, &code, msg, sizeof(msg))) {
			srv_call_error(c, 400, code, msg);
			return;
		}
	}
	enum report_detail detail;
	struct srv_denial why;
	if (!srv_policy_check(&c->ctx->policy, &c->req->client, tok, &q, &detail, &why)) {
		srv_call_error(c, why.status, why.code, why.message);
		return;
	}
	size_t len;
	char *body = srv_check_body(c->snap, &q, own ? NULL : text, n, detail,
				    SRV_MAX_INSIDE, &len);
	if (!body) {
		srv_call_out_of_memory(c->resp);
		return;
	}
	srv_call_set_body(c->resp, 200, JSON_TYPE, body, len);
}

static void serve_asset(struct srv_call *c, const char *name, const char *type)
{
	const struct web_asset *a = srv_asset_find(name);
	if (!a) {
		srv_call_error(c, 404, "not_found", "no such file");
		return;
	}
	srv_call_drop_body(c->resp);
	c->resp->status = 200;
	c->resp->type = type ? type : srv_asset_type(name);
	c->resp->body = (char *)a->data;
	c->resp->len = a->size;
	c->resp->body_static = true;
	c->resp->cacheable = true;
}

static void page(struct srv_call *c, const char *name)
{
	const char *arg = c->req->arg_ip;
	struct srv_page_view v = {.snap = c->snap, .client = &c->req->client};
	if (!strcmp(name, "index.html")) {
		/* the visitor's own verdict, or the answer to the form */
		struct net_prefix q;
		bool own = !arg || !*arg;
		v.query = own ? NULL : arg;
		if (own) {
			net_prefix_host(&q, &c->req->client);
		} else {
			const char *code;
			char msg[256];
			if (!srv_parse_query(arg, strlen(arg), &q, &code, msg,
					     sizeof(msg))) {
				v.status = 400;
				snprintf(v.message, sizeof(v.message), "%s", msg);
				goto render;
			}
		}
		unsigned retry = 0;
		struct srv_rate_key k;
		srv_rate_key_addr(&c->req->client, &k);
		if (c->ctx->rl && c->ctx->anon_rate > 0 &&
		    !srv_ratelimit_take(c->ctx->rl, &k, c->ctx->anon_rate,
					c->ctx->anon_burst, 1, c->req->now_ms, &retry)) {
			srv_metrics_event(SRV_EV_RATE_LIMITED);
			c->resp->retry_after = retry;
			v.status = 429;
			snprintf(
			    v.message, sizeof(v.message),
			    "Too many checks from your address; please try again in %u "
			    "seconds.",
			    retry);
			goto render;
		}
		enum report_detail detail;
		struct srv_denial why;
		if (!srv_policy_check(&c->ctx->policy, &c->req->client, NULL, &q, &detail,
				      &why)) {
			v.status = why.status;
			snprintf(v.message, sizeof(v.message), "%s.", why.message);
			goto render;
		}
		v.result =
		    report_lookup_query(c->snap->db, &q, own ? NULL : arg,
					own ? 0 : strlen(arg), detail, SRV_MAX_INSIDE);
		v.own = own;
	}
render:;
	const struct web_asset *a = srv_asset_find(name);
	size_t len = 0;
	char *body = a ? srv_page_render(&v, a, &len) : NULL;
	json_decref(v.result);
	if (!body) {
		srv_call_out_of_memory(c->resp);
		return;
	}
	srv_call_set_body(c->resp, v.status ? v.status : 200, "text/html; charset=utf-8",
			  body, len);
}

static void metrics(struct srv_call *c)
{
	struct srv_buf b = {0};
	uint64_t now = (uint64_t)time(NULL); /* now_ms is monotonic */
	srv_metrics_render(&b, c->snap ? db_build_time(c->snap->db) : 0, now,
			   c->snap ? db_entry_count(c->snap->db) : 0);
	size_t len;
	char *body = srv_buf_take(&b, &len);
	if (!body) {
		srv_call_out_of_memory(c->resp);
		return;
	}
	srv_call_set_body(c->resp, 200, "text/plain; version=0.0.4; charset=utf-8", body,
			  len);
}

static void route(struct srv_call *c)
{
	const char *p = c->req->path;
	struct srv_response *r = c->resp;
	static const char check[] = "/api/v1/check";
	if (!strncmp(p, check, sizeof(check) - 1) &&
	    (p[sizeof(check) - 1] == 0 || p[sizeof(check) - 1] == '/')) {
		const char *rest = p + sizeof(check) - 1;
		if (!*rest || !strcmp(rest, "/")) {
			if (!strcmp(c->req->method, "POST")) {
				r->route = SRV_ROUTE_BULK;
				srv_bulk(c);
			} else if (is_get(c->req)) {
				r->route = SRV_ROUTE_CHECK_SELF;
				check_one(c, NULL, 0, true);
			} else {
				r->route = SRV_ROUTE_CHECK;
				method_not_allowed(c, "GET, HEAD, POST");
			}
			return;
		}
		r->route = SRV_ROUTE_CHECK;
		if (!is_get(c->req)) {
			method_not_allowed(c, "GET, HEAD");
			return;
		}
		rest++;
		check_one(c, rest, strlen(rest), false);
		return;
	}
	const struct srv_token *tok;
	if (!strcmp(p, "/api/v1/changes")) { /* owners: server/changes.c */
		r->route = SRV_ROUTE_CHANGES;
		if (!is_get(c->req))
			method_not_allowed(c, "GET, HEAD");
		else if (srv_call_authenticate(c, &tok) && srv_call_rate(c, tok, 1))
			srv_changes_answer(c->snap, tok, c->req->arg_since, r);
		return;
	}
	static const struct {
		const char *path;
		enum srv_route route;
	} fixed[] = {
	    {"/", SRV_ROUTE_PAGE},
	    {"/methodology", SRV_ROUTE_PAGE},
	    {"/stats", SRV_ROUTE_PAGE},
	    {"/api/v1/campaigns", SRV_ROUTE_CAMPAIGNS},
	    {"/api/v1/stats", SRV_ROUTE_STATS},
	    {"/api/v1/openapi.json", SRV_ROUTE_OPENAPI},
	    {"/healthz", SRV_ROUTE_HEALTH},
	    {"/metrics", SRV_ROUTE_METRICS},
	};
	r->route = SRV_ROUTE_OTHER;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (!strcmp(p, fixed[i].path))
			r->route = fixed[i].route;
	static const char assets[] = "/assets/";
	bool is_asset = !strncmp(p, assets, sizeof(assets) - 1) &&
			!strchr(p + sizeof(assets) - 1, '/') && p[sizeof(assets) - 1];
	if (is_asset)
		r->route = SRV_ROUTE_ASSET;
	if (r->route == SRV_ROUTE_OTHER) {
		srv_call_error(c, 404, "not_found", "no such page or endpoint");
		return;
	}
	if (!is_get(c->req)) {
		method_not_allowed(c, "GET, HEAD");
		return;
	}
	switch (r->route) {
	case SRV_ROUTE_PAGE:
		page(c, !strcmp(p, "/")	       ? "index.html"
			: !strcmp(p, "/stats") ? "stats.html"
					       : "methodology.html");
		break;
	case SRV_ROUTE_ASSET:
		serve_asset(c, p + sizeof(assets) - 1, NULL);
		break;
	case SRV_ROUTE_CAMPAIGNS:
		cached(c, c->snap->campaigns_json, c->snap->campaigns_len);
		break;
	case SRV_ROUTE_STATS:
		cached(c, c->snap->stats_json, c->snap->stats_len);
		break;
	case SRV_ROUTE_OPENAPI:
		serve_asset(c, "openapi.json", JSON_TYPE);
		break;
	case SRV_ROUTE_HEALTH:
		/* a failed tokens reload leaves revoked tokens working, a
		 * failed snapshot reload old answers: the replica still
		 * answers, but says so */
		srv_call_answer(c, 200, "status",
				json_string(srv_metrics_tokens_is_stale() ||
						    srv_metrics_snapshot_is_stale()
						? "degraded"
						: "ok"));
		break;
	case SRV_ROUTE_METRICS:
		metrics(c);
		break;
	default:
		srv_call_error(c, 404, "not_found", "no such page or endpoint");
		break;
	}
}

static bool is_bulk(const struct srv_request *r)
{
	return !strcmp(r->method, "POST") &&
	       (!strcmp(r->path, "/api/v1/check") || !strcmp(r->path, "/api/v1/check/"));
}

/* Runs fn with the current snapshot and tokens held for its length. */
static void with_call(struct srv_ctx *ctx, const struct srv_request *req,
		      struct srv_response *resp, void (*fn)(struct srv_call *c))
{
	*resp = (struct srv_response){.route = SRV_ROUTE_OTHER};
	struct srv_call c = {ctx, req, resp, NULL, NULL};
	struct srv_ref *s = srv_slot_get(&ctx->snap);
	struct srv_ref *t = srv_slot_get(&ctx->tokens);
	c.snap = (struct srv_snap *)s;
	c.tokens = (struct srv_tokens *)t;
	if (!c.snap)
		srv_call_error(&c, 503, "no_snapshot", "no snapshot is loaded");
	else
		fn(&c);
	srv_ref_put(t);
	srv_ref_put(s);
}

void srv_handle(struct srv_ctx *ctx, const struct srv_request *req,
		struct srv_response *resp)
{
	with_call(ctx, req, resp, route);
}

/* A body is read only for a bulk check by a known token with rate left;
 * everything else is answered from the header (the body never read). */
static void preflight(struct srv_call *c)
{
	if (!is_bulk(c->req)) {
		route(c);
		return;
	}
	c->resp->route = SRV_ROUTE_BULK;
	if (srv_bulk_admit(c))
		c->resp->status = 0;
}

bool srv_preflight(struct srv_ctx *ctx, const struct srv_request *req,
		   struct srv_response *resp)
{
	with_call(ctx, req, resp, preflight);
	if (resp->status)
		srv_metrics_event(SRV_EV_BODY_REFUSED);
	return resp->status != 0;
}

void srv_refuse(struct srv_ctx *ctx, const struct srv_request *req, int status,
		const char *code, const char *message, struct srv_response *resp)
{
	*resp = (struct srv_response){.route = SRV_ROUTE_OTHER};
	struct srv_call c = {ctx, req, resp, NULL, NULL};
	struct srv_ref *s = srv_slot_get(&ctx->snap);
	c.snap = (struct srv_snap *)s;
	srv_call_error(&c, status, code, message);
	srv_ref_put(s);
}

void srv_response_free(struct srv_response *resp)
{
	if (resp->stream_free)
		resp->stream_free(resp->stream);
	resp->stream_free = NULL;
	resp->stream = NULL;
	if (!resp->body_static)
		free(resp->body);
	resp->body = NULL;
}

int srv_response_collect(struct srv_response *resp)
{
	if (!resp->stream_read)
		return 0;
	struct srv_buf b = {0};
	char chunk[4096];
	ssize_t k;
	while ((k = resp->stream_read(resp->stream, chunk, sizeof(chunk))) > 0)
		srv_buf_put(&b, chunk, (size_t)k);
	resp->stream_free(resp->stream);
	resp->stream = NULL;
	resp->stream_free = NULL;
	resp->stream_read = NULL;
	size_t len;
	char *body = srv_buf_take(&b, &len);
	if (k < 0 || !body) {
		free(body);
		srv_call_out_of_memory(resp);
		return -1;
	}
	resp->body = body;
	resp->len = len;
	resp->body_static = false;
	return 0;
}
