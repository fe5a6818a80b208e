#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/timeutil.h"
#include "core/utf8.h"
#include "report/answer.h"

size_t report_format_prefix(const struct net_prefix *p, char *buf, size_t size)
{
	if (p->len == 128)
		return net_addr_format(&p->addr, buf, size);
	return net_prefix_format(p, buf, size);
}

json_t *report_text(const char *s)
{
	json_t *j = json_string(s);
	if (j || !s)
		return j;
	/* not UTF-8 (a source named by a file whose name is not): each byte
	 * that starts no valid sequence becomes U+FFFD, as the renderers
	 * write it, instead of the string vanishing from the document */
	size_t n = strlen(s), k = 0;
	char *t = malloc(3 * n + 1);
	if (!t)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t len = sd_utf8_len((const unsigned char *)s + i, n - i);
		if (len) {
			memcpy(t + k, s + i, len);
			k += len;
			i += len;
		} else {
			memcpy(t + k, "\xEF\xBF\xBD", 3);
			k += 3;
			i++;
		}
	}
	j = json_stringn(t, k);
	free(t);
	return j;
}

json_t *report_time(uint32_t t)
{
	char buf[SD_TIME_STRLEN];
	if (!t)
		return json_null();
	sd_time_format(t, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *evidence_array(unsigned ev)
{
	json_t *a = json_array();
	for (unsigned bit = 1; bit <= DB_EV_HTTP; bit <<= 1)
		if (ev & bit)
			json_array_append_new(a, json_string(db_evidence_name(bit)));
	return a;
}

json_t *report_entry(const struct db *db, const struct db_entry *e,
		     enum report_detail detail)
{
	char buf[NET_PREFIX_STRLEN];
	report_format_prefix(&e->prefix, buf, sizeof(buf));
	json_t *o = json_object();
	json_object_set_new(o, "key", json_string(buf));
	json_object_set_new(o, "prefix_length",
			    json_integer(net_prefix_display_len(&e->prefix)));
	json_t *sightings = json_array();
	for (uint32_t i = 0; i < e->nsightings; i++) {
		struct db_sighting s;
		struct db_campaign c;
		db_entry_sighting(db, e, i, &s);
		db_campaign_get(db, s.campaign, &c);
		json_t *so = json_object();
		json_object_set_new(so, "campaign", report_text(c.name));
		json_object_set_new(so, "title", report_text(c.title));
		if (detail == REPORT_FULL) {
			json_object_set_new(so, "first_seen", report_time(s.first_seen));
			json_object_set_new(so, "last_seen", report_time(s.last_seen));
			json_object_set_new(so, "count", json_integer(s.count));
			json_object_set_new(so, "evidence", evidence_array(s.evidence));
			json_object_set_new(
			    so, "confidence",
			    json_string(db_confidence_name(s.confidence)));
			json_t *src = json_array();
			for (uint32_t k = 0; k < db_sourceset_size(db, s.sources); k++)
				json_array_append_new(src, report_text(db_sourceset_item(
							       db, s.sources, k)));
			json_object_set_new(so, "sources", src);
		}
		json_array_append_new(sightings, so);
	}
	json_object_set_new(o, "sightings", sightings);
	return o;
}

json_t *report_lookup(const struct db *db, const struct net_prefix *q,
		      enum report_detail detail, size_t max_inside)
{
	return report_lookup_query(db, q, NULL, 0, detail, max_inside);
}

json_t *report_lookup_query(const struct db *db, const struct net_prefix *q,
			    const char *given, size_t given_len,
			    enum report_detail detail, size_t max_inside)
{
	struct report_answer *a = calloc(1, sizeof(*a));
	if (!a || report_answer_lookup(db, q, max_inside, a)) {
		if (a)
			report_answer_free(a);
		free(a);
		return NULL;
	}
	char buf[NET_PREFIX_STRLEN];
	report_format_prefix(q, buf, sizeof(buf));
	json_t *o = json_object();
	if (!o)
		goto out;
	/* as written when there is a text (json_stringn refuses invalid
	 * UTF-8: then the canonical form) */
	json_t *qs = given ? json_stringn(given, given_len) : NULL;
	json_object_set_new(o, "query", qs ? qs : json_string(buf));
	json_object_set_new(o, "canonical", json_string(buf));
	json_object_set_new(o, "type", json_string(q->len == 128 ? "address" : "prefix"));
	json_t *matches = json_array();
	for (size_t i = 0; i < a->nmatches; i++)
		json_array_append_new(matches, report_entry(db, &a->matches[i], detail));
	json_object_set_new(o, "matches", matches);
	if (q->len < 128) {
		json_t *list = json_array();
		for (size_t i = 0; i < a->ninside; i++)
			json_array_append_new(list,
					      report_entry(db, &a->inside[i], detail));
		json_t *in = json_object();
		json_object_set_new(in, "count",
				    json_integer((json_int_t)a->inside_count));
		json_object_set_new(in, "truncated",
				    json_boolean(a->inside_count > a->ninside));
		json_object_set_new(in, "entries", list);
		json_object_set_new(o, "inside", in);
	}
	json_object_set_new(o, "listed", json_boolean(a->listed));
out:
	report_answer_free(a);
	free(a);
	return o;
}

json_t *report_campaign(const struct db *db, uint32_t id)
{
	struct db_campaign c;
	if (db_campaign_get(db, id, &c))
		return json_null();
	json_t *o = json_object();
	json_object_set_new(o, "name", report_text(c.name));
	json_object_set_new(o, "title", report_text(c.title));
	json_object_set_new(o, "advisory", report_text(c.advisory));
	json_object_set_new(o, "remediation", report_text(c.remediation));
	json_t *w = json_object();
	json_object_set_new(w, "start", report_time(c.window_start));
	json_object_set_new(w, "end", report_time(c.window_end));
	json_object_set_new(o, "window", w);
	return o;
}

json_t *report_snapshot(const struct db *db)
{
	json_t *o = json_object();
	char id[DB_CONTENT_ID_STRLEN];
	db_content_id(db, id);
	json_object_set_new(o, "content_id", json_string(id));
	json_object_set_new(o, "built", report_time((uint32_t)db_build_time(db)));
	json_object_set_new(o, "entries", json_integer((json_int_t)db_entry_count(db)));
	json_t *names = json_array();
	for (uint32_t i = 0; i < db_campaign_count(db); i++) {
		struct db_campaign c;
		db_campaign_get(db, i, &c);
		json_array_append_new(names, report_text(c.name));
	}
	json_object_set_new(o, "campaigns", names);
	return o;
}
