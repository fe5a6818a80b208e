/* Check answers written straight into an output buffer, in the three forms
 * `sighted check` prints: text for people, CSV (one row per query and
 * sighting) and JSON Lines. The JSON is byte for byte what jansson writes
 * for report_lookup's document (compact, ASCII only), without building
 * that document. */
#ifndef SD_REPORT_RENDER_H
#define SD_REPORT_RENDER_H

#include <stddef.h>

#include "core/buf.h"
#include "db/db.h"
#include "report/answer.h"
#include "report/report.h"

enum report_format { REPORT_TEXT, REPORT_CSV, REPORT_JSON };

/* The CSV header row, newline included. */
void report_render_csv_header(struct sd_buf *out);
void report_render(struct sd_buf *out, const struct db *db, const struct report_answer *a,
		   enum report_format fmt, enum report_detail detail);
/* A query that could not be parsed: text (len bytes, not NUL-terminated,
 * kept as given) and why. Text: nothing (the error goes to stderr); CSV:
 * the text in the query column and "error" as listed; JSON:
 * {"query": text, "error": why}. */
void report_render_error(struct sd_buf *out, enum report_format fmt, const char *text,
			 size_t len, const char *why);

/* Pieces shared with other writers. A JSON string literal (quotes
 * included), escaped as jansson's JSON_ENSURE_ASCII does; a byte that is
 * not valid UTF-8 becomes \uFFFD. */
void report_json_string(struct sd_buf *out, const char *s, size_t n);
/* A CSV field, quoted when it holds , " CR or LF; a field starting with
 * = + - @ is quoted and prefixed with ' so a spreadsheet never evaluates it
 * as a formula. */
void report_csv_field(struct sd_buf *out, const char *s, size_t n);

#endif
