/* Building small snapshots in tests and dumping them canonically. */
#ifndef SD_TESTS_DB_FIXTURE_H
#define SD_TESTS_DB_FIXTURE_H

#include "testutil.h"

#include "db/builder.h"
#include "db/db.h"

struct fx_row {
	const char *prefix;
	const char *campaign;
	const char *source;
	uint32_t first, last, count;
	uint8_t evidence, confidence;
};

static inline void fx_add(struct db_builder *b, const struct fx_row *r)
{
	struct sd_error err = {0};
	struct db_campaign_meta m = {.name = r->campaign, .title = r->campaign};
	uint16_t cid;
	uint32_t set;
	assert_int_equal(db_builder_campaign(b, &m, &cid, &err), 0);
	const char *src = r->source ? r->source : "test";
	assert_int_equal(db_builder_sourceset(b, &src, 1, &set, &err), 0);
	struct net_prefix p;
	const char *why;
	if (net_prefix_parse(r->prefix, strlen(r->prefix), &p, 0, &why))
		fail_msg("fixture prefix '%s': %s", r->prefix, why);
	struct db_sighting s = {r->first, r->last, r->count, cid, r->evidence,
				r->confidence, set};
	if (db_builder_add(b, &p, &s, &err))
		fail_msg("add %s: %s", r->prefix, err.msg);
}

/* Builds rows[0..n) into path and opens it. */
static inline struct db *fx_build(const char *path, const struct fx_row *rows,
				  size_t n)
{
	struct db_builder *b = db_builder_new();
	assert_non_null(b);
	for (size_t i = 0; i < n; i++)
		fx_add(b, &rows[i]);
	struct sd_error err = {0};
	if (db_builder_write(b, path, 1700000000, &err))
		fail_msg("write %s: %s", path, err.msg);
	db_builder_free(b);
	struct db *db;
	if (db_open(path, &db, &err))
		fail_msg("open %s: %s", path, err.msg);
	return db;
}

struct fx_dump {
	char *buf;
	size_t len, cap;
	const struct db *db;
};

static inline void fx_append(struct fx_dump *d, const char *s)
{
	size_t n = strlen(s);
	if (d->len + n + 1 > d->cap) {
		d->cap = (d->len + n + 1) * 2;
		d->buf = realloc(d->buf, d->cap);
		assert_non_null(d->buf);
	}
	memcpy(d->buf + d->len, s, n + 1);
	d->len += n;
}

static inline int fx_dump_entry(const struct db_entry *e, void *p)
{
	struct fx_dump *d = p;
	char line[1024], pfx[NET_PREFIX_STRLEN];
	net_prefix_format(&e->prefix, pfx, sizeof(pfx));
	snprintf(line, sizeof(line), "%s first=%u last=%u count=%u\n", pfx,
		 e->first_seen, e->last_seen, e->count);
	fx_append(d, line);
	for (uint32_t i = 0; i < e->nsightings; i++) {
		struct db_sighting s;
		struct db_campaign c;
		db_entry_sighting(d->db, e, i, &s);
		db_campaign_get(d->db, s.campaign, &c);
		snprintf(line, sizeof(line), "  %s %u..%u x%u ev=%u conf=%u src=", c.name,
			 s.first_seen, s.last_seen, s.count, s.evidence, s.confidence);
		fx_append(d, line);
		for (uint32_t k = 0; k < db_sourceset_size(d->db, s.sources); k++) {
			fx_append(d, db_sourceset_item(d->db, s.sources, k));
			fx_append(d, ";");
		}
		fx_append(d, "\n");
	}
	return 0;
}

/* Every entry and sighting as text, names resolved: equal dumps mean
 * equal contents whatever the internal ids. Caller frees. */
static inline char *fx_dump(const struct db *db)
{
	struct fx_dump d = {.db = db};
	fx_append(&d, "");
	db_foreach(db, fx_dump_entry, &d);
	return d.buf;
}

#endif
