/* JSON Lines export: one entry per line, rendered by report_entry (the
 * same words as `sighted check --json` and the HTTP API), with the
 * sightings the filter leaves out removed. */
#include "export/export.h"

#include <string.h>

#include "report/report.h"

struct jsonl_ctx {
	const struct db *db;
	const struct export_opts *o;
	const struct export_filter *f;
	FILE *fp;
	struct export_stats *st;
};

static int line(const struct db_entry *e, void *p)
{
	struct jsonl_ctx *c = p;
	export_progress(c->o, "jsonl", c->st->entries + c->st->filtered,
			db_entry_count(c->db));
	if (!export_entry_passes(c->db, c->f, e)) {
		c->st->filtered++;
		return 0;
	}
	json_t *o = report_entry(c->db, e, REPORT_FULL);
	if (!o)
		return SD_ENOMEM;
	json_t *arr = json_object_get(o, "sightings");
	for (uint32_t i = e->nsightings; i-- > 0;) {
		struct db_sighting s;
		db_entry_sighting(c->db, e, i, &s);
		if (!export_sighting_passes(c->f, &s))
			json_array_remove(arr, i);
	}
	int rc = json_dumpf(o, c->fp, JSON_COMPACT) ? SD_EIO : 0;
	json_decref(o);
	fputc('\n', c->fp);
	c->st->entries++;
	return rc || ferror(c->fp) ? SD_EIO : 0;
}

static int body(FILE *fp, void *p, struct sd_error *err)
{
	struct jsonl_ctx *c = p;
	(void)err;
	c->fp = fp;
	return db_foreach(c->db, line, c);
}

int export_jsonl(const struct db *db, const struct export_opts *o, const char *path,
		 struct export_stats *st, struct sd_error *err)
{
	memset(st, 0, sizeof(*st));
	struct jsonl_ctx c = {db, o, &o->filter, NULL, st};
	return export_to_file(path, st, err, body, &c);
}
