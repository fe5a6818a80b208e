/* Generic CSV (or TSV) with a header row and a column map from the command
 * line: "time=frame.time_epoch,client=ip.src,client=ipv6.src,...". A role
 * named several times lists alternative columns: the first non-empty one
 * wins (tshark puts IPv4 and IPv6 addresses in separate columns). The kind
 * of each row follows from which roles it fills: sni -> tls, host/path ->
 * http, dns -> dns, else a flow. */
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "telemetry/backend.h"
#include "telemetry/direction.h"
#include "telemetry/field.h"

enum role {
	R_TIME,
	R_CLIENT,
	R_SERVER,
	R_CLIENT_PORT,
	R_SERVER_PORT,
	R_PROTO,
	R_DNS,
	R_SNI,
	R_HOST,
	R_PATH,
	R_ANSWER,
	R_RESPONSE,
	R_BYTES,
	R_PACKETS,
	NROLES
};
static const char *const role_names[NROLES] = {
    "time", "client", "server", "client_port", "server_port", "proto", "dns",
    "sni",  "host",   "path",	"answer",      "response",    "bytes", "packets",
};
static const struct {
	const char *alias;
	enum role role;
} role_aliases[] = {
    {"ts", R_TIME},	      {"src", R_CLIENT},	{"dst", R_SERVER},
    {"sport", R_CLIENT_PORT}, {"dport", R_SERVER_PORT}, {"query", R_DNS},
    {"url", R_PATH},	      {"uri", R_PATH},
};

#define GC_MAX_ALT 4	/* alternative columns per role */
#define GC_MAX_COLS 256 /* columns per row */
#define GC_MAX_NAME 128 /* column name length in the map */

struct gcsv {
	struct tel_backend base;
	char sep;
	int nalt[NROLES];
	char names[NROLES][GC_MAX_ALT][GC_MAX_NAME];
	int col[NROLES][GC_MAX_ALT]; /* resolved against the header */
	int ncols;
	bool header;
	struct sd_field f[GC_MAX_COLS];
	struct net_addr answers[TEL_MAX_ANSWERS];
};

static void gc_close(struct tel_backend *b)
{
	free(b);
}

static int parse_map(struct gcsv *g, const char *map, struct sd_error *err)
{
	const char *s = map;
	while (*s) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		const char *eq = memchr(s, '=', n);
		if (!eq || eq == s || eq == s + n - 1)
			return sd_error_set(err, SD_EUSAGE,
					    "--columns: '%.*s' is not role=column",
					    (int)n, s);
		size_t rl = (size_t)(eq - s), cl = n - rl - 1;
		int role = -1;
		for (int i = 0; i < NROLES; i++)
			if (strlen(role_names[i]) == rl && !memcmp(role_names[i], s, rl))
				role = i;
		for (size_t i = 0;
		     role < 0 && i < sizeof(role_aliases) / sizeof(role_aliases[0]); i++)
			if (strlen(role_aliases[i].alias) == rl &&
			    !memcmp(role_aliases[i].alias, s, rl))
				role = (int)role_aliases[i].role;
		if (role < 0)
			return sd_error_set(
			    err, SD_EUSAGE,
			    "--columns: unknown role '%.*s' (roles: time, client, "
			    "server, client_port, server_port, proto, dns, sni, host, "
			    "path, answer, response, bytes, packets)",
			    (int)rl, s);
		if (g->nalt[role] >= GC_MAX_ALT)
			return sd_error_set(
			    err, SD_ELIMIT,
			    "--columns: role '%s' given more than GC_MAX_ALT (%d) times",
			    role_names[role], GC_MAX_ALT);
		if (cl >= GC_MAX_NAME)
			return sd_error_set(
			    err, SD_ELIMIT,
			    "--columns: column name longer than GC_MAX_NAME (%d)",
			    GC_MAX_NAME);
		memcpy(g->names[role][g->nalt[role]], eq + 1, cl);
		g->names[role][g->nalt[role]][cl] = 0;
		g->nalt[role]++;
		s += n + (comma ? 1 : 0);
	}
	if (!g->nalt[R_CLIENT] && !g->nalt[R_SERVER])
		return sd_error_set(err, SD_EUSAGE,
				    "--columns: map a client or server column at least");
	return 0;
}

static int read_header(struct gcsv *g, char *line, size_t len, struct sd_error *err)
{
	if (memchr(line, '\t', len) && !memchr(line, ',', len))
		g->sep = '\t';
	const char *why;
	long n = sd_csv_split(line, len, g->sep, g->f, GC_MAX_COLS, &why);
	if (n < 0)
		return sd_error_set(err, SD_EPARSE, "%s:1: header row: %s",
				    io_name(g->base.src), why);
	if (n > GC_MAX_COLS)
		return sd_error_set(err, SD_ELIMIT,
				    "%s: header has more than GC_MAX_COLS (%d) columns",
				    io_name(g->base.src), GC_MAX_COLS);
	g->ncols = (int)n;
	/* the map's names as given (exact case); a name the header repeats:
	 * its last cell */
	struct sd_csv_name names[NROLES * GC_MAX_ALT];
	size_t nnames = 0;
	for (int r = 0; r < NROLES; r++)
		for (int a = 0; a < g->nalt[r]; a++)
			names[nnames++] =
			    (struct sd_csv_name){g->names[r][a], r * GC_MAX_ALT + a};
	int pos[NROLES * GC_MAX_ALT];
	sd_csv_columns(g->f, (size_t)n, names, nnames, SD_CSV_TRIM | SD_CSV_LAST, pos,
		       NROLES * GC_MAX_ALT);
	for (int r = 0; r < NROLES; r++)
		for (int a = 0; a < g->nalt[r]; a++) {
			g->col[r][a] = pos[r * GC_MAX_ALT + a];
			if (g->col[r][a] < 0)
				return sd_error_set(err, SD_ENOTFOUND,
						    "%s: column '%s' (for %s in "
						    "--columns) is not in the header row",
						    io_name(g->base.src), g->names[r][a],
						    role_names[r]);
		}
	g->header = true;
	return 0;
}

/* first non-empty alternative, trimmed; NULL if none */
static struct sd_field *get(struct gcsv *g, enum role r)
{
	for (int a = 0; a < g->nalt[r]; a++) {
		struct sd_field *f = &g->f[g->col[r][a]];
		sd_field_trim(f);
		if (f->len)
			return f;
	}
	return NULL;
}

static int gc_line(struct tel_backend *b, const char *line, size_t len, uint64_t ln,
		   struct tel_record *rec, const char **why, struct sd_error *err)
{
	struct gcsv *g = (struct gcsv *)b;
	if (!g->header) {
		int rc = read_header(g, (char *)line, len, err);
		return rc ? rc : TEL_LINE_NONE;
	}
	long n = sd_csv_split((char *)line, len, g->sep, g->f, GC_MAX_COLS, why);
	if (n < 0)
		return TEL_LINE_MALFORMED;
	if (n != g->ncols) {
		*why = tel_backend_why(b, "%ld columns where the header has %d", n,
				       g->ncols);
		return TEL_LINE_MALFORMED;
	}
	tel_record_start(rec, ln, TEL_FLOW);
	struct sd_field *f;
	if ((f = get(g, R_TIME)) &&
	    !tel_clock_parse(&b->clock, f->s, f->len, &rec->ts, why)) {
		*why = tel_backend_why(b, "time '%.*s' is not a time",
				       (int)(f->len > 40 ? 40 : f->len), f->s);
		return TEL_LINE_MALFORMED;
	}
	bool bad = false;
	if ((f = get(g, R_CLIENT))) {
		if (!tel_addr(f->s, f->len, &rec->client))
			bad = true;
		rec->flags |= TEL_HAS_CLIENT;
	}
	if ((f = get(g, R_SERVER))) {
		if (!tel_addr(f->s, f->len, &rec->server))
			bad = true;
		rec->flags |= TEL_HAS_SERVER;
	}
	if (bad || !(rec->flags & (TEL_HAS_CLIENT | TEL_HAS_SERVER))) {
		*why = bad ? "client/server is not an address"
			   : "no client or server address";
		return TEL_LINE_MALFORMED;
	}
	if ((f = get(g, R_CLIENT_PORT)) &&
	    !tel_parse_port(f->s, f->len, &rec->client_port))
		bad = true;
	if ((f = get(g, R_SERVER_PORT)) &&
	    !tel_parse_port(f->s, f->len, &rec->server_port))
		bad = true;
	if (bad) {
		*why = "port is not a number 0-65535";
		return TEL_LINE_MALFORMED;
	}
	if ((f = get(g, R_PROTO)))
		rec->proto = tel_proto(f->s, f->len);
	uint64_t v;
	if ((f = get(g, R_BYTES)) && tel_parse_u64(f->s, f->len, &v))
		rec->bytes = v;
	if ((f = get(g, R_PACKETS)) && tel_parse_u64(f->s, f->len, &v))
		rec->packets = v;
	struct sd_field *sni = get(g, R_SNI), *host = get(g, R_HOST),
			*path = get(g, R_PATH), *dns = get(g, R_DNS);
	if (sni) {
		rec->kind = TEL_TLS;
		rec->name = sni->s;
		rec->name_len = sni->len;
	} else if (host || path) {
		rec->kind = TEL_HTTP;
		/* an absolute URI: the request went to a proxy */
		if (tel_http_target(rec, host ? host->s : NULL, host ? host->len : 0,
				    path ? path->s : NULL, path ? path->len : 0))
			rec->flags |= TEL_VIA_PROXY;
	} else if (dns) {
		rec->kind = TEL_DNS;
		rec->name = dns->s;
		rec->name_len = dns->len;
		struct sd_field *resp = get(g, R_RESPONSE);
		if (resp && ((resp->len == 1 && resp->s[0] == '1') ||
			     (resp->len == 4 && !strncasecmp(resp->s, "true", 4)))) {
			/* a response travels resolver -> querier;
			 * when the ports tell, the orientation
			 * below follows them instead */
			if (!tel_dir_ports(rec))
				tel_record_swap(rec);
			rec->flags |= TEL_ANSWERED;
		}
		rec->answers = g->answers;
		for (int a = 0; a < g->nalt[R_ANSWER]; a++) {
			struct sd_field *af = &g->f[g->col[R_ANSWER][a]];
			/* tshark joins several occurrences with ',' */
			const char *p = af->s, *e = af->s + af->len;
			while (p < e && rec->nanswers < TEL_MAX_ANSWERS) {
				const char *c = memchr(p, ',', (size_t)(e - p));
				size_t l = c ? (size_t)(c - p) : (size_t)(e - p);
				if (tel_addr(p, l, &g->answers[rec->nanswers]))
					rec->nanswers++;
				if (!c)
					break;
				p = c + 1;
			}
		}
	} else {
		rec->kind = TEL_FLOW;
	}
	/* columns named client/server may still hold a reply's
	 * packet direction (tshark's ip.src): the ports correct it */
	tel_dir_orient_ports(rec);
	tel_strip_dot(rec->name, &rec->name_len);
	return TEL_LINE_RECORD;
}

static int gc_next(struct tel_backend *b, struct tel_record *rec, struct sd_error *err)
{
	return tel_backend_next_line(b, gc_line, rec, err);
}

int tel_columns_check(const char *map, struct sd_error *err)
{
	struct gcsv *g = calloc(1, sizeof(*g));
	if (!g)
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	int rc = parse_map(g, map, err);
	free(g);
	return rc;
}

static const struct tel_backend_ops gc_ops = {gc_next, gc_close};

int tel_csv_open(struct io_source *src, const struct tel_options *opt,
		 struct tel_backend **out, struct sd_error *err)
{
	if (!opt->column_map || !*opt->column_map)
		return sd_error_set(
		    err, SD_EUSAGE,
		    "%s: generic CSV needs a column map (--columns role=column,...)",
		    io_name(src));
	struct gcsv *g = tel_backend_new(sizeof(*g), &gc_ops, TEL_FMT_CSV, src, err);
	if (!g)
		return err->code;
	g->sep = ',';
	int rc = parse_map(g, opt->column_map, err);
	if (rc) {
		free(g);
		return rc;
	}
	*out = &g->base;
	return 0;
}
