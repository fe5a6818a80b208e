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
/* True when s[0..n) has the shape YYYY-MM-DD, a date without a time (an
 * end time written so means the whole of that day), as opposed to an epoch
 * value that happens to be ten characters long. */
bool sd_time_is_date(const char *s, size_t n);
/* Like sd_time_parse but also range-checks into the stored 32-bit form. */
int sd_time_parse32(const char *s, size_t n, uint32_t *out, const char **why);
/* ISO 8601 UTC ("YYYY-MM-DDThh:mm:ssZ", as strftime writes it); "" for 0
 * or when it does not fit in size. Returns bytes written. A time from 1970
 * to 9999 is formatted without gmtime_r and strftime: the same bytes at a
 * small part of the cost (tests/core/test_timefmt.c compares the two). */
size_t sd_time_format(int64_t t, char *buf, size_t size);
int64_t sd_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Like sd_time_parse; *civil is set when s was a date or date-time with no
 * zone or offset (so a producer's local time), false for an epoch or a time
 * with "Z" or an offset. */
int sd_time_parse_civil(const char *s, size_t n, int64_t *out, bool *civil,
			const char **why);

/* The local time of a producer's zone (--tz): an IANA name read through the
 * C library's tz database. The C library only converts through the
 * process-wide TZ variable, so, under one lock, the zone's offsets for a
 * whole year are worked out at once: sampled weekly with mktime and each
 * change found to the second by bisection. Conversions then look the
 * offset up in that table without a lock or a system call; a year costs
 * about a hundred mktime calls, and two years are kept (a log across New
 * Year). Up to SD_TZ_SPANS changes a year are kept, more than any zone
 * has had; two changes within one week that cancel out are not seen. */
#define SD_TZ_SPANS 8
struct sd_tz_year {
	int64_t start, end; /* the year in local time counted as UTC; 0: empty */
	int nspans;
	struct {
		int64_t from;	/* local time counted as UTC */
		int32_t offset; /* seconds east of UTC from then on */
	} span[SD_TZ_SPANS];
};
struct sd_tz {
	const char *zone; /* NULL: UTC */
	struct sd_tz_year year[2];
	unsigned next; /* which year slot is refilled next */
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
 * spring-forward gap is read with the offset before the gap (it moves
 * forward); one in the repeated autumn hour is read as its first pass. */
int64_t sd_tz_to_utc(struct sd_tz *tz, int64_t local);

#endif
