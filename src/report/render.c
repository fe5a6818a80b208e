#include "report/render.h"

#include <stdint.h>
#include <string.h>

#include "core/timeutil.h"

#define PUT(out, lit) sd_buf_put(out, lit, sizeof(lit) - 1)

/* ---- rows written in place ----
 * A listed row is a dozen or more pieces; appending each through
 * sd_buf_put costs a capacity check and a call to memcpy apiece. The
 * length of every piece of a row is known before it is written, so room
 * is made once (sd_buf_room) and the pieces are copied in place (cp, CP),
 * the short ones (addresses, times, names) without a call. */
/* n > 32 bytes, mostly the cached parts of a row (under 128 bytes):
 * 16-byte blocks, the last one overlapping, cheaper than a call to
 * memcpy for such lengths */
static __attribute__((noinline)) void cp_long(char *w, const char *s, size_t n)
{
	if (n > 128) {
		memcpy(w, s, n);
		return;
	}
	char x[16];
	for (size_t i = 0; i < n - 16; i += 16) {
		memcpy(x, s + i, 16);
		memcpy(w + i, x, 16);
	}
	memcpy(x, s + n - 16, 16);
	memcpy(w + n - 16, x, 16);
}

static inline __attribute__((always_inline)) char *cp(char *w, const char *s, size_t n)
{
	if (n >= 8 && n <= 16) { /* two overlapping words */
		uint64_t x, y;
		memcpy(&x, s, 8);
		memcpy(&y, s + n - 8, 8);
		memcpy(w, &x, 8);
		memcpy(w + n - 8, &y, 8);
	} else if (n >= 4 && n < 8) {
		uint32_t x, y;
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		memcpy(w, &x, 4);
		memcpy(w + n - 4, &y, 4);
	} else if (n < 4) {
		for (size_t i = 0; i < n; i++)
			w[i] = s[i];
	} else if (n <= 32) { /* two overlapping 16-byte blocks */
		char x[16], y[16];
		memcpy(x, s, 16);
		memcpy(y, s + n - 16, 16);
		memcpy(w, x, 16);
		memcpy(w + n - 16, y, 16);
	} else {
		cp_long(w, s, n);
	}
	return w + n;
}

#define CP(w, lit) (memcpy(w, lit, sizeof(lit) - 1), (w) + sizeof(lit) - 1)

static const char two_digits[] = "00010203040506070809101112131415161718192021222324"
				 "25262728293031323334353637383940414243444546474849"
				 "50515253545556575859606162636465666768697071727374"
				 "75767778798081828384858687888990919293949596979899";

static inline char *put_u64(char *w, uint64_t v)
{
	if (v < 10) { /* most counts */
		*w = (char)('0' + v);
		return w + 1;
	}
	if (v < 100) { /* prefix lengths */
		memcpy(w, two_digits + 2 * v, 2);
		return w + 2;
	}
	return w + sd_u64_format(v, w);
}

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
static inline bool get_parts(struct report_renderer *r, const struct db_sighting *s,
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

static inline void figures_of(const struct db_sighting *s, struct figures *f)
{
	f->s = *s;
	f->first_len = sd_time_format(s->first_seen, f->first, sizeof(f->first));
	f->last_len = sd_time_format(s->last_seen, f->last, sizeof(f->last));
}

static inline void get_figures(struct report_renderer *r, const struct db_entry *e,
			       uint32_t i, struct figures *f)
{
	struct db_sighting s;
	db_entry_sighting(r->db, e, i, &s);
	figures_of(&s, f);
}

/* net_prefix_cmp(a, b) == 0, inlined: two word compares */
static inline bool same_prefix(const struct net_prefix *a, const struct net_prefix *b)
{
	return a->len == b->len && !memcmp(a->addr.b, b->addr.b, sizeof(a->addr.b));
}

/* The entry's key as printed: most answers are about the query itself,
 * already formatted as q. */
static size_t entry_key(const struct db_entry *e, const struct net_prefix *qp,
			const char *q, size_t qlen, char buf[NET_PREFIX_STRLEN],
			const char **key)
{
	if (same_prefix(&e->prefix, qp)) {
		*key = q;
		return qlen;
	}
	*key = buf;
	return report_format_prefix(&e->prefix, buf, NET_PREFIX_STRLEN);
}

/* The query's canonical form: the text as given when the caller says it
 * is that (most queries of a bulk check), else formatted into buf. */
static size_t query_text(const struct report_answer *a, char buf[NET_PREFIX_STRLEN],
			 const char **q)
{
	if (a->given && a->given_canonical) {
		*q = a->given;
		return a->given_len;
	}
	*q = buf;
	return report_format_prefix(&a->query, buf, NET_PREFIX_STRLEN);
}

/* Whether the query was written as its canonical form q: then q, which
 * needs no escaping nor quoting, stands for the text as given. */
static bool given_as_canonical(const struct report_answer *a, const char *q, size_t qlen)
{
	return a->given_canonical || (a->given_len == qlen && !memcmp(a->given, q, qlen));
}

/* ---- JSON: the key order and spelling of report_lookup's document ---- */

static bool same_sighting(const struct db_sighting *a, const struct db_sighting *b)
{
	return a->first_seen == b->first_seen && a->last_seen == b->last_seen &&
	       a->count == b->count && a->campaign == b->campaign &&
	       a->evidence == b->evidence && a->confidence == b->confidence &&
	       a->sources == b->sources;
}

/* An entry: {"key":..,"prefix_length":..,"sightings":[..]}. All that
 * follows the key of an entry with one sighting depends on its prefix
 * length and that sighting only, and the entries of a list imported at
 * once mostly share both (same campaign, sources, times and count): the
 * renderer keeps the last such tail and copies it when the next entry
 * has the same. */
static void json_entry(struct report_renderer *r, struct sd_buf *out,
		       const struct net_prefix *qp, const char *q, size_t qlen,
		       const struct db_entry *e)
{
	char buf[NET_PREFIX_STRLEN];
	const char *key;
	size_t klen = entry_key(e, qp, q, qlen, buf, &key);
	unsigned plen = net_prefix_display_len(&e->prefix);
	struct report_tail *t = &r->tail;
	struct db_sighting one;
	bool single = e->nsightings == 1;
	if (single) {
		db_entry_sighting(r->db, e, 0, &one);
		if (t->len && t->prefix_len == plen && same_sighting(&t->s, &one)) {
			char *w = sd_buf_room(out, 8 + klen + t->len);
			if (!w)
				return;
			w = CP(w, "{\"key\":\"");
			w = cp(w, key, klen);
			w = cp(w, t->text, t->len);
			sd_buf_end_at(out, w);
			return;
		}
	}
	char *w = sd_buf_room(out, 48 + klen);
	if (!w)
		return;
	w = CP(w, "{\"key\":\"");
	w = cp(w, key, klen);
	size_t tail_at = (size_t)(w - out->data);
	w = CP(w, "\",\"prefix_length\":");
	w = put_u64(w, plen);
	w = CP(w, ",\"sightings\":[");
	sd_buf_end_at(out, w);
	for (uint32_t i = 0; i < e->nsightings; i++) {
		struct figures f;
		struct parts pt;
		if (single)
			figures_of(&one, &f);
		else
			get_figures(r, e, i, &f);
		if (!get_parts(r, &f.s, &pt, out))
			return;
		w = sd_buf_room(out,
				80 + pt.len[0] + pt.len[1] + f.first_len + f.last_len);
		if (!w)
			return;
		if (i)
			*w++ = ',';
		w = cp(w, pt.p[0], pt.len[0]);
		if (r->detail == REPORT_FULL) {
			w = CP(w, ",\"first_seen\":");
			if (f.first_len) {
				*w++ = '"';
				w = cp(w, f.first, f.first_len);
				*w++ = '"';
			} else {
				w = CP(w, "null");
			}
			w = CP(w, ",\"last_seen\":");
			if (f.last_len) {
				*w++ = '"';
				w = cp(w, f.last, f.last_len);
				*w++ = '"';
			} else {
				w = CP(w, "null");
			}
			w = CP(w, ",\"count\":");
			w = put_u64(w, f.s.count);
			w = cp(w, pt.p[1], pt.len[1]);
		}
		*w++ = '}';
		sd_buf_end_at(out, w);
	}
	PUT(out, "]}");
	if (single && !out->failed && out->len - tail_at <= sizeof(t->text)) {
		t->len = (uint32_t)(out->len - tail_at);
		memcpy(t->text, out->data + tail_at, t->len);
		t->s = one;
		t->prefix_len = plen;
	}
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
	char qbuf[NET_PREFIX_STRLEN];
	const char *q;
	size_t qlen = query_text(a, qbuf, &q);
	PUT(out, "{\"query\":");
	if (a->given && !given_as_canonical(a, q, qlen)) /* as written: untrusted
							   bytes, escaped */
		report_json_string(out, a->given, a->given_len);
	else
		json_plain(out, q, qlen);
	char *w = sd_buf_room(out, 48 + qlen);
	if (!w)
		return;
	w = CP(w, ",\"canonical\":\"");
	w = cp(w, q, qlen);
	if (a->query.len == 128)
		w = CP(w, "\",\"type\":\"address\",\"matches\":[");
	else
		w = CP(w, "\",\"type\":\"prefix\",\"matches\":[");
	sd_buf_end_at(out, w);
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

/* The rows of entry e for the query q (its canonical form); given: the
 * query as written when it is not q, quoted and defused in the query
 * column (NULL: q stands for it). */
static void csv_entry_rows(struct report_renderer *r, struct sd_buf *out,
			   const struct net_prefix *qp, const char *q, size_t qlen,
			   const char *given, size_t given_len, const struct db_entry *e,
			   const char *relation, size_t rlen)
{
	char buf[NET_PREFIX_STRLEN];
	const char *key;
	size_t klen = entry_key(e, qp, q, qlen, buf, &key);
	for (uint32_t i = 0; i < e->nsightings; i++) {
		struct figures f;
		struct parts pt;
		get_figures(r, e, i, &f);
		if (!get_parts(r, &f.s, &pt, out))
			return;
		if (given)
			report_csv_field(out, given, given_len);
		/* addresses, prefixes and times as formatted here never hold a
		 * byte that needs quoting nor start like a formula */
		char *w = sd_buf_room(out, 16 + SD_U64_DIGITS + 2 * qlen + rlen + klen +
					       pt.len[0] + pt.len[1] + f.first_len +
					       f.last_len);
		if (!w)
			return;
		if (!given)
			w = cp(w, q, qlen);
		w = CP(w, ",true,");
		w = cp(w, relation, rlen);
		*w++ = ',';
		w = cp(w, key, klen);
		*w++ = ',';
		w = cp(w, pt.p[0], pt.len[0]);
		*w++ = ',';
		w = cp(w, f.first, f.first_len);
		*w++ = ',';
		w = cp(w, f.last, f.last_len);
		*w++ = ',';
		w = put_u64(w, f.s.count);
		*w++ = ',';
		w = cp(w, pt.p[1], pt.len[1]);
		*w++ = ',';
		w = cp(w, q, qlen);
		*w++ = '\n';
		sd_buf_end_at(out, w);
	}
}

static void csv_rows(struct report_renderer *r, struct sd_buf *out,
		     const struct report_answer *a, const char *q, size_t qlen,
		     const struct db_entry *e, const char *relation)
{
	/* the query column as given needs quoting unless it is canonical */
	bool quote = a->given && !given_as_canonical(a, q, qlen);
	csv_entry_rows(r, out, &a->query, q, qlen, quote ? a->given : NULL,
		       quote ? a->given_len : 0, e, relation, strlen(relation));
}

/* The row of a query nothing covers, the query column written already. */
static void csv_unlisted_tail(struct sd_buf *out, const char *q, size_t qlen)
{
	char *w = sd_buf_room(out, sizeof(",false,,,,,,,,,,\n") + qlen);
	if (!w)
		return;
	w = CP(w, ",false,,,,,,,,,,");
	w = cp(w, q, qlen);
	*w++ = '\n';
	sd_buf_end_at(out, w);
}

static void render_csv(struct report_renderer *r, struct sd_buf *out,
		       const struct report_answer *a)
{
	char qbuf[NET_PREFIX_STRLEN];
	const char *q;
	size_t qlen = query_text(a, qbuf, &q);
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
		csv_unlisted_tail(out, q, qlen);
	}
}

/* ---- text, for people ---- */

static void text_entry(struct report_renderer *r, struct sd_buf *out,
		       const struct net_prefix *qp, const char *q, size_t qlen,
		       const struct db_entry *e, const char *indent)
{
	char buf[NET_PREFIX_STRLEN];
	const char *key;
	size_t klen = entry_key(e, qp, q, qlen, buf, &key);
	size_t ilen = strlen(indent);
	for (uint32_t i = 0; i < e->nsightings; i++) {
		struct figures f;
		struct parts pt;
		get_figures(r, e, i, &f);
		if (!get_parts(r, &f.s, &pt, out))
			return;
		char *w = sd_buf_room(out, 64 + SD_U64_DIGITS + 3 * ilen + klen +
					       pt.len[0] + pt.len[1] + pt.len[2] +
					       f.first_len + f.last_len);
		if (!w)
			return;
		w = cp(w, indent, ilen);
		w = cp(w, key, klen);
		w = CP(w, "  ");
		w = cp(w, pt.p[0], pt.len[0]);
		*w++ = '\n';
		w = cp(w, indent, ilen);
		w = CP(w, "    seen ");
		w = put_u64(w, f.s.count);
		if (f.s.count == 1)
			w = CP(w, " time");
		else
			w = CP(w, " times");
		if (f.first_len) {
			w = CP(w, " from ");
			w = cp(w, f.first, f.first_len);
			w = CP(w, " to ");
			w = cp(w, f.last, f.last_len);
		}
		w = CP(w, "; evidence: ");
		w = cp(w, pt.p[1], pt.len[1]);
		*w++ = '\n';
		if (pt.len[2]) {
			w = cp(w, indent, ilen);
			w = CP(w, "    sources: ");
			w = cp(w, pt.p[2], pt.len[2]);
			*w++ = '\n';
		}
		sd_buf_end_at(out, w);
	}
}

static void render_text(struct report_renderer *r, struct sd_buf *out,
			const struct report_answer *a)
{
	char qbuf[NET_PREFIX_STRLEN];
	const char *q;
	size_t qlen = query_text(a, qbuf, &q);
	if (a->given && !given_as_canonical(a, q, qlen)) {
		/* written otherwise: both forms, the given one made printable
		 * (it parsed as an address, but stay safe for a terminal) */
		for (size_t i = 0; i < a->given_len; i++) {
			unsigned char ch = (unsigned char)a->given[i];
			sd_buf_putc(out, ch >= 0x20 && ch < 0x7f ? (char)ch : '?');
		}
		PUT(out, " (");
		sd_buf_put(out, q, qlen);
		sd_buf_putc(out, ')');
		if (a->listed)
			PUT(out, ": LISTED\n");
		else
			PUT(out, ": not listed\n");
	} else {
		char *w = sd_buf_room(out, qlen + sizeof(": not listed\n"));
		if (!w)
			return;
		w = cp(w, q, qlen);
		if (a->listed)
			w = CP(w, ": LISTED\n");
		else
			w = CP(w, ": not listed\n");
		sd_buf_end_at(out, w);
	}
	for (size_t i = 0; i < a->nmatches; i++)
		text_entry(r, out, &a->query, q, qlen, &a->matches[i], "  ");
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
			text_entry(r, out, &a->query, q, qlen, &a->inside[i], "    ");
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

/* The JSON of an address query q, written canonically: a template with
 * the query spliced in, and for a listed one its only entry. */
static void json_address(struct report_renderer *r, struct sd_buf *out,
			 const struct net_prefix *qp, const char *q, size_t qlen,
			 const struct db_entry *e)
{
	char *w =
	    sd_buf_room(out, 2 * qlen + sizeof("{\"query\":\"\",\"canonical\":\"\","
					       "\"type\":\"address\",\"matches\":[],"
					       "\"listed\":false}\n"));
	if (!w)
		return;
	w = CP(w, "{\"query\":\"");
	w = cp(w, q, qlen);
	w = CP(w, "\",\"canonical\":\"");
	w = cp(w, q, qlen);
	if (!e) {
		w = CP(w, "\",\"type\":\"address\",\"matches\":[],\"listed\":false}\n");
		sd_buf_end_at(out, w);
		return;
	}
	w = CP(w, "\",\"type\":\"address\",\"matches\":[");
	sd_buf_end_at(out, w);
	json_entry(r, out, qp, q, qlen, e);
	PUT(out, "],\"listed\":true}\n");
}

void report_renderer_address(struct report_renderer *r, struct sd_buf *out,
			     const struct net_prefix *q, const char *text, size_t len,
			     const struct db_entry *e)
{
	switch (r->fmt) {
	case REPORT_TEXT: {
		char *w = sd_buf_room(out, len + sizeof(": not listed\n"));
		if (!w)
			return;
		w = cp(w, text, len);
		if (!e) {
			w = CP(w, ": not listed\n");
			sd_buf_end_at(out, w);
			return;
		}
		w = CP(w, ": LISTED\n");
		sd_buf_end_at(out, w);
		text_entry(r, out, q, text, len, e, "  ");
		return;
	}
	case REPORT_CSV:
		if (!e) {
			sd_buf_put(out, text, len);
			csv_unlisted_tail(out, text, len);
		} else {
			csv_entry_rows(r, out, q, text, len, NULL, 0, e, "covering",
				       sizeof("covering") - 1);
		}
		return;
	case REPORT_JSON:
		json_address(r, out, q, text, len, e);
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
