/* Suricata EVE JSON, one event per line. Events that show an exchange
 * become records: flow and netflow (flow), dns (the querier's query; an
 * answer event is turned round so the client is still the querier), tls
 * (SNI), http (hostname + url) and alert (from its embedded tls/http/dns
 * part, else as a flow). Other event types, and events without addresses
 * (stats), are skipped, not malformed. */
#include <stdlib.h>
#include <string.h>

#include "telemetry/backend.h"
#include "telemetry/field.h"
#include "telemetry/json_util.h"

struct eve {
	struct tel_backend base;
	json_t *cur;
	struct net_addr answers[TEL_MAX_ANSWERS];
};

static void eve_close(struct tel_backend *b)
{
	struct eve *e = (struct eve *)b;
	json_decref(e->cur);
	free(e);
}

static bool streq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && !memcmp(s, lit, n);
}

static void set_name(struct tel_record *rec, const char *s, size_t n)
{
	tel_strip_dot(s, &n);
	rec->name = s;
	rec->name_len = n;
}

static void add_answer(struct eve *e, struct tel_record *rec, json_t *v)
{
	if (rec->nanswers < TEL_MAX_ANSWERS && json_is_string(v) &&
	    tel_addr(json_string_value(v), json_string_length(v),
		     &e->answers[rec->nanswers]))
		rec->nanswers++;
}

/* 1 record, 0 skip */
static int dns_event(struct eve *e, json_t *dns, struct tel_record *rec)
{
	const char *s, *name = NULL;
	size_t n, name_len = 0;
	bool answer = false;
	if (tj_str(dns, "type", &s, &n))
		answer = streq(s, n, "answer") || streq(s, n, "response");
	if (tj_str(dns, "rrname", &s, &n)) {
		name = s;
		name_len = n;
	} else {
		/* EVE v3 (Suricata 8): "queries": [{"rrname": ...}] */
		json_t *qs = json_object_get(dns, "queries");
		if (!qs)
			qs = json_object_get(dns, "query"); /* alert's dns part */
		json_t *q = json_array_get(qs, 0);
		if (tj_str(q, "rrname", &s, &n)) {
			name = s;
			name_len = n;
		}
	}
	if (!name)
		return 0;
	set_name(rec, name, name_len);
	rec->answers = e->answers;
	if (answer) {
		/* the resolver sent it: the querier is the destination */
		struct net_addr t = rec->client;
		rec->client = rec->server;
		rec->server = t;
		uint16_t p = rec->client_port;
		rec->client_port = rec->server_port;
		rec->server_port = p;
		rec->flags |= TEL_ANSWERED;
		/* v1: one answer record per event, rdata at the top */
		if (tj_str(dns, "rrtype", &s, &n) && (streq(s, n, "A") || streq(s, n, "AAAA")))
			add_answer(e, rec, json_object_get(dns, "rdata"));
		/* v2/v3: answers[] (grouped{} repeats the same data) */
		size_t i;
		json_t *a;
		json_array_foreach(json_object_get(dns, "answers"), i, a) {
			if (tj_str(a, "rrtype", &s, &n) && (streq(s, n, "A") || streq(s, n, "AAAA")))
				add_answer(e, rec, json_object_get(a, "rdata"));
		}
		if (!json_object_get(dns, "answers")) {
			json_t *g = json_object_get(dns, "grouped");
			json_array_foreach(json_object_get(g, "A"), i, a)
				add_answer(e, rec, a);
			json_array_foreach(json_object_get(g, "AAAA"), i, a)
				add_answer(e, rec, a);
		}
	}
	rec->kind = TEL_DNS;
	return 1;
}

static void http_part(json_t *http, struct tel_record *rec)
{
	const char *s, *h, *p;
	size_t n, hl, pl;
	uint16_t port;
	if (tj_str(http, "hostname", &s, &n)) {
		tel_split_hostport(s, n, &h, &hl, &port);
		set_name(rec, h, hl);
	}
	if (tj_str(http, "url", &s, &n)) {
		if (tel_split_url(s, n, &h, &hl, &p, &pl)) {
			rec->path = p;
			rec->path_len = pl;
			if (!rec->name_len)
				set_name(rec, h, hl);
		} else {
			rec->path = s;
			rec->path_len = n;
		}
	}
	if (json_object_get(http, "status"))
		rec->flags |= TEL_ANSWERED;
	rec->kind = TEL_HTTP;
}

static void flow_part(json_t *flow, struct tel_record *rec)
{
	uint64_t a = 0, b = 0, c = 0, d = 0;
	if (!flow)
		return;
	tj_u64(flow, "bytes_toserver", &a);
	tj_u64(flow, "bytes_toclient", &b);
	tj_u64(flow, "pkts_toserver", &c);
	tj_u64(flow, "pkts_toclient", &d);
	rec->bytes = a + b;
	rec->packets = c + d;
	if (b || d)
		rec->flags |= TEL_ANSWERED;
}

static int eve_next(struct tel_backend *b, struct tel_record *rec, struct sd_error *err)
{
	struct eve *e = (struct eve *)b;
	const char *line;
	size_t len;
	int rc;
	while ((rc = tel_backend_getline(b, &line, &len, err)) == 1) {
		uint64_t ln = io_lineno(b->src);
		if (len == 0)
			continue;
		json_decref(e->cur);
		char why[256];
		if (!(e->cur = tj_parse_object(line, len, why, sizeof(why)))) {
			tel_backend_malformed(b, ln, "%s", why);
			continue;
		}
		json_t *o = e->cur;
		const char *type, *s;
		size_t tl, n;
		if (!tj_str(o, "event_type", &type, &tl)) {
			tel_backend_malformed(b, ln, "no \"event_type\"");
			continue;
		}
		if (!json_object_get(o, "src_ip") && !json_object_get(o, "dest_ip")) {
			b->stats.skipped++; /* stats and other address-less events */
			continue;
		}
		memset(rec, 0, sizeof(*rec));
		rec->position = ln;
		rec->name = rec->path = "";
		if (!tj_time(o, "timestamp", &rec->ts)) {
			tel_backend_malformed(b, ln, "missing or bad \"timestamp\"");
			continue;
		}
		if (!tj_addr(o, "src_ip", &rec->client) || !tj_addr(o, "dest_ip", &rec->server)) {
			tel_backend_malformed(b, ln, "bad \"src_ip\"/\"dest_ip\"");
			continue;
		}
		rec->flags = TEL_HAS_CLIENT | TEL_HAS_SERVER;
		uint64_t v;
		if (tj_u64(o, "src_port", &v) && v < 65536)
			rec->client_port = (uint16_t)v;
		if (tj_u64(o, "dest_port", &v) && v < 65536)
			rec->server_port = (uint16_t)v;
		if (tj_str(o, "proto", &s, &n))
			rec->proto = tel_proto(s, n);
		else if (tj_u64(o, "proto", &v) && v < 256)
			rec->proto = (uint8_t)v;
		json_t *part;
		if (streq(type, tl, "flow")) {
			rec->kind = TEL_FLOW;
			json_t *flow = json_object_get(o, "flow");
			flow_part(flow, rec);
			/* flow events are logged at flow end; start is when
			 * the exchange happened */
			int64_t t;
			if (tj_time(flow, "start", &t))
				rec->ts = t;
		} else if (streq(type, tl, "netflow")) {
			/* one event per direction: which end began is unknown */
			rec->kind = TEL_FLOW;
			rec->flags |= TEL_DIR_UNKNOWN;
			json_t *nf = json_object_get(o, "netflow");
			uint64_t by = 0, pk = 0;
			tj_u64(nf, "bytes", &by);
			tj_u64(nf, "pkts", &pk);
			rec->bytes = by;
			rec->packets = pk;
			int64_t t;
			if (tj_time(nf, "start", &t))
				rec->ts = t;
		} else if (streq(type, tl, "dns")) {
			if (!dns_event(e, json_object_get(o, "dns"), rec)) {
				b->stats.skipped++;
				continue;
			}
		} else if (streq(type, tl, "tls")) {
			rec->kind = TEL_TLS;
			if (tj_str(json_object_get(o, "tls"), "sni", &s, &n))
				set_name(rec, s, n);
		} else if (streq(type, tl, "http")) {
			http_part(json_object_get(o, "http"), rec);
		} else if (streq(type, tl, "alert")) {
			if ((part = json_object_get(o, "tls")) && tj_str(part, "sni", &s, &n)) {
				rec->kind = TEL_TLS;
				set_name(rec, s, n);
			} else if ((part = json_object_get(o, "http"))) {
				http_part(part, rec);
			} else if ((part = json_object_get(o, "dns")) &&
				   dns_event(e, part, rec)) {
				/* kind set by dns_event */
			} else {
				rec->kind = TEL_FLOW;
				flow_part(json_object_get(o, "flow"), rec);
			}
		} else {
			b->stats.skipped++; /* fileinfo, anomaly, stats, ssh, ... */
			continue;
		}
		return 1;
	}
	return rc;
}

static const struct tel_backend_ops eve_ops = {eve_next, eve_close};

int eve_open(struct io_source *src, const struct tel_options *opt,
	     struct tel_backend **out, struct sd_error *err)
{
	(void)opt;
	struct eve *e = calloc(1, sizeof(*e));
	if (!e)
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	tel_backend_init(&e->base, &eve_ops, TEL_FMT_EVE, src);
	*out = &e->base;
	return 0;
}
