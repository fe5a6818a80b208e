/* Grouping sightings by owner. */
#include "owners/group.h"

#include <stdlib.h>
#include <string.h>

struct grouping {
	const struct owners_index *ix;
	struct asn_db *asn;
	struct owners_group *g;
	size_t cap;
	struct owners_set owners;
	/* the entry whose owners are in `owners` */
	bool have_entry;
	uint32_t table;
	uint64_t index;
	uint32_t asn_id;
	size_t cap_unowned;
};

static int push_hit(struct grouping *G, const struct owners_hit *h)
{
	struct owners_group *g = G->g;
	if (g->nhits == G->cap) {
		size_t cap = G->cap ? G->cap * 2 : 4096;
		void *p = realloc(g->hits, cap * sizeof(*g->hits));
		if (!p)
			return SD_ENOMEM;
		g->hits = p;
		G->cap = cap;
	}
	g->hits[g->nhits++] = *h;
	return 0;
}

static int count_unowned(struct grouping *G, uint32_t id, bool new_entry)
{
	struct owners_group *g = G->g;
	if (id >= G->cap_unowned) {
		size_t cap = G->cap_unowned ? G->cap_unowned : 64;
		while (cap <= id)
			cap *= 2;
		void *p = realloc(g->unowned, cap * sizeof(*g->unowned));
		if (!p)
			return SD_ENOMEM;
		g->unowned = p;
		memset(g->unowned + G->cap_unowned, 0,
		       (cap - G->cap_unowned) * sizeof(*g->unowned));
		G->cap_unowned = cap;
	}
	if (id >= g->nunowned)
		g->nunowned = id + 1;
	g->unowned[id].sightings++;
	g->unowned_sightings++;
	if (new_entry) {
		g->unowned[id].addresses++;
		g->unowned_addresses++;
	}
	return 0;
}

static int on_item(const struct db_diff_item *d, void *p)
{
	struct grouping *G = p;
	/* a removal is not an owner's business, and a sighting whose only
	 * difference is the label of the list it came from (today's file
	 * name) tells an owner nothing new */
	if (d->change == DB_CHANGE_REMOVED ||
	    (d->change == DB_CHANGE_CHANGED && !(d->what & ~(unsigned)DB_DIFF_SOURCES))) {
		G->g->unchanged_sources += d->change == DB_CHANGE_CHANGED;
		return 0;
	}
	const struct db_entry *e = d->new_entry;
	bool new_entry = !G->have_entry || G->table != e->table || G->index != e->index;
	if (new_entry) {
		G->have_entry = true;
		G->table = e->table;
		G->index = e->index;
		G->asn_id = G->asn ? asn_db_lookup(G->asn, &e->prefix.addr) : 0;
		/* an AS owns the entry only if all of it is that AS's (an
		 * address: the AS just looked up) */
		uint32_t number = !G->asn ? 0
				  : e->prefix.len == 128
				      ? asn_db_number(G->asn, G->asn_id)
				      : asn_db_prefix_number(G->asn, &e->prefix);
		if (owners_index_match(G->ix, &e->prefix, number, &G->owners))
			return SD_ENOMEM;
	}
	G->g->sightings++;
	if (!G->owners.n)
		return count_unowned(G, G->asn_id, new_entry);
	struct owners_hit h = {
	    .pos = (uint64_t)e->table << 55 | e->index << 13 | (uint64_t)d->new_i << 1 |
		   (d->change == DB_CHANGE_CHANGED),
	    .asn = G->asn_id,
	};
	for (size_t k = 0; k < G->owners.n; k++) {
		h.owner = G->owners.v[k];
		if (push_hit(G, &h))
			return SD_ENOMEM;
	}
	return 0;
}

int owners_group_build(const struct db *snap, const struct db *since,
		       const struct owners_registry *r, const struct owners_index *ix,
		       struct asn_db *asn, struct owners_group *g, struct sd_error *err)
{
	memset(g, 0, sizeof(*g));
	g->nowners = r->count;
	struct grouping G = {.ix = ix, .asn = asn, .g = g};
	int rc = db_diff(since, snap, on_item, &G, &g->diff);
	owners_set_free(&G.owners);
	if (rc)
		goto fail;
	/* stable counting sort by owner */
	g->start = calloc((size_t)r->count + 1, sizeof(*g->start));
	g->addresses = calloc(r->count ? r->count : 1, sizeof(*g->addresses));
	struct owners_hit *sorted = malloc((g->nhits ? g->nhits : 1) * sizeof(*sorted));
	if (!g->start || !g->addresses || !sorted) {
		free(sorted);
		rc = SD_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < g->nhits; i++)
		g->start[g->hits[i].owner + 1]++;
	for (uint32_t o = 0; o < r->count; o++)
		g->start[o + 1] += g->start[o];
	size_t *fill = malloc(((size_t)r->count + 1) * sizeof(*fill));
	if (!fill) {
		free(sorted);
		rc = SD_ENOMEM;
		goto fail;
	}
	memcpy(fill, g->start, ((size_t)r->count + 1) * sizeof(*fill));
	for (size_t i = 0; i < g->nhits; i++)
		sorted[fill[g->hits[i].owner]++] = g->hits[i];
	free(fill);
	free(g->hits);
	g->hits = sorted;
	for (uint32_t o = 0; o < r->count; o++) {
		uint64_t last = UINT64_MAX;
		for (size_t i = g->start[o]; i < g->start[o + 1]; i++) {
			uint64_t entry = g->hits[i].pos >> 13;
			g->addresses[o] += entry != last;
			last = entry;
		}
	}
	return 0;
fail:
	owners_group_free(g);
	return sd_error_set(err, rc, "%s",
			    rc == SD_ENOMEM ? "out of memory"
					    : "could not group sightings");
}

void owners_group_free(struct owners_group *g)
{
	free(g->hits);
	free(g->start);
	free(g->addresses);
	free(g->unowned);
	memset(g, 0, sizeof(*g));
}
