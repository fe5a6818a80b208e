#include "server/bulk.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/limits.h"
#include "report/report.h"
#include "server/limits.h"

bool srv_bulk_admit(struct srv_call *c)
{
	const struct srv_token *tok;
	if (!srv_call_authenticate(c, &tok)) {
		srv_call_rate(c, NULL, 1); /* failed guesses cost the guesser */
		return false;
	}
	if (!tok) {
		c->resp->www_authenticate = true;
		srv_call_error(c, 401, "token_required", "bulk checks need a token");
		srv_call_rate(c, NULL, 1);
		return false;
	}
	if (!srv_call_rate(c, tok, 1))
		return false;
	if (c->req->body_too_large) {
		char msg[128];
		snprintf(msg, sizeof(msg), "the body is larger than %d bytes",
			 SRV_MAX_BODY);
		srv_call_error(c, 413, "body_too_large", msg);
		return false;
	}
	return true;
}

/* Splits a bulk body into query strings: a JSON array of strings, or one
 * per line. Returns NULL (with the error written) if the body is unusable. */
static json_t *bulk_items(struct srv_call *c)
{
	const char *ct = c->req->content_type;
	const char *body = c->req->body ? c->req->body : "";
	size_t len = c->req->body_len;
	bool is_json = ct && !strncasecmp(ct, "application/json", 16);
	bool is_text = !ct || !strncasecmp(ct, "text/plain", 10);
	if (!is_json && !is_text) {
		srv_call_error(c, 415, "unsupported_media_type",
			       "send a JSON array (application/json) or one address per "
			       "line (text/plain)");
		return NULL;
	}
	if (is_json) {
		json_error_t je;
		json_t *a = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
		if (!a) {
			char msg[256];
			snprintf(msg, sizeof(msg),
				 "the body is not valid JSON: %s (line %d)", je.text,
				 je.line);
			srv_call_error(c, 400, "bad_json", msg);
			return NULL;
		}
		if (!json_is_array(a)) {
			json_decref(a);
			srv_call_error(c, 400, "bad_json",
				       "the body must be a JSON array of strings");
			return NULL;
		}
		return a;
	}
	json_t *a = json_array();
	size_t pos = 0;
	while (a && pos < len) {
		const char *nl = memchr(body + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - body) : len;
		size_t s = pos, e = end;
		pos = end + 1;
		while (s < e && (body[s] == ' ' || body[s] == '\t'))
			s++;
		while (e > s &&
		       (body[e - 1] == ' ' || body[e - 1] == '\t' || body[e - 1] == '\r'))
			e--;
		if (s == e || body[s] == '#')
			continue;
		/* a line past SRV_MAX_QUERY is kept so it is reported (its
		 * echo is cut to a prefix) */
		if (json_array_size(a) > SRV_MAX_BULK)
			break;
		/* a line that is not UTF-8 or holds a NUL is kept as null, and
		 * answered as a malformed entry */
		json_t *str =
		    memchr(body + s, 0, e - s) ? NULL : json_stringn(body + s, e - s);
		json_array_append_new(a, str ? str : json_null());
	}
	if (!a)
		srv_call_out_of_memory(c->resp);
	return a;
}

/* The query as echoed in an error: at most SRV_MAX_ECHO bytes, cut on a
 * UTF-8 boundary, with "..." when cut. */
static json_t *echo(json_t *query)
{
	if (!json_is_string(query))
		return json_incref(query);
	const char *s = json_string_value(query);
	size_t n = json_string_length(query);
	if (n <= SRV_MAX_ECHO)
		return json_incref(query);
	size_t k = SRV_MAX_ECHO;
	while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
		k--;
	char buf[SRV_MAX_ECHO + 4];
	memcpy(buf, s, k);
	memcpy(buf + k, "...", 4);
	return json_string(buf);
}

static json_t *item_error(json_t *query, const char *code, const char *msg)
{
	json_t *o = json_object();
	json_object_set_new(o, "query", echo(query));
	json_t *e = json_object();
	json_object_set_new(e, "code", json_string(code));
	json_object_set_new(e, "message", json_string(msg));
	json_object_set_new(o, "error", e);
	return o;
}

/* One entry judged: ok with the query and the detail its caller may see,
 * or the item error to answer in its place. */
struct item {
	bool ok;
	struct net_prefix q;
	enum report_detail detail;
	json_t *error;
};

static void judge(const struct srv_call *c, const struct srv_token *tok, json_t *it,
		  struct item *out)
{
	*out = (struct item){0};
	if (!json_is_string(it)) {
		out->error =
		    item_error(it, "bad_address", "each entry must be a UTF-8 string");
		return;
	}
	const char *code;
	char msg[256];
	if (!srv_parse_query(json_string_value(it), json_string_length(it), &out->q,
			     &code, msg, sizeof(msg))) {
		out->error = item_error(it, code, msg);
		return;
	}
	struct srv_denial why;
	if (!srv_policy_check(&c->ctx->policy, &c->req->client, tok, &out->q,
			      &out->detail, &why)) {
		out->error = item_error(it, why.code, why.message);
		return;
	}
	out->ok = true;
}

/* Entries report_lookup lists for q. */
static uint64_t answer_entries(const struct db *db, const struct net_prefix *q)
{
	struct db_entry hits[SD_MAX_CHECK_HITS];
	uint64_t n = db_cover(db, q, hits, SD_MAX_CHECK_HITS);
	if (n > SD_MAX_CHECK_HITS)
		n = SD_MAX_CHECK_HITS;
	if (q->len < 128) {
		uint64_t inside = db_range_count(db, q);
		n += inside < SRV_MAX_INSIDE ? inside : SRV_MAX_INSIDE;
	}
	return n;
}

struct stream {
	struct srv_snap *snap;
	struct srv_tokens *tokens;
	const struct srv_token *tok; /* inside tokens */
	struct srv_ctx *ctx;
	struct srv_request req; /* client and policy inputs only */
	json_t *items;
	size_t next;
	bool done;
	struct srv_buf out;
	size_t off;
};

static void stream_free(void *p)
{
	struct stream *s = p;
	if (!s)
		return;
	json_decref(s->items);
	srv_buf_free(&s->out);
	srv_ref_put(&s->snap->ref);
	srv_ref_put(&s->tokens->ref);
	free(s);
}

/* Renders the next result into s->out; false when out of memory. */
static bool render_next(struct stream *s)
{
	json_t *it = json_array_get(s->items, s->next);
	struct srv_call c = {s->ctx, &s->req, NULL, s->snap, s->tokens};
	struct item r;
	judge(&c, s->tok, it, &r);
	json_t *v =
	    r.ok ? report_lookup_query(s->snap->db, &r.q, json_string_value(it),
				       json_string_length(it), r.detail, SRV_MAX_INSIDE)
		 : r.error;
	char *text = v ? json_dumps(v, JSON_COMPACT) : NULL;
	json_decref(v);
	if (!text)
		return false;
	if (s->next++)
		srv_buf_puts(&s->out, ",");
	srv_buf_puts(&s->out, text);
	free(text);
	if (s->next == json_array_size(s->items)) {
		srv_buf_puts(&s->out, "]}\n");
		s->done = true;
	}
	return !s->out.failed;
}

static ssize_t stream_read(void *p, char *buf, size_t max)
{
	struct stream *s = p;
	while (s->out.len - s->off == 0) {
		s->out.len = s->off = 0;
		if (s->done)
			return 0;
		if (!render_next(s))
			return -1;
	}
	size_t n = s->out.len - s->off;
	if (n > max)
		n = max;
	memcpy(buf, s->out.data + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

void srv_bulk(struct srv_call *c)
{
	const struct srv_token *tok;
	if (c->req->admitted) {
		/* charged at admission; the table may have been reloaded
		 * since, so the token is looked up again */
		if (!srv_call_authenticate(c, &tok))
			return;
	} else if (!srv_bulk_admit(c)) {
		return;
	} else {
		srv_call_authenticate(c, &tok);
	}
	if (!tok) {
		srv_call_error(c, 401, "token_required", "bulk checks need a token");
		return;
	}
	if (c->req->body_too_large) {
		char msg[128];
		snprintf(msg, sizeof(msg), "the body is larger than %d bytes",
			 SRV_MAX_BODY);
		srv_call_error(c, 413, "body_too_large", msg);
		return;
	}
	json_t *items = bulk_items(c);
	if (!items)
		return;
	if (json_array_size(items) > tok->bulk) {
		char msg[128];
		snprintf(msg, sizeof(msg),
			 "at most %u entries per bulk request for this token", tok->bulk);
		json_decref(items);
		srv_call_error(c, 413, "too_many_entries", msg);
		return;
	}
	/* what the answer will list, before any of it is rendered */
	uint64_t weight = 0;
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		struct item r;
		judge(c, tok, it, &r);
		json_decref(r.error);
		uint64_t w = r.ok ? answer_entries(c->snap->db, &r.q) : 0;
		weight += w ? w : 1;
	}
	if (weight > SRV_MAX_ANSWER_ENTRIES) {
		char msg[160];
		snprintf(msg, sizeof(msg),
			 "the answer would list %llu entries; at most %d in one answer "
			 "(ask for smaller prefixes or fewer lines)",
			 (unsigned long long)weight, SRV_MAX_ANSWER_ENTRIES);
		json_decref(items);
		srv_call_error(c, 413, "answer_too_large", msg);
		return;
	}
	/* the admission took 1; the rest may leave the bucket in debt,
	 * which the token's next requests wait out */
	if (weight > 1 && c->ctx->rl && tok->rate > 0) {
		struct srv_rate_key k;
		srv_rate_key_token(tok->hash, &k);
		srv_ratelimit_charge(c->ctx->rl, &k, tok->rate, tok->burst,
				     (double)(weight - 1), c->req->now_ms);
	}
	if (json_array_size(items) == 0) {
		json_decref(items);
		srv_call_answer(c, 200, "results", json_array());
		return;
	}
	struct stream *s = calloc(1, sizeof(*s));
	if (!s) {
		json_decref(items);
		srv_call_out_of_memory(c->resp);
		return;
	}
	srv_ref_hold(&c->snap->ref);
	srv_ref_hold(&c->tokens->ref);
	*s = (struct stream){
	    .snap = c->snap,
	    .tokens = c->tokens,
	    .tok = tok,
	    .ctx = c->ctx,
	    .req = {.client = c->req->client},
	    .items = items,
	};
	srv_buf_puts(&s->out, "{\"snapshot\":");
	srv_buf_put(&s->out, c->snap->snapshot_json, c->snap->snapshot_len);
	srv_buf_puts(&s->out, ",\"results\":[");
	c->resp->status = 200;
	c->resp->type = SRV_JSON_TYPE;
	c->resp->stream = s;
	c->resp->stream_read = stream_read;
	c->resp->stream_free = stream_free;
}
