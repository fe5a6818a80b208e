/* Indicator file loaders, one per format (docs/indicators.md): plain
 * lists, CSV with a header, STIX 2.1 bundles and MISP event JSON. Every
 * loader adds what it can use to an ind_set, counts what it cannot (hashes,
 * unsupported types and patterns) in the set's stats, and reports each
 * malformed value as "file:line: why" through the report callback: nothing
 * is silently dropped. */
#ifndef SD_INDICATORS_LOAD_H
#define SD_INDICATORS_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "indicators/indicators.h"

#define IND_MAX_FILE (64u << 20) /* largest indicator file read, bytes */
#define IND_MAX_INCLUDE 32	 /* campaign labels in one include list */

enum ind_format {
	IND_FMT_AUTO = 0,
	IND_FMT_PLAIN,
	IND_FMT_CSV,
	IND_FMT_STIX,
	IND_FMT_MISP,
};

/* where is "file:line" (or "file: object N"); why a sentence. kind is
 * "malformed", "hash", "unsupported", "shared", "broad" or "filtered". */
typedef void (*ind_report_fn)(void *ctx, const char *where, const char *kind,
			      const char *why);

struct ind_load_opts {
	enum ind_format format;
	/* label for indicators whose file names no campaign; NULL: none */
	const char *campaign;
	/* source label; NULL: the file's base name */
	const char *source;
	/* when non-empty, only rows labelled with one of these campaigns are
	 * kept (rows without a label are kept); the rest count as filtered */
	const char *include[IND_MAX_INCLUDE];
	size_t ninclude;
	/* MISP: also take attributes with to_ids false and the address half
	 * of domain|ip (the domain's resolution: context by default) */
	bool misp_all;
	/* take prefixes broader than /8 (IPv4) or /16 (IPv6); refused and
	 * reported as "broad" otherwise (--allow-broad) */
	bool allow_broad;
	ind_report_fn report;
	void *report_ctx;
};

/* Reads a whole file (gzip/zstd transparently, at most IND_MAX_FILE),
 * detects the format unless forced, and loads it. Returns 0 when the file
 * could be read (even if some values were malformed), an error otherwise. */
int ind_load_file(struct ind_set *set, const char *path, const struct ind_load_opts *opt,
		  struct sd_error *err);

/* The loaders over a buffer; name is used in reports. */
int ind_load_plain(struct ind_set *set, const char *buf, size_t len, const char *name,
		   const struct ind_load_opts *opt, struct sd_error *err);
int ind_load_csv(struct ind_set *set, const char *buf, size_t len, const char *name,
		 const struct ind_load_opts *opt, struct sd_error *err);
int ind_load_stix(struct ind_set *set, const char *buf, size_t len, const char *name,
		  const struct ind_load_opts *opt, struct sd_error *err);
int ind_load_misp(struct ind_set *set, const char *buf, size_t len, const char *name,
		  const struct ind_load_opts *opt, struct sd_error *err);

enum ind_format ind_format_detect(const char *buf, size_t len);
int ind_format_parse(const char *name); /* SD_EFORMAT if unknown */

#endif
