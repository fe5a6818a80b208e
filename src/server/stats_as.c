/* Per-AS aggregates. */
#include "server/stats_as.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "owners/asn.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct asn_db *asn; /* lookups cache their last network: one at a time */

int srv_stats_as_open(const char *path, struct sd_error *err)
{
	struct asn_db *a;
	int rc = asn_db_open(path, 0, &a, err);
	if (rc)
		return rc;
	pthread_mutex_lock(&mu);
	asn_db_close(asn);
	asn = a;
	pthread_mutex_unlock(&mu);
	return 0;
}

void srv_stats_as_close(void)
{
	pthread_mutex_lock(&mu);
	asn_db_close(asn);
	asn = NULL;
	pthread_mutex_unlock(&mu);
}

struct as_acc {
	uint32_t id;
	uint64_t entries, sightings, count;
};

struct walk {
	struct as_acc *v;
	size_t cap;
	int rc;
};

static int visit(const struct db_entry *e, void *p)
{
	struct walk *w = p;
	uint32_t id = asn_db_lookup(asn, &e->prefix.addr);
	if (id >= w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		while (cap <= id)
			cap *= 2;
		void *n = realloc(w->v, cap * sizeof(*w->v));
		if (!n)
			return w->rc = SD_ENOMEM;
		w->v = n;
		memset(w->v + w->cap, 0, (cap - w->cap) * sizeof(*w->v));
		w->cap = cap;
	}
	struct as_acc *a = &w->v[id];
	a->id = id;
	a->entries++;
	a->sightings += e->nsightings;
	a->count += e->count;
	return 0;
}

static int cmp_acc(const void *x, const void *y)
{
	const struct as_acc *a = x, *b = y;
	if (a->entries != b->entries)
		return a->entries > b->entries ? -1 : 1;
	uint32_t na = asn_db_number(asn, a->id), nb = asn_db_number(asn, b->id);
	if (na != nb)
		return na < nb ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

static json_t *counts(const struct as_acc *a)
{
	json_t *o = json_object();
	json_object_set_new(o, "entries", json_integer((json_int_t)a->entries));
	json_object_set_new(o, "sightings", json_integer((json_int_t)a->sightings));
	json_object_set_new(o, "count", json_integer((json_int_t)a->count));
	return o;
}

void srv_stats_as_add(json_t *stats, const struct db *db)
{
	pthread_mutex_lock(&mu);
	if (!asn || !stats) {
		pthread_mutex_unlock(&mu);
		return;
	}
	struct walk w = {0};
	db_foreach(db, visit, &w);
	if (w.rc) {
		free(w.v);
		pthread_mutex_unlock(&mu);
		return;
	}
	struct as_acc unknown = {0}, other = {0};
	if (w.cap)
		unknown = w.v[0];
	size_t n = 0;
	for (size_t i = 1; i < w.cap; i++)
		if (w.v[i].entries)
			w.v[n++] = w.v[i];
	if (n)
		qsort(w.v, n, sizeof(*w.v), cmp_acc);
	json_t *o = json_object(), *top = json_array();
	json_object_set_new(o, "data", json_string(asn_db_kind(asn)));
	json_object_set_new(o, "ases", json_integer((json_int_t)n));
	for (size_t i = 0; i < n; i++) {
		if (i >= SRV_STATS_MAX_AS) {
			other.entries += w.v[i].entries;
			other.sightings += w.v[i].sightings;
			other.count += w.v[i].count;
			continue;
		}
		json_t *a = counts(&w.v[i]);
		json_object_set_new(a, "asn",
				    json_integer(asn_db_number(asn, w.v[i].id)));
		json_object_set_new(a, "name", json_string(asn_db_name(asn, w.v[i].id)));
		json_array_append_new(top, a);
	}
	json_object_set_new(o, "top", top);
	json_object_set_new(o, "other", counts(&other));
	json_object_set_new(o, "unknown", counts(&unknown));
	json_object_set_new(stats, "as", o);
	free(w.v);
	pthread_mutex_unlock(&mu);
}

static void row(struct srv_buf *b, const char *head, json_t *a)
{
	srv_buf_puts(b, "<tr><th scope=\"row\">");
	srv_buf_html(b, head, strlen(head));
	srv_buf_printf(b, "</th><td>%lld</td><td>%lld</td><td>%lld</td></tr>",
		       (long long)json_integer_value(json_object_get(a, "entries")),
		       (long long)json_integer_value(json_object_get(a, "sightings")),
		       (long long)json_integer_value(json_object_get(a, "count")));
}

void srv_stats_as_html(struct srv_buf *b, const char *stats_json, size_t len)
{
	json_t *s = json_loadb(stats_json, len, 0, NULL);
	/* the cached body of /api/v1/stats: {"snapshot": ..., "stats": {...}} */
	json_t *st = s ? json_object_get(s, "stats") : NULL;
	json_t *o = json_object_get(st ? st : s, "as");
	if (!o) {
		srv_buf_puts(b, "<p>No AS data is loaded (<code>sighted serve --asn-db "
				"FILE</code>).</p>");
		json_decref(s);
		return;
	}
	srv_buf_puts(b,
		     "<table><caption>Sightings by origin AS (counts only)</caption>"
		     "<thead><tr><th scope=\"col\">AS</th><th scope=\"col\">Entries</th>"
		     "<th scope=\"col\">Sightings</th><th scope=\"col\">Times seen</th>"
		     "</tr></thead><tbody>");
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(o, "top"), i, a)
	{
		char head[1200];
		const char *name = json_string_value(json_object_get(a, "name"));
		snprintf(head, sizeof(head), "AS%lld %s",
			 (long long)json_integer_value(json_object_get(a, "asn")),
			 name ? name : "");
		row(b, head, a);
	}
	json_t *other = json_object_get(o, "other");
	if (json_integer_value(json_object_get(other, "entries")))
		row(b, "other ASes", other);
	json_t *unknown = json_object_get(o, "unknown");
	if (json_integer_value(json_object_get(unknown, "entries")))
		row(b, "no AS known", unknown);
	srv_buf_puts(b, "</tbody></table>");
	json_decref(s);
}
