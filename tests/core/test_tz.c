/* Producer time zones (--tz): names checked against the tz database, local
 * times converted with the zone's offset at that date, and the same
 * answers from several threads at once (the conversion uses the
 * process-wide TZ under a lock). */
#include <pthread.h>

#include "core/error.h"
#include "core/timeutil.h"
#include "testutil.h"

static int64_t civil(int y, unsigned m, unsigned d, int h, int mi)
{
	return sd_days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60;
}

static void names(void **state)
{
	(void)state;
	const char *why = NULL;
	assert_int_equal(sd_tz_check("UTC", &why), 0);
	assert_int_equal(sd_tz_check("Europe/Berlin", &why), 0);
	assert_int_equal(sd_tz_check("America/New_York", &why), 0);
	assert_int_equal(sd_tz_check("Mars/Olympus", &why), SD_EUSAGE);
	assert_non_null(strstr(why, "no such zone"));
	/* paths and POSIX rules are not zone names */
	assert_int_equal(sd_tz_check("../../etc/passwd", &why), SD_EUSAGE);
	assert_int_equal(sd_tz_check("/usr/share/zoneinfo/UTC", &why), SD_EUSAGE);
	assert_int_equal(sd_tz_check("CET-1CEST,M3.5.0,M10.5.0/3", &why), SD_EUSAGE);
	assert_int_equal(sd_tz_check("", &why), SD_EUSAGE);
	/* a directory of the database is no zone */
	assert_int_equal(sd_tz_check("Europe", &why), SD_EUSAGE);
}

static void offsets(void **state)
{
	(void)state;
	static struct sd_tz tz;
	sd_tz_init(&tz, "Europe/Berlin");
	assert_string_equal(sd_tz_name(&tz), "Europe/Berlin");
	/* 15:55 CEST (summer, +2) is 13:55Z; 15:55 CET (winter, +1) 14:55Z */
	assert_int_equal(sd_tz_to_utc(&tz, civil(2023, 3, 29, 15, 55)),
			 civil(2023, 3, 29, 13, 55));
	assert_int_equal(sd_tz_to_utc(&tz, civil(2023, 1, 10, 15, 55)),
			 civil(2023, 1, 10, 14, 55));
	/* the day of the change: before and after 02:00 -> 03:00 */
	assert_int_equal(sd_tz_to_utc(&tz, civil(2023, 3, 26, 1, 30)),
			 civil(2023, 3, 26, 0, 30));
	assert_int_equal(sd_tz_to_utc(&tz, civil(2023, 3, 26, 3, 30)),
			 civil(2023, 3, 26, 1, 30));
	sd_tz_init(&tz, "America/New_York");
	assert_int_equal(sd_tz_to_utc(&tz, civil(2023, 3, 29, 9, 55)),
			 civil(2023, 3, 29, 13, 55));
	/* UTC and NULL: unchanged */
	sd_tz_init(&tz, NULL);
	assert_string_equal(sd_tz_name(&tz), "UTC");
	assert_int_equal(sd_tz_to_utc(&tz, 1680098106), 1680098106);
	sd_tz_init(&tz, "UTC");
	assert_int_equal(sd_tz_to_utc(&tz, 1680098106), 1680098106);
	/* TZ of the process is left as it was */
	assert_null(getenv("TZ"));
}

static int64_t civil_s(int y, unsigned m, unsigned d, int h, int mi, int sec)
{
	return civil(y, m, d, h, mi) + sec;
}

/* The changes found to the second, other offsets and hemispheres, and
 * years interleaved (two year tables are kept) */
static void transitions(void **state)
{
	(void)state;
	static struct sd_tz tz; /* large: not on the stack */
	sd_tz_init(&tz, "Europe/Berlin");
	assert_int_equal(sd_tz_to_utc(&tz, civil_s(2023, 3, 26, 1, 59, 59)),
			 civil_s(2023, 3, 26, 0, 59, 59));
	assert_int_equal(sd_tz_to_utc(&tz, civil_s(2023, 3, 26, 3, 0, 0)),
			 civil_s(2023, 3, 26, 1, 0, 0));
	assert_int_equal(sd_tz_to_utc(&tz, civil_s(2023, 10, 29, 3, 0, 0)),
			 civil_s(2023, 10, 29, 2, 0, 0));
	assert_int_equal(sd_tz_to_utc(&tz, civil_s(2023, 10, 29, 1, 59, 59)),
			 civil_s(2023, 10, 28, 23, 59, 59));
	/* the repeated hour: its first pass (summer time); the gap: the
	 * offset before it, so the time moves forward */
	assert_int_equal(sd_tz_to_utc(&tz, civil(2023, 10, 29, 2, 30)),
			 civil(2023, 10, 29, 0, 30));
	assert_int_equal(sd_tz_to_utc(&tz, civil(2023, 3, 26, 2, 30)),
			 civil(2023, 3, 26, 1, 30));
	/* another year, then back: both tables answer */
	assert_int_equal(sd_tz_to_utc(&tz, civil(2022, 7, 1, 12, 0)),
			 civil(2022, 7, 1, 10, 0));
	assert_int_equal(sd_tz_to_utc(&tz, civil(2024, 1, 1, 0, 30)),
			 civil(2023, 12, 31, 23, 30));
	assert_int_equal(sd_tz_to_utc(&tz, civil(2022, 12, 31, 23, 30)),
			 civil(2022, 12, 31, 22, 30));
	assert_int_equal(sd_tz_to_utc(&tz, civil(2024, 7, 1, 12, 0)),
			 civil(2024, 7, 1, 10, 0));
	/* southern hemisphere: summer time in January */
	sd_tz_init(&tz, "Australia/Sydney");
	assert_int_equal(sd_tz_to_utc(&tz, civil(2023, 1, 15, 12, 0)),
			 civil(2023, 1, 15, 1, 0));
	assert_int_equal(sd_tz_to_utc(&tz, civil(2023, 7, 15, 12, 0)),
			 civil(2023, 7, 15, 2, 0));
	/* half-hour offset, and a half-hour summer shift */
	sd_tz_init(&tz, "Asia/Kolkata");
	assert_int_equal(sd_tz_to_utc(&tz, civil(2023, 3, 29, 19, 25)),
			 civil(2023, 3, 29, 13, 55));
	sd_tz_init(&tz, "Australia/Lord_Howe");
	assert_int_equal(sd_tz_to_utc(&tz, civil(2023, 1, 15, 12, 0)),
			 civil(2023, 1, 15, 1, 0)); /* +11 */
	assert_int_equal(sd_tz_to_utc(&tz, civil(2023, 7, 15, 12, 0)),
			 civil(2023, 7, 15, 1, 30)); /* +10:30 */
}

static void civil_flag(void **state)
{
	(void)state;
	int64_t t;
	bool c;
	assert_int_equal(sd_time_parse_civil("2023-03-29 13:55:06", 19, &t, &c, NULL), 0);
	assert_true(c);
	assert_int_equal(sd_time_parse_civil("2023-03-29T13:55:06Z", 20, &t, &c, NULL),
			 0);
	assert_false(c);
	assert_int_equal(
	    sd_time_parse_civil("2023-03-29T13:55:06+02:00", 25, &t, &c, NULL), 0);
	assert_false(c);
	assert_int_equal(sd_time_parse_civil("1680098106.5", 12, &t, &c, NULL), 0);
	assert_false(c);
}

struct job {
	const char *zone;
	int hour_off; /* expected local - UTC in hours, in March */
	int bad;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	static __thread struct sd_tz tz;
	for (int i = 0; i < 2000; i++) {
		sd_tz_init(&tz, j->zone); /* a fresh cache: every call converts */
		int64_t local = civil(2023, 3, 29, 10, 0) + i * 900;
		if (sd_tz_to_utc(&tz, local) != local - j->hour_off * 3600)
			j->bad++;
	}
	return NULL;
}

static void threads(void **state)
{
	(void)state;
	struct job a = {"Europe/Berlin", 2, 0}, b = {"America/New_York", -4, 0};
	pthread_t ta, tb;
	assert_int_equal(pthread_create(&ta, NULL, worker, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, worker, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.bad, 0);
	assert_int_equal(b.bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(names),	   cmocka_unit_test(offsets),
	    cmocka_unit_test(transitions), cmocka_unit_test(civil_flag),
	    cmocka_unit_test(threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
