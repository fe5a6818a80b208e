/* Escaping untrusted text for JSON and CSV output. */
#ifndef SD_REPORT_ESCAPE_H
#define SD_REPORT_ESCAPE_H

#include <stddef.h>

#include "core/buf.h"

/* A JSON string literal (quotes
 * included), escaped as jansson's JSON_ENSURE_ASCII does; a byte that is
 * not valid UTF-8 becomes \uFFFD. */
void report_json_string(struct sd_buf *out, const char *s, size_t n);
/* A CSV field, quoted when it holds , " CR or LF; a field starting with
 * = + - @ is quoted and prefixed with ' so a spreadsheet never evaluates it
 * as a formula. */
void report_csv_field(struct sd_buf *out, const char *s, size_t n);

#endif
