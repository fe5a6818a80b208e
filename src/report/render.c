#include "report/render.h"

#include <stdint.h>
#include <string.h>

#include "core/timeutil.h"

static const char hexdig[] = "0123456789ABCDEF";

static void json_u16(struct sd_buf *out, unsigned v)
{
	char e[6] = {'\\',
		     'u',
		     hexdig[v >> 12 & 15],
		     hexdig[v >> 8 & 15],
		     hexdig[v >> 4 & 15],
		     hexdig[v & 15]};
	sd_buf_put(out, e, sizeof(e));
}

/* The code point of the valid UTF-8 sequence at s (n bytes available) and
 * its length in *len; *len = 0 when the sequence is invalid (overlong,
 * surrogate, past U+10FFFF or cut short). */
static uint32_t utf8_decode(const unsigned char *s, size_t n, size_t *len)
{
	unsigned c = s[0];
	size_t k;
	uint32_t v, min;
	if (c >= 0xc2 && c <= 0xdf)
		k = 2, v = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		k = 3, v = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 4, v = c & 0x07, min = 0x10000;
	else
		k = 0, v = 0, min = 0;
	if (k == 0 || k > n) {
		*len = 0;
		return 0;
	}
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*len = 0;
			return 0;
		}
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
		*len = 0;
		return 0;
	}
	*len = k;
	return v;
}

void report_json_string(struct sd_buf *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + n;
	sd_buf_putc(out, '"');
	while (s < end) {
		const unsigned char *run = s;
		while (s < end && *s >= 0x20 && *s < 0x80 && *s != '"' && *s != '\\')
			s++;
		sd_buf_put(out, run, (size_t)(s - run));
		if (s == end)
			break;
		unsigned c = *s;
		if (c < 0x80) {
			const char *esc = NULL;
			switch (c) {
			case '"':
				esc = "\\\"";
				break;
			case '\\':
				esc = "\\\\";
				break;
			case '\b':
				esc = "\\b";
				break;
			case '\f':
				esc = "\\f";
				break;
			case '\n':
				esc = "\\n";
				break;
			case '\r':
				esc = "\\r";
				break;
			case '\t':
				esc = "\\t";
				break;
			default:
				break;
			}
			if (esc)
				sd_buf_put(out, esc, 2);
			else
				json_u16(out, c);
			s++;
			continue;
		}
		size_t len;
		uint32_t cp = utf8_decode(s, (size_t)(end - s), &len);
		if (!len) {
			json_u16(out, 0xfffd);
			s++;
			continue;
		}
		if (cp < 0x10000) {
			json_u16(out, cp);
		} else {
			cp -= 0x10000;
			json_u16(out, 0xd800 | (cp >> 10));
			json_u16(out, 0xdc00 | (cp & 0x3ff));
		}
		s += len;
	}
	sd_buf_putc(out, '"');
}

void report_csv_field(struct sd_buf *out, const char *s, size_t n)
{
	bool formula = n && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@');
	bool quote = formula;
	for (size_t i = 0; i < n && !quote; i++) {
		unsigned char c = (unsigned char)s[i];
		/* one compare for the common bytes: all of , " CR LF are below '-' */
		quote = c < '-' && (c == ',' || c == '"' || c == '\n' || c == '\r');
	}
	if (!quote) {
		sd_buf_put(out, s, n);
		return;
	}
	sd_buf_putc(out, '"');
	if (formula)
		sd_buf_putc(out, '\'');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			sd_buf_putc(out, '"');
		sd_buf_putc(out, s[i]);
	}
	sd_buf_putc(out, '"');
}

static void csv_str(struct sd_buf *out, const char *s)
{
	report_csv_field(out, s, strlen(s));
}

static void json_str(struct sd_buf *out, const char *s)
{
	report_json_string(out, s, strlen(s));
}

#define PUT(out, lit) sd_buf_put(out, lit, sizeof(lit) - 1)

/* A string this file formatted (an address, a prefix, a time) or a name
 * from the snapshot format's fixed tables (evidence, confidence): plain
 * ASCII with nothing to escape. */
static void json_plain(struct sd_buf *out, const char *s, size_t n)
{
	sd_buf_putc(out, '"');
	sd_buf_put(out, s, n);
	sd_buf_putc(out, '"');
}

/* What a sighting says, fetched once for whichever form prints it. */
struct sighting_view {
	struct db_sighting s;
	struct db_campaign c;
	char first[SD_TIME_STRLEN], last[SD_TIME_STRLEN];
	size_t first_len, last_len;
};

static void view_sighting(const struct db *db, const struct db_entry *e, uint32_t i,
			  bool times, struct sighting_view *v)
{
	db_entry_sighting(db, e, i, &v->s);
	if (db_campaign_get(db, v->s.campaign, &v->c))
		v->c = (struct db_campaign){"", "", "", "", 0, 0};
	v->first_len = v->last_len = 0;
	v->first[0] = v->last[0] = '\0';
	if (times) {
		v->first_len =
		    sd_time_format(v->s.first_seen, v->first, sizeof(v->first));
		v->last_len = sd_time_format(v->s.last_seen, v->last, sizeof(v->last));
	}
}

/* The evidence names joined by sep; the sources likewise. */
static void put_evidence(struct sd_buf *out, unsigned ev, const char *sep, bool json)
{
	bool first = true;
	for (unsigned bit = 1; bit <= DB_EV_HTTP; bit <<= 1) {
		if (!(ev & bit))
			continue;
		if (!first)
			sd_buf_puts(out, sep);
		first = false;
		const char *name = db_evidence_name(bit);
		if (json)
			json_plain(out, name, strlen(name));
		else
			sd_buf_puts(out, name);
	}
}

static void put_sources(struct sd_buf *out, const struct db *db, uint32_t set,
			const char *sep, bool json)
{
	uint32_t n = db_sourceset_size(db, set);
	for (uint32_t k = 0; k < n; k++) {
		if (k)
			sd_buf_puts(out, sep);
		if (json)
			json_str(out, db_sourceset_item(db, set, k));
		else
			sd_buf_puts(out, db_sourceset_item(db, set, k));
	}
}

/* ---- JSON: the key order and spelling of report_lookup's document ---- */

static void json_time(struct sd_buf *out, const char *s, size_t n)
{
	if (!n) {
		PUT(out, "null");
		return;
	}
	json_plain(out, s, n);
}

static void json_entry(struct sd_buf *out, const struct db *db,
		       const struct net_prefix *qp, const char *q, size_t qlen,
		       const struct db_entry *e, enum report_detail detail)
{
	char buf[NET_PREFIX_STRLEN];
	const char *key = q;
	size_t klen = qlen;
	if (net_prefix_cmp(&e->prefix, qp)) { /* most answers are the query itself */
		klen = report_format_prefix(&e->prefix, buf, sizeof(buf));
		key = buf;
	}
	PUT(out, "{\"key\":");
	json_plain(out, key, klen);
	PUT(out, ",\"prefix_length\":");
	sd_buf_u64(out, net_prefix_display_len(&e->prefix));
	PUT(out, ",\"sightings\":[");
	for (uint32_t i = 0; i < e->nsightings; i++) {
		struct sighting_view v;
		view_sighting(db, e, i, detail == REPORT_FULL, &v);
		if (i)
			sd_buf_putc(out, ',');
		PUT(out, "{\"campaign\":");
		json_str(out, v.c.name);
		PUT(out, ",\"title\":");
		json_str(out, v.c.title);
		if (detail == REPORT_FULL) {
			PUT(out, ",\"first_seen\":");
			json_time(out, v.first, v.first_len);
			PUT(out, ",\"last_seen\":");
			json_time(out, v.last, v.last_len);
			PUT(out, ",\"count\":");
			sd_buf_u64(out, v.s.count);
			PUT(out, ",\"evidence\":[");
			put_evidence(out, v.s.evidence, ",", true);
			PUT(out, "],\"confidence\":");
			json_plain(out, db_confidence_name(v.s.confidence),
				   strlen(db_confidence_name(v.s.confidence)));
			PUT(out, ",\"sources\":[");
			put_sources(out, db, v.s.sources, ",", true);
			sd_buf_putc(out, ']');
		}
		sd_buf_putc(out, '}');
	}
	PUT(out, "]}");
}

static void render_json(struct sd_buf *out, const struct db *db,
			const struct report_answer *a, enum report_detail detail)
{
	char q[NET_PREFIX_STRLEN];
	size_t qlen = report_format_prefix(&a->query, q, sizeof(q));
	PUT(out, "{\"query\":");
	if (a->given) /* as written: untrusted bytes, escaped */
		report_json_string(out, a->given, a->given_len);
	else
		json_plain(out, q, qlen);
	PUT(out, ",\"canonical\":");
	json_plain(out, q, qlen);
	if (a->query.len == 128)
		PUT(out, ",\"type\":\"address\",\"matches\":[");
	else
		PUT(out, ",\"type\":\"prefix\",\"matches\":[");
	for (size_t i = 0; i < a->nmatches; i++) {
		if (i)
			sd_buf_putc(out, ',');
		json_entry(out, db, &a->query, q, qlen, &a->matches[i], detail);
	}
	sd_buf_putc(out, ']');
	if (a->query.len < 128) {
		PUT(out, ",\"inside\":{\"count\":");
		sd_buf_u64(out, a->inside_count);
		if (a->inside_count > a->ninside)
			PUT(out, ",\"truncated\":true,\"entries\":[");
		else
			PUT(out, ",\"truncated\":false,\"entries\":[");
		for (size_t i = 0; i < a->ninside; i++) {
			if (i)
				sd_buf_putc(out, ',');
			json_entry(out, db, &a->query, q, qlen, &a->inside[i], detail);
		}
		PUT(out, "]}");
	}
	if (a->listed)
		PUT(out, ",\"listed\":true}\n");
	else
		PUT(out, ",\"listed\":false}\n");
}

/* ---- CSV: a row per query and sighting ---- */

void report_render_csv_header(struct sd_buf *out)
{
	PUT(out, "query,listed,relation,key,campaign,first_seen,last_seen,count,"
		 "evidence,confidence,sources,canonical\n");
}

/* The query column: as written (untrusted: quoted and defused as any
 * field), else the canonical form. */
static void csv_query(struct sd_buf *out, const struct report_answer *a, const char *q,
		      size_t qlen)
{
	if (a->given)
		report_csv_field(out, a->given, a->given_len);
	else
		sd_buf_put(out, q, qlen);
}

static void csv_rows(struct sd_buf *out, const struct db *db,
		     const struct report_answer *a, const char *q, size_t qlen,
		     const struct db_entry *e, const char *relation)
{
	const struct net_prefix *qp = &a->query;
	char buf[NET_PREFIX_STRLEN];
	const char *key = q;
	size_t klen = qlen;
	if (net_prefix_cmp(&e->prefix, qp)) { /* most answers are the query itself */
		klen = report_format_prefix(&e->prefix, buf, sizeof(buf));
		key = buf;
	}
	for (uint32_t i = 0; i < e->nsightings; i++) {
		struct sighting_view v;
		view_sighting(db, e, i, true, &v);
		/* addresses, prefixes and times as formatted here never hold a
		 * byte that needs quoting nor start like a formula */
		csv_query(out, a, q, qlen);
		PUT(out, ",true,");
		sd_buf_puts(out, relation);
		sd_buf_putc(out, ',');
		sd_buf_put(out, key, klen);
		sd_buf_putc(out, ',');
		csv_str(out, v.c.name);
		sd_buf_putc(out, ',');
		sd_buf_put(out, v.first, v.first_len);
		sd_buf_putc(out, ',');
		sd_buf_put(out, v.last, v.last_len);
		sd_buf_putc(out, ',');
		sd_buf_u64(out, v.s.count);
		sd_buf_putc(out, ',');
		/* evidence names never need quoting; sources may */
		put_evidence(out, v.s.evidence, ";", false);
		sd_buf_putc(out, ',');
		csv_str(out, db_confidence_name(v.s.confidence));
		sd_buf_putc(out, ',');
		struct sd_buf src = {0};
		uint32_t nsrc = db_sourceset_size(db, v.s.sources);
		if (nsrc == 1) {
			csv_str(out, db_sourceset_item(db, v.s.sources, 0));
		} else if (nsrc > 1) {
			put_sources(&src, db, v.s.sources, ";", false);
			report_csv_field(out, src.data, src.len);
			sd_buf_free(&src);
		}
		sd_buf_putc(out, ',');
		sd_buf_put(out, q, qlen);
		sd_buf_putc(out, '\n');
	}
}

static void render_csv(struct sd_buf *out, const struct db *db,
		       const struct report_answer *a)
{
	char q[NET_PREFIX_STRLEN];
	size_t qlen = report_format_prefix(&a->query, q, sizeof(q));
	bool rows = false;
	for (size_t i = 0; i < a->nmatches; i++) {
		csv_rows(out, db, a, q, qlen, &a->matches[i], "covering");
		rows = true;
	}
	for (size_t i = 0; i < a->ninside; i++) {
		if (!net_prefix_cmp(&a->inside[i].prefix, &a->query))
			continue; /* already a covering match */
		csv_rows(out, db, a, q, qlen, &a->inside[i], "inside");
		rows = true;
	}
	if (!rows) {
		csv_query(out, a, q, qlen);
		PUT(out, ",false,,,,,,,,,,");
		sd_buf_put(out, q, qlen);
		sd_buf_putc(out, '\n');
	}
}

/* ---- text, for people ---- */

static void text_entry(struct sd_buf *out, const struct db *db, const struct db_entry *e,
		       const char *indent)
{
	char key[NET_PREFIX_STRLEN];
	size_t klen = report_format_prefix(&e->prefix, key, sizeof(key));
	for (uint32_t i = 0; i < e->nsightings; i++) {
		struct sighting_view v;
		view_sighting(db, e, i, true, &v);
		sd_buf_puts(out, indent);
		sd_buf_put(out, key, klen);
		PUT(out, "  ");
		sd_buf_puts(out, v.c.name);
		if (*v.c.title) {
			PUT(out, " (");
			sd_buf_puts(out, v.c.title);
			sd_buf_putc(out, ')');
		}
		sd_buf_putc(out, '\n');
		sd_buf_puts(out, indent);
		PUT(out, "    seen ");
		sd_buf_u64(out, v.s.count);
		if (v.s.count == 1)
			PUT(out, " time");
		else
			PUT(out, " times");
		if (v.first_len) {
			PUT(out, " from ");
			sd_buf_put(out, v.first, v.first_len);
			PUT(out, " to ");
			sd_buf_put(out, v.last, v.last_len);
		}
		PUT(out, "; evidence: ");
		put_evidence(out, v.s.evidence, ",", false);
		PUT(out, "; confidence: ");
		sd_buf_puts(out, db_confidence_name(v.s.confidence));
		sd_buf_putc(out, '\n');
		uint32_t nsrc = db_sourceset_size(db, v.s.sources);
		if (nsrc > 1 || (nsrc == 1 && *db_sourceset_item(db, v.s.sources, 0))) {
			sd_buf_puts(out, indent);
			PUT(out, "    sources: ");
			put_sources(out, db, v.s.sources, ", ", false);
			sd_buf_putc(out, '\n');
		}
	}
}

static void render_text(struct sd_buf *out, const struct db *db,
			const struct report_answer *a)
{
	char q[NET_PREFIX_STRLEN];
	size_t qlen = report_format_prefix(&a->query, q, sizeof(q));
	if (a->given && (a->given_len != qlen || memcmp(a->given, q, qlen))) {
		/* written otherwise: both forms, the given one made printable
		 * (it parsed as an address, but stay safe for a terminal) */
		for (size_t i = 0; i < a->given_len; i++) {
			unsigned char ch = (unsigned char)a->given[i];
			sd_buf_putc(out, ch >= 0x20 && ch < 0x7f ? (char)ch : '?');
		}
		PUT(out, " (");
		sd_buf_put(out, q, qlen);
		sd_buf_putc(out, ')');
	} else {
		sd_buf_put(out, q, qlen);
	}
	if (a->listed)
		PUT(out, ": LISTED\n");
	else
		PUT(out, ": not listed\n");
	for (size_t i = 0; i < a->nmatches; i++)
		text_entry(out, db, &a->matches[i], "  ");
	if (a->query.len < 128 && a->inside_count) {
		PUT(out, "  ");
		sd_buf_u64(out, a->inside_count);
		if (a->inside_count == 1)
			PUT(out, " listed entry inside");
		else
			PUT(out, " listed entries inside");
		if (a->inside_count > a->ninside)
			PUT(out, " (first ones shown)");
		PUT(out, ":\n");
		for (size_t i = 0; i < a->ninside; i++)
			text_entry(out, db, &a->inside[i], "    ");
	}
}

void report_render(struct sd_buf *out, const struct db *db, const struct report_answer *a,
		   enum report_format fmt, enum report_detail detail)
{
	switch (fmt) {
	case REPORT_TEXT:
		render_text(out, db, a);
		return;
	case REPORT_CSV:
		render_csv(out, db, a);
		return;
	case REPORT_JSON:
		render_json(out, db, a, detail);
		return;
	}
}

void report_render_error(struct sd_buf *out, enum report_format fmt, const char *text,
			 size_t len, const char *why)
{
	switch (fmt) {
	case REPORT_TEXT:
		return;
	case REPORT_CSV:
		report_csv_field(out, text, len);
		PUT(out, ",error,,,,,,,,,,\n");
		return;
	case REPORT_JSON:
		PUT(out, "{\"query\":");
		report_json_string(out, text, len);
		PUT(out, ",\"error\":");
		json_str(out, why);
		PUT(out, "}\n");
		return;
	}
}
