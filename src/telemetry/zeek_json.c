/* Zeek JSON logs (one object per line): default JSON writer (ts epoch
 * float) and json-streaming-logs (ISO ts, _path/_write_ts). The log kind
 * comes from _path when present, else from which keys the object has. */
#include <stdlib.h>
#include <string.h>

#include "telemetry/backend.h"
#include "telemetry/direction.h"
#include "telemetry/field.h"
#include "telemetry/json_util.h"

struct zjson {
	struct tel_backend base;
	json_t *cur; /* the record's strings point into it */
	struct net_addr answers[TEL_MAX_ANSWERS];
};

static void zj_close(struct tel_backend *b)
{
	struct zjson *z = (struct zjson *)b;
	json_decref(z->cur);
	free(z);
}

static enum tel_kind kind_of(json_t *o)
{
	const char *p;
	size_t n;
	if (tj_str(o, "_path", &p, &n)) {
		if (n == 4 && !memcmp(p, "conn", 4))
			return TEL_FLOW;
		if (n == 3 && !memcmp(p, "dns", 3))
			return TEL_DNS;
		if (n == 3 && !memcmp(p, "ssl", 3))
			return TEL_TLS;
		if (n == 4 && !memcmp(p, "http", 4))
			return TEL_HTTP;
		return 0;
	}
	if (json_object_get(o, "query") && json_object_get(o, "qtype_name"))
		return TEL_DNS;
	if (json_object_get(o, "query") || json_object_get(o, "trans_id"))
		return TEL_DNS;
	if (json_object_get(o, "server_name") || json_object_get(o, "cipher") ||
	    json_object_get(o, "ssl_history"))
		return TEL_TLS;
	if (json_object_get(o, "uri") || json_object_get(o, "method") ||
	    json_object_get(o, "status_code"))
		return TEL_HTTP;
	if (json_object_get(o, "conn_state") || json_object_get(o, "orig_bytes") ||
	    json_object_get(o, "history"))
		return TEL_FLOW;
	return 0;
}

static void set_name(struct tel_record *rec, const char *s, size_t n)
{
	tel_strip_dot(s, &n);
	rec->name = s;
	rec->name_len = n;
}

static int zj_next(struct tel_backend *b, struct tel_record *rec, struct sd_error *err)
{
	struct zjson *z = (struct zjson *)b;
	const char *line;
	size_t len;
	int rc;
	while ((rc = tel_backend_getline(b, &line, &len, err)) == 1) {
		uint64_t ln = io_lineno(b->src);
		if (len == 0 || line[0] == '#')
			continue;
		json_decref(z->cur);
		char why[256];
		if (!(z->cur = tj_parse_object(line, len, why, sizeof(why)))) {
			tel_backend_malformed(b, ln, "%s", why);
			continue;
		}
		json_t *o = z->cur;
		enum tel_kind kind = kind_of(o);
		if (!kind) {
			b->stats.skipped++;
			continue;
		}
		tel_record_start(rec, ln, kind);
		if (!tj_time(o, "ts", &rec->ts)) {
			tel_backend_malformed(b, ln, "missing or bad \"ts\"");
			continue;
		}
		if (!tj_addr(o, "id.orig_h", &rec->client) ||
		    !tj_addr(o, "id.resp_h", &rec->server)) {
			tel_backend_malformed(
			    b, ln, "missing or bad \"id.orig_h\"/\"id.resp_h\"");
			continue;
		}
		rec->flags = TEL_HAS_CLIENT | TEL_HAS_SERVER;
		if (!tj_port(o, "id.orig_p", &rec->client_port) ||
		    !tj_port(o, "id.resp_p", &rec->server_port)) {
			tel_backend_malformed(
			    b, ln,
			    "\"id.orig_p\"/\"id.resp_p\" is not a port number 0-65535");
			continue;
		}
		const char *s;
		size_t n;
		/* Zeek's originator is its guess from the first packet seen:
		 * the ports and the history can correct it, by the rule the
		 * TSV reader applies too (tel_dir_orient_history) */
		if (!tj_str(o, "history", &s, &n)) {
			s = NULL;
			n = 0;
		}
		tel_dir_orient_history(rec, s, n);
		if (tj_str(o, "proto", &s, &n))
			rec->proto = tel_proto(s, n);
		switch (kind) {
		case TEL_FLOW: {
			uint64_t ob = 0, rb = 0, op = 0, rp = 0;
			tj_u64(o, "orig_bytes", &ob);
			tj_u64(o, "resp_bytes", &rb);
			tj_u64(o, "orig_pkts", &op);
			tj_u64(o, "resp_pkts", &rp);
			rec->bytes = ob + rb;
			rec->packets = op + rp;
			if (rb || rp)
				rec->flags |= TEL_ANSWERED;
			break;
		}
		case TEL_DNS: {
			if (!tj_str(o, "query", &s, &n)) {
				b->stats.skipped++;
				goto next;
			}
			set_name(rec, s, n);
			uint64_t v;
			if (json_object_get(o, "rcode"))
				rec->flags |= TEL_ANSWERED;
			if (tj_u64(o, "rcode", &v))
				tel_dns_rcode(rec, v);
			json_t *an = json_object_get(o, "answers");
			size_t i, k = 0;
			json_t *e;
			json_array_foreach(an, i, e)
			{
				if (k < TEL_MAX_ANSWERS && json_is_string(e) &&
				    tel_addr(json_string_value(e), json_string_length(e),
					     &z->answers[k]))
					k++;
			}
			rec->answers = z->answers;
			rec->nanswers = k;
			break;
		}
		case TEL_TLS:
			if (tj_str(o, "server_name", &s, &n))
				set_name(rec, s, n);
			break;
		case TEL_HTTP: {
			const char *u = NULL;
			size_t ul = 0;
			if (!tj_str(o, "host", &s, &n))
				s = NULL;
			if (!tj_str(o, "uri", &u, &ul))
				u = NULL;
			/* an absolute URI: the request went to a proxy */
			if (tel_http_target(rec, s, n, u, ul))
				rec->flags |= TEL_VIA_PROXY;
			uint64_t v;
			if (json_object_get(o, "status_code"))
				rec->flags |= TEL_ANSWERED;
			if (tj_u64(o, "status_code", &v))
				tel_http_status(rec, v);
			break;
		}
		}
		if (!rec->proto && (rec->kind == TEL_TLS || rec->kind == TEL_HTTP))
			rec->proto = 6; /* ssl.log and http.log carry no proto */
		return 1;
	next:;
	}
	return rc;
}

static const struct tel_backend_ops zj_ops = {zj_next, zj_close};

int tel_zeek_json_open(struct io_source *src, const struct tel_options *opt,
		       struct tel_backend **out, struct sd_error *err)
{
	(void)opt;
	struct zjson *z =
	    tel_backend_new(sizeof(*z), &zj_ops, TEL_FMT_ZEEK_JSON, src, err);
	if (!z)
		return err->code;
	*out = &z->base;
	return 0;
}
