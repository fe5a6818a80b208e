#include "server/snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "server/stats.h"

static void snap_destroy(struct srv_ref *r)
{
	struct srv_snap *s = (struct srv_snap *)r;
	db_close(s->db);
	free(s->snapshot_json);
	free(s->campaigns_json);
	free(s->stats_json);
	free(s);
}

/* {"snapshot": <snap>, key: value} rendered compactly. */
static char *wrap(json_t *snap, const char *key, json_t *value, size_t *len)
{
	json_t *o = json_object();
	json_object_set(o, "snapshot", snap);
	json_object_set_new(o, key, value);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	*len = s ? strlen(s) : 0;
	return s;
}

int srv_snap_from_db(struct db *db, struct srv_snap **out, struct sd_error *err)
{
	*out = NULL;
	struct srv_snap *s = calloc(1, sizeof(*s));
	if (!s) {
		db_close(db);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	srv_ref_init(&s->ref, snap_destroy);
	s->db = db;
	json_t *snap = report_snapshot(db);
	s->snapshot_json = snap ? json_dumps(snap, JSON_COMPACT) : NULL;
	s->snapshot_len = s->snapshot_json ? strlen(s->snapshot_json) : 0;
	json_t *camps = json_array();
	for (uint32_t i = 0; i < db_campaign_count(db); i++)
		json_array_append_new(camps, report_campaign(db, i));
	/* per-campaign counts come from the stats pass */
	json_t *stats = srv_stats_build(db);
	json_t *sc = stats ? json_object_get(stats, "campaigns") : NULL;
	for (size_t i = 0; sc && i < json_array_size(camps); i++) {
		json_t *c = json_array_get(camps, i), *st = json_array_get(sc, i);
		if (!json_is_object(c) || !st)
			continue;
		json_object_set(c, "entries", json_object_get(st, "entries"));
		json_object_set(c, "count", json_object_get(st, "count"));
		json_object_set(c, "evidence", json_object_get(st, "evidence"));
		json_object_set(c, "sources", json_object_get(st, "sources"));
	}
	s->campaigns_json = wrap(snap, "campaigns", camps, &s->campaigns_len);
	s->stats_json = stats ? wrap(snap, "stats", stats, &s->stats_len) : NULL;
	json_decref(snap);
	if (!s->snapshot_json || !s->campaigns_json || !s->stats_json) {
		srv_ref_put(&s->ref);
		return sd_error_set(err, SD_ENOMEM,
				    "out of memory rendering the snapshot");
	}
	*out = s;
	return SD_OK;
}

int srv_snap_open(const char *path, struct srv_snap **out, struct sd_error *err)
{
	struct db *db;
	*out = NULL;
	int rc = db_open(path, &db, err);
	if (rc)
		return rc;
	return srv_snap_from_db(db, out, err);
}
