#include "server/stats.h"

#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "server/limits.h"
#include "server/stats_as.h"

#define MAX_SETS 64 /* source sets remembered per campaign */

struct cell {
	uint64_t key; /* campaign << 32 | day + 1; 0 empty */
	uint64_t n;
};

struct camp {
	uint64_t entries, ipv4, ipv6, sightings, count;
	uint64_t evidence[5], confidence[4];
	bool truncated;
	uint32_t sets[MAX_SETS]; /* distinct source sets seen */
	unsigned nsets;
	bool sets_truncated;
};

struct acc {
	const struct db *db;
	uint32_t ncamp;
	struct camp *camp;
	struct cell *cells;
	size_t ncells, used;
	bool oom;
};

static uint64_t hash64(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ULL;
	x ^= x >> 29;
	return x;
}

static void add_day(struct acc *a, uint32_t campaign, uint32_t day)
{
	uint64_t key = (uint64_t)campaign << 32 | (uint64_t)(day + 1);
	size_t mask = a->ncells - 1;
	for (size_t i = hash64(key) & mask;; i = (i + 1) & mask) {
		if (a->cells[i].key == key) {
			a->cells[i].n++;
			return;
		}
		if (!a->cells[i].key) {
			/* the table is twice the cell limit, so a probe always ends */
			if (a->used >= SRV_STATS_MAX_POINTS) {
				a->camp[campaign].truncated = true;
				return;
			}
			a->cells[i].key = key;
			a->cells[i].n = 1;
			a->used++;
			return;
		}
	}
}

static void add_set(struct camp *c, uint32_t set)
{
	for (unsigned i = c->nsets; i-- > 0;)
		if (c->sets[i] == set)
			return;
	if (c->nsets < MAX_SETS)
		c->sets[c->nsets++] = set;
	else
		c->sets_truncated = true;
}

/* The names in c's source sets, each once. */
static json_t *source_names(const struct db *db, const struct camp *c)
{
	json_t *a = json_array();
	for (unsigned i = 0; i < c->nsets; i++)
		for (uint32_t k = 0; k < db_sourceset_size(db, c->sets[i]); k++) {
			const char *name = db_sourceset_item(db, c->sets[i], k);
			bool seen = false;
			for (size_t j = 0; j < json_array_size(a) && !seen; j++)
				seen = !strcmp(json_string_value(json_array_get(a, j)),
					       name);
			if (!seen && json_array_size(a) < 4 * MAX_SETS)
				json_array_append_new(a, json_string(name));
		}
	return a;
}

static int visit(const struct db_entry *e, void *p)
{
	struct acc *a = p;
	bool v4 = net_prefix_is_v4(&e->prefix);
	for (uint32_t i = 0; i < e->nsightings; i++) {
		struct db_sighting s;
		db_entry_sighting(a->db, e, i, &s);
		if (s.campaign >= a->ncamp)
			continue;
		struct camp *c = &a->camp[s.campaign];
		c->entries++;
		if (v4)
			c->ipv4++;
		else
			c->ipv6++;
		c->sightings++;
		c->count += s.count;
		for (int b = 0; b < 5; b++)
			if (s.evidence & (1u << b))
				c->evidence[b]++;
		c->confidence[s.confidence & 3]++;
		if (s.first_seen)
			add_day(a, s.campaign, s.first_seen / 86400);
		add_set(c, s.sources);
	}
	return 0;
}

static int cmp_cell(const void *x, const void *y)
{
	uint64_t a = ((const struct cell *)x)->key, b = ((const struct cell *)y)->key;
	return a < b ? -1 : a > b;
}

json_t *srv_stats_build(const struct db *db)
{
	struct acc a = {.db = db, .ncamp = db_campaign_count(db)};
	a.ncells = 1;
	while (a.ncells < 2 * (size_t)SRV_STATS_MAX_POINTS)
		a.ncells <<= 1;
	a.camp = calloc(a.ncamp ? a.ncamp : 1, sizeof(*a.camp));
	a.cells = calloc(a.ncells, sizeof(*a.cells));
	json_t *out = NULL;
	if (!a.camp || !a.cells)
		goto done;
	db_foreach(db, visit, &a);
	/* compact the used cells and sort by campaign, then day */
	size_t k = 0;
	for (size_t i = 0; i < a.ncells; i++)
		if (a.cells[i].key)
			a.cells[k++] = a.cells[i];
	qsort(a.cells, k, sizeof(*a.cells), cmp_cell);
	out = json_object();
	json_t *camps = json_array();
	size_t ci = 0;
	for (uint32_t id = 0; id < a.ncamp; id++) {
		struct db_campaign meta;
		db_campaign_get(db, id, &meta);
		struct camp *c = &a.camp[id];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(meta.name));
		json_object_set_new(o, "title", json_string(meta.title));
		json_object_set_new(o, "entries", json_integer((json_int_t)c->entries));
		json_object_set_new(o, "ipv4", json_integer((json_int_t)c->ipv4));
		json_object_set_new(o, "ipv6", json_integer((json_int_t)c->ipv6));
		json_object_set_new(o, "count", json_integer((json_int_t)c->count));
		json_t *ev = json_object();
		for (int b = 0; b < 5; b++)
			json_object_set_new(ev, db_evidence_name(1u << b),
					    json_integer((json_int_t)c->evidence[b]));
		json_object_set_new(o, "evidence", ev);
		json_t *conf = json_object();
		for (int b = 0; b < 4; b++)
			json_object_set_new(conf, db_confidence_name((unsigned)b),
					    json_integer((json_int_t)c->confidence[b]));
		json_object_set_new(o, "confidence", conf);
		json_object_set_new(o, "sources", source_names(db, c));
		json_t *days = json_array();
		while (ci < k && (a.cells[ci].key >> 32) < id)
			ci++;
		for (; ci < k && (a.cells[ci].key >> 32) == id; ci++) {
			char d[SD_TIME_STRLEN];
			uint64_t day = (a.cells[ci].key & 0xffffffffu) - 1;
			sd_time_format((int64_t)day * 86400, d, sizeof(d));
			d[10] = 0; /* the date part */
			json_t *pt = json_array();
			json_array_append_new(pt, json_string(d));
			json_array_append_new(pt,
					      json_integer((json_int_t)a.cells[ci].n));
			json_array_append_new(days, pt);
		}
		json_object_set_new(o, "per_day", days);
		json_object_set_new(o, "per_day_truncated", json_boolean(c->truncated));
		json_array_append_new(camps, o);
	}
	json_object_set_new(out, "campaigns", camps);
	json_object_set_new(out, "entries", json_integer((json_int_t)db_entry_count(db)));
	srv_stats_as_add(out, db); /* owners: server/stats_as.c */
done:
	free(a.camp);
	free(a.cells);
	return out;
}
