#include "core/timeutil.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
	bool civil;
	return sd_time_parse_civil(s, n, out, &civil, why);
}

int sd_time_parse_civil(const char *s, size_t n, int64_t *out, bool *civil,
			const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	unsigned y, mo, d, h = 0, mi = 0, sec = 0;
	*civil = false;
	if (n < 10 || s[4] != '-')
		return parse_epoch(s, n, out, why);
	bool zoned = false;
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
			zoned = true;
		} else if (i < n && (s[i] == '+' || s[i] == '-')) {
			zoned = true;
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
	*civil = !zoned;
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

/* --- producer time zones --- */

static bool is_utc(const char *zone)
{
	return !zone || !strcmp(zone, "UTC") || !strcmp(zone, "Etc/UTC");
}

int sd_tz_check(const char *zone, const char **why)
{
	if (is_utc(zone))
		return 0;
	size_t n = strlen(zone);
	/* an IANA name, not a path or a POSIX TZ rule: nothing that could
	 * leave the database directory or be read as "std offset dst" */
	if (n == 0 || n > 64 || zone[0] == '/' || zone[0] == ':' || strstr(zone, "..")) {
		*why = "not a time zone name (e.g. Europe/Berlin, UTC)";
		return SD_EUSAGE;
	}
	for (size_t i = 0; i < n; i++) {
		char c = zone[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '-' ||
		      c == '+')) {
			*why = "not a time zone name (e.g. Europe/Berlin, UTC)";
			return SD_EUSAGE;
		}
	}
	const char *dir = getenv("TZDIR");
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo",
		 zone);
	FILE *f = fopen(path, "rb");
	char magic[4] = {0};
	bool ok = f && fread(magic, 1, 4, f) == 4 && !memcmp(magic, "TZif", 4);
	if (f)
		fclose(f);
	if (!ok) {
		*why = "no such zone in the tz database (is tzdata installed?)";
		return SD_EUSAGE;
	}
	return 0;
}

void sd_tz_init(struct sd_tz *tz, const char *zone)
{
	memset(tz, 0, sizeof(*tz));
	tz->zone = is_utc(zone) ? NULL : zone;
}

const char *sd_tz_name(const struct sd_tz *tz)
{
	return tz->zone ? tz->zone : "UTC";
}

/* TZ is process-wide: every use of it by sighted goes through this lock. */
static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t zone_offset(const char *zone, int64_t local)
{
	time_t t = (time_t)local;
	struct tm tm;
	if (!gmtime_r(&t, &tm))
		return 0;
	tm.tm_isdst = -1;
	pthread_mutex_lock(&tz_lock);
	const char *old = getenv("TZ");
	char saved[256];
	bool had = old && strlen(old) < sizeof(saved);
	if (had)
		snprintf(saved, sizeof(saved), "%s", old);
	setenv("TZ", zone, 1);
	tzset();
	time_t u = mktime(&tm);
	if (had)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	pthread_mutex_unlock(&tz_lock);
	return u == (time_t)-1 ? 0 : local - (int64_t)u;
}

int64_t sd_tz_to_utc(struct sd_tz *tz, int64_t local)
{
	if (!tz || !tz->zone)
		return local;
	/* floor division: times before 1970 are negative */
	int64_t key = local >= 0 ? local / 900 : -((-local + 899) / 900);
	if (!tz->cached || tz->key != key) {
		tz->offset = zone_offset(tz->zone, local);
		tz->key = key;
		tz->cached = true;
	}
	return local - tz->offset;
}
