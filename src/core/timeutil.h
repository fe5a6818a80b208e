/* Timestamps as sighted stores them: unsigned seconds since the Unix epoch
 * in UTC, 0 meaning unknown. 32 bits reach 2106, and every sighting carries
 * two of them, so the width matters for snapshot size. */
#ifndef SD_CORE_TIMEUTIL_H
#define SD_CORE_TIMEUTIL_H

#include <stdbool.h>
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

/* Like sd_time_parse; *civil is set when s was a date or date-time with no
 * zone or offset (so a producer's local time), false for an epoch or a time
 * with "Z" or an offset. */
int sd_time_parse_civil(const char *s, size_t n, int64_t *out, bool *civil,
			const char **why);

/* The local time of a producer's zone (--tz): an IANA name read through the
 * C library's tz database. Converting needs the process-wide TZ variable,
 * so it is done under one lock and the answer is kept per quarter hour of
 * local time: a log's times move slowly, so the lock is taken about once
 * per quarter hour of log, whatever the number of reader threads. */
struct sd_tz {
	const char *zone; /* NULL: UTC */
	int64_t key;	  /* local quarter hour of the cached offset */
	int64_t offset;	  /* seconds east of UTC then */
	bool cached;
};

/* 0 when zone is "UTC" or a zone of the tz database (a TZif file under
 * $TZDIR or /usr/share/zoneinfo); SD_EUSAGE with *why otherwise. */
int sd_tz_check(const char *zone, const char **why);
/* zone must have passed sd_tz_check (or be NULL); it is borrowed. */
void sd_tz_init(struct sd_tz *tz, const char *zone);
/* Name for messages: the zone, or "UTC". */
const char *sd_tz_name(const struct sd_tz *tz);
/* local: a civil time of the zone counted as if it were UTC (as
 * sd_days_from_civil gives it); returns the UTC epoch. A time in a
 * spring-forward gap moves forward, one in the repeated autumn hour takes
 * the C library's choice (mktime with tm_isdst -1). */
int64_t sd_tz_to_utc(struct sd_tz *tz, int64_t local);

#endif
