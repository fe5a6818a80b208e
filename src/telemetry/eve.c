/* Suricata EVE JSON, one event per line. Events that show an exchange
 * become records: flow and netflow (flow), dns (the querier's query or
 * answer), tls (SNI), http (hostname + url) and alert (from its embedded
 * tls/http/dns part, else as a flow). Other event types, and events
 * without addresses (stats), are skipped, not malformed.
 *
 * Which end is the client is decided from the event, not from src_ip
 * (docs/correlate.md): Suricata writes a DNS answer in the packet's
 * direction (the resolver in src_ip) and an alert on whichever packet
 * fired it. In order: an alert's "flow" object (src/dest in the flow's
 * direction); the alert's "direction"; the ports (a service port on one
 * side, an ephemeral one on the other); for a DNS answer or an alert with
 * a tls/http/dns part (an exchange with a service), a privileged port
 * against an unprivileged one as the server's (never the lower of two
 * high ports: a C2's operator picks its port); for a DNS answer with none
 * of these, the packet direction current Suricata writes. An alert with
 * such a part that none of these settles names no client (it is counted,
 * and matches nothing); an alert without one keeps the fired packet's
 * order (the matcher never takes an indicator address for the victim of
 * a flow). Only the event itself is evidence, never another line: a file
 * read whole or as --range shards gives the same records. */
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "telemetry/backend.h"
#include "telemetry/direction.h"
#include "telemetry/eve_fast.h"
#include "telemetry/eve_pipe.h"
#include "telemetry/field.h"
#include "telemetry/json_util.h"

struct eve {
	struct tel_backend base;
	json_t *cur;
	struct net_addr answers[TEL_MAX_ANSWERS];
	struct eve_fast fast; /* eve_line's scans */
	struct ef_keys keys;  /* their keys */
	struct ef_item items[EK_COUNT];
	struct ef_item piped[EK_COUNT]; /* EVE_PIPED: the keys copied */
	char *pline;			/* EVE_PIPED: the line copied, */
	uint64_t *pquote;		/* and its quote words */
	struct eve_pipe *pipe;		/* made by the first eve_next */
	size_t batch_bytes;		/* the pipe's (0: its default) */
	/* last ISO time parsed by the hot path, without its fraction digits:
	 * consecutive events mostly share their second */
	char tkey[48];
	size_t tkey_pre, tkey_n;
	int64_t tval;
	size_t used;		       /* bytes of scratch in use */
	char scratch[SD_MAX_LINE + 1]; /* decoded escaped strings */
};

static void eve_close(struct tel_backend *b)
{
	struct eve *e = (struct eve *)b;
	eve_pipe_free(e->pipe);
	free(e->pline);
	free(e->pquote);
	json_decref(e->cur);
	free(e);
}

/* inlined, so that strlen and memcmp of a literal fold to compares */
static inline __attribute__((always_inline)) bool streq(const char *s, size_t n,
							const char *lit)
{
	return strlen(lit) == n && !memcmp(s, lit, strlen(lit));
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

/* How an event's src/dest were written, as far as the event tells. */
enum eve_hint {
	EH_REQUEST,   /* flow direction or a request: src began the exchange */
	EH_ANSWER,    /* a DNS answer: packet direction in current Suricata */
	EH_HALF,      /* a netflow half: either end may have begun */
	EH_UNKNOWN,   /* an alert without "direction": the fired packet's */
	EH_TO_SERVER, /* an alert on a packet to the server ("direction") */
	EH_TO_CLIENT, /* an alert on a packet from the server ("direction") */
	EH_FLOW_OBJ,  /* src/dest from an alert's "flow" object: the flow's */
};

/* Turns rec so that its client began the exchange (see the top of the
 * file), from the event alone. */
static void eve_orient(struct tel_record *rec, enum eve_hint hint)
{
	/* the producer's own statement of direction comes first */
	if (hint >= EH_TO_SERVER) {
		if (hint == EH_TO_CLIENT)
			tel_record_swap(rec);
		return;
	}
	int ports = tel_dir_ports(rec);
	/* an application-layer exchange was with a service, and a
	 * privileged port is a service's (clients send from unprivileged
	 * ones); a bare flow alert may be a scan, whose ports say nothing */
	bool service = hint == EH_ANSWER || (hint == EH_UNKNOWN && rec->kind != TEL_FLOW);
	if (!ports && service)
		ports = tel_dir_lower_port(rec);
	if (ports < 0 || (!ports && hint == EH_ANSWER))
		tel_record_swap(rec);
	if (ports)
		rec->flags &= ~(unsigned)TEL_DIR_UNKNOWN;
	else if (service && hint == EH_UNKNOWN)
		/* the fired packet may be the server's: naming its source
		 * could name the C2 (known by name only) as its own victim */
		rec->flags = (rec->flags & ~(unsigned)(TEL_HAS_CLIENT | TEL_HAS_SERVER)) |
			     TEL_DIR_UNKNOWN;
}

/* 1 record, 0 skip; *answer: the event is a DNS answer */
static int dns_event(struct eve *e, json_t *dns, struct tel_record *rec, bool *answer)
{
	const char *s, *name = NULL;
	size_t n, name_len = 0;
	*answer = false;
	if (tj_str(dns, "type", &s, &n))
		*answer = streq(s, n, "answer") || streq(s, n, "response");
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
	if (*answer) {
		rec->flags |= TEL_ANSWERED;
		if (tj_str(dns, "rcode", &s, &n) &&
		    (streq(s, n, "SERVFAIL") || streq(s, n, "NOTIMP") ||
		     streq(s, n, "REFUSED")))
			rec->flags |= TEL_DECLINED;
		/* v1: one answer record per event, rdata at the top */
		if (tj_str(dns, "rrtype", &s, &n) &&
		    (streq(s, n, "A") || streq(s, n, "AAAA")))
			add_answer(e, rec, json_object_get(dns, "rdata"));
		/* v2/v3: answers[] (grouped{} repeats the same data) */
		size_t i;
		json_t *a;
		json_array_foreach(json_object_get(dns, "answers"), i, a)
		{
			if (tj_str(a, "rrtype", &s, &n) &&
			    (streq(s, n, "A") || streq(s, n, "AAAA")))
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
	const char *h = NULL, *u = NULL;
	size_t hl = 0, ul = 0;
	if (!tj_str(http, "hostname", &h, &hl))
		h = NULL;
	if (!tj_str(http, "url", &u, &ul))
		u = NULL;
	/* an absolute URI: the request went to a proxy */
	if (tel_http_target(rec, h, hl, u, ul))
		rec->flags |= TEL_VIA_PROXY;
	uint64_t st;
	if (json_object_get(http, "status"))
		rec->flags |= TEL_ANSWERED;
	if (tj_u64(http, "status", &st))
		tel_http_status(rec, st);
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

/* An alert fires on one packet and Suricata writes that packet's src and
 * dest. Since Suricata 7 the alert also says "direction" and, with flow
 * logging, repeats src/dest in the flow's own direction in "flow".
 * false: the flow object's ports are not port numbers. */
static bool alert_direction(json_t *o, struct tel_record *rec, enum eve_hint *hint)
{
	json_t *flow = json_object_get(o, "flow");
	struct net_addr fs, fd;
	*hint = EH_UNKNOWN;
	if (tj_addr(flow, "src_ip", &fs) && tj_addr(flow, "dest_ip", &fd)) {
		uint16_t sp, dp;
		if (!tj_port(flow, "src_port", &sp) || !tj_port(flow, "dest_port", &dp))
			return false;
		rec->client = fs;
		rec->server = fd;
		rec->client_port = sp;
		rec->server_port = dp;
		*hint = EH_FLOW_OBJ;
		return true;
	}
	const char *s;
	size_t n;
	if (tj_str(o, "direction", &s, &n)) {
		if (streq(s, n, "to_client"))
			*hint = EH_TO_CLIENT;
		if (streq(s, n, "to_server"))
			*hint = EH_TO_SERVER;
	}
	return true;
}

/* The full reader: jansson. 1 record, 0 skipped, SD_EPARSE malformed (reported). */
static int json_line(struct eve *e, const char *line, size_t len, uint64_t ln,
		     struct tel_record *rec)
{
	struct tel_backend *b = &e->base;
	json_decref(e->cur);
	char why[256];
	if (!(e->cur = tj_parse_object(line, len, why, sizeof(why)))) {
		tel_backend_malformed(b, ln, "%s", why);
		return SD_EPARSE;
	}
	json_t *o = e->cur;
	const char *type, *s;
	size_t tl, n;
	if (!tj_str(o, "event_type", &type, &tl)) {
		tel_backend_malformed(b, ln, "no \"event_type\"");
		return SD_EPARSE;
	}
	if (!json_object_get(o, "src_ip") && !json_object_get(o, "dest_ip"))
		return 0; /* stats and other address-less events */
	tel_record_start(rec, ln, TEL_FLOW);
	if (!tj_time(o, "timestamp", &rec->ts)) {
		tel_backend_malformed(b, ln, "missing or bad \"timestamp\"");
		return SD_EPARSE;
	}
	if (!tj_addr(o, "src_ip", &rec->client) || !tj_addr(o, "dest_ip", &rec->server)) {
		tel_backend_malformed(b, ln, "bad \"src_ip\"/\"dest_ip\"");
		return SD_EPARSE;
	}
	rec->flags = TEL_HAS_CLIENT | TEL_HAS_SERVER;
	if (!tj_port(o, "src_port", &rec->client_port) ||
	    !tj_port(o, "dest_port", &rec->server_port)) {
		tel_backend_malformed(
		    b, ln, "\"src_port\"/\"dest_port\" is not a port number 0-65535");
		return SD_EPARSE;
	}
	uint64_t v;
	json_t *proto = json_object_get(o, "proto"), *part;
	if (tj_str(o, "proto", &s, &n)) {
		rec->proto = tel_proto(s, n);
	} else if (proto && !json_is_null(proto)) {
		if (!tj_u64(o, "proto", &v) || v > 255) {
			tel_backend_malformed(
			    b, ln,
			    "\"proto\" is neither a protocol name nor a number 0-255");
			return SD_EPARSE;
		}
		rec->proto = (uint8_t)v;
	}
	enum eve_hint hint = EH_REQUEST;
	bool answer;
	if (streq(type, tl, "flow")) {
		rec->kind = TEL_FLOW;
		json_t *flow = json_object_get(o, "flow");
		flow_part(flow, rec);
		/* flow events are logged at flow end; start is when the
		 * exchange happened */
		int64_t t;
		if (tj_time(flow, "start", &t))
			rec->ts = t;
	} else if (streq(type, tl, "netflow")) {
		/* one event per direction: which end began is unknown */
		rec->kind = TEL_FLOW;
		rec->flags |= TEL_DIR_UNKNOWN;
		hint = EH_HALF;
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
		if (!dns_event(e, json_object_get(o, "dns"), rec, &answer))
			return 0;
		if (answer)
			hint = EH_ANSWER;
	} else if (streq(type, tl, "tls")) {
		rec->kind = TEL_TLS;
		if (tj_str(json_object_get(o, "tls"), "sni", &s, &n))
			set_name(rec, s, n);
	} else if (streq(type, tl, "http")) {
		http_part(json_object_get(o, "http"), rec);
	} else if (streq(type, tl, "alert")) {
		if (!alert_direction(o, rec, &hint)) {
			tel_backend_malformed(
			    b, ln,
			    "\"flow\" \"src_port\"/\"dest_port\" is not a "
			    "port number 0-65535");
			return SD_EPARSE;
		}
		if ((part = json_object_get(o, "tls")) && tj_str(part, "sni", &s, &n)) {
			rec->kind = TEL_TLS;
			set_name(rec, s, n);
		} else if ((part = json_object_get(o, "http"))) {
			http_part(part, rec);
		} else if ((part = json_object_get(o, "dns")) &&
			   dns_event(e, part, rec, &answer)) {
			/* kind set by dns_event */
			if (answer && hint == EH_UNKNOWN)
				hint = EH_ANSWER;
		} else {
			rec->kind = TEL_FLOW;
			flow_part(json_object_get(o, "flow"), rec);
		}
	} else {
		return 0; /* fileinfo, anomaly, ssh, ... */
	}
	eve_orient(rec, hint);
	return 1;
}

/* --- the hot path (see eve_fast.h); whatever it does not take on is
 * handed to json_line, which also words every error --- */

static inline __attribute__((always_inline)) bool
fstr(struct eve *e, const struct ef_keys *f, int k, const char **s, size_t *n)
{
	if (!(f->seen & (1ull << k)))
		return false;
	const struct ef_item *v = &f->item[f->at[k]];
	if (v->kind != EF_ITEM_STR)
		return false;
	if (!v->esc) {
		*s = v->s;
		*n = v->n;
		return true;
	}
	*n = eve_fast_decode(&(struct ef_str){v->s, v->n, true}, e->scratch + e->used);
	*s = e->scratch + e->used;
	e->used += *n;
	return true;
}

/* tj_u64 semantics: 1 with an integer >= 0, 0 otherwise (v = 0); -1 for a
 * string value (digits in a string), which is left to the full reader */
static inline __attribute__((always_inline)) int fnum(const struct ef_keys *f, int k,
						      uint64_t *v)
{
	*v = 0;
	if (!(f->seen & (1ull << k)))
		return 0;
	const struct ef_item *it = &f->item[f->at[k]];
	if (it->kind == EF_ITEM_STR)
		return -1;
	if (it->kind != EF_ITEM_NUM)
		return 0;
	*v = it->v;
	return 1;
}

static inline bool fseen(const struct ef_keys *f, int k)
{
	return f->seen & (1ull << k);
}

/* A port key: true with *port set (left 0 when absent); false for a value
 * that is not a plain number 0-65535, which the full reader takes (digits
 * in a string, null) or reports -- never cut to 16 bits. */
static inline __attribute__((always_inline)) bool fport(const struct ef_keys *f, int k,
							uint16_t *port)
{
	if (!fseen(f, k))
		return true;
	const struct ef_item *it = &f->item[f->at[k]];
	if (it->kind != EF_ITEM_NUM || it->v > 65535)
		return false;
	*port = (uint16_t)it->v;
	return true;
}

/* tj_time on a key: 1 parsed, 0 absent, -1 anything else (a number, or a
 * bad string: the full reader decides) */
static int ftime(struct eve *e, const struct ef_keys *f, int k, int64_t *t)
{
	const char *s, *why;
	size_t n;
	if (!fseen(f, k))
		return 0;
	if (!fstr(e, f, k, &s, &n))
		return -1;
	/* "YYYY-MM-DDTHH:MM:SS.fff...<zone>": the value does not depend on the
	 * fraction digits, so the same prefix and zone give the same time */
	size_t j = 20;
	if (n > 20 && n < sizeof(e->tkey) && s[19] == '.' && s[4] == '-') {
		while (j < n && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j > 20 && e->tkey_n && e->tkey_pre == 19 && n - j == e->tkey_n - 19 &&
		    !memcmp(s, e->tkey, 19) && !memcmp(s + j, e->tkey + 19, n - j)) {
			*t = e->tval;
			return 1;
		}
	}
	if (!tel_parse_time(s, n, t, &why))
		return -1;
	if (j > 20) {
		memcpy(e->tkey, s, 19);
		memcpy(e->tkey + 19, s + j, n - j);
		e->tkey_pre = 19;
		e->tkey_n = 19 + n - j;
		e->tval = *t;
	}
	return 1;
}

#define FAST_FALLBACK 2
/* The record of a line that eve_fast_scan took (its keys in e->fast): 1
 * record, 0 skipped, FAST_FALLBACK: use json_line */
/* An address key (tel_addr), read with the wide parser: the bytes after
 * the value up to the line's end (or the scratch's, for a decoded value)
 * may be read. */
static inline bool faddr(struct eve *e, const struct ef_keys *f, int k, const char *end,
			 struct net_addr *a)
{
	const char *s;
	size_t n;
	if (!fstr(e, f, k, &s, &n))
		return false;
	if (f->item[f->at[k]].esc)
		end = e->scratch + sizeof(e->scratch);
	return tel_addr_wide(s, n, end, a);
}

/* end: the end of the line the keys are in */
static int fast_record(struct eve *e, const struct ef_keys *f, const char *end,
		       uint64_t ln, struct tel_record *rec)
{
	e->used = 0;
	const char *type, *s;
	size_t tl, n;
	if (!fstr(e, f, EK_EVENT_TYPE, &type, &tl))
		return FAST_FALLBACK;
	if (!fseen(f, EK_SRC_IP) && !fseen(f, EK_DEST_IP))
		return 0;
	tel_record_start(rec, ln, TEL_FLOW);
	if (ftime(e, f, EK_TIMESTAMP, &rec->ts) != 1)
		return FAST_FALLBACK;
	if (!faddr(e, f, EK_SRC_IP, end, &rec->client) ||
	    !faddr(e, f, EK_DEST_IP, end, &rec->server))
		return FAST_FALLBACK;
	rec->flags = TEL_HAS_CLIENT | TEL_HAS_SERVER;
	uint64_t v;
	if (!fport(f, EK_SRC_PORT, &rec->client_port) ||
	    !fport(f, EK_DEST_PORT, &rec->server_port))
		return FAST_FALLBACK;
	if (fstr(e, f, EK_PROTO, &s, &n)) {
		rec->proto = tel_proto(s, n);
	} else if (fseen(f, EK_PROTO)) {
		if (fnum(f, EK_PROTO, &v) != 1 || v > 255)
			return FAST_FALLBACK;
		rec->proto = (uint8_t)v;
	}
	enum eve_hint hint = EH_REQUEST;
	if (streq(type, tl, "flow") || streq(type, tl, "netflow")) {
		bool nf = tl == 7;
		uint64_t c[4] = {0, 0, 0, 0};
		static const int fk[4] = {EK_F_BTS, EK_F_BTC, EK_F_PTS, EK_F_PTC};
		static const int nk[2] = {EK_NF_BYTES, EK_NF_PKTS};
		for (int i = 0; i < (nf ? 2 : 4); i++)
			if (fnum(f, nf ? nk[i] : fk[i], &c[i]) < 0)
				return FAST_FALLBACK;
		rec->kind = TEL_FLOW;
		if (nf) {
			rec->flags |= TEL_DIR_UNKNOWN;
			hint = EH_HALF;
			rec->bytes = c[0];
			rec->packets = c[1];
		} else {
			rec->bytes = c[0] + c[1];
			rec->packets = c[2] + c[3];
			if (c[1] || c[3])
				rec->flags |= TEL_ANSWERED;
		}
		int64_t t;
		int tr = ftime(e, f, nf ? EK_NF_START : EK_F_START, &t);
		if (tr < 0)
			return FAST_FALLBACK;
		if (tr)
			rec->ts = t;
	} else if (streq(type, tl, "dns")) {
		/* answers carry addresses and need turning round: full reader */
		if (fstr(e, f, EK_DNS_TYPE, &s, &n) &&
		    (streq(s, n, "answer") || streq(s, n, "response")))
			return FAST_FALLBACK;
		if (!fstr(e, f, EK_DNS_RRNAME, &s, &n))
			return fseen(f, EK_DNS_OTHER) ? FAST_FALLBACK : 0;
		set_name(rec, s, n);
		rec->answers = e->answers;
		rec->kind = TEL_DNS;
	} else if (streq(type, tl, "tls")) {
		rec->kind = TEL_TLS;
		if (fstr(e, f, EK_TLS_SNI, &s, &n))
			set_name(rec, s, n);
	} else if (streq(type, tl, "http")) {
		const char *h = NULL, *u = NULL;
		size_t hl = 0, ul = 0;
		if (!fstr(e, f, EK_HTTP_HOSTNAME, &h, &hl))
			h = NULL;
		if (!fstr(e, f, EK_HTTP_URL, &u, &ul))
			u = NULL;
		if (tel_http_target(rec, h, hl, u, ul))
			rec->flags |= TEL_VIA_PROXY; /* an absolute URI: to a proxy */
		uint64_t st;
		int sr = fnum(f, EK_HTTP_STATUS, &st);
		if (sr < 0)
			return FAST_FALLBACK; /* digits in a string */
		if (fseen(f, EK_HTTP_STATUS))
			rec->flags |= TEL_ANSWERED;
		if (sr)
			tel_http_status(rec, st);
		rec->kind = TEL_HTTP;
	} else if (streq(type, tl, "alert")) {
		return FAST_FALLBACK;
	} else {
		return 0;
	}
	eve_orient(rec, hint);
	return 1;
}

/* 1 record, 0 skipped, FAST_FALLBACK: use json_line */
static int fast_line(struct eve *e, const char *line, size_t len, uint64_t ln,
		     struct tel_record *rec)
{
	e->fast.keys = &e->keys;
	e->fast.item = e->items;
	if (eve_fast_scan(line, len, &e->fast) != EF_OK)
		return FAST_FALLBACK;
	return fast_record(e, &e->keys, line + len, ln, rec);
}

int eve_line(struct tel_backend *b, const char *line, size_t len, uint64_t ln,
	     struct tel_record *rec, int mode)
{
	struct eve *e = (struct eve *)b;
	if (mode == EVE_PIPED) {
		/* as eve_pipe.c: copied and indexed in one pass, then scanned
		 * (a line the pipe would skip as over-long is scanned as it
		 * is, unindexed) */
		if (!e->pline)
			e->pline = malloc(SD_MAX_LINE + 1);
		if (!e->pquote)
			e->pquote = malloc(EVE_INDEX_WORDS * sizeof(*e->pquote));
		if (!e->pline || !e->pquote)
			return FAST_FALLBACK;
		bool esc = false, clean = false;
		if (len <= SD_MAX_LINE) {
			clean = eve_index_copy(line, len, e->pline, e->fast.kernel,
					       e->pquote, &esc);
			line = e->pline;
		}
		e->fast.keys = &e->keys;
		e->fast.item = e->items;
		if (eve_fast_scan_indexed(line, len, clean ? e->pquote : NULL, esc,
					  &e->fast) != EF_OK)
			return FAST_FALLBACK;
		/* the scan's items are all the reader gets: nothing else of
		 * the scan may be read after */
		memcpy(e->piped, e->items, e->fast.n * sizeof(e->items[0]));
		memset(e->items, 0xa5, sizeof(e->items));
		struct ef_keys k = e->keys;
		k.item = e->piped;
		memset(&e->keys, 0xa5, sizeof(e->keys));
		return fast_record(e, &k, line + len, ln, rec);
	}
	if (mode != EVE_JSON_ONLY) {
		int r = fast_line(e, line, len, ln, rec);
		if (r != FAST_FALLBACK || mode == EVE_FAST_ONLY)
			return r;
	}
	return json_line(e, line, len, ln, rec);
}

void eve_set_kernel(struct tel_backend *b, enum eve_kernel k)
{
	((struct eve *)b)->fast.kernel = k;
}

void eve_set_batch_bytes(struct tel_backend *b, size_t n)
{
	((struct eve *)b)->batch_bytes = n;
}

/* eve_line's EVE_AUTO on lines scanned ahead (eve_pipe.h) */
static int eve_next(struct tel_backend *b, struct tel_record *rec, struct sd_error *err)
{
	struct eve *e = (struct eve *)b;
	int rc;
	if (!e->pipe &&
	    (rc = eve_pipe_new(b->src, e->fast.kernel, e->batch_bytes, &e->pipe, err)))
		return rc;
	struct eve_pipe_line l;
	while ((rc = eve_pipe_next(e->pipe, &l, err)) == 1) {
		if (l.overlong) { /* as tel_backend_getline words it */
			tel_backend_malformed(
			    b, l.ln, "line longer than SD_MAX_LINE (%d bytes), skipped",
			    SD_MAX_LINE);
			continue;
		}
		int r = FAST_FALLBACK;
		if (l.scan == EF_OK) {
			r = fast_record(e, l.keys, l.line + l.len, l.ln, rec);
		}
		if (r == FAST_FALLBACK)
			r = json_line(e, l.line, l.len, l.ln, rec);
		if (r == 1)
			return 1;
		if (r == 0)
			b->stats.skipped++;
	}
	return rc;
}

static const struct tel_backend_ops eve_ops = {eve_next, eve_close};

int tel_eve_open(struct io_source *src, const struct tel_options *opt,
		 struct tel_backend **out, struct sd_error *err)
{
	(void)opt;
	struct eve *e = tel_backend_new(sizeof(*e), &eve_ops, TEL_FMT_EVE, src, err);
	if (!e)
		return err->code;
	*out = &e->base;
	return 0;
}
