/* JSON string escaping as jansson's json_dumps writes it, shared by every
 * JSON writer that does not build a jansson document (the --sightings
 * lines, the check answers). Two forms:
 *   - UTF-8 kept (jansson's default): the text must be valid UTF-8, else
 *     it is refused, as json_string refuses it;
 *   - JSON_ENSURE_ASCII: everything past U+007F as \uXXXX (a surrogate
 *     pair past U+FFFF), a byte that is not valid UTF-8 as \uFFFD
 *     (report/escape.h builds it from the pieces below).
 * In both, " and \ are escaped, and the bytes below 0x20 as \b \f \n \r \t
 * or \u00XX; U+007F and U+2028 are written as they are. */
#ifndef SD_CORE_JSON_STR_H
#define SD_CORE_JSON_STR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* How many bytes at the start of s[0..n) a JSON string carries as they
 * are: printable ASCII (0x20-0x7F) other than " and \. Reads a word at a
 * time. */
size_t sd_json_plain_len(const char *s, size_t n);

/* The escape of an ASCII byte that needs one (below 0x20, " or \) into
 * out; returns its length (2 or 6). */
size_t sd_json_escape_ascii(unsigned char c, char out[6]);

/* Appends s[0..n) as a JSON string, quotes included, UTF-8 kept as it is;
 * false, with nothing appended, when s is not valid UTF-8 (sd_utf8_decode).
 * fuzz/fuzz_json_str.c checks it against jansson's json_dumps. */
bool sd_json_string_utf8(struct sd_buf *b, const char *s, size_t n);

#endif
