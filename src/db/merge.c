#include "db/merge.h"

#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "db/inputs.h"
#include "db/reader.h"

struct merge_ctx {
	struct db_builder *b;
	const struct db *db;
	uint16_t *campaign_map;
	uint32_t *set_map; /* UINT32_MAX until first use */
	struct sd_error *err;
	int rc;
};

static int map_set(struct merge_ctx *m, uint32_t set, uint32_t *out)
{
	if (m->set_map[set] != UINT32_MAX) {
		*out = m->set_map[set];
		return 0;
	}
	uint32_t n = db_sourceset_size(m->db, set);
	const char *names[SD_MAX_SOURCES_PER_SET];
	for (uint32_t i = 0; i < n && i < SD_MAX_SOURCES_PER_SET; i++)
		names[i] = db_sourceset_item(m->db, set, i);
	int rc = db_builder_sourceset(m->b, names, n, out, m->err);
	if (!rc)
		m->set_map[set] = *out;
	return rc;
}

static int add_entry(const struct db_entry *e, void *p)
{
	struct merge_ctx *m = p;
	for (uint32_t i = 0; i < e->nsightings; i++) {
		struct db_sighting s;
		db_entry_sighting(m->db, e, i, &s);
		s.campaign = m->campaign_map[s.campaign];
		if ((m->rc = map_set(m, s.sources, &s.sources)) ||
		    (m->rc = db_builder_add(m->b, &e->prefix, &s, m->err)))
			return 1;
	}
	return 0;
}

int db_merge_into(struct db_builder *b, const struct db *db, struct sd_error *err)
{
	struct merge_ctx m = {.b = b, .db = db, .err = err};
	m.campaign_map = calloc(db->ncampaigns ? db->ncampaigns : 1, sizeof(uint16_t));
	m.set_map = malloc((db->nsets ? db->nsets : 1) * sizeof(uint32_t));
	if (!m.campaign_map || !m.set_map) {
		free(m.campaign_map);
		free(m.set_map);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	for (uint64_t i = 0; i < db->nsets; i++)
		m.set_map[i] = UINT32_MAX;
	for (uint32_t i = 0; i < db->ncampaigns && !m.rc; i++) {
		struct db_campaign c;
		db_campaign_get(db, i, &c);
		struct db_campaign_meta meta = {c.name,		c.title,
						c.advisory,	c.remediation,
						c.window_start, c.window_end};
		m.rc = db_builder_campaign(b, &meta, &m.campaign_map[i], err);
	}
	for (uint64_t i = 0; i < db_input_count(db) && !m.rc; i++) {
		struct io_ident id;
		const char *label = db_input_get(db, i, &id);
		m.rc = db_builder_input(b, label, &id, err);
	}
	if (!m.rc)
		db_foreach(db, add_entry, &m);
	free(m.campaign_map);
	free(m.set_map);
	return m.rc;
}

/* Whether every input of a was read into b too (the same file, a range
 * inside one of b's). */
static bool inputs_within(const struct db *a, const struct db *b)
{
	for (uint64_t i = 0; i < db_input_count(a); i++) {
		struct io_ident x, y;
		db_input_get(a, i, &x);
		bool found = false;
		for (uint64_t k = 0; k < db_input_count(b) && !found; k++) {
			db_input_get(b, k, &y);
			bool same_range = x.start == y.start && x.end == y.end;
			found = x.size == y.size && !io_hash128_cmp(&x.head, &y.head) &&
				y.start <= x.start && x.end <= y.end &&
				(!same_range || !io_hash128_cmp(&x.content, &y.content));
		}
		if (!found)
			return false;
	}
	return true;
}

/* Which of two snapshots with the same inputs is kept: the one whose bytes
 * hash lower, so that the choice does not depend on argument order. */
static bool keep_first(const struct db *a, const struct db *b)
{
	if (db_file_size(a) != db_file_size(b))
		return db_file_size(a) > db_file_size(b);
	return memcmp(a->base, b->base, db_file_size(a)) <= 0;
}

/* One input of one snapshot, for finding inputs shared between snapshots. */
struct owned {
	size_t db;
	uint64_t input;
	struct io_ident id;
};

static int cmp_owned(const void *x, const void *y)
{
	const struct owned *a = x, *b = y;
	int c = io_hash128_cmp(&a->id.head, &b->id.head);
	if (c)
		return c;
	if (a->id.size != b->id.size)
		return a->id.size < b->id.size ? -1 : 1;
	return (a->id.start > b->id.start) - (a->id.start < b->id.start);
}

/* A pair of snapshots that share an input, and which input. */
struct clash {
	size_t i, k;
	uint64_t input; /* of snapshot i */
};

static int cmp_clash(const void *x, const void *y)
{
	const struct clash *a = x, *b = y;
	if (a->i != b->i)
		return a->i < b->i ? -1 : 1;
	if (a->k != b->k)
		return a->k < b->k ? -1 : 1;
	return (a->input > b->input) - (a->input < b->input);
}

/* Every pair of snapshots sharing an input, by sorting all inputs: pieces
 * of one file (same head and size) are next to one another. */
static int find_clashes(struct db *const *dbs, size_t n, struct clash **out, size_t *nout)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += db_input_count(dbs[i]);
	struct owned *o = malloc((total ? total : 1) * sizeof(*o));
	if (!o)
		return SD_ENOMEM;
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		for (uint64_t j = 0; j < db_input_count(dbs[i]); j++) {
			o[m] = (struct owned){i, j, {0}};
			db_input_get(dbs[i], j, &o[m].id);
			m++;
		}
	if (m)
		qsort(o, m, sizeof(*o), cmp_owned);
	struct clash *c = NULL;
	size_t nc = 0, cap = 0;
	int rc = 0;
	for (size_t g = 0; g < m && !rc;) {
		size_t e = g + 1;
		while (e < m && o[e].id.size == o[g].id.size &&
		       !io_hash128_cmp(&o[e].id.head, &o[g].id.head))
			e++;
		for (size_t x = g; x < e && !rc; x++)
			for (size_t y = x + 1; y < e && !rc; y++) {
				/* sorted by start: nothing further can overlap x */
				if (o[y].id.start > o[x].id.start &&
				    o[y].id.start >= o[x].id.end)
					break;
				if (o[x].db == o[y].db ||
				    !db_inputs_overlap(&o[x].id, &o[y].id))
					continue;
				if (nc == cap) {
					cap = cap ? cap * 2 : 16;
					struct clash *nc2 = realloc(c, cap * sizeof(*c));
					if (!nc2) {
						rc = SD_ENOMEM;
						break;
					}
					c = nc2;
				}
				bool xi = o[x].db < o[y].db;
				c[nc++] = (struct clash){xi ? o[x].db : o[y].db,
							 xi ? o[y].db : o[x].db,
							 xi ? o[x].input : o[y].input};
			}
		g = e;
	}
	free(o);
	if (rc) {
		free(c);
		return rc;
	}
	if (nc)
		qsort(c, nc, sizeof(*c), cmp_clash);
	*out = c;
	*nout = nc;
	return 0;
}

int db_merge_plan(struct db *const *dbs, size_t n, bool dedupe, bool *skip,
		  struct sd_error *err)
{
	for (size_t i = 0; i < n; i++)
		skip[i] = false;
	struct clash *c = NULL;
	size_t nc = 0;
	if (find_clashes(dbs, n, &c, &nc))
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	int rc = 0;
	for (size_t p = 0; p < nc && !rc; p++) {
		size_t i = c[p].i, k = c[p].k;
		if (skip[i] || skip[k])
			continue;
		bool i_in_k = dedupe && inputs_within(dbs[i], dbs[k]);
		bool k_in_i = dedupe && inputs_within(dbs[k], dbs[i]);
		if (i_in_k || k_in_i) {
			/* one holds everything the other read: keep it */
			bool drop_k = k_in_i && (!i_in_k || keep_first(dbs[i], dbs[k]));
			skip[drop_k ? k : i] = true;
			continue;
		}
		struct io_ident id;
		const char *label = db_input_get(dbs[i], c[p].input, &id);
		rc = sd_error_set(
		    err, SD_EDUPLICATE,
		    "%s and %s share an input: %s (%llu bytes, range "
		    "%llu:%llu)%s",
		    db_path(dbs[i]), db_path(dbs[k]), label, (unsigned long long)id.size,
		    (unsigned long long)id.start, (unsigned long long)id.end,
		    dedupe ? "; --dedupe keeps one copy only when one snapshot's "
			     "inputs include all of the other's"
			   : "; merging would count it twice (--dedupe keeps one "
			     "copy)");
	}
	free(c);
	return rc;
}
