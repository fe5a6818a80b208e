#include "core/timeutil.h"

#include <errno.h>
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

bool sd_time_is_date(const char *s, size_t n)
{
	unsigned v;
	return n == 10 && s[4] == '-' && s[7] == '-' && digits(s, n, 0, 4, &v) &&
	       digits(s, n, 5, 2, &v) && digits(s, n, 8, 2, &v);
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

static const char two_digits[] = "00010203040506070809101112131415161718192021222324"
				 "25262728293031323334353637383940414243444546474849"
				 "50515253545556575859606162636465666768697071727374"
				 "75767778798081828384858687888990919293949596979899";

/* The last second with a four-digit year, 9999-12-31T23:59:59Z: past it
 * strftime's %Y needs a fifth digit and the text no longer fits. */
#define FAST_TIME_MAX INT64_C(253402300799)

/* 0 < t <= FAST_TIME_MAX without gmtime_r and strftime (about 1,400
 * instructions a time, most of the cost of a --sightings line or a JSON
 * answer): the date from the day number by H. Hinnant's civil-from-days
 * (the proleptic Gregorian calendar, as gmtime counts), the numbers from a
 * table of two-digit numbers. The date of the last day formatted is kept,
 * one per thread: the times of one output mostly fall on a few days. */
static _Thread_local struct {
	uint64_t day;
	char date[11]; /* "YYYY-MM-DDT" */
} last_day = {UINT64_MAX, {0}};

static size_t format_fast(uint64_t t, char *w)
{
	uint64_t day = t / 86400, sec = t % 86400;
	if (day != last_day.day) {
		uint64_t z = day + 719468, era = z / 146097, doe = z - era * 146097;
		uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
		uint64_t mp = (5 * doy + 2) / 153;
		uint64_t d = doy - (153 * mp + 2) / 5 + 1;
		uint64_t m = mp < 10 ? mp + 3 : mp - 9;
		uint64_t y = yoe + era * 400 + (m <= 2);
		char *x = last_day.date;
		memcpy(x, two_digits + 2 * (y / 100), 2);
		memcpy(x + 2, two_digits + 2 * (y % 100), 2);
		x[4] = '-';
		memcpy(x + 5, two_digits + 2 * m, 2);
		x[7] = '-';
		memcpy(x + 8, two_digits + 2 * d, 2);
		x[10] = 'T';
		last_day.day = day;
	}
	uint64_t hh = sec / 3600, mm = sec / 60 % 60, ss = sec % 60;
	memcpy(w, last_day.date, 11);
	memcpy(w + 11, two_digits + 2 * hh, 2);
	w[13] = ':';
	memcpy(w + 14, two_digits + 2 * mm, 2);
	w[16] = ':';
	memcpy(w + 17, two_digits + 2 * ss, 2);
	w[19] = 'Z';
	w[20] = '\0';
	return SD_TIME_STRLEN - 1;
}

size_t sd_time_format(int64_t t, char *buf, size_t size)
{
	if (size == 0)
		return 0;
	if (t == 0) {
		buf[0] = '\0';
		return 0;
	}
	if (t > 0 && t <= FAST_TIME_MAX && size >= SD_TIME_STRLEN)
		return format_fast((uint64_t)t, buf);
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm)) {
		buf[0] = '\0';
		return 0;
	}
	size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (n == 0) /* a year past 9999 or before 0: strftime leaves buf undefined */
		buf[0] = '\0';
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

/* local - UTC at a local time, TZ being set to the zone (lock held).
 * mktime with tm_isdst -1 is not a function of its input alone (glibc
 * guesses from its previous call in the repeated hour), so both readings
 * are tried and checked by converting back: in the repeated autumn hour
 * the first pass (the larger offset) is taken, in the spring-forward gap,
 * where neither reading exists, the offset before the gap (the smaller
 * one), which moves the time forward. */
static int64_t offset_at(int64_t local)
{
	time_t t = (time_t)local;
	struct tm want;
	if (!gmtime_r(&t, &want))
		return 0;
	int64_t off[2];
	bool valid[2] = {false, false}, made[2] = {false, false};
	for (int dst = 0; dst < 2; dst++) {
		struct tm tm = want, back;
		tm.tm_isdst = dst;
		time_t u = mktime(&tm);
		if (u == (time_t)-1 && (tm.tm_year != want.tm_year || errno == EOVERFLOW))
			continue;
		made[dst] = true;
		off[dst] = local - (int64_t)u;
		valid[dst] = localtime_r(&u, &back) && back.tm_hour == want.tm_hour &&
			     back.tm_min == want.tm_min && back.tm_sec == want.tm_sec &&
			     back.tm_mday == want.tm_mday;
	}
	if (valid[0] && valid[1])
		return off[0] > off[1] ? off[0] : off[1];
	if (valid[0] || valid[1])
		return valid[0] ? off[0] : off[1];
	if (made[0] && made[1])
		return off[0] < off[1] ? off[0] : off[1];
	return made[0] ? off[0] : made[1] ? off[1] : 0;
}

static void add_span(struct sd_tz_year *y, int64_t from, int64_t offset)
{
	if (y->nspans < SD_TZ_SPANS) {
		y->span[y->nspans].from = from;
		y->span[y->nspans].offset = (int32_t)offset;
		y->nspans++;
	}
}

/* The zone's offsets over the civil year yr (lock held, TZ set). */
static void fill_year(struct sd_tz_year *y, int yr)
{
	y->start = sd_days_from_civil(yr, 1, 1) * 86400;
	y->end = sd_days_from_civil(yr + 1, 1, 1) * 86400;
	y->nspans = 0;
	int64_t prev_t = y->start, prev = offset_at(prev_t);
	add_span(y, prev_t, prev);
	for (int64_t t = y->start + 7 * 86400;; t += 7 * 86400) {
		if (t > y->end)
			t = y->end;
		int64_t off = offset_at(t);
		if (off != prev) {
			/* the first second of the week that has the new offset */
			int64_t lo = prev_t, hi = t;
			while (hi - lo > 1) {
				int64_t mid = lo + (hi - lo) / 2;
				if (offset_at(mid) == prev)
					lo = mid;
				else
					hi = mid;
			}
			int64_t now = offset_at(hi);
			add_span(y, hi, now);
			if (now != off) /* two changes in the week: take the last */
				add_span(y, t, off);
			prev = off;
		}
		prev_t = t;
		if (t == y->end)
			break;
	}
}

static void load_year(const char *zone, struct sd_tz_year *y, int yr)
{
	pthread_mutex_lock(&tz_lock);
	const char *old = getenv("TZ");
	char saved[256];
	bool had = old && strlen(old) < sizeof(saved);
	if (had)
		snprintf(saved, sizeof(saved), "%s", old);
	setenv("TZ", zone, 1);
	tzset();
	fill_year(y, yr);
	if (had)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	pthread_mutex_unlock(&tz_lock);
}

int64_t sd_tz_to_utc(struct sd_tz *tz, int64_t local)
{
	if (!tz || !tz->zone)
		return local;
	struct sd_tz_year *y = NULL;
	for (int i = 0; i < 2; i++)
		if (tz->year[i].end && local >= tz->year[i].start &&
		    local < tz->year[i].end)
			y = &tz->year[i];
	if (!y) {
		time_t t = (time_t)local;
		struct tm tm;
		if (!gmtime_r(&t, &tm))
			return local;
		y = &tz->year[tz->next];
		tz->next ^= 1;
		load_year(tz->zone, y, tm.tm_year + 1900);
	}
	int k = 0;
	while (k + 1 < y->nspans && y->span[k + 1].from <= local)
		k++;
	return local - y->span[k].offset;
}
