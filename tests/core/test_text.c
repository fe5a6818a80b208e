/* Text helpers: time parsing, CSV splitting, refanging. */
#include "testutil.h"

#include "core/csv.h"
#include "core/error.h"
#include "core/refang.h"
#include "core/timeutil.h"

static int64_t T(const char *s)
{
	int64_t t;
	const char *why;
	if (sd_time_parse(s, strlen(s), &t, &why))
		fail_msg("'%s': %s", s, why);
	return t;
}

static void test_time_forms(void **state)
{
	(void)state;
	assert_int_equal(T("1680000000"), 1680000000);
	assert_int_equal(T("1680000000.123456"), 1680000000);
	assert_int_equal(T("2023-03-29"), 1680048000);
	assert_int_equal(T("2023-03-29T13:55:06Z"), 1680098106);
	assert_int_equal(T("2023-03-29 13:55:06"), 1680098106);
	assert_int_equal(T("2023-03-29T13:55:06.615923Z"), 1680098106);
	assert_int_equal(T("2023-03-29T15:55:06+02:00"), 1680098106);
	assert_int_equal(T("2023-03-29T09:55:06-0400"), 1680098106);
	assert_int_equal(T("2023-03-29T14:55:06+01"), 1680098106);
	assert_int_equal(T("2023-03-16T00:00:00.000000+00:00"), 1678924800);
	assert_int_equal(T("2024-02-29T00:00:00Z"), 1709164800);
	assert_int_equal(T("1970-01-01T00:00:00Z"), 0);
	char buf[SD_TIME_STRLEN];
	sd_time_format(1680098106, buf, sizeof(buf));
	assert_string_equal(buf, "2023-03-29T13:55:06Z");
	sd_time_format(0, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void test_time_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {"",
					  "x",
					  "2023-13-01",
					  "2023-02-29",
					  "2023-04-31",
					  "2023-03-29T25:00:00Z",
					  "2023-03-29Tx",
					  "2023-03-29T10:00:00+25:00",
					  "2023-03-29T10:00:00Zjunk",
					  "12ab",
					  "1.",
					  "99999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t t;
		const char *why = NULL;
		if (sd_time_parse(bad[i], strlen(bad[i]), &t, &why) == 0)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(why);
	}
	uint32_t t32;
	const char *why;
	assert_int_equal(sd_time_parse32("2200-01-01", 10, &t32, &why), SD_ERANGE);
	assert_int_equal(sd_time_parse32("0", 1, &t32, &why), SD_ERANGE);
}

static void test_csv(void **state)
{
	(void)state;
	char line[] = "a, \"b,c\" ,\"d\"\"e\",,f";
	struct sd_field f[8];
	const char *why;
	long n = sd_csv_split(line, strlen(line), ',', f, 8, &why);
	assert_int_equal(n, 5);
	assert_int_equal(f[0].len, 1);
	assert_memory_equal(f[1].s, "b,c", 3);
	assert_memory_equal(f[2].s, "d\"e", 3);
	assert_int_equal(f[3].len, 0);
	assert_memory_equal(f[4].s, "f", 1);
	char bad1[] = "a,\"open";
	assert_int_equal(sd_csv_split(bad1, strlen(bad1), ',', f, 8, &why), SD_EPARSE);
	assert_non_null(strstr(why, "unterminated"));
	char bad2[] = "\"x\"y,z";
	assert_int_equal(sd_csv_split(bad2, strlen(bad2), ',', f, 8, &why), SD_EPARSE);
	char many[] = "1,2,3,4,5";
	assert_int_equal(sd_csv_split(many, strlen(many), ',', f, 2, &why), 5);
	char empty[] = "";
	assert_int_equal(sd_csv_split(empty, 0, ',', f, 8, &why), 1);
	struct sd_field t = {"  x \t", 5};
	sd_field_trim(&t);
	assert_int_equal(t.len, 1);
}

/* The header resolver: each way of matching, and first or last cell. */
static void test_csv_columns(void **state)
{
	(void)state;
	static const struct sd_csv_name names[] = {
	    {"ip", 0}, {"address", 0}, {"ts", 1}, {"kind", 2}};
	char line[] = "Address, ip ,ts,TS,ip";
	struct sd_field f[8];
	const char *why;
	long n = sd_csv_split(line, strlen(line), ',', f, 8, &why);
	assert_int_equal(n, 5);
	int pos[3];
	/* exact: " ip " and "Address" are not names, the first "ts" wins */
	sd_csv_columns(f, (size_t)n, names, 4, 0, pos, 3);
	assert_int_equal(pos[0], 4);
	assert_int_equal(pos[1], 2);
	assert_int_equal(pos[2], -1);
	/* trimmed and ignoring case: the first cell of either name */
	sd_csv_columns(f, (size_t)n, names, 4, SD_CSV_TRIM | SD_CSV_NOCASE, pos, 3);
	assert_int_equal(pos[0], 0);
	assert_int_equal(pos[1], 2);
	assert_int_equal(f[1].len, 2); /* the cells stay trimmed */
	/* the last cell wins */
	sd_csv_columns(f, (size_t)n, names, 4, SD_CSV_NOCASE | SD_CSV_LAST, pos, 3);
	assert_int_equal(pos[0], 4);
	assert_int_equal(pos[1], 3);
	assert_int_equal(pos[2], -1);
}

static void refang_is(const char *in, const char *want)
{
	char buf[256];
	long n = sd_refang(in, strlen(in), buf, sizeof(buf));
	assert_true(n >= 0);
	assert_string_equal(buf, want);
}

static void test_refang(void **state)
{
	(void)state;
	refang_is("203.0.113[.]7", "203.0.113.7");
	refang_is("198(.)51(.)100(.)1", "198.51.100.1");
	refang_is("evil{.}example[dot]com", "evil.example.com");
	refang_is("hxxps[:]//raw.githubusercontent[.]com/a",
		  "https://raw.githubusercontent.com/a");
	refang_is("hXXp://x[.]y", "http://x.y");
	refang_is("2001:db8[:]:1", "2001:db8::1");
	refang_is("user[@]example[.]com", "user@example.com");
	/* a word inside a token is not a scheme */
	refang_is("shxxp.example", "shxxp.example");
	char small[4];
	assert_true(sd_refang("192.0.2.1", 9, small, sizeof(small)) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_time_forms), cmocka_unit_test(test_time_rejects),
	    cmocka_unit_test(test_csv),	       cmocka_unit_test(test_csv_columns),
	    cmocka_unit_test(test_refang),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
