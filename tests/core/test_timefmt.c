/* sd_time_format, which formats a time from 1970 to 9999 by itself, is
 * gmtime_r + strftime (what it used before, and still uses outside that
 * range) byte for byte. */
#include "testutil.h"

#include <time.h>

#include "core/timeutil.h"

/* The reference: what sd_time_format wrote before it had a fast path. */
static size_t with_libc(int64_t t, char *buf, size_t size)
{
	if (size == 0)
		return 0;
	time_t tt = (time_t)t;
	struct tm tm;
	if (t == 0 || !gmtime_r(&tt, &tm)) {
		buf[0] = '\0';
		return 0;
	}
	size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (n == 0)
		buf[0] = '\0';
	return n;
}

static void same(int64_t t, size_t size)
{
	char got[64], want[64];
	memset(got, 'x', sizeof(got));
	memset(want, 'x', sizeof(want));
	size_t n = sd_time_format(t, got, size);
	size_t m = with_libc(t, want, size);
	if (n != m || (size && strcmp(got, want)))
		fail_msg("time %lld size %zu: got %zu '%s', want %zu '%s'", (long long)t,
			 size, n, size ? got : "", m, size ? want : "");
}

/* every day a stored (32-bit) time reaches, at several times of day */
static void test_every_day(void **state)
{
	(void)state;
	static const uint32_t offs[] = {0, 1, 59, 60, 3599, 3600, 43261, 86399};
	for (uint64_t day = 0; day <= UINT32_MAX / 86400 + 1; day++)
		for (size_t k = 0; k < sizeof(offs) / sizeof(*offs); k++)
			same((int64_t)(day * 86400 + offs[k]), SD_TIME_STRLEN);
	same(UINT32_MAX, SD_TIME_STRLEN);
	same(1, SD_TIME_STRLEN);
}

/* up to year 9999 and past it, before 1970, and buffers too small */
static void test_edges(void **state)
{
	(void)state;
	const int64_t last = INT64_C(253402300799); /* 9999-12-31T23:59:59Z */
	const int64_t ts[] = {0,
			      1,
			      -1,
			      -86400,
			      -62135596800,
			      INT64_C(4102444800),
			      last - 86400,
			      last - 1,
			      last,
			      last + 1,
			      last + 86400,
			      INT64_C(1) << 39,
			      INT64_C(1) << 40};
	for (size_t i = 0; i < sizeof(ts) / sizeof(*ts); i++)
		for (size_t size = 0; size <= 24; size++)
			same(ts[i], size);
	/* the leap days and centuries of the whole range, one day in 7 */
	for (int64_t t = 86400 * 7 + 12345; t <= last; t += 7 * 86400 + 1)
		same(t, SD_TIME_STRLEN);
	char buf[SD_TIME_STRLEN];
	assert_int_equal(sd_time_format(1680098106, buf, sizeof(buf)), 20);
	assert_string_equal(buf, "2023-03-29T13:55:06Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_day),
	    cmocka_unit_test(test_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
