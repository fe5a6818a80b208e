/* The answer to "is this address (or prefix) listed?", rendered as JSON.
 * One renderer for the CLI (`check --json`) and the HTTP API, so both say
 * the same thing in the same words. */
#ifndef SD_REPORT_REPORT_H
#define SD_REPORT_REPORT_H

#include <jansson.h>
#include <stdbool.h>

#include "db/db.h"
#include "net/addr.h"

enum report_detail {
	REPORT_VERDICT = 0, /* listed or not, and which campaigns */
	REPORT_FULL = 1,    /* plus dates, counts, evidence, confidence, sources */
};

#define REPORT_MAX_INSIDE 1000 /* entries listed for a prefix query */

/* {"query": "...", "canonical": "...", "type": ..., "listed": bool,
 * "matches": [...], "inside": {...}}. For an address: the entries covering
 * it, most specific first. For a prefix: entries covering it and (up to
 * max_inside) entries inside it, with their total count. "query" is the
 * query as written (given, given_len bytes: `::ffff:192.0.2.7`),
 * "canonical" the form it was looked up as (`192.0.2.7`); without a text
 * (report_lookup: the caller's own address) both are the canonical form.
 * Returns a new reference, NULL on OOM. */
json_t *report_lookup(const struct db *db, const struct net_prefix *q,
		      enum report_detail detail, size_t max_inside);
json_t *report_lookup_query(const struct db *db, const struct net_prefix *q,
			    const char *given, size_t given_len,
			    enum report_detail detail, size_t max_inside);

/* One entry with its sightings. */
json_t *report_entry(const struct db *db, const struct db_entry *e,
		     enum report_detail detail);

/* {"built": "...", "entries": n, "campaigns": [...]}: which snapshot an
 * answer came from. */
json_t *report_snapshot(const struct db *db);
json_t *report_campaign(const struct db *db, uint32_t id);

/* Formats p as the user writes it: a bare address for a host prefix. */
size_t report_format_prefix(const struct net_prefix *p, char *buf, size_t size);
json_t *report_time(uint32_t t);
/* A string of the snapshot as JSON: invalid UTF-8 (a file name that is not
 * text) is shown with U+FFFD, as the renderers show it, never dropped. */
json_t *report_text(const char *s);

#endif
