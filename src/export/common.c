#include "export/export.h"

#include <string.h>
#include <sys/stat.h>

#include "core/atomic_file.h"

void export_filter_init(struct export_filter *f)
{
	f->campaign = -1;
	f->min_confidence = DB_CONF_UNKNOWN;
	f->allow_broad = false;
}

bool export_sighting_passes(const struct export_filter *f, const struct db_sighting *s)
{
	if (f->campaign >= 0 && s->campaign != (unsigned)f->campaign)
		return false;
	return s->confidence >= f->min_confidence;
}

uint32_t export_entry_passes(const struct db *db, const struct export_filter *f,
			     const struct db_entry *e)
{
	/* 0.0.0.0/0 in a block list or a DNSBL lists everyone */
	if (!f->allow_broad && net_prefix_is_broad(&e->prefix))
		return 0;
	uint32_t n = 0;
	for (uint32_t i = 0; i < e->nsightings; i++) {
		struct db_sighting s;
		db_entry_sighting(db, e, i, &s);
		n += export_sighting_passes(f, &s);
	}
	return n;
}

struct broad_ctx {
	const struct export_filter *f;
	export_broad_fn fn;
	void *ctx;
	uint64_t n;
};

static int broad_one(const struct db_entry *e, void *ctx)
{
	struct broad_ctx *b = ctx;
	if (net_prefix_is_broad(&e->prefix)) {
		b->n++;
		if (b->fn)
			b->fn(b->ctx, e);
	}
	return 0;
}

uint64_t export_broad_entries(const struct db *db, const struct export_filter *f,
			      export_broad_fn fn, void *ctx)
{
	if (f->allow_broad)
		return 0;
	struct broad_ctx b = {f, fn, ctx, 0};
	db_foreach(db, broad_one, &b);
	return b.n;
}

const struct export_format export_formats[] = {
    {"mmdb", "MaxMind DB (.mmdb) for nginx geoip2, libmaxminddb", export_mmdb},
    {"rbldnsd", "rbldnsd ip4trie/ip6trie zone (DNSBL)", export_rbldnsd},
    {"csv", "CSV, one row per sighting", export_csv},
    {"jsonl", "JSON Lines, one entry per line", export_jsonl},
    {"stix", "STIX 2.1 bundle of sighting objects", export_stix},
    {NULL, NULL, NULL},
};

const struct export_format *export_format_find(const char *name)
{
	for (const struct export_format *f = export_formats; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

long long export_file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) ? -1 : (long long)sb.st_size;
}

int export_to_file(const char *path, struct export_stats *st, struct sd_error *err,
		   export_body_fn body, void *ctx)
{
	struct sd_atomic_file af;
	int rc = sd_atomic_open(&af, path, err);
	if (rc)
		return rc;
	sd_error_clear(err);
	rc = body(af.fp, ctx, err);
	if (ferror(af.fp) || sd_atomic_write_errno(&af))
		return sd_atomic_commit(&af, err); /* fails, naming the reason */
	if (rc) {
		sd_atomic_abort(&af);
		if (err && !err->msg[0])
			sd_error_set(err, rc, "writing %s: %s", path, sd_strerror(rc));
		return rc;
	}
	if ((rc = sd_atomic_commit(&af, err)))
		return rc;
	long long size = strcmp(path, "-") ? export_file_size(path) : -1;
	st->bytes = size < 0 ? 0 : (uint64_t)size;
	return 0;
}
