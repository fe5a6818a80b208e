#include "lists/list_reader.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/csv.h"
#include "core/evidence.h"
#include "core/limits.h"
#include "core/refang.h"
#include "core/timeutil.h"

#define LIST_MAX_COLUMNS 64 /* CSV columns considered */

enum column {
	COL_NONE = -1,
	COL_ADDRESS,
	COL_FIRST,
	COL_LAST,
	COL_COUNT,
	COL_CAMPAIGN,
	COL_SOURCE,
	COL_CONFIDENCE,
	COL_EVIDENCE,
	COL_MAX,
};

/* Accepted header names (case-insensitive) for each column, in order of
 * preference (a JSON object's first present member wins). */
static const struct sd_csv_name column_names[] = {
    {"address", COL_ADDRESS},	{"ip", COL_ADDRESS},
    {"addr", COL_ADDRESS},	{"ip_address", COL_ADDRESS},
    {"prefix", COL_ADDRESS},	{"network", COL_ADDRESS},
    {"cidr", COL_ADDRESS},	{"client", COL_ADDRESS},
    {"first_seen", COL_FIRST},	{"first", COL_FIRST},
    {"firstseen", COL_FIRST},	{"start", COL_FIRST},
    {"last_seen", COL_LAST},	{"last", COL_LAST},
    {"lastseen", COL_LAST},	{"end", COL_LAST},
    {"count", COL_COUNT},	{"hits", COL_COUNT},
    {"times", COL_COUNT},	{"campaign", COL_CAMPAIGN},
    {"source", COL_SOURCE},	{"confidence", COL_CONFIDENCE},
    {"evidence", COL_EVIDENCE},
};
#define NCOLUMN_NAMES (sizeof(column_names) / sizeof(column_names[0]))

struct list_reader {
	struct io_source *src;
	enum list_format fmt;
	unsigned flags;
	bool have_header;
	int colpos[COL_MAX]; /* CSV field index of each column, -1 absent */
	char sep;
	/* a line looked at to detect the format, returned first */
	char *pending;
	size_t pending_len;
	bool has_pending;
	uint64_t pending_lineno;
	/* over-long lines met while detecting the format: reported first */
	uint64_t skipped_long;
	char skipped_msg[sizeof(((struct sd_error *)0)->msg)];
	char *work; /* copy of the line that parsers may modify */
	char strings[4][SD_MAX_STRING + 1];
	json_t *json; /* current JSON line, kept until the next call */
};

const char *list_format_name(enum list_format f)
{
	switch (f) {
	case LIST_PLAIN:
		return "plain";
	case LIST_CSV:
		return "csv";
	case LIST_JSONL:
		return "jsonl";
	case LIST_AUTO:
		break;
	}
	return "auto";
}

int list_format_parse(const char *name)
{
	static const char *const names[] = {"auto", "plain", "csv", "jsonl"};
	for (int i = 0; i < 4; i++)
		if (!strcmp(name, names[i]))
			return i;
	if (!strcmp(name, "json"))
		return LIST_JSONL;
	return SD_EFORMAT;
}

enum list_format list_format_of(const struct list_reader *r)
{
	return r->fmt;
}
const struct io_source *list_source(const struct list_reader *r)
{
	return r->src;
}

void list_close(struct list_reader *r)
{
	if (!r)
		return;
	io_close(r->src);
	free(r->pending);
	free(r->work);
	if (r->json)
		json_decref(r->json);
	free(r);
}

static const char *skip_bom(const char *s, size_t *n)
{
	if (*n >= 3 && (unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbb &&
	    (unsigned char)s[2] == 0xbf) {
		*n -= 3;
		return s + 3;
	}
	return s;
}

static bool blank_or_comment(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i == n || s[i] == '#' || (n - i >= 2 && s[i] == '/' && s[i + 1] == '/');
}

/* Next raw line, the pending one first. */
static int raw_line(struct list_reader *r, const char **line, size_t *len,
		    struct sd_error *err)
{
	if (r->has_pending) {
		r->has_pending = false;
		*line = r->pending;
		*len = r->pending_len;
		return 1;
	}
	int rc = io_getline(r->src, line, len, err);
	if (rc == 1 && io_lineno(r->src) == 1)
		*line = skip_bom(*line, len);
	return rc;
}

static enum list_format sniff(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && s[i] == '{')
		return LIST_JSONL;
	/* a header row: the first field is a word, not an address */
	const char *comma = memchr(s, ',', n);
	if (comma) {
		struct net_prefix p;
		size_t flen = (size_t)(comma - s - (ptrdiff_t)i);
		if (net_prefix_parse(s + i, flen, &p, NET_ALLOW_HOSTBITS, NULL) != 0)
			return LIST_CSV;
	}
	return LIST_PLAIN;
}

int list_open(struct io_source *src, enum list_format fmt, unsigned flags,
	      struct list_reader **out, struct sd_error *err)
{
	*out = NULL;
	struct list_reader *r = calloc(1, sizeof(*r));
	if (!r || !(r->work = malloc(SD_MAX_LINE + 1)) ||
	    !(r->pending = malloc(SD_MAX_LINE + 1))) {
		if (r) {
			free(r->work);
			free(r);
		}
		io_close(src);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	r->src = src;
	r->flags = flags;
	r->fmt = fmt;
	r->sep = ',';
	for (int c = 0; c < COL_MAX; c++)
		r->colpos[c] = -1;
	if (fmt == LIST_AUTO) {
		/* find the first meaningful line, keep it to be read again */
		const char *line;
		size_t len;
		int rc;
		r->fmt = LIST_PLAIN;
		while ((rc = io_getline(src, &line, &len, err)) != 0) {
			if (rc == SD_ELIMIT) {
				if (!r->skipped_long++)
					snprintf(r->skipped_msg, sizeof(r->skipped_msg),
						 "%s", err ? err->msg : "line too long");
				continue;
			}
			if (rc < 0) {
				list_close(r);
				return rc;
			}
			if (io_lineno(src) == 1)
				line = skip_bom(line, &len);
			if (blank_or_comment(line, len))
				continue;
			r->fmt = sniff(line, len);
			break;
		}
		/* re-read from the start is impossible on a stream, so the
		 * lines skipped above were blank or comments, and the line
		 * found is handed back first */
		if (rc == 1) {
			memcpy(r->pending, line, len);
			r->pending[len] = '\0';
			r->pending_len = len;
			r->has_pending = true;
			r->pending_lineno = io_lineno(src);
		}
	}
	*out = r;
	return 0;
}

static uint64_t cur_line(const struct list_reader *r)
{
	return io_lineno(r->src);
}

static int bad(struct list_reader *r, struct sd_error *err, const char *why,
	       const char *text, size_t n)
{
	if (n > 60)
		n = 60;
	sd_error_set(err, SD_EPARSE, "%s:%llu: %s%s%.*s%s", io_name(r->src),
		     (unsigned long long)cur_line(r), why, text ? " ('" : "",
		     (int)(text ? n : 0), text ? text : "", text ? "')" : "");
	return LIST_BAD_LINE;
}

/* "Everyone is a victim" is never what a published list means. */
static int check_broad(struct list_reader *r, const struct net_prefix *p,
		       const struct sd_field *f, struct sd_error *err)
{
	/* (a host, length 128, is never broad) */
	if (!(r->flags & LIST_ALLOW_BROAD) && p->len < 128 && net_prefix_is_broad(p))
		return bad(r, err, NET_BROAD_WHY, f->s, f->len);
	return 0;
}

/* Parses text, refanged and trimmed (what the line said: f), into p; on
 * failure fills err. */
static int parse_clean_prefix(struct list_reader *r, const char *text, size_t n,
			      const struct sd_field *f, struct net_prefix *p,
			      struct sd_error *err)
{
	const char *why;
	int rc = net_prefix_parse(
	    text, n, p, (r->flags & LIST_ALLOW_HOSTBITS) ? NET_ALLOW_HOSTBITS : 0, &why);
	if (rc == SD_EHOSTBITS) {
		char fixed[NET_PREFIX_STRLEN];
		net_prefix_format(p, fixed, sizeof(fixed));
		char msg[160];
		snprintf(msg, sizeof(msg),
			 "prefix has host bits set (did you mean %s? --allow-hostbits "
			 "masks them)",
			 fixed);
		return bad(r, err, msg, f->s, f->len);
	}
	if (rc)
		return bad(r, err, why, f->s, f->len);
	return check_broad(r, p, f, err);
}

/* Parses an address or prefix after refanging; on failure fills err. */
static int parse_prefix(struct list_reader *r, const char *s, size_t n,
			struct net_prefix *p, struct sd_error *err)
{
	char buf[128];
	struct sd_field f = {(char *)s, n};
	sd_field_trim(&f);
	if (f.len == 0)
		return bad(r, err, "empty address", NULL, 0);
	long m = sd_refang(f.s, f.len, buf, sizeof(buf));
	if (m < 0)
		return bad(r, err, "address text too long", f.s, f.len);
	return parse_clean_prefix(r, buf, (size_t)m, &f, p, err);
}

static void entry_defaults(struct list_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->count = 1;
}

static int next_plain(struct list_reader *r, const char *line, size_t len,
		      struct list_entry *e, struct sd_error *err)
{
	entry_defaults(e);
	/* Most lines of a large list are an address or prefix and nothing
	 * else. Such a line parses as it is, and the full path below would
	 * give the parser the same text: it has no '#', no blank to trim, and
	 * no refang pattern (each has a bracket, brace, backslash, '*' or a
	 * letter past 'f'), none of which an address has (fuzz_list_plain
	 * checks this). Any other line, a bad one included, takes the full
	 * path, which also words the error. */
	if (len < 128 &&
	    net_prefix_parse(line, len, &e->prefix,
			     (r->flags & LIST_ALLOW_HOSTBITS) ? NET_ALLOW_HOSTBITS : 0,
			     NULL) == 0) {
		struct sd_field f = {(char *)line, len};
		int rc = check_broad(r, &e->prefix, &f, err);
		return rc ? rc : LIST_ENTRY;
	}
	/* inline comments: nothing an address contains starts with '#' */
	const char *hash = memchr(line, '#', len);
	if (hash)
		len = (size_t)(hash - line);
	int rc = parse_prefix(r, line, len, &e->prefix, err);
	return rc ? rc : LIST_ENTRY;
}

static const char *copy_string(struct list_reader *r, int slot, const char *s, size_t n)
{
	struct sd_field f = {(char *)s, n};
	sd_field_trim(&f);
	if (!f.len)
		return NULL;
	if (f.len > SD_MAX_STRING)
		f.len = SD_MAX_STRING;
	memcpy(r->strings[slot], f.s, f.len);
	r->strings[slot][f.len] = '\0';
	return r->strings[slot];
}

static int parse_time_field(struct list_reader *r, const char *s, size_t n, uint32_t *out,
			    const char *what, struct sd_error *err)
{
	struct sd_field f = {(char *)s, n};
	sd_field_trim(&f);
	if (!f.len) {
		*out = 0;
		return 0;
	}
	const char *why;
	if (sd_time_parse32(f.s, f.len, out, &why)) {
		char msg[128];
		snprintf(msg, sizeof(msg), "%s: %s", what, why);
		return bad(r, err, msg, f.s, f.len);
	}
	return 0;
}

static int parse_count(struct list_reader *r, const char *s, size_t n, uint32_t *out,
		       struct sd_error *err)
{
	struct sd_field f = {(char *)s, n};
	sd_field_trim(&f);
	if (!f.len)
		return 0;
	uint64_t v = 0;
	for (size_t i = 0; i < f.len; i++) {
		if (f.s[i] < '0' || f.s[i] > '9')
			return bad(r, err, "count is not a whole number", f.s, f.len);
		v = v * 10 + (uint64_t)(f.s[i] - '0');
		if (v > UINT32_MAX)
			return bad(r, err, "count larger than 4294967295", f.s, f.len);
	}
	if (v == 0)
		return bad(r, err, "count of zero (a sighting happened at least once)",
			   f.s, f.len);
	*out = (uint32_t)v;
	return 0;
}

static int parse_evidence(struct list_reader *r, const char *s, size_t n, uint8_t *out,
			  struct sd_error *err)
{
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && s[j] != ',' && s[j] != ';' && s[j] != '|' && s[j] != ' ')
			j++;
		if (j > i) {
			unsigned bit = db_evidence_parse(s + i, j - i);
			if (!bit)
				return bad(
				    r, err,
				    "unknown evidence kind (list, dns, flow, tls, http)",
				    s + i, j - i);
			*out |= (uint8_t)bit;
		}
		i = j + 1;
	}
	return 0;
}

static int parse_confidence(struct list_reader *r, const char *s, size_t n, uint8_t *out,
			    struct sd_error *err)
{
	struct sd_field f = {(char *)s, n};
	sd_field_trim(&f);
	if (!f.len)
		return 0;
	if (db_confidence_parse(f.s, f.len, out))
		return bad(r, err, "confidence is not low, medium or high", f.s, f.len);
	return 0;
}

static int read_header(struct list_reader *r, char *line, size_t len,
		       struct sd_error *err)
{
	struct sd_field f[LIST_MAX_COLUMNS];
	const char *why;
	if (!memchr(line, ',', len) && memchr(line, '\t', len))
		r->sep = '\t';
	else if (!memchr(line, ',', len) && memchr(line, ';', len))
		r->sep = ';';
	long nf = sd_csv_split(line, len, r->sep, f, LIST_MAX_COLUMNS, &why);
	if (nf < 0)
		return sd_error_set(err, SD_EPARSE, "%s:%llu: header: %s",
				    io_name(r->src), (unsigned long long)cur_line(r),
				    why);
	sd_csv_columns(f, nf < LIST_MAX_COLUMNS ? (size_t)nf : LIST_MAX_COLUMNS,
		       column_names, NCOLUMN_NAMES, SD_CSV_NOCASE | SD_CSV_TRIM,
		       r->colpos, COL_MAX);
	if (r->colpos[COL_ADDRESS] < 0)
		return sd_error_set(err, SD_EFORMAT,
				    "%s:%llu: CSV header has no address column "
				    "(one of: address, ip, addr, ip_address, prefix, "
				    "network, cidr, client)",
				    io_name(r->src), (unsigned long long)cur_line(r));
	r->have_header = true;
	return 0;
}

static int next_csv(struct list_reader *r, char *line, size_t len, struct list_entry *e,
		    struct sd_error *err)
{
	struct sd_field f[LIST_MAX_COLUMNS];
	const char *why;
	long nf = sd_csv_split(line, len, r->sep, f, LIST_MAX_COLUMNS, &why);
	if (nf < 0)
		return bad(r, err, why, NULL, 0);
	entry_defaults(e);
	int rc;
#define FIELD(c) (r->colpos[c] >= 0 && r->colpos[c] < nf ? &f[r->colpos[c]] : NULL)
	struct sd_field *a = FIELD(COL_ADDRESS);
	if (!a)
		return bad(r, err, "fewer fields than the header", NULL, 0);
	if ((rc = parse_prefix(r, a->s, a->len, &e->prefix, err)))
		return rc;
	struct sd_field *x;
	if ((x = FIELD(COL_FIRST)) &&
	    (rc = parse_time_field(r, x->s, x->len, &e->first_seen, "first_seen", err)))
		return rc;
	if ((x = FIELD(COL_LAST)) &&
	    (rc = parse_time_field(r, x->s, x->len, &e->last_seen, "last_seen", err)))
		return rc;
	if ((x = FIELD(COL_COUNT)) && (rc = parse_count(r, x->s, x->len, &e->count, err)))
		return rc;
	if ((x = FIELD(COL_CONFIDENCE)) &&
	    (rc = parse_confidence(r, x->s, x->len, &e->confidence, err)))
		return rc;
	if ((x = FIELD(COL_EVIDENCE)) &&
	    (rc = parse_evidence(r, x->s, x->len, &e->evidence, err)))
		return rc;
	if ((x = FIELD(COL_CAMPAIGN)))
		e->campaign = copy_string(r, 0, x->s, x->len);
	if ((x = FIELD(COL_SOURCE)))
		e->source = copy_string(r, 1, x->s, x->len);
#undef FIELD
	return LIST_ENTRY;
}

/* A JSON member as text: strings as they are, numbers printed. */
static int json_text(json_t *v, char *buf, size_t size, const char **s, size_t *n)
{
	if (json_is_string(v)) {
		*s = json_string_value(v);
		*n = json_string_length(v);
		return 0;
	}
	if (json_is_integer(v)) {
		int k = snprintf(buf, size, "%lld", (long long)json_integer_value(v));
		*s = buf;
		*n = (size_t)k;
		return 0;
	}
	if (json_is_real(v)) {
		int k = snprintf(buf, size, "%.0f", json_real_value(v));
		*s = buf;
		*n = (size_t)k;
		return 0;
	}
	return SD_EPARSE;
}

static json_t *json_member(json_t *o, int col)
{
	for (size_t k = 0; k < NCOLUMN_NAMES; k++) {
		if (column_names[k].column != col)
			continue;
		json_t *v = json_object_get(o, column_names[k].name);
		if (v && !json_is_null(v))
			return v;
	}
	return NULL;
}

static int next_jsonl(struct list_reader *r, const char *line, size_t len,
		      struct list_entry *e, struct sd_error *err)
{
	json_error_t jerr;
	if (r->json) {
		json_decref(r->json);
		r->json = NULL;
	}
	json_t *o =
	    json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!o)
		return bad(r, err, jerr.text, NULL, 0);
	r->json = o;
	entry_defaults(e);
	if (json_is_string(o)) {
		int rc = parse_prefix(r, json_string_value(o), json_string_length(o),
				      &e->prefix, err);
		return rc ? rc : LIST_ENTRY;
	}
	if (!json_is_object(o))
		return bad(r, err, "JSON line is not an object or a string", NULL, 0);
	char num[32];
	const char *s;
	size_t n;
	int rc;
	json_t *v = json_member(o, COL_ADDRESS);
	if (!v || !json_is_string(v))
		return bad(r, err,
			   "no address member (address, ip, addr, prefix, network, cidr)",
			   NULL, 0);
	if ((rc = parse_prefix(r, json_string_value(v), json_string_length(v), &e->prefix,
			       err)))
		return rc;
	static const struct {
		int col;
		const char *what;
	} times[] = {{COL_FIRST, "first_seen"}, {COL_LAST, "last_seen"}};
	for (int i = 0; i < 2; i++) {
		if (!(v = json_member(o, times[i].col)))
			continue;
		if (json_text(v, num, sizeof(num), &s, &n))
			return bad(r, err, "time is not a string or number", NULL, 0);
		if ((rc = parse_time_field(r, s, n, i ? &e->last_seen : &e->first_seen,
					   times[i].what, err)))
			return rc;
	}
	if ((v = json_member(o, COL_COUNT))) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > UINT32_MAX)
			return bad(r, err, "count is not a whole number 1..4294967295",
				   NULL, 0);
		e->count = (uint32_t)json_integer_value(v);
	}
	if ((v = json_member(o, COL_CONFIDENCE))) {
		if (json_text(v, num, sizeof(num), &s, &n) ||
		    (rc = parse_confidence(r, s, n, &e->confidence, err)))
			return rc ? rc
				  : bad(r, err, "confidence is not a string", NULL, 0);
	}
	if ((v = json_member(o, COL_EVIDENCE))) {
		if (json_is_array(v)) {
			size_t i;
			json_t *x;
			json_array_foreach(v, i, x)
			{
				if (!json_is_string(x))
					return bad(r, err,
						   "evidence entry is not a string", NULL,
						   0);
				if ((rc = parse_evidence(r, json_string_value(x),
							 json_string_length(x),
							 &e->evidence, err)))
					return rc;
			}
		} else if (json_is_string(v)) {
			if ((rc = parse_evidence(r, json_string_value(v),
						 json_string_length(v), &e->evidence,
						 err)))
				return rc;
		} else {
			return bad(r, err, "evidence is not a string or array", NULL, 0);
		}
	}
	if ((v = json_member(o, COL_CAMPAIGN)) && json_is_string(v))
		e->campaign =
		    copy_string(r, 0, json_string_value(v), json_string_length(v));
	if ((v = json_member(o, COL_SOURCE)) && json_is_string(v))
		e->source =
		    copy_string(r, 1, json_string_value(v), json_string_length(v));
	return LIST_ENTRY;
}

int list_next(struct list_reader *r, struct list_entry *e, struct sd_error *err)
{
	if (r->skipped_long) { /* each one counts as a rejected line */
		r->skipped_long--;
		sd_error_set(err, SD_ELIMIT, "%s", r->skipped_msg);
		return LIST_BAD_LINE;
	}
	for (;;) {
		const char *line;
		size_t len;
		int rc = raw_line(r, &line, &len, err);
		if (rc == 0)
			return LIST_EOF;
		if (rc == SD_ELIMIT)
			return LIST_BAD_LINE; /* err names the line and the limit */
		if (rc < 0)
			return rc;
		if (blank_or_comment(line, len))
			continue;
		/* the plain parser does not modify the line: no copy */
		if (r->fmt == LIST_PLAIN)
			return next_plain(r, line, len, e, err);
		memcpy(r->work, line, len);
		r->work[len] = '\0';
		switch (r->fmt) {
		case LIST_CSV:
			if (!r->have_header) {
				if ((rc = read_header(r, r->work, len, err)))
					return rc;
				continue;
			}
			return next_csv(r, r->work, len, e, err);
		case LIST_JSONL:
			return next_jsonl(r, r->work, len, e, err);
		default:
			return next_plain(r, r->work, len, e, err);
		}
	}
}
