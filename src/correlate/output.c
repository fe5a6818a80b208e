#include "correlate/output.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/timeutil.h"
#include "db/builder.h"

static uint32_t t32(int64_t t)
{
	return t <= 0 || t > (int64_t)UINT32_MAX ? 0 : (uint32_t)t;
}

/* Span [i, j) of sightings with the same client and indicator. */
static size_t group_end(const struct corr_sighting *s, size_t n, size_t i)
{
	size_t j = i + 1;
	while (j < n && s[j].ind == s[i].ind &&
	       !memcmp(&s[j].client, &s[i].client, sizeof(s[i].client)))
		j++;
	return j;
}

/* An exchange the client forwarded for someone else (a proxy's or a
 * resolver's upstream leg): not the client's own sighting. */
static bool forwarded(const struct corr_output *o, const struct corr_sighting *s)
{
	return !o->keep_proxies &&
	       corr_roles_forwarded(corr_roles_of(o->roles, &s->client),
				    (enum corr_exchange)s->exchange);
}

static int cmp_label(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *time_json(int64_t t)
{
	char buf[SD_TIME_STRLEN];
	if (!t)
		return json_null();
	sd_time_format(t, buf, sizeof(buf));
	return json_string(buf);
}

/* One client x indicator line: its sightings s[i, j) over sources and
 * exchanges, forwarded ones left out. Returns NULL when none is left (or
 * out of memory: *oom is set). */
static json_t *sighting_json(const struct corr_sighting *s, size_t i, size_t j,
			     const struct ind_set *set, const struct corr_output *o,
			     bool *oom)
{
	size_t first = i;
	while (first < j && forwarded(o, &s[first]))
		first++;
	if (first == j)
		return NULL;
	const struct ind_indicator *d = ind_set_at(set, s[i].ind);
	struct corr_sighting m = s[first];
	const char **labels = malloc((j - first) * sizeof(*labels));
	if (!labels) {
		*oom = true;
		return NULL;
	}
	size_t nl = 0;
	for (size_t k = first; k < j; k++) {
		const struct corr_sighting *x = &s[k];
		if (forwarded(o, x))
			continue;
		if (k > first) {
			if (x->first_seen &&
			    (!m.first_seen || x->first_seen < m.first_seen))
				m.first_seen = x->first_seen;
			if (x->last_seen > m.last_seen)
				m.last_seen = x->last_seen;
			m.count += x->count;
			m.evidence |= x->evidence;
			m.dirs |= x->dirs;
			if (x->confidence > m.confidence)
				m.confidence = x->confidence;
			if (x->has_server &&
			    (!m.has_server ||
			     corr_server_before(&x->server, x->server_port, &m.server,
						m.server_port))) {
				m.has_server = 1;
				m.server = x->server;
				m.server_port = x->server_port;
			}
		}
		if (x->source < o->nsources)
			labels[nl++] = o->sources[x->source];
	}
	/* sources in label order, each once: as a merge of shards gives them */
	qsort(labels, nl, sizeof(*labels), cmp_label);
	json_t *srcs = json_array();
	for (size_t k = 0; k < nl; k++)
		if (!k || strcmp(labels[k], labels[k - 1]))
			json_array_append_new(srcs, json_string(labels[k]));
	free(labels);
	char addr[NET_ADDR_STRLEN], ev[64];
	net_addr_format(&m.client, addr, sizeof(addr));
	db_evidence_format(m.evidence, ev, sizeof(ev));
	json_t *evs = json_array();
	for (char *save = NULL, *t = strtok_r(ev, ",", &save); t;
	     t = strtok_r(NULL, ",", &save))
		json_array_append_new(evs, json_string(t));
	json_t *obj = json_object();
	json_object_set_new(obj, "client", json_string(addr));
	json_object_set_new(obj, "campaign", json_string(o->campaign->name));
	json_object_set_new(obj, "indicator", json_string(d->value));
	json_object_set_new(obj, "indicator_kind", json_string(ind_kind_name(d->kind)));
	json_object_set_new(obj, "indicator_campaign",
			    d->campaign ? json_string(d->campaign) : json_null());
	json_object_set_new(obj, "first_seen", time_json(m.first_seen));
	json_object_set_new(obj, "last_seen", time_json(m.last_seen));
	json_object_set_new(obj, "count", json_integer((json_int_t)m.count));
	json_object_set_new(obj, "evidence", evs);
	json_object_set_new(obj, "confidence",
			    json_string(db_confidence_name(m.confidence)));
	json_object_set_new(obj, "direction",
			    json_string(m.dirs == 2   ? "inbound"
					: m.dirs == 3 ? "both"
						      : "outbound"));
	if (m.has_server) {
		char sv[NET_ADDR_STRLEN];
		net_addr_format(&m.server, sv, sizeof(sv));
		json_object_set_new(obj, "server", json_string(sv));
		json_object_set_new(obj, "server_port", json_integer(m.server_port));
	}
	json_object_set_new(obj, "sources", srcs);
	return obj;
}

struct group {
	size_t i, j;
	const struct ind_indicator *ind;
};

/* Lines of one client in indicator order (value, then kind), which does not
 * depend on how the indicator files were loaded. */
static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	int c = strcmp(x->ind->value, y->ind->value);
	if (c)
		return c;
	return (x->ind->kind > y->ind->kind) - (x->ind->kind < y->ind->kind);
}

static int write_jsonl(const struct corr_sighting *s, size_t n, const struct ind_set *set,
		       const struct corr_output *o, struct sd_error *err)
{
	struct sd_atomic_file af;
	int rc = sd_atomic_open(&af, o->jsonl_path, err);
	if (rc)
		return rc;
	struct group *g = NULL;
	size_t cap = 0;
	for (size_t ci = 0; ci < n && !rc;) {
		/* the client's groups */
		size_t ng = 0, i = ci;
		while (i < n &&
		       !memcmp(&s[i].client, &s[ci].client, sizeof(s[ci].client))) {
			if (ng == cap) {
				size_t nc = cap ? cap * 2 : 64;
				struct group *ngp = realloc(g, nc * sizeof(*g));
				if (!ngp) {
					rc =
					    sd_error_set(err, SD_ENOMEM, "out of memory");
					break;
				}
				g = ngp;
				cap = nc;
			}
			size_t j = group_end(s, n, i);
			g[ng++] = (struct group){i, j, ind_set_at(set, s[i].ind)};
			i = j;
		}
		if (rc)
			break;
		qsort(g, ng, sizeof(*g), cmp_group);
		for (size_t k = 0; k < ng && !rc; k++) {
			bool oom = false;
			json_t *obj = sighting_json(s, g[k].i, g[k].j, set, o, &oom);
			if (oom)
				rc = sd_error_set(err, SD_ENOMEM, "out of memory");
			if (!obj)
				continue;
			if (json_dumpf(obj, af.fp, JSON_COMPACT | JSON_PRESERVE_ORDER) ||
			    fputc('\n', af.fp) == EOF)
				rc = sd_error_set(err, SD_EIO, "%s: write failed",
						  o->jsonl_path);
			json_decref(obj);
		}
		ci = i;
	}
	free(g);
	if (rc) {
		sd_atomic_abort(&af);
		return rc;
	}
	return sd_atomic_commit(&af, err);
}

int corr_write(struct corr_agg *agg, const struct ind_set *set,
	       const struct corr_output *o, struct corr_output_stats *st,
	       struct sd_error *err)
{
	memset(st, 0, sizeof(*st));
	size_t n;
	const struct corr_sighting *s = corr_agg_sorted(agg, &n);
	/* counts, in client order */
	uint8_t best = 0;
	bool counted = false;
	for (size_t i = 0; i < n;) {
		size_t j = group_end(s, n, i);
		bool any = false, dropped = false;
		for (size_t k = i; k < j; k++) {
			if (forwarded(o, &s[k])) {
				dropped = true;
				continue;
			}
			any = true;
			if (s[k].confidence > best)
				best = s[k].confidence;
		}
		st->proxy_dropped += dropped;
		if (any) {
			st->sightings++;
			if (!counted) {
				st->clients++;
				counted = true;
			}
		}
		i = j;
		if (i == n ||
		    memcmp(&s[i].client, &s[i - 1].client, sizeof(s[i].client))) {
			if (counted)
				st->by_conf[best & 3]++;
			best = 0;
			counted = false;
		}
	}
	int rc = 0;
	if (o->sdb_path) {
		struct db_builder *b = db_builder_new();
		if (!b)
			return sd_error_set(err, SD_ENOMEM, "out of memory");
		uint16_t cid;
		uint32_t *sets = calloc(o->nsources ? o->nsources : 1, sizeof(uint32_t));
		if (!sets) {
			db_builder_free(b);
			return sd_error_set(err, SD_ENOMEM, "out of memory");
		}
		rc = db_builder_campaign(b, o->campaign, &cid, err);
		for (size_t k = 0; k < o->nsources && !rc; k++)
			rc = db_builder_sourceset(b, &o->sources[k], 1, &sets[k], err);
		for (size_t k = 0; k < o->ninputs && !rc; k++)
			rc = db_builder_input(b, o->sources[o->input_source[k]],
					      &o->inputs[k], err);
		/* one sighting per client and source: counts are records */
		size_t nc;
		const struct corr_sighting *c = corr_agg_clients_sorted(agg, &nc);
		for (size_t i = 0; i < nc && !rc; i++) {
			if (forwarded(o, &c[i]))
				continue;
			struct net_prefix p;
			net_prefix_host(&p, &c[i].client);
			struct db_sighting ds = {
			    .first_seen = t32(c[i].first_seen),
			    .last_seen = t32(c[i].last_seen),
			    .count = c[i].count > UINT32_MAX ? UINT32_MAX
							     : (uint32_t)c[i].count,
			    .campaign = cid,
			    .evidence = c[i].evidence,
			    .confidence = c[i].confidence,
			    .sources = c[i].source < o->nsources ? sets[c[i].source] : 0,
			};
			rc = db_builder_add(b, &p, &ds, err);
		}
		if (!rc)
			rc = db_builder_write(b, o->sdb_path, o->build_time, err);
		free(sets);
		db_builder_free(b);
		if (rc)
			return rc;
	}
	if (o->jsonl_path)
		rc = write_jsonl(s, n, set, o, err);
	return rc;
}
