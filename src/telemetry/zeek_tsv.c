/* Zeek ASCII logs: the header (#separator, #set_separator, #empty_field,
 * #unset_field, #path, #fields) drives everything, and may repeat mid-file
 * (logs concatenated across rotations). Only the columns a record needs are
 * sliced; nothing is copied or allocated per line. */
#include <stdlib.h>
#include <string.h>

#include "telemetry/backend.h"
#include "telemetry/direction.h"
#include "telemetry/field.h"

enum zcol {
	C_TS,
	C_ORIG_H,
	C_ORIG_P,
	C_RESP_H,
	C_RESP_P,
	C_PROTO,
	C_ORIG_BYTES,
	C_RESP_BYTES,
	C_ORIG_PKTS,
	C_RESP_PKTS,
	C_QUERY,
	C_ANSWERS,
	C_RCODE,
	C_SERVER_NAME,
	C_HOST,
	C_URI,
	C_STATUS,
	C_CONN_STATE,
	C_HISTORY,
	NCOLS
};
static const char *const col_names[NCOLS] = {
    "ts",    "id.orig_h",   "id.orig_p",  "id.resp_h",	 "id.resp_p",
    "proto", "orig_bytes",  "resp_bytes", "orig_pkts",	 "resp_pkts",
    "query", "answers",	    "rcode",	  "server_name", "host",
    "uri",   "status_code", "conn_state", "history",
};

enum zlog { Z_NONE, Z_CONN, Z_DNS, Z_SSL, Z_HTTP, Z_OTHER };

#define MAX_STR 64
/* the column index of an absent column; columns past it are never looked
 * up */
#define NONE 256

struct slice {
	const char *s;
	size_t n;
};

struct zeek {
	struct tel_backend base;
	char sep, set_sep;
	char empty[MAX_STR], unset[MAX_STR];
	size_t empty_len, unset_len;
	char path[MAX_STR];
	enum zlog log;
	int col[NCOLS]; /* column index or -1 */
	int ncols;	/* columns declared by #fields */
	int maxcol;	/* highest index we need */
	/* highest index the prefilter needs (time, addresses and ports):
	 * a flow it rejects has the rest of its line only counted */
	int filtercol;
	/* whether the last flow passed the prefilter: the next line is then
	 * split to maxcol at once (a sinkhole's lines all pass, and a second
	 * split would scan the rest of each line again) */
	bool last_passed;
	/* the current line and where its columns end: column k spans
	 * pos[k] + 1 .. pos[k + 1] (pos[0] is -1); only columns up to
	 * `split` are recorded, with room for one 32-byte block past it */
	const char *line;
	size_t line_len;
	int split;
	uint32_t pos[NONE + 34];
	struct net_addr answers[TEL_MAX_ANSWERS];
	bool (*prefilter)(void *ctx, const struct tel_record *rec);
	void *prefilter_ctx;
};

static void zeek_close(struct tel_backend *b)
{
	free(b);
}

/* "\x09" -> tab; a literal character otherwise */
static char unescape_sep(const char *s, size_t n)
{
	if (n == 4 && s[0] == '\\' && s[1] == 'x') {
		char hex[3] = {s[2], s[3], 0};
		return (char)strtol(hex, NULL, 16);
	}
	return n ? s[0] : '\t';
}

static void set_str(char *dst, size_t *dlen, const char *s, size_t n)
{
	if (n >= MAX_STR)
		n = MAX_STR - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
	*dlen = n;
}

static enum zlog log_from_path(const char *p)
{
	if (!strcmp(p, "conn"))
		return Z_CONN;
	if (!strcmp(p, "dns"))
		return Z_DNS;
	if (!strcmp(p, "ssl"))
		return Z_SSL;
	if (!strcmp(p, "http"))
		return Z_HTTP;
	return Z_NONE;
}

static void fields_header(struct zeek *z, const char *s, size_t n)
{
	for (int i = 0; i < NCOLS; i++)
		z->col[i] = NONE;
	z->ncols = 0;
	z->maxcol = -1;
	z->filtercol = -1;
	const char *end = s + n;
	while (s <= end) {
		const char *t = memchr(s, z->sep, (size_t)(end - s));
		size_t len = t ? (size_t)(t - s) : (size_t)(end - s);
		for (int i = 0; i < NCOLS; i++)
			if (z->col[i] == NONE && z->ncols < NONE &&
			    strlen(col_names[i]) == len &&
			    !memcmp(col_names[i], s, len)) {
				z->col[i] = z->ncols;
				/* history is read only when the ports leave
				 * the direction open (field_past): it lies far
				 * right and would make every line's split
				 * longer */
				if (i != C_HISTORY && z->ncols > z->maxcol)
					z->maxcol = z->ncols;
				if ((i == C_TS || i == C_ORIG_H || i == C_ORIG_P ||
				     i == C_RESP_H || i == C_RESP_P) &&
				    z->ncols > z->filtercol)
					z->filtercol = z->ncols;
			}
		z->ncols++;
		if (!t)
			break;
		s = t + 1;
	}
	/* #path names the log; without it (or for a renamed log) the
	 * columns tell which kind it is */
	z->log = log_from_path(z->path);
	if (z->log == Z_NONE) {
		if (z->col[C_QUERY] != NONE)
			z->log = Z_DNS;
		else if (z->col[C_SERVER_NAME] != NONE)
			z->log = Z_SSL;
		else if (z->col[C_URI] != NONE && z->col[C_HOST] != NONE)
			z->log = Z_HTTP;
		else if (z->col[C_CONN_STATE] != NONE || z->col[C_ORIG_BYTES] != NONE)
			z->log = Z_CONN;
		else
			z->log = Z_OTHER;
	}
}

static void header_line(struct zeek *z, const char *s, size_t n)
{
	if (n >= 11 && !memcmp(s, "#separator", 10) && (s[10] == ' ' || s[10] == '\t')) {
		z->sep = unescape_sep(s + 11, n - 11);
		return;
	}
	/* the other header lines put the separator after the key */
	const char *t = memchr(s, z->sep, n);
	if (!t)
		return;
	size_t kl = (size_t)(t - s), vl = n - kl - 1;
	const char *v = t + 1;
	if (kl == 14 && !memcmp(s, "#set_separator", 14))
		z->set_sep = unescape_sep(v, vl);
	else if (kl == 12 && !memcmp(s, "#empty_field", 12))
		set_str(z->empty, &z->empty_len, v, vl);
	else if (kl == 12 && !memcmp(s, "#unset_field", 12))
		set_str(z->unset, &z->unset_len, v, vl);
	else if (kl == 5 && !memcmp(s, "#path", 5)) {
		size_t dummy;
		set_str(z->path, &dummy, v, vl);
	} else if (kl == 7 && !memcmp(s, "#fields", 7))
		fields_header(z, v, vl);
}

static inline bool is_set(const struct zeek *z, const struct slice *f)
{
	if (!f->s)
		return false;
	/* most values differ from both markers in length or first byte */
	if (f->n == z->unset_len && f->s[0] == z->unset[0] &&
	    !memcmp(f->s, z->unset, f->n))
		return false;
	if (f->n == z->empty_len && f->n && f->s[0] == z->empty[0] &&
	    !memcmp(f->s, z->empty, f->n))
		return false;
	return true;
}

static inline uint64_t num_or0(const struct zeek *z, struct slice f)
{
	uint64_t v;
	/* parsed first: a marker matters only when it is itself a number,
	 * so most values skip the comparison with the markers */
	if (!f.s || !tel_parse_u64(f.s, f.n, &v) || !is_set(z, &f))
		return 0;
	return v;
}

/* the slice of a column of the current line; {NULL, 0} when the #fields
 * header has no such column. Returned by value, so the slices of a line
 * stay in registers. */
static inline struct slice col(const struct zeek *z, enum zcol c)
{
	struct slice sl = {NULL, 0};
	int k = z->col[c];
	if (k != NONE) {
		uint32_t start = z->pos[k] + 1; /* pos[0] + 1 wraps to 0 */
		sl.s = z->line + start;
		sl.n = z->pos[k + 1] - start;
	}
	return sl;
}

/* Column k of the current line, also past the columns tel_split_fields
 * recorded: found by walking the separators from the end of the last
 * recorded one. */
static struct slice field_past(const struct zeek *z, int k)
{
	struct slice sl = {NULL, 0};
	if (k == NONE || k >= z->ncols)
		return sl;
	if (k <= z->split) {
		uint32_t start = z->pos[k] + 1; /* pos[0] + 1 wraps to 0 */
		sl.s = z->line + start;
		sl.n = z->pos[k + 1] - start;
		return sl;
	}
	const char *e = z->line + z->line_len;
	const char *p = z->line + (z->split < 0 ? 0 : z->pos[z->split + 1] + 1);
	for (int c = z->split + 1; c < k; c++) {
		const char *t = memchr(p, z->sep, (size_t)(e - p));
		if (!t)
			return sl;
		p = t + 1;
	}
	const char *t = memchr(p, z->sep, (size_t)(e - p));
	sl.s = p;
	sl.n = (size_t)((t ? t : e) - p);
	return sl;
}

/* 0 ok, else malformed (reported) */
static inline __attribute__((always_inline)) int
addr_port(struct zeek *z, uint64_t ln, const struct slice *h, const struct slice *p,
	  struct net_addr *a, uint16_t *port, const char *what)
{
	if (!is_set(z, h) || !tel_addr_wide(h->s, h->n, z->line + z->line_len, a)) {
		tel_backend_malformed(&z->base, ln, "%s '%.*s' is not an address", what,
				      (int)(h->n > 64 ? 64 : h->n), h->s ? h->s : "");
		return SD_EPARSE;
	}
	*port = 0;
	if (is_set(z, p) &&
	    !tel_parse_port_wide(p->s, p->n, z->line + z->line_len, port)) {
		tel_backend_malformed(&z->base, ln, "%s port '%.*s' is not a port number",
				      what, (int)(p->n > 16 ? 16 : p->n), p->s);
		return SD_EPARSE;
	}
	return 0;
}

static int zeek_next(struct tel_backend *b, struct tel_record *rec, struct sd_error *err)
{
	struct zeek *z = (struct zeek *)b;
	const char *line;
	size_t len;
	int rc;
	while ((rc = tel_backend_getline(b, &line, &len, err)) == 1) {
		uint64_t ln = io_lineno(b->src);
		if (len == 0)
			continue;
		if (line[0] == '#') {
			header_line(z, line, len);
			continue;
		}
		if (z->ncols == 0) {
			tel_backend_malformed(b, ln,
					      "data line before any #fields header");
			continue;
		}
		if (z->log == Z_OTHER) {
			b->stats.skipped++;
			continue;
		}
		z->pos[0] = UINT32_MAX;
		z->line = line;
		z->line_len = len;
		bool filtered = z->log == Z_CONN && z->prefilter;
		z->split = filtered && z->filtercol < z->maxcol && !z->last_passed
			       ? z->filtercol
			       : z->maxcol;
		int n = tel_split_fields(line, len, z->sep, 0, 0, z->pos + 1, z->split);
		if (n != z->ncols) {
			tel_backend_malformed(
			    b, ln, "%d fields where #fields declares %d", n, z->ncols);
			continue;
		}
		tel_record_start(rec, ln, TEL_FLOW);
		struct slice ts = col(z, C_TS);
		if (!ts.s || !tel_parse_epoch_inline(ts.s, ts.n, &rec->ts)) {
			tel_backend_malformed(b, ln, "ts '%.*s' is not an epoch time",
					      (int)(ts.n > 32 ? 32 : ts.n),
					      ts.s ? ts.s : "");
			continue;
		}
		struct slice oh = col(z, C_ORIG_H), op = col(z, C_ORIG_P);
		struct slice rh = col(z, C_RESP_H), rpt = col(z, C_RESP_P);
		if (addr_port(z, ln, &oh, &op, &rec->client, &rec->client_port,
			      "id.orig_h") ||
		    addr_port(z, ln, &rh, &rpt, &rec->server, &rec->server_port,
			      "id.resp_h"))
			continue;
		rec->flags = TEL_HAS_CLIENT | TEL_HAS_SERVER;
		/* the originator is Zeek's guess from the first packet seen:
		 * the history and the ports can correct it, by the rule the
		 * JSON reader applies too (tel_dir_orient_history) */
		if (tel_dir_ports(rec) < 1) {
			/* ports that say the record is forward settle it
			 * (Zeek itself flips on a likely server port), so
			 * the history column is found only when they do not */
			struct slice hist = field_past(z, z->col[C_HISTORY]);
			bool has = is_set(z, &hist);
			tel_dir_orient_history(rec, has ? hist.s : NULL,
					       has ? hist.n : 0);
		}
		if (filtered) {
			z->last_passed = z->prefilter(z->prefilter_ctx, rec);
			if (!z->last_passed) {
				/* the consumer wants nothing from this flow:
				 * its counters need not be parsed (they never
				 * make a line malformed) */
				rec->flags |= TEL_PARTIAL;
				rec->name = "";
				rec->path = "";
				return 1;
			}
			if (z->split < z->maxcol) {
				/* the columns past the prefilter's */
				tel_split_fields(line, len, z->sep,
						 z->pos[z->split + 1] + 1, z->split + 1,
						 z->pos + 1, z->maxcol);
				z->split = z->maxcol;
			}
		}
		struct slice pr = col(z, C_PROTO);
		if (is_set(z, &pr))
			rec->proto = tel_proto_inline(pr.s, pr.n);
		struct slice name = {NULL, 0};
		switch (z->log) {
		case Z_CONN: {
			rec->kind = TEL_FLOW;
			uint64_t rp = num_or0(z, col(z, C_RESP_PKTS));
			uint64_t rb = num_or0(z, col(z, C_RESP_BYTES));
			rec->bytes = num_or0(z, col(z, C_ORIG_BYTES)) + rb;
			rec->packets = num_or0(z, col(z, C_ORIG_PKTS)) + rp;
			if (rp || rb)
				rec->flags |= TEL_ANSWERED;
			break;
		}
		case Z_DNS: {
			rec->kind = TEL_DNS;
			name = col(z, C_QUERY);
			if (!is_set(z, &name)) {
				b->stats.skipped++; /* a response with no question */
				continue;
			}
			struct slice an = col(z, C_ANSWERS), rcode = col(z, C_RCODE);
			if (is_set(z, &rcode)) {
				rec->flags |= TEL_ANSWERED;
				tel_dns_rcode(rec, num_or0(z, rcode));
			}
			if (is_set(z, &an)) {
				const char *p = an.s, *e = an.s + an.n;
				size_t k = 0;
				while (p < e && k < TEL_MAX_ANSWERS) {
					const char *t =
					    memchr(p, z->set_sep, (size_t)(e - p));
					size_t l = t ? (size_t)(t - p) : (size_t)(e - p);
					/* answers mix addresses with CNAME/PTR names */
					if (tel_addr(p, l, &z->answers[k]))
						k++;
					if (!t)
						break;
					p = t + 1;
				}
				rec->answers = z->answers;
				rec->nanswers = k;
			}
			break;
		}
		case Z_SSL:
			rec->kind = TEL_TLS;
			name = col(z, C_SERVER_NAME);
			break;
		case Z_HTTP: {
			rec->kind = TEL_HTTP;
			struct slice host = col(z, C_HOST), uri = col(z, C_URI);
			struct slice status = col(z, C_STATUS);
			/* an absolute URI: the request went to a proxy */
			if (tel_http_target(rec, is_set(z, &host) ? host.s : NULL, host.n,
					    is_set(z, &uri) ? uri.s : NULL, uri.n))
				rec->flags |= TEL_VIA_PROXY;
			if (is_set(z, &status)) {
				rec->flags |= TEL_ANSWERED;
				tel_http_status(rec, num_or0(z, status));
			}
			break;
		}
		default:
			break;
		}
		if (is_set(z, &name)) {
			const char *h = name.s;
			size_t hl = name.n;
			tel_strip_dot(h, &hl);
			rec->name = h;
			rec->name_len = hl;
		}
		if (!rec->proto && (rec->kind == TEL_TLS || rec->kind == TEL_HTTP))
			rec->proto = 6; /* ssl.log and http.log carry no proto */
		if (!rec->name)
			rec->name = "";
		if (!rec->path)
			rec->path = "";
		return 1;
	}
	return rc;
}

static const struct tel_backend_ops zeek_ops = {zeek_next, zeek_close};

int tel_zeek_tsv_open(struct io_source *src, const struct tel_options *opt,
		      struct tel_backend **out, struct sd_error *err)
{
	struct zeek *z =
	    tel_backend_new(sizeof(*z), &zeek_ops, TEL_FMT_ZEEK_TSV, src, err);
	if (!z)
		return err->code;
	if (opt) {
		z->prefilter = opt->prefilter;
		z->prefilter_ctx = opt->prefilter_ctx;
	}
	z->base.spans = true;
	z->sep = '\t';
	z->set_sep = ',';
	set_str(z->empty, &z->empty_len, "(empty)", 7);
	set_str(z->unset, &z->unset_len, "-", 1);
	for (int i = 0; i < NCOLS; i++)
		z->col[i] = NONE;
	z->maxcol = -1;
	z->filtercol = -1;
	*out = &z->base;
	return 0;
}
