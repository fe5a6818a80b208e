/* Writers that turn a snapshot into the formats defenders' tools read:
 * MaxMind DB, rbldnsd zones, CSV, JSON Lines and STIX 2.1. Every writer
 * streams its output to a temporary file and renames it into place
 * (core/atomic_file.h), so a reader of the target never sees half a file.
 * Formats are documented one page each in docs/export-*.md. */
#ifndef SD_EXPORT_EXPORT_H
#define SD_EXPORT_EXPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "db/db.h"

struct ind_set;

/* Which sightings go out. An entry none of whose sightings passes is left
 * out entirely; an entry some of whose sightings pass carries only those. */
/* Largest record value 32-bit MMDB records hold: node count + 16 +
 * data section size. */
#define EXPORT_MMDB_MAX_RECORD 0xffffffffull

struct export_filter {
	int campaign;		/* snapshot campaign id, or -1 for all */
	uint8_t min_confidence; /* enum db_confidence; 0 passes everything */
	/* entries broader than /8 (IPv4) or /16 (IPv6) pass only with this
	 * (--allow-broad); net_prefix_is_broad */
	bool allow_broad;
};

struct export_stats {
	uint64_t entries;  /* entries written */
	uint64_t filtered; /* entries left out by the filter */
	uint64_t skipped;  /* entries the format cannot hold (see its doc) */
	uint64_t bytes;	   /* size of the file written */
};

/* Options a writer may use; zero means its default. */
struct export_opts {
	struct export_filter filter;
	uint64_t build_time;  /* stamped into formats that carry one */
	const char *reporter; /* STIX identity name; default "sighted" */
	/* STIX: per snapshot campaign id, the campaign's indicator set (from
	 * its definition), or NULL where unknown; the array may be NULL. */
	const struct ind_set *const *campaign_indicators;
	/* MMDB: 0 picks the smallest record size that fits; 24, 28 or 32
	 * asks for at least that (the tests use it to cover every layout) */
	unsigned mmdb_record_bits;
	/* Called every EXPORT_PROGRESS_EVERY entries with how many of total
	 * are done in the step named what; NULL for none. */
	void (*progress)(void *ctx, const char *what, uint64_t done, uint64_t total);
	void *progress_ctx;
};

#define EXPORT_PROGRESS_EVERY 65536u

static inline void export_progress(const struct export_opts *o, const char *what,
				   uint64_t done, uint64_t total)
{
	if (o->progress && done % EXPORT_PROGRESS_EVERY == 0)
		o->progress(o->progress_ctx, what, done, total);
}

void export_filter_init(struct export_filter *f);
bool export_sighting_passes(const struct export_filter *f, const struct db_sighting *s);
/* Calls fn for each entry of db the filter leaves out for being broader
 * than /8 or /16, so the caller can say why; returns how many. */
typedef void (*export_broad_fn)(void *ctx, const struct db_entry *e);
uint64_t export_broad_entries(const struct db *db, const struct export_filter *f,
			      export_broad_fn fn, void *ctx);

/* Number of sightings of e that pass (0 for a broad entry left out). */
uint32_t export_entry_passes(const struct db *db, const struct export_filter *f,
			     const struct db_entry *e);

typedef int (*export_fn)(const struct db *db, const struct export_opts *o,
			 const char *path, struct export_stats *st, struct sd_error *err);

int export_mmdb(const struct db *db, const struct export_opts *o, const char *path,
		struct export_stats *st, struct sd_error *err);
int export_csv(const struct db *db, const struct export_opts *o, const char *path,
	       struct export_stats *st, struct sd_error *err);
int export_jsonl(const struct db *db, const struct export_opts *o, const char *path,
		 struct export_stats *st, struct sd_error *err);
int export_rbldnsd(const struct db *db, const struct export_opts *o, const char *path,
		   struct export_stats *st, struct sd_error *err);
int export_stix(const struct db *db, const struct export_opts *o, const char *path,
		struct export_stats *st, struct sd_error *err);

struct export_format {
	const char *name;
	const char *summary;
	export_fn write;
};

/* The snapshot formats, NULL-terminated; export_format_find by name. */
extern const struct export_format export_formats[];
const struct export_format *export_format_find(const char *name);
/* Runs body on a temporary file next to path and renames it into place
 * when body returns 0 (and no write failed); removes it otherwise. Sets
 * st->bytes. body may leave err empty: a generic message is set then. */
typedef int (*export_body_fn)(FILE *fp, void *ctx, struct sd_error *err);
int export_to_file(const char *path, struct export_stats *st, struct sd_error *err,
		   export_body_fn body, void *ctx);
/* Size of the file at path, -1 if it cannot be read. */
long long export_file_size(const char *path);

#endif
