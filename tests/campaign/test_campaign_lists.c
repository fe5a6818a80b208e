/* The include and shared keys of campaign definitions, and the bundled
 * definitions themselves. */
#include "testutil.h"

#include "campaign/campaign.h"

static const char *write_conf(const char *name, const char *text)
{
	const char *p = test_tmpfile(name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

static void test_lists(void **state)
{
	(void)state;
	const char *p = write_conf("a.conf", "name = a\n"
					     "indicators = x.csv\n"
					     "include = one, two ,three\n"
					     "include = four\n"
					     "shared = od.lk, 192.0.2.7\n");
	struct campaign_def d;
	struct sd_error e = {0};
	assert_int_equal(campaign_load(p, &d, &e), 0);
	assert_int_equal(d.ninclude, 4);
	assert_string_equal(d.include[1], "two");
	assert_string_equal(d.include[3], "four");
	assert_int_equal(d.nshared, 2);
	assert_string_equal(d.shared[1], "192.0.2.7");
	assert_non_null(strstr(d.indicators[0], "/x.csv"));
	campaign_free(&d);
}

/* a second window_end would silently widen (or move) the window */
static void test_duplicate_key(void **state)
{
	(void)state;
	const char *p = write_conf("dup.conf", "name = d\n"
					       "window_end = 2023-04-30\n"
					       "window_end = 2024-12-31\n");
	struct campaign_def d;
	struct sd_error e = {0};
	assert_int_equal(campaign_load(p, &d, &e), SD_EPARSE);
	assert_non_null(
	    strstr(e.msg, "dup.conf:3: 'window_end' given again (first on line 2)"));
	/* repeatable keys stay repeatable */
	p = write_conf("rep.conf", "name = r\nindicators = a\nindicators = b\n");
	assert_int_equal(campaign_load(p, &d, &e), 0);
	assert_int_equal(d.nindicators, 2);
	campaign_free(&d);
}

/* a line starting with NUL used to read as an empty line */
static void test_nul_line(void **state)
{
	(void)state;
	const char *p = test_tmpfile("nul.conf");
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fwrite("name = n\n\0window_end = 2020-01-01\n", 1, 35, f);
	fclose(f);
	struct campaign_def d;
	struct sd_error e = {0};
	assert_int_equal(campaign_load(p, &d, &e), SD_EPARSE);
	assert_non_null(strstr(e.msg, "nul.conf:2: NUL byte"));
}

/* The auditor's finding 5: window_end = 1682899199 (ten digits) got a day
 * added as if it were a date; only YYYY-MM-DD means the whole day. */
static void test_window_end_epoch(void **state)
{
	(void)state;
	struct campaign_def d;
	struct sd_error e = {0};
	const char *p = write_conf("we.conf", "name = b\nwindow_start = 1672531200\n"
					      "window_end = 1682899199\n");
	assert_int_equal(campaign_load(p, &d, &e), 0);
	assert_int_equal(d.window_end, 1682899199);
	campaign_free(&d);
	p = write_conf("wd.conf", "name = b\nwindow_end = 2023-04-30\n");
	assert_int_equal(campaign_load(p, &d, &e), 0);
	assert_int_equal(d.window_end, 1682899199);
	campaign_free(&d);
	p = write_conf("wt.conf", "name = b\nwindow_end = 2023-04-30T00:00:00Z\n");
	assert_int_equal(campaign_load(p, &d, &e), 0);
	assert_int_equal(d.window_end, 1682812800);
	campaign_free(&d);
}

static void test_list_limit(void **state)
{
	(void)state;
	char text[4096] = "name = b\ninclude = ";
	for (int i = 0; i <= CAMPAIGN_MAX_LIST; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "l%d,", i);
	strcat(text, "\n");
	struct campaign_def d;
	struct sd_error e = {0};
	assert_int_equal(campaign_load(write_conf("b.conf", text), &d, &e), SD_ELIMIT);
	assert_non_null(strstr(e.msg, "CAMPAIGN_MAX_LIST"));
}

static void test_bundled(void **state)
{
	(void)state;
	char dir[8192];
	snprintf(dir, sizeof(dir), "%s/../../data/campaigns", test_data(""));
	struct campaign_def d;
	struct sd_error e = {0};
	assert_int_equal(campaign_find(dir, "3cx-2023", &d, &e), 0);
	assert_int_equal(d.ninclude, 3);
	assert_int_equal(d.nshared, 2);
	assert_int_equal(d.window_start, 1669852800);
	campaign_free(&d);
	assert_int_equal(campaign_find(dir, "gopuram-2023", &d, &e), 0);
	assert_int_equal(d.ninclude, 1);
	assert_string_equal(d.include[0], "gopuram-2023");
	FILE *f = fopen(d.indicators[0], "r");
	assert_non_null(f); /* the file it names is bundled */
	fclose(f);
	campaign_free(&d);
}

/* The auditor's finding 7: --campaigns FILE was loaded whatever -c said,
 * so 3cx-2023's indicators were matched and labelled gopuram-2023. */
static void test_find_file_names_campaign(void **state)
{
	(void)state;
	char path[8192];
	snprintf(path, sizeof(path), "%s/../../data/campaigns/3cx-2023.conf",
		 test_data(""));
	struct campaign_def d;
	struct sd_error e = {0};
	assert_int_equal(campaign_find(path, "gopuram-2023", &d, &e), SD_EUSAGE);
	assert_non_null(
	    strstr(e.msg, "3cx-2023.conf defines campaign '3cx-2023', not 'gopuram-2023'"));
	assert_null(d.name);
	sd_error_clear(&e);
	assert_int_equal(campaign_find(path, "3cx-2023", &d, &e), 0);
	assert_string_equal(d.name, "3cx-2023");
	campaign_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lists),	  cmocka_unit_test(test_list_limit),
	    cmocka_unit_test(test_duplicate_key), cmocka_unit_test(test_nul_line),
	    cmocka_unit_test(test_bundled), cmocka_unit_test(test_window_end_epoch),
	    cmocka_unit_test(test_find_file_names_campaign),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
