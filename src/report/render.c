#include "report/render.h"

#include <stdint.h>
#include <string.h>

#include "core/timeutil.h"

#define PUT(out, lit) sd_buf_put(out, lit, sizeof(lit) - 1)

static void csv_str(struct sd_buf *out, const char *s)
{
	report_csv_field(out, s, strlen(s));
}

static void json_str(struct sd_buf *out, const char *s)
{
	report_json_string(out, s, strlen(s));
}

/* A string this file formatted (an address, a prefix, a time) or a name
 * from the snapshot format's fixed tables (evidence, confidence): plain
 * ASCII with nothing to escape. */
static void json_plain(struct sd_buf *out, const char *s, size_t n)
{
	sd_buf_putc(out, '"');
	sd_buf_put(out, s, n);
	sd_buf_putc(out, '"');
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

/* ---- the parts of a sighting that depend on its attributes only ----
 * Campaign, evidence, confidence and sources (never the key, times or
 * count), rendered once per renderer and then copied: in a bulk check
 * nearly every listed answer shares one of a handful of them.
 *   JSON  [0] {"campaign":..,"title":..
 *         [1] ,"evidence":[..],"confidence":..,"sources":[..]  (full only)
 *   CSV   [0] the campaign field  [1] evidence,confidence,sources
 *   text  [0] name (title)  [1] evidence; confidence: ..
 *         [2] the sources, empty when there are none to show */

#define PARTS_STORE_MAX (256 * 1024) /* the cache starts over past this */

struct parts {
	const char *p[3];
	size_t len[3];
};

static void render_parts(const struct report_renderer *r, const struct db_sighting *s,
			 struct sd_buf *b, uint32_t end[3])
{
	struct db_campaign c;
	if (db_campaign_get(r->db, s->campaign, &c))
		c = (struct db_campaign){"", "", "", "", 0, 0};
	switch (r->fmt) {
	case REPORT_JSON:
		PUT(b, "{\"campaign\":");
		json_str(b, c.name);
		PUT(b, ",\"title\":");
		json_str(b, c.title);
		end[0] = (uint32_t)b->len;
		if (r->detail == REPORT_FULL) {
			PUT(b, ",\"evidence\":[");
			put_evidence(b, s->evidence, ",", true);
			PUT(b, "],\"confidence\":");
			json_str(b, db_confidence_name(s->confidence));
			PUT(b, ",\"sources\":[");
			put_sources(b, r->db, s->sources, ",", true);
			sd_buf_putc(b, ']');
		}
		end[1] = end[2] = (uint32_t)b->len;
		return;
	case REPORT_CSV: {
		csv_str(b, c.name);
		end[0] = (uint32_t)b->len;
		/* evidence names never need quoting; sources may */
		put_evidence(b, s->evidence, ";", false);
		sd_buf_putc(b, ',');
		csv_str(b, db_confidence_name(s->confidence));
		sd_buf_putc(b, ',');
		uint32_t nsrc = db_sourceset_size(r->db, s->sources);
		if (nsrc == 1) {
			csv_str(b, db_sourceset_item(r->db, s->sources, 0));
		} else if (nsrc > 1) {
			struct sd_buf src = {0};
			put_sources(&src, r->db, s->sources, ";", false);
			if (src.failed)
				b->failed = true;
			report_csv_field(b, src.data, src.len);
			sd_buf_free(&src);
		}
		end[1] = end[2] = (uint32_t)b->len;
		return;
	}
	case REPORT_TEXT: {
		sd_buf_puts(b, c.name);
		if (*c.title) {
			PUT(b, " (");
			sd_buf_puts(b, c.title);
			sd_buf_putc(b, ')');
		}
		end[0] = (uint32_t)b->len;
		put_evidence(b, s->evidence, ",", false);
		PUT(b, "; confidence: ");
		sd_buf_puts(b, db_confidence_name(s->confidence));
		end[1] = (uint32_t)b->len;
		uint32_t nsrc = db_sourceset_size(r->db, s->sources);
		if (nsrc > 1 || (nsrc == 1 && *db_sourceset_item(r->db, s->sources, 0)))
			put_sources(b, r->db, s->sources, ", ", false);
		end[2] = (uint32_t)b->len;
		return;
	}
	}
}

/* The parts of s, from the cache when they were rendered before. False
 * when memory ran out (out is then marked failed, as a failed append
 * would). */
static bool get_parts(struct report_renderer *r, const struct db_sighting *s,
		      struct parts *pt, struct sd_buf *out)
{
	uint64_t key = (uint64_t)s->campaign | (uint64_t)s->evidence << 16 |
		       (uint64_t)s->confidence << 24 | (uint64_t)s->sources << 32;
	struct report_parts_slot *slot =
	    &r->slot[(key * 0x9e3779b97f4a7c15ull) >> (64 - REPORT_PARTS_SLOTS_LOG2)];
	if (!slot->valid || slot->key != key) {
		if (r->store.len > PARTS_STORE_MAX) {
			r->store.len = 0;
			for (size_t i = 0; i < REPORT_PARTS_SLOTS; i++)
				r->slot[i].valid = false;
		}
		slot->key = key;
		slot->start = (uint32_t)r->store.len;
		render_parts(r, s, &r->store, slot->end);
		slot->valid = !r->store.failed;
		if (!slot->valid) {
			out->failed = true;
			return false;
		}
	}
	uint32_t from = slot->start;
	for (int i = 0; i < 3; i++) {
		pt->p[i] = r->store.data + from;
		pt->len[i] = slot->end[i] - from;
		from = slot->end[i];
	}
	return true;
}

/* A sighting's own figures, formatted for whichever form prints it. */
struct figures {
	struct db_sighting s;
	char first[SD_TIME_STRLEN], last[SD_TIME_STRLEN];
	size_t first_len, last_len;
};

static void get_figures(const struct db *db, const struct db_entry *e, uint32_t i,
			struct figures *f)
{
	db_entry_sighting(db, e, i, &f->s);
	f->first_len = f->s.first_seen
			   ? sd_time_format(f->s.first_seen, f->first, sizeof(f->first))
			   : 0;
	f->last_len =
	    f->s.last_seen ? sd_time_format(f->s.last_seen, f->last, sizeof(f->last)) : 0;
}

/* The entry's key as printed: most answers are about the query itself,
 * already formatted as q. */
static size_t entry_key(const struct db_entry *e, const struct net_prefix *qp,
			const char *q, size_t qlen, char buf[NET_PREFIX_STRLEN],
			const char **key)
{
	if (!net_prefix_cmp(&e->prefix, qp)) {
		*key = q;
		return qlen;
	}
	*key = buf;
	return report_format_prefix(&e->prefix, buf, NET_PREFIX_STRLEN);
}

/* Whether the query was written as its canonical form q: then q, which
 * needs no escaping nor quoting, stands for the text as given (most
 * queries of a bulk check). */
static bool given_as_canonical(const struct report_answer *a, const char *q, size_t qlen)
{
	return a->given_len == qlen && !memcmp(a->given, q, qlen);
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

static void json_entry(struct report_renderer *r, struct sd_buf *out,
		       const struct net_prefix *qp, const char *q, size_t qlen,
		       const struct db_entry *e)
{
	char buf[NET_PREFIX_STRLEN];
	const char *key;
	size_t klen = entry_key(e, qp, q, qlen, buf, &key);
	PUT(out, "{\"key\":");
	json_plain(out, key, klen);
	PUT(out, ",\"prefix_length\":");
	sd_buf_u64(out, net_prefix_display_len(&e->prefix));
	PUT(out, ",\"sightings\":[");
	for (uint32_t i = 0; i < e->nsightings; i++) {
		struct figures f;
		struct parts pt;
		get_figures(r->db, e, i, &f);
		if (!get_parts(r, &f.s, &pt, out))
			return;
		if (i)
			sd_buf_putc(out, ',');
		sd_buf_put(out, pt.p[0], pt.len[0]);
		if (r->detail == REPORT_FULL) {
			PUT(out, ",\"first_seen\":");
			json_time(out, f.first, f.first_len);
			PUT(out, ",\"last_seen\":");
			json_time(out, f.last, f.last_len);
			PUT(out, ",\"count\":");
			sd_buf_u64(out, f.s.count);
			sd_buf_put(out, pt.p[1], pt.len[1]);
		}
		sd_buf_putc(out, '}');
	}
	PUT(out, "]}");
}

/* The entries of a JSON array, comma-separated. */
static void json_entries(struct report_renderer *r, struct sd_buf *out,
			 const struct net_prefix *qp, const char *q, size_t qlen,
			 const struct db_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			sd_buf_putc(out, ',');
		json_entry(r, out, qp, q, qlen, &e[i]);
	}
}

static void render_json(struct report_renderer *r, struct sd_buf *out,
			const struct report_answer *a)
{
	char q[NET_PREFIX_STRLEN];
	size_t qlen = report_format_prefix(&a->query, q, sizeof(q));
	PUT(out, "{\"query\":");
	if (a->given && !given_as_canonical(a, q, qlen)) /* as written: untrusted
							   bytes, escaped */
		report_json_string(out, a->given, a->given_len);
	else
		json_plain(out, q, qlen);
	PUT(out, ",\"canonical\":");
	json_plain(out, q, qlen);
	if (a->query.len == 128)
		PUT(out, ",\"type\":\"address\",\"matches\":[");
	else
		PUT(out, ",\"type\":\"prefix\",\"matches\":[");
	json_entries(r, out, &a->query, q, qlen, a->matches, a->nmatches);
	sd_buf_putc(out, ']');
	if (a->query.len < 128) {
		PUT(out, ",\"inside\":{\"count\":");
		sd_buf_u64(out, a->inside_count);
		if (a->inside_count > a->ninside)
			PUT(out, ",\"truncated\":true,\"entries\":[");
		else
			PUT(out, ",\"truncated\":false,\"entries\":[");
		json_entries(r, out, &a->query, q, qlen, a->inside, a->ninside);
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
	if (a->given && !given_as_canonical(a, q, qlen))
		report_csv_field(out, a->given, a->given_len);
	else
		sd_buf_put(out, q, qlen);
}

static void csv_rows(struct report_renderer *r, struct sd_buf *out,
		     const struct report_answer *a, const char *q, size_t qlen,
		     const struct db_entry *e, const char *relation)
{
	char buf[NET_PREFIX_STRLEN];
	const char *key;
	size_t klen = entry_key(e, &a->query, q, qlen, buf, &key);
	for (uint32_t i = 0; i < e->nsightings; i++) {
		struct figures f;
		struct parts pt;
		get_figures(r->db, e, i, &f);
		if (!get_parts(r, &f.s, &pt, out))
			return;
		/* addresses, prefixes and times as formatted here never hold a
		 * byte that needs quoting nor start like a formula */
		csv_query(out, a, q, qlen);
		PUT(out, ",true,");
		sd_buf_puts(out, relation);
		sd_buf_putc(out, ',');
		sd_buf_put(out, key, klen);
		sd_buf_putc(out, ',');
		sd_buf_put(out, pt.p[0], pt.len[0]);
		sd_buf_putc(out, ',');
		sd_buf_put(out, f.first, f.first_len);
		sd_buf_putc(out, ',');
		sd_buf_put(out, f.last, f.last_len);
		sd_buf_putc(out, ',');
		sd_buf_u64(out, f.s.count);
		sd_buf_putc(out, ',');
		sd_buf_put(out, pt.p[1], pt.len[1]);
		sd_buf_putc(out, ',');
		sd_buf_put(out, q, qlen);
		sd_buf_putc(out, '\n');
	}
}

static void render_csv(struct report_renderer *r, struct sd_buf *out,
		       const struct report_answer *a)
{
	char q[NET_PREFIX_STRLEN];
	size_t qlen = report_format_prefix(&a->query, q, sizeof(q));
	bool rows = false;
	for (size_t i = 0; i < a->nmatches; i++) {
		csv_rows(r, out, a, q, qlen, &a->matches[i], "covering");
		rows = true;
	}
	for (size_t i = 0; i < a->ninside; i++) {
		if (!net_prefix_cmp(&a->inside[i].prefix, &a->query))
			continue; /* already a covering match */
		csv_rows(r, out, a, q, qlen, &a->inside[i], "inside");
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

static void text_entry(struct report_renderer *r, struct sd_buf *out,
		       const struct db_entry *e, const char *indent)
{
	char key[NET_PREFIX_STRLEN];
	size_t klen = report_format_prefix(&e->prefix, key, sizeof(key));
	for (uint32_t i = 0; i < e->nsightings; i++) {
		struct figures f;
		struct parts pt;
		get_figures(r->db, e, i, &f);
		if (!get_parts(r, &f.s, &pt, out))
			return;
		sd_buf_puts(out, indent);
		sd_buf_put(out, key, klen);
		PUT(out, "  ");
		sd_buf_put(out, pt.p[0], pt.len[0]);
		sd_buf_putc(out, '\n');
		sd_buf_puts(out, indent);
		PUT(out, "    seen ");
		sd_buf_u64(out, f.s.count);
		if (f.s.count == 1)
			PUT(out, " time");
		else
			PUT(out, " times");
		if (f.first_len) {
			PUT(out, " from ");
			sd_buf_put(out, f.first, f.first_len);
			PUT(out, " to ");
			sd_buf_put(out, f.last, f.last_len);
		}
		PUT(out, "; evidence: ");
		sd_buf_put(out, pt.p[1], pt.len[1]);
		sd_buf_putc(out, '\n');
		if (pt.len[2]) {
			sd_buf_puts(out, indent);
			PUT(out, "    sources: ");
			sd_buf_put(out, pt.p[2], pt.len[2]);
			sd_buf_putc(out, '\n');
		}
	}
}

static void render_text(struct report_renderer *r, struct sd_buf *out,
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
		text_entry(r, out, &a->matches[i], "  ");
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
			text_entry(r, out, &a->inside[i], "    ");
	}
}

void report_renderer_init(struct report_renderer *r, const struct db *db,
			  enum report_format fmt, enum report_detail detail)
{
	*r = (struct report_renderer){.db = db, .fmt = fmt, .detail = detail};
}

void report_renderer_fini(struct report_renderer *r)
{
	sd_buf_free(&r->store);
}

void report_renderer_answer(struct report_renderer *r, struct sd_buf *out,
			    const struct report_answer *a)
{
	switch (r->fmt) {
	case REPORT_TEXT:
		render_text(r, out, a);
		return;
	case REPORT_CSV:
		render_csv(r, out, a);
		return;
	case REPORT_JSON:
		render_json(r, out, a);
		return;
	}
}

void report_render(struct sd_buf *out, const struct db *db, const struct report_answer *a,
		   enum report_format fmt, enum report_detail detail)
{
	struct report_renderer r;
	report_renderer_init(&r, db, fmt, detail);
	report_renderer_answer(&r, out, a);
	report_renderer_fini(&r);
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
