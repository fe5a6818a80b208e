#include "db/merge.h"

#include <stdlib.h>

#include "core/limits.h"
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
	if (!m.rc)
		db_foreach(db, add_entry, &m);
	free(m.campaign_map);
	free(m.set_map);
	return m.rc;
}
