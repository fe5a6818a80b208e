#include "telemetry/clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "telemetry/field.h"
#include "telemetry/reader.h"

void tel_clock_setup(struct tel_clock *c, const struct tel_options *opt,
		     const int64_t *file_time)
{
	memset(c, 0, sizeof(*c));
	sd_tz_init(&c->tz, opt ? opt->tz : NULL);
	if (file_time) {
		c->have_ftime = true;
		c->ftime = *file_time;
	}
	if (opt) {
		c->opt_year = opt->year;
		c->wstart = opt->window_start;
		c->wend = opt->window_end;
	}
}

int64_t tel_clock_local(struct tel_clock *c, int64_t local)
{
	c->local_times++;
	return sd_tz_to_utc(&c->tz, local);
}

bool tel_clock_parse(struct tel_clock *c, const char *s, size_t n, int64_t *out,
		     const char **why)
{
	bool civil;
	if (sd_time_parse_civil(s, n, out, &civil, why))
		return false;
	if (civil)
		*out = tel_clock_local(c, *out);
	return true;
}

static int year_of(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		return 1970;
	return tm.tm_year + 1900;
}

static void year_decide(struct tel_clock *c)
{
	c->year_ready = true;
	if (c->opt_year) {
		c->year_src = TEL_YEAR_OPTION;
		return;
	}
	int64_t t = c->have_ftime ? c->ftime : (int64_t)time(NULL);
	c->ref = t;
	c->file_year = year_of(t);
	c->year_src = c->have_ftime ? TEL_YEAR_FILE : TEL_YEAR_NOW;
	bool window = c->wstart || c->wend;
	if (window && ((c->wstart && t < c->wstart) || (c->wend && t > c->wend)))
		c->year_src = TEL_YEAR_WINDOW;
}

/* seconds from t to the window (0 inside) */
static int64_t distance(const struct tel_clock *c, int64_t t)
{
	if (c->wstart && t < c->wstart)
		return c->wstart - t;
	if (c->wend && t > c->wend)
		return t - c->wend;
	return 0;
}

/* The year of a line from the window: of the years the window touches and
 * one either side, the first that puts the line inside it, else the
 * nearest (a window is months long, so this is a handful of tries). */
static int window_year(const struct tel_clock *c, int mon, int day, int hms)
{
	int ys = year_of(c->wstart ? c->wstart : c->wend);
	int ye = year_of(c->wend ? c->wend : c->wstart);
	if (ye - ys > 8)
		ys = ye - 8; /* bound the tries; such windows are open-ended */
	int best = ye;
	int64_t best_d = INT64_MAX;
	for (int y = ys - 1; y <= ye + 1; y++) {
		int64_t t =
		    sd_days_from_civil(y, (unsigned)mon, (unsigned)day) * 86400 + hms;
		int64_t d = distance(c, t);
		if (d < best_d) {
			best_d = d;
			best = y;
		}
	}
	return best;
}

/* The year of a line from the file's time: the latest that does not put
 * the line more than a day after it (the line was written before the file
 * was last modified; the day allows for the producer's zone and a skewed
 * clock). A log spanning New Year, its time in January, gives December's
 * lines the year before. */
static int file_year(const struct tel_clock *c, int mon, int day, int hms)
{
	int y = c->file_year + 1;
	while (y > c->file_year - 1 &&
	       sd_days_from_civil(y, (unsigned)mon, (unsigned)day) * 86400 + hms >
		   c->ref + 86400)
		y--;
	return y;
}

size_t tel_clock_syslog(struct tel_clock *c, const char *s, size_t n, int64_t *out)
{
	if (n < 15 || s[3] != ' ' || s[6] != ' ')
		return 0;
	int mon = tel_month(s);
	int d = s[4] == ' ' ? tel_2digits((const char[]){'0', s[5]}) : tel_2digits(s + 4);
	int hms = tel_hms(s + 7);
	if (!mon || d < 1 || d > 31 || hms < 0)
		return 0;
	if (!c->year_ready)
		year_decide(c);
	int y = c->year_src == TEL_YEAR_OPTION	 ? c->opt_year
		: c->year_src == TEL_YEAR_WINDOW ? window_year(c, mon, d, hms)
						 : file_year(c, mon, d, hms);
	if (!c->yearless || y < c->used_min)
		c->used_min = y;
	if (!c->yearless || y > c->used_max)
		c->used_max = y;
	c->yearless++;
	int64_t local = sd_days_from_civil(y, (unsigned)mon, (unsigned)d) * 86400 + hms;
	*out = tel_clock_local(c, local);
	return 15;
}

size_t tel_clock_describe(const struct tel_clock *c, char *buf, size_t size)
{
	if (!size)
		return 0;
	buf[0] = '\0';
	size_t n = 0;
	if (c->local_times)
		n += (size_t)snprintf(buf, size, "local times read as %s",
				      sd_tz_name(&c->tz));
	if (c->yearless && n < size) {
		char years[32];
		if (c->used_min == c->used_max)
			snprintf(years, sizeof(years), "year %d", c->used_min);
		else
			snprintf(years, sizeof(years), "years %d-%d", c->used_min,
				 c->used_max);
		static const char *const why[] = {
		    [TEL_YEAR_OPTION] = "--year",
		    [TEL_YEAR_FILE] = "the file's time",
		    [TEL_YEAR_WINDOW] = "the campaign window",
		    [TEL_YEAR_NOW] = "the current year",
		};
		n += (size_t)snprintf(buf + n, size - n, "%s%s assumed (%s",
				      n ? "; " : "", years, why[c->year_src]);
		if (c->year_src == TEL_YEAR_WINDOW && n < size)
			n += (size_t)snprintf(buf + n, size - n,
					      "; the file's time says %d", c->file_year);
		if (n < size)
			n += (size_t)snprintf(buf + n, size - n, ")");
	}
	return n < size ? n : size - 1;
}
