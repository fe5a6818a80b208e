/* The clock of a log: times written in the producer's local time (nfdump
 * CSV, BIND, syslog prefixes, CSV and Squid times without a zone) are read
 * in the zone given by --tz (tel_options.tz, UTC by default), and
 * syslog-style times that leave out the year get one: --year, else from
 * the file's modification time (a log's lines were written before it: each
 * line takes the latest year that does not put it more than a day after
 * that time), else -- when that time is outside the campaign window, as
 * with a 2023 log copied in 2026 -- the year that puts each line inside (or
 * nearest to) the window. Each line's year follows from its month, day and
 * time and from these alone, never from the lines before it, so a file read
 * whole and read as --range shards agree. What was assumed is counted so
 * the per-file summary can say it (tel_assumptions). */
#ifndef SD_TELEMETRY_CLOCK_H
#define SD_TELEMETRY_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/timeutil.h"

struct tel_options;

enum tel_year_src {
	TEL_YEAR_OPTION = 1, /* --year */
	TEL_YEAR_FILE,	     /* the file's modification time */
	TEL_YEAR_WINDOW,     /* the campaign window (file time outside it) */
	TEL_YEAR_NOW,	     /* no file time: the current year */
};

struct tel_clock {
	struct sd_tz tz;
	uint64_t local_times; /* times read as local times of tz */
	/* year-less times */
	bool have_ftime;
	int64_t ftime; /* the file's modification time, UTC */
	int opt_year;
	int64_t wstart, wend;
	bool year_ready;
	enum tel_year_src year_src;
	int file_year;
	int64_t ref;	   /* the file's time, or now without one */
	uint64_t yearless; /* times given a year */
	int used_min, used_max;
};

/* file_time: the modification time of the file read (a range's whole
 * file), NULL when there is none (stdin, a pipe). */
void tel_clock_setup(struct tel_clock *c, const struct tel_options *opt,
		     const int64_t *file_time);
/* A civil time of the producer's zone, counted as if UTC -> UTC epoch. */
int64_t tel_clock_local(struct tel_clock *c, int64_t local);
/* sd_time_parse, with a date-time without zone or offset taken as local. */
bool tel_clock_parse(struct tel_clock *c, const char *s, size_t n, int64_t *out,
		     const char **why);
/* Syslog "Mon dd HH:MM:SS" at s (the day may be space-padded): the UTC
 * time with the year decided as above and the zone applied. Returns the
 * bytes used (15) or 0 when s does not start with such a time. */
size_t tel_clock_syslog(struct tel_clock *c, const char *s, size_t n, int64_t *out);
/* "local times read as Europe/Berlin; year 2023 assumed (campaign
 * window, file time 2026)"; "" when nothing was assumed. */
size_t tel_clock_describe(const struct tel_clock *c, char *buf, size_t size);

#endif
