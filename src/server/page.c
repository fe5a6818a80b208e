#include "server/page.h"

#include <string.h>

#include "core/timeutil.h"
#include "report/report.h"
#include "server/escape.h"
#include "server/stats_as.h"

static void html(struct srv_buf *b, const char *s)
{
	if (s)
		srv_buf_html(b, s, strlen(s));
}

static const char *evidence_text(const char *kind)
{
	static const struct {
		const char *kind, *text;
	} t[] = {
	    {"list", "named in a published list of potentially impacted addresses"},
	    {"dns", "looked up a domain name of the campaign's infrastructure"},
	    {"flow", "exchanged network traffic with an address of the campaign's "
		     "infrastructure"},
	    {"tls", "opened an encrypted (TLS) connection naming the campaign's server"},
	    {"http", "made a web request to the campaign's server or download address"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(kind, t[i].kind))
			return t[i].text;
	return kind;
}

static const char *confidence_text(const char *c)
{
	if (!strcmp(c, "high"))
		return "high: direct traffic with the campaign's own servers";
	if (!strcmp(c, "medium"))
		return "medium: the evidence is indirect or from a single source";
	if (!strcmp(c, "low"))
		return "low: for example a DNS lookup alone, which shows an attempt, not "
		       "a connection";
	return "not stated by the source";
}

/* Only http(s) links are written: a snapshot is data, not markup. */
static void link(struct srv_buf *b, const char *url, const char *text)
{
	if (!url || (strncmp(url, "https://", 8) && strncmp(url, "http://", 7)))
		return;
	srv_buf_puts(b, "<a href=\"");
	html(b, url);
	srv_buf_puts(b, "\" rel=\"noopener noreferrer\">");
	html(b, text);
	srv_buf_puts(b, "</a>");
}

static void field(struct srv_buf *b, const char *name, json_t *value)
{
	const char *s = json_string_value(value);
	srv_buf_puts(b, "<dt>");
	html(b, name);
	srv_buf_puts(b, "</dt><dd>");
	if (s)
		html(b, s);
	else if (json_is_integer(value))
		srv_buf_printf(b, "%lld", (long long)json_integer_value(value));
	else
		srv_buf_puts(b, "unknown");
	srv_buf_puts(b, "</dd>");
}

static void sighting(struct srv_buf *b, const struct srv_snap *snap, json_t *s)
{
	const char *name = json_string_value(json_object_get(s, "campaign"));
	const char *title = json_string_value(json_object_get(s, "title"));
	srv_buf_puts(b, "<article class=\"sighting\"><h3>");
	html(b, title && *title ? title : name);
	srv_buf_puts(b, " <span class=\"campaign-id\">(");
	html(b, name);
	srv_buf_puts(b, ")</span></h3><dl>");
	json_t *ev = json_object_get(s, "evidence");
	if (json_object_get(s, "first_seen")) {
		field(b, "First seen", json_object_get(s, "first_seen"));
		field(b, "Last seen", json_object_get(s, "last_seen"));
		field(b, "Times seen", json_object_get(s, "count"));
		srv_buf_puts(b, "<dt>Evidence</dt><dd><ul class=\"evidence\">");
		size_t i;
		json_t *k;
		json_array_foreach(ev, i, k)
		{
			srv_buf_puts(b, "<li>");
			html(b, evidence_text(json_string_value(k) ? json_string_value(k)
								   : ""));
			srv_buf_puts(b, "</li>");
		}
		srv_buf_puts(b, "</ul></dd><dt>How sure</dt><dd>");
		const char *conf = json_string_value(json_object_get(s, "confidence"));
		html(b, confidence_text(conf ? conf : ""));
		srv_buf_puts(b, "</dd>");
	} else {
		srv_buf_puts(b,
			     "<dt>Details</dt><dd>This server shows only the verdict to "
			     "anonymous visitors; a token holder sees dates, counts and "
			     "evidence.</dd>");
	}
	srv_buf_puts(b, "</dl>");
	struct db_campaign c;
	int id = name ? db_campaign_find(snap->db, name) : -1;
	if (id >= 0 && db_campaign_get(snap->db, (uint32_t)id, &c) == 0) {
		srv_buf_puts(b, "<h4>What to do</h4><p>");
		html(b, *c.remediation ? c.remediation
				       : "Check the machines behind this address for the "
					 "campaign's software and follow the advisory.");
		srv_buf_puts(b, "</p><p>");
		link(b, c.advisory, "Read the advisory");
		srv_buf_puts(b, "</p>");
	}
	srv_buf_puts(b, "</article>");
}

static void result(struct srv_buf *b, const struct srv_page_view *v)
{
	if (v->status) {
		srv_buf_puts(b, "<section id=\"verdict\" class=\"verdict refused\" "
				"aria-live=\"polite\"><h2>Cannot answer</h2><p>");
		html(b, v->message);
		srv_buf_puts(b, "</p></section>");
		return;
	}
	if (!v->result)
		return;
	const char *q = json_string_value(json_object_get(v->result, "query"));
	bool listed = json_is_true(json_object_get(v->result, "listed"));
	srv_buf_printf(
	    b, "<section id=\"verdict\" class=\"verdict %s\" aria-live=\"polite\">",
	    listed ? "listed" : "not-listed");
	srv_buf_puts(b, "<h2>");
	if (v->own)
		srv_buf_puts(b, "Your address ");
	srv_buf_puts(b, "<span class=\"addr\">");
	html(b, q);
	srv_buf_puts(b, "</span> ");
	srv_buf_puts(b, listed ? "<strong>was seen</strong> talking to a campaign's "
				 "infrastructure"
			       : "<strong>was not seen</strong> in this snapshot");
	srv_buf_puts(b, "</h2>");
	if (listed) {
		srv_buf_puts(
		    b, "<p>This address is <em>potentially impacted</em>: a machine "
		       "using it was seen in contact with the infrastructure of the "
		       "campaign below. It does not prove a compromise (addresses are "
		       "shared and change); see the methodology.</p>");
		size_t i, j;
		json_t *m, *s;
		json_array_foreach(json_object_get(v->result, "matches"), i, m)
		{
			json_array_foreach(json_object_get(m, "sightings"), j, s)
			    sighting(b, v->snap, s);
		}
	} else {
		srv_buf_puts(
		    b, "<p>No sighting of this address is recorded. That is good "
		       "news, not a guarantee: the data covers only what the sources "
		       "saw during each campaign's window.</p>");
	}
	srv_buf_puts(b, "</section>");
}

static void campaigns(struct srv_buf *b, const struct srv_snap *snap)
{
	srv_buf_puts(b, "<ul class=\"campaigns\">");
	for (uint32_t i = 0; i < db_campaign_count(snap->db); i++) {
		struct db_campaign c;
		if (db_campaign_get(snap->db, i, &c))
			continue;
		char from[SD_TIME_STRLEN], to[SD_TIME_STRLEN];
		sd_time_format(c.window_start, from, sizeof(from));
		sd_time_format(c.window_end, to, sizeof(to));
		srv_buf_puts(b, "<li><strong>");
		html(b, *c.title ? c.title : c.name);
		srv_buf_puts(b, "</strong> (");
		html(b, c.name);
		srv_buf_puts(b, "): sightings from ");
		html(b, *from ? from : "the start of the data");
		srv_buf_puts(b, " to ");
		html(b, *to ? to : "the end of the data");
		srv_buf_puts(b, ". ");
		link(b, c.advisory, "Advisory");
		srv_buf_puts(b, "</li>");
	}
	srv_buf_puts(b, "</ul>");
}

static bool is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && !memcmp(name, want, n);
}

static void fill(struct srv_buf *b, const char *name, size_t n, void *p)
{
	const struct srv_page_view *v = p;
	char buf[NET_ADDR_STRLEN + SD_TIME_STRLEN];
	if (is(name, n, "result")) {
		result(b, v);
	} else if (is(name, n, "query")) {
		html(b, v->query);
	} else if (is(name, n, "client")) {
		net_addr_format(v->client, buf, sizeof(buf));
		html(b, buf);
	} else if (is(name, n, "built")) {
		sd_time_format((int64_t)db_build_time(v->snap->db), buf, sizeof(buf));
		html(b, buf);
	} else if (is(name, n, "content_id")) {
		char id[DB_CONTENT_ID_STRLEN];
		db_content_id(v->snap->db, id);
		html(b, id);
	} else if (is(name, n, "entries")) {
		srv_buf_printf(b, "%llu",
			       (unsigned long long)db_entry_count(v->snap->db));
	} else if (is(name, n, "as_table")) { /* owners: server/stats_as.c */
		srv_stats_as_html(b, v->snap->stats_json, v->snap->stats_len);
	} else if (is(name, n, "campaigns")) {
		campaigns(b, v->snap);
	}
	/* unknown names render as nothing */
}

char *srv_page_render(const struct srv_page_view *v, const struct web_asset *tpl,
		      size_t *len)
{
	struct srv_buf b = {0};
	srv_template(&b, (const char *)tpl->data, tpl->size, fill, (void *)v);
	return srv_buf_take(&b, len);
}
