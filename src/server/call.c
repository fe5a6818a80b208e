/* The pieces every route handler shares (routes.c, bulk.c, changes.c): the
 * JSON answer with the snapshot object, errors, the caller's token and
 * rate bucket, and the parse of one query. Kept apart from routes.c so the
 * handlers in their own files do not call back into the dispatcher. */
#include "server/call.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/limits.h"
#include "server/metrics.h"
#include "server/ratelimit.h"

#define JSON_TYPE SRV_JSON_TYPE

/* A later answer replaces an earlier one (a failed token guess that also
 * runs out of rate is answered 429, not 401). */
void srv_call_drop_body(struct srv_response *r)
{
	if (!r->body_static)
		free(r->body);
	r->body = NULL;
	r->body_static = false;
}

void srv_call_set_body(struct srv_response *r, int status, const char *type, char *body,
		       size_t len)
{
	srv_call_drop_body(r);
	r->status = status;
	r->type = type;
	r->body = body;
	r->len = len;
	r->body_static = false;
}

void srv_call_out_of_memory(struct srv_response *r)
{
	static const char oom[] =
	    "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
	srv_call_drop_body(r);
	r->status = 500;
	r->type = JSON_TYPE;
	r->body = (char *)oom;
	r->len = sizeof(oom) - 1;
	r->body_static = true;
}

/* {"snapshot": <cached>, key: value}: the cached snapshot object is spliced
 * in as text, so a lookup renders only its own part. Takes value. */
void srv_call_answer(struct srv_call *c, int status, const char *key, json_t *value)
{
	char *v = value ? json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	json_decref(value);
	if (!v) {
		srv_call_out_of_memory(c->resp);
		return;
	}
	struct srv_buf b = {0};
	srv_buf_puts(&b, "{\"snapshot\":");
	if (c->snap)
		srv_buf_put(&b, c->snap->snapshot_json, c->snap->snapshot_len);
	else
		srv_buf_puts(&b, "null");
	srv_buf_printf(&b, ",\"%s\":", key);
	srv_buf_puts(&b, v);
	srv_buf_puts(&b, "}\n");
	free(v);
	size_t len;
	char *body = srv_buf_take(&b, &len);
	if (!body) {
		srv_call_out_of_memory(c->resp);
		return;
	}
	srv_call_set_body(c->resp, status, JSON_TYPE, body, len);
}

void srv_call_error(struct srv_call *c, int status, const char *code, const char *message)
{
	json_t *e = json_object();
	json_object_set_new(e, "code", json_string(code));
	json_object_set_new(e, "message", json_string(message));
	srv_call_answer(c, status, "error", e);
}

bool srv_call_authenticate(struct srv_call *c, const struct srv_token **tok)
{
	*tok = NULL;
	const char *h = c->req->authorization;
	if (!h)
		return true;
	while (*h == ' ')
		h++;
	if (strncasecmp(h, "Bearer ", 7) != 0) {
		c->resp->www_authenticate = true;
		srv_call_error(c, 401, "bad_token",
			       "the Authorization header must be 'Bearer <token>'");
		return false;
	}
	h += 7;
	while (*h == ' ')
		h++;
	size_t n = strnlen(h, SRV_MAX_TOKEN + 1);
	while (n && h[n - 1] == ' ')
		n--;
	if (n > SRV_MAX_TOKEN) {
		char msg[64];
		snprintf(msg, sizeof(msg), "a token is at most %d characters",
			 SRV_MAX_TOKEN);
		c->resp->www_authenticate = true;
		srv_call_error(c, 401, "token_too_long", msg);
		return false;
	}
	*tok = srv_tokens_find(c->tokens, h, n);
	if (!*tok) {
		c->resp->www_authenticate = true;
		srv_call_error(c, 401, "bad_token",
			       "this token is not known to the server");
		return false;
	}
	return true;
}

bool srv_call_rate(struct srv_call *c, const struct srv_token *tok, double cost)
{
	struct srv_rate_key k;
	double rate = c->ctx->anon_rate, burst = c->ctx->anon_burst;
	if (tok) {
		srv_rate_key_token(tok->hash, &k);
		rate = tok->rate;
		burst = tok->burst;
	} else {
		srv_rate_key_addr(&c->req->client, &k);
	}
	if (!c->ctx->rl || rate <= 0)
		return true;
	unsigned retry = 0;
	if (srv_ratelimit_take(c->ctx->rl, &k, rate, burst, cost, c->req->now_ms, &retry))
		return true;
	srv_metrics_event(SRV_EV_RATE_LIMITED);
	c->resp->retry_after = retry;
	srv_call_error(c, 429, "rate_limited",
		       "too many requests; retry after the number "
		       "of seconds in the Retry-After header");
	return false;
}

bool srv_parse_query(const char *s, size_t n, struct net_prefix *q, const char **code,
		     char *msg, size_t msgsize)
{
	if (n == 0) {
		*code = "bad_address";
		snprintf(msg, msgsize, "no address or prefix given");
		return false;
	}
	if (n > SRV_MAX_QUERY) {
		*code = "query_too_long";
		snprintf(msg, msgsize, "an address or prefix is at most %d characters",
			 SRV_MAX_QUERY);
		return false;
	}
	const char *why = NULL;
	int rc = net_prefix_parse(s, n, q, 0, &why);
	if (rc == 0)
		return true;
	*code = rc == SD_EHOSTBITS ? "host_bits" : "bad_address";
	/* echoed as printable ASCII only: the message must stay valid UTF-8
	 * JSON whatever bytes were sent */
	char shown[SRV_MAX_QUERY + 1];
	for (size_t i = 0; i < n; i++)
		shown[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	shown[n] = 0;
	snprintf(msg, msgsize, "'%s' is not an address or prefix: %s", shown,
		 why ? why : "malformed");
	return false;
}
