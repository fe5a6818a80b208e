/* Importing published lists into a snapshot: the domain rules of
 * `sighted import` (a line's campaign and its window, first/last-seen
 * defaults, the duplicate key, the source set) as a library pipeline, so
 * the command is option parsing, file checks and a summary. */
#ifndef SD_LISTS_IMPORT_H
#define SD_LISTS_IMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "lists/list_reader.h"

struct list_import_opts {
	const char *campaign_dir;	/* campaign definitions */
	const char *campaign;		/* for lines naming none; NULL: bad line */
	uint32_t first_seen, last_seen; /* for lines without one; 0 none */
	uint8_t confidence;		/* for lines without one; 0 none */
	bool strict;			/* stop at the first bad line */
	bool quiet;			/* no per-line reports (unless strict) */
	uint64_t max_errors;		/* bad lines tolerated over the import */
	/* a bad line's "file:line: why" */
	void (*bad_line)(void *ctx, const char *msg);
	/* a campaign without a definition, imported with empty metadata */
	void (*warning)(void *ctx, const char *msg);
	/* every 65536 accepted lines of a list */
	void (*progress)(void *ctx, uint64_t accepted);
	void *ctx;
};

struct list_import_stats {
	uint64_t accepted;    /* distinct prefix + campaign keys */
	uint64_t rejected;    /* bad lines */
	uint64_t duplicate;   /* a key seen before, combined with it */
	uint64_t no_campaign; /* rejected for want of a campaign */
};

struct list_import;

/* opts is copied; its strings must outlive the import. */
int list_import_new(const struct list_import_opts *opts, struct list_import **out,
		    struct sd_error *err);
void list_import_free(struct list_import *im);

/* Adds the lines of lr, default_source naming the source of lines that name
 * none; fs counts them even when it fails. Fails (err set, SD_EPARSE when
 * --strict or --max-errors stops it) on a fatal error. */
int list_import_file(struct list_import *im, struct list_reader *lr,
		     const char *default_source, struct list_import_stats *fs,
		     struct sd_error *err);

/* Records path as an input of the snapshot (provenance); stdin ('-') and a
 * file that cannot be identified any more are left out. */
int list_import_provenance(struct list_import *im, const char *path, const char *source,
			   struct sd_error *err);

/* Writes the snapshot atomically. */
int list_import_write(struct list_import *im, const char *path, uint64_t build_time,
		      struct sd_error *err);

#endif
