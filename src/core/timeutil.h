/* Timestamps as sighted stores them: unsigned seconds since the Unix epoch
 * in UTC, 0 meaning unknown. 32 bits reach 2106, and every sighting carries
 * two of them, so the width matters for snapshot size. */
#ifndef SD_CORE_TIMEUTIL_H
#define SD_CORE_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define SD_TIME_STRLEN 21 /* "2023-03-29T13:55:06Z" + NUL */

/* Accepts epoch seconds (optionally with a fraction), "YYYY-MM-DD",
 * "YYYY-MM-DD[T ]HH:MM[:SS[.frac]]" with an optional "Z", "+HH:MM", "+HHMM"
 * or "+HH" offset (no offset means UTC). Exactly n bytes are parsed. */
int sd_time_parse(const char *s, size_t n, int64_t *out, const char **why);
/* Like sd_time_parse but also range-checks into the stored 32-bit form. */
int sd_time_parse32(const char *s, size_t n, uint32_t *out, const char **why);
/* ISO 8601 UTC; "" for 0. Returns bytes written. */
size_t sd_time_format(int64_t t, char *buf, size_t size);
int64_t sd_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
