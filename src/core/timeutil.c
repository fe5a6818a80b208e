#include "core/timeutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "core/error.h"

/* Howard Hinnant's days_from_civil: proleptic Gregorian, no libc timezone
 * state involved, so parsing is the same whatever TZ the user has set. */
int64_t sd_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char *s, size_t n, size_t at, size_t count, unsigned *out)
{
	if (at + count > n)
		return false;
	unsigned v = 0;
	for (size_t i = at; i < at + count; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

static int parse_epoch(const char *s, size_t n, int64_t *out, const char **why)
{
	int64_t v = 0;
	size_t i = 0;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (INT64_MAX - 9) / 10) {
			*why = "timestamp too large";
			return SD_ERANGE;
		}
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0) {
		*why = "timestamp is not a number or date";
		return SD_EPARSE;
	}
	if (i < n && s[i] == '.') {
		size_t j = i + 1;
		while (j < n && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j == i + 1) {
			*why = "timestamp has an empty fraction";
			return SD_EPARSE;
		}
		i = j;
	}
	if (i != n) {
		*why = "trailing characters after timestamp";
		return SD_EPARSE;
	}
	*out = v;
	return 0;
}

int sd_time_parse(const char *s, size_t n, int64_t *out, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	unsigned y, mo, d, h = 0, mi = 0, sec = 0;
	if (n < 10 || s[4] != '-')
		return parse_epoch(s, n, out, why);
	if (!digits(s, n, 0, 4, &y) || !digits(s, n, 5, 2, &mo) || s[7] != '-' ||
	    !digits(s, n, 8, 2, &d)) {
		*why = "date is not YYYY-MM-DD";
		return SD_EPARSE;
	}
	static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400)))) {
		*why = "no such calendar date";
		return SD_ERANGE;
	}
	size_t i = 10;
	int64_t offset = 0;
	if (i < n && (s[i] == 'T' || s[i] == ' ')) {
		if (!digits(s, n, i + 1, 2, &h) || i + 3 >= n || s[i + 3] != ':' ||
		    !digits(s, n, i + 4, 2, &mi)) {
			*why = "time of day is not HH:MM[:SS]";
			return SD_EPARSE;
		}
		i += 6;
		if (i < n && s[i] == ':') {
			if (!digits(s, n, i + 1, 2, &sec)) {
				*why = "seconds are not two digits";
				return SD_EPARSE;
			}
			i += 3;
			if (i < n && (s[i] == '.' || s[i] == ',')) {
				size_t j = i + 1;
				while (j < n && s[j] >= '0' && s[j] <= '9')
					j++;
				if (j == i + 1) {
					*why = "empty fraction of a second";
					return SD_EPARSE;
				}
				i = j;
			}
		}
		if (h > 23 || mi > 59 || sec > 60) {
			*why = "time of day out of range";
			return SD_ERANGE;
		}
		if (i < n && s[i] == 'Z') {
			i++;
		} else if (i < n && (s[i] == '+' || s[i] == '-')) {
			int sign = s[i] == '-' ? -1 : 1;
			unsigned oh, om = 0;
			if (!digits(s, n, i + 1, 2, &oh)) {
				*why = "UTC offset is not +HH[:MM]";
				return SD_EPARSE;
			}
			i += 3;
			if (i < n && s[i] == ':')
				i++;
			if (i < n) {
				if (!digits(s, n, i, 2, &om)) {
					*why = "UTC offset is not +HH[:MM]";
					return SD_EPARSE;
				}
				i += 2;
			}
			if (oh > 23 || om > 59) {
				*why = "UTC offset out of range";
				return SD_ERANGE;
			}
			offset = sign * (int64_t)(oh * 3600 + om * 60);
		}
	}
	if (i != n) {
		*why = "trailing characters after date";
		return SD_EPARSE;
	}
	*out = sd_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	       (sec > 59 ? 59 : sec) - offset;
	return 0;
}

int sd_time_parse32(const char *s, size_t n, uint32_t *out, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	int64_t t;
	int rc = sd_time_parse(s, n, &t, why);
	if (rc)
		return rc;
	if (t <= 0 || t > UINT32_MAX) {
		*why = "time outside 1970-01-01..2106-02-07";
		return SD_ERANGE;
	}
	*out = (uint32_t)t;
	return 0;
}

size_t sd_time_format(int64_t t, char *buf, size_t size)
{
	if (size == 0)
		return 0;
	if (t == 0) {
		buf[0] = '\0';
		return 0;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm)) {
		buf[0] = '\0';
		return 0;
	}
	size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return n;
}
