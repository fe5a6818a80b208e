/* One sighting as a CSV row fragment or a JSON object, written straight to
 * a stream: the shared columns of `diff`, `report` (per-owner files) and
 * `notify` attachments, in the same words as the CSV export
 * (docs/export-csv.md). */
#ifndef SD_REPORT_ROWS_H
#define SD_REPORT_ROWS_H

#include <stdio.h>

#include "db/db.h"

/* "campaign,first_seen,last_seen,count,evidence,confidence,sources" */
#define REPORT_SIGHTING_CSV_HEADER                                                       \
	"campaign,first_seen,last_seen,count,evidence,confidence,sources"

/* report_csv_field (report/render.h) on a stream: an RFC 4180 field,
 * quoted when it holds a comma, quote or line break, and a leading
 * = + - @ defused with a quote. */
void report_csv_field_fp(FILE *fp, const char *s);
/* The same for s[0..n); s may be NULL when n is 0 (an absent name). */
void report_csv_field_fpn(FILE *fp, const char *s, size_t n);
/* report_json_string (report/render.h) on a stream: a JSON string with its
 * quotes, ASCII only; a byte that is not valid UTF-8 becomes \uFFFD. */
void report_json_string_fp(FILE *fp, const char *s);
/* The columns of REPORT_SIGHTING_CSV_HEADER for s (no line end). */
void report_sighting_csv(FILE *fp, const struct db *db, const struct db_sighting *s);
/* {"campaign":..., "first_seen":..., "last_seen":..., "count":...,
 *  "evidence":[...], "confidence":..., "sources":[...]} */
void report_sighting_json(FILE *fp, const struct db *db, const struct db_sighting *s);

#endif
