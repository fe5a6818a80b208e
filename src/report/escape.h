/* Escaping untrusted text for JSON and CSV output. */
#ifndef SD_REPORT_ESCAPE_H
#define SD_REPORT_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* A JSON string literal (quotes
 * included), escaped as jansson's JSON_ENSURE_ASCII does; a byte that is
 * not valid UTF-8 becomes \uFFFD. */
void report_json_string(struct sd_buf *out, const char *s, size_t n);
/* The same without the quotes. Escaping s in pieces gives the same bytes
 * as escaping it whole when the pieces are cut where report_json_step
 * steps: it says how many bytes of s[0..n) the escaper takes as one (a
 * valid UTF-8 sequence, else one byte). */
void report_json_body(struct sd_buf *out, const char *s, size_t n);
size_t report_json_step(const char *s, size_t n);
/* A CSV field, quoted when it holds , " CR or LF; a field starting with
 * = + - @ is quoted and prefixed with ' so a spreadsheet never evaluates it
 * as a formula. */
void report_csv_field(struct sd_buf *out, const char *s, size_t n);
/* Whether a field starts like a formula; whether it holds , " CR or LF.
 * Either makes report_csv_field quote it. */
bool report_csv_formula(const char *s, size_t n);
bool report_csv_special(const char *s, size_t n);

#endif
