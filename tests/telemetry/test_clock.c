/* The clock of a log (telemetry/clock.h): --tz for the formats that log
 * local time, the year of year-less syslog times, and the per-file
 * summary of what was assumed. */
#include <sys/stat.h>
#include <utime.h>

#include "core/timeutil.h"
#include "telemetry/backend.h"
#include "telutil.h"
#include "testutil.h"

#define T2023_03_29_1355 1680098100 /* 2023-03-29T13:55:00Z */

static const char *write_file(const char *name, const char *text, int64_t mtime)
{
	const char *path = test_tmpfile(name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	if (mtime) {
		struct utimbuf u = {(time_t)mtime, (time_t)mtime};
		assert_int_equal(utime(path, &u), 0);
	}
	return path;
}

/* reads path, returns the assumptions line in buf */
static void read_with(struct tfile *t, const char *path, const struct tel_options *o,
		      char *buf, size_t size)
{
	memset(t, 0, sizeof(*t));
	struct io_source *src;
	struct tel_reader *r;
	assert_int_equal(io_open(path, &src, &t->err), 0);
	assert_int_equal(tel_open(src, o, &r, &t->err), 0);
	struct tel_record rec;
	while (tel_next(r, &rec, &t->err) == 1) {
		t->r = realloc(t->r, (t->n + 1) * sizeof(*t->r));
		t->r[t->n].ts = rec.ts;
		t->n++;
	}
	t->st = *tel_stats(r);
	tel_assumptions(r, buf, size);
	tel_close(r);
}

static void local_formats(void **state)
{
	(void)state;
	struct tel_options o = {.tz = "Europe/Berlin"};
	char why[200];
	struct tfile t;
	/* nfdump CSV: ts and te in the collector's local time */
	const char *nf = write_file(
	    "nf.csv",
	    "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt\n"
	    "2023-03-29 15:55:00,2023-03-29 15:55:01,1.0,10.0.0.1,198.51.100.66,"
	    "50000,443,TCP,.AP.SF,0,0,5,500,0,0\n",
	    0);
	read_with(&t, nf, &o, why, sizeof(why));
	assert_int_equal(t.n, 1);
	assert_int_equal(t.r[0].ts, T2023_03_29_1355);
	assert_string_equal(why, "local times read as Europe/Berlin");
	tf_free(&t);
	/* the default is UTC, and says so */
	read_with(&t, nf, NULL, why, sizeof(why));
	assert_int_equal(t.r[0].ts, T2023_03_29_1355 + 7200);
	assert_string_equal(why, "local times read as UTC");
	tf_free(&t);
	/* BIND: local, except an ISO time with its zone */
	const char *bind = write_file(
	    "query.log",
	    "29-Mar-2023 15:55:00.123 queries: info: client @0x7f 10.0.0.2#40000 "
	    "(evil.example): query: evil.example IN A + (10.0.0.53)\n"
	    "2023-03-29T13:55:00.123Z queries: info: client @0x7f 10.0.0.2#40000 "
	    "(evil.example): query: evil.example IN A + (10.0.0.53)\n",
	    0);
	read_with(&t, bind, &o, why, sizeof(why));
	assert_int_equal(t.n, 2);
	assert_int_equal(t.r[0].ts, T2023_03_29_1355);
	assert_int_equal(t.r[1].ts, T2023_03_29_1355);
	tf_free(&t);
	/* Squid combined: the offset wins; without one, local */
	const char *sq = write_file(
	    "access.log",
	    "10.0.0.3 - - [29/Mar/2023:15:55:00 +0200] \"GET http://evil.example/ "
	    "HTTP/1.1\" 200 10 \"-\" \"-\" TCP_MISS:HIER_DIRECT\n"
	    "10.0.0.3 - - [29/Mar/2023:15:55:00 +0000] \"GET http://evil.example/ "
	    "HTTP/1.1\" 200 10 \"-\" \"-\" TCP_MISS:HIER_DIRECT\n"
	    "10.0.0.3 - - [29/Mar/2023:15:55:00] \"GET http://evil.example/ "
	    "HTTP/1.1\" 200 10 \"-\" \"-\" TCP_MISS:HIER_DIRECT\n",
	    0);
	read_with(&t, sq, &o, why, sizeof(why));
	assert_int_equal(t.st.malformed, 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.r[0].ts, T2023_03_29_1355);
	assert_int_equal(t.r[1].ts, T2023_03_29_1355 + 7200);
	assert_int_equal(t.r[2].ts, T2023_03_29_1355);
	tf_free(&t);
	/* EVE carries its offset: no assumption */
	const char *eve = write_file(
	    "eve.json",
	    "{\"timestamp\":\"2023-03-29T15:55:00.000000+0200\",\"event_type\":"
	    "\"dns\",\"src_ip\":\"10.0.0.4\",\"src_port\":40000,\"dest_ip\":"
	    "\"10.0.0.53\",\"dest_port\":53,\"dns\":{\"type\":\"query\","
	    "\"rrname\":\"evil.example\"}}\n",
	    0);
	read_with(&t, eve, &o, why, sizeof(why));
	assert_int_equal(t.r[0].ts, T2023_03_29_1355);
	assert_string_equal(why, "");
	tf_free(&t);
}

#define DNSMASQ(day) day " 15:55:00 gw dnsmasq[7]: query[A] evil.example from 10.0.0.5\n"

static void years(void **state)
{
	(void)state;
	char why[200];
	struct tfile t;
	int64_t y2026 = sd_days_from_civil(2026, 11, 1) * 86400;
	int64_t wstart = sd_days_from_civil(2023, 3, 1) * 86400;
	int64_t wend = sd_days_from_civil(2023, 4, 30) * 86400;
	/* a 2023 log copied in 2026: the window gives 2023 */
	const char *dm = write_file("dnsmasq.log", DNSMASQ("Mar 29"), y2026);
	struct tel_options o = {
	    .tz = "Europe/Berlin", .window_start = wstart, .window_end = wend};
	read_with(&t, dm, &o, why, sizeof(why));
	assert_int_equal(t.n, 1);
	assert_int_equal(t.r[0].ts, T2023_03_29_1355);
	assert_string_equal(why, "local times read as Europe/Berlin; year 2023 assumed "
				 "(the campaign window; the file's time says 2026)");
	tf_free(&t);
	/* without a window: the file's time, as before */
	o.window_start = o.window_end = 0;
	read_with(&t, dm, &o, why, sizeof(why));
	assert_int_equal(t.r[0].ts,
			 sd_days_from_civil(2026, 3, 29) * 86400 + 13 * 3600 + 55 * 60);
	assert_non_null(strstr(why, "year 2026 assumed (the file's time)"));
	tf_free(&t);
	/* --year wins over both */
	o = (struct tel_options){
	    .year = 2022, .window_start = wstart, .window_end = wend};
	read_with(&t, dm, &o, why, sizeof(why));
	assert_non_null(strstr(why, "year 2022 assumed (--year)"));
	assert_int_equal(t.r[0].ts,
			 sd_days_from_civil(2022, 3, 29) * 86400 + 15 * 3600 + 55 * 60);
	tf_free(&t);
	/* a window across New Year: each line takes the year that puts it
	 * inside */
	const char *ny = write_file("ny.log", DNSMASQ("Dec 30") DNSMASQ("Jan  3"), y2026);
	o = (struct tel_options){.window_start = sd_days_from_civil(2022, 12, 1) * 86400,
				 .window_end = sd_days_from_civil(2023, 2, 1) * 86400};
	read_with(&t, ny, &o, why, sizeof(why));
	assert_int_equal(t.n, 2);
	assert_int_equal(t.r[0].ts, sd_days_from_civil(2022, 12, 30) * 86400 + 57300);
	assert_int_equal(t.r[1].ts, sd_days_from_civil(2023, 1, 3) * 86400 + 57300);
	assert_non_null(strstr(why, "years 2022-2023 assumed (the campaign window"));
	tf_free(&t);
	/* the file's time inside the window: it decides; it is the time of
	 * the last line, so a December line of a file written in January is
	 * of the year before */
	const char *in = write_file("in.log", DNSMASQ("Dec 30") DNSMASQ("Jan  3"),
				    sd_days_from_civil(2023, 1, 5) * 86400);
	read_with(&t, in, &o, why, sizeof(why));
	assert_int_equal(t.r[0].ts, sd_days_from_civil(2022, 12, 30) * 86400 + 57300);
	assert_int_equal(t.r[1].ts, sd_days_from_civil(2023, 1, 3) * 86400 + 57300);
	assert_non_null(strstr(why, "years 2022-2023 assumed (the file's time)"));
	tf_free(&t);
	/* a line more than a day after the file's time is of the year
	 * before; up to a day after (the producer's zone, skew) is not */
	const char *late = write_file("late.log", DNSMASQ("Jan  3") DNSMASQ("Dec 31"),
				      sd_days_from_civil(2022, 12, 31) * 86400);
	read_with(&t, late, &o, why, sizeof(why));
	assert_int_equal(t.r[0].ts, sd_days_from_civil(2022, 1, 3) * 86400 + 57300);
	assert_int_equal(t.r[1].ts, sd_days_from_civil(2022, 12, 31) * 86400 + 57300);
	tf_free(&t);
	const char *ny1 =
	    write_file("ny1.log", DNSMASQ("Jan  1"),
		       sd_days_from_civil(2022, 12, 31) * 86400 + 23 * 3600);
	read_with(&t, ny1, &o, why, sizeof(why));
	assert_int_equal(t.r[0].ts, sd_days_from_civil(2023, 1, 1) * 86400 + 57300);
	tf_free(&t);
}

/* reads [start, end) of path as --range does; the records' times */
static size_t range_times(const char *path, uint64_t start, uint64_t end,
			  const struct tel_options *o, int64_t *ts, size_t max)
{
	struct sd_error err;
	struct io_source *src;
	struct tel_reader *r;
	assert_int_equal(io_open_range(path, 0, start, end, &src, &err), 0);
	assert_int_equal(tel_open(src, o, &r, &err), 0);
	struct tel_record rec;
	size_t n = 0;
	while (tel_next(r, &rec, &err) == 1)
		if (n < max)
			ts[n++] = rec.ts;
	tel_close(r);
	return n;
}

/* The auditor's case: Dec 30 and Jan 2 in a file written 2023-01-05, a
 * window from December to April: both inside, read whole or in shards. */
static void years_in_shards(void **state)
{
	(void)state;
	char why[200];
	struct tfile t;
	const char *dm = write_file("dm.log", DNSMASQ("Dec 30") DNSMASQ("Jan  2"),
				    sd_days_from_civil(2023, 1, 5) * 86400);
	struct tel_options o = {.window_start = sd_days_from_civil(2022, 12, 1) * 86400,
				.window_end = sd_days_from_civil(2023, 4, 30) * 86400};
	read_with(&t, dm, &o, why, sizeof(why));
	assert_int_equal(t.n, 2);
	int64_t dec30 = sd_days_from_civil(2022, 12, 30) * 86400 + 57300;
	int64_t jan2 = sd_days_from_civil(2023, 1, 2) * 86400 + 57300;
	assert_int_equal(t.r[0].ts, dec30);
	assert_int_equal(t.r[1].ts, jan2);
	assert_non_null(strstr(why, "years 2022-2023 assumed (the file's time)"));
	tf_free(&t);
	/* each line alone, as two shards: the file's time, not the current
	 * year, and no state carried from the first line to the second */
	size_t len = strlen(DNSMASQ("Dec 30"));
	int64_t ts[2];
	assert_int_equal(range_times(dm, 0, len, &o, ts, 2), 1);
	assert_int_equal(ts[0], dec30);
	assert_int_equal(range_times(dm, len, UINT64_MAX, &o, ts, 2), 1);
	assert_int_equal(ts[0], jan2);
	/* --year still decides alone */
	o.year = 2021;
	assert_int_equal(range_times(dm, len, UINT64_MAX, &o, ts, 2), 1);
	assert_int_equal(ts[0], sd_days_from_civil(2021, 1, 2) * 86400 + 57300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(local_formats),
	    cmocka_unit_test(years),
	    cmocka_unit_test(years_in_shards),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
