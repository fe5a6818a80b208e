/* The import pipeline: campaign windows, date defaults, the duplicate key,
 * --strict and --max-errors, the snapshot it writes. */
#include "testutil.h"

#include <string.h>

#include "db/db.h"
#include "lists/import.h"

struct seen {
	int bad, warnings;
	char last[512];
};

static void on_bad(void *ctx, const char *msg)
{
	struct seen *s = ctx;
	s->bad++;
	snprintf(s->last, sizeof(s->last), "%s", msg);
}

static void on_warn(void *ctx, const char *msg)
{
	struct seen *s = ctx;
	s->warnings++;
	snprintf(s->last, sizeof(s->last), "%s", msg);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static struct list_reader *open_list(const char *name, const char *text)
{
	const char *p = test_tmpfile(name);
	write_file(p, text);
	struct io_source *src;
	struct list_reader *r;
	struct sd_error err = {0};
	if (io_open(p, &src, &err) || list_open(src, LIST_AUTO, 0, &r, &err))
		fail_msg("%s", err.msg);
	return r;
}

static struct list_import_opts opts(struct seen *s)
{
	write_file(test_tmpfile("w.conf"), "name = w\nwindow_start = 2023-01-01\n"
					   "window_end = 2023-01-31\n");
	return (struct list_import_opts){
	    .campaign_dir = test_tmpdir(),
	    .max_errors = UINT64_MAX,
	    .bad_line = on_bad,
	    .warning = on_warn,
	    .ctx = s,
	};
}

static void test_rules(void **state)
{
	(void)state;
	struct seen s = {0};
	struct list_import_opts o = opts(&s);
	o.first_seen = 1673740800; /* 2023-01-15, for lines without dates */
	struct list_import *im;
	struct sd_error err = {0};
	assert_int_equal(list_import_new(&o, &im, &err), 0);
	struct list_reader *r =
	    open_list("a.csv", "ip,campaign,first_seen,last_seen\n"
			       "192.0.2.1,w,,\n" /* defaults: inside */
			       "192.0.2.1,w,2023-01-02,2023-01-03\n" /* same key */
			       "192.0.2.1,other,,\n" /* other key, warned */
			       "192.0.2.2,w,2023-03-01,2023-03-02\n" /* after window */
			       "192.0.2.3,w,2023-01-05,2023-01-04\n" /* last < first */
			       "192.0.2.4,,,\n");		     /* no campaign */
	struct list_import_stats fs;
	assert_int_equal(list_import_file(im, r, "src", &fs, &err), 0);
	assert_int_equal(fs.accepted, 2);
	assert_int_equal(fs.duplicate, 1);
	assert_int_equal(fs.rejected, 3);
	assert_int_equal(fs.no_campaign, 1);
	assert_int_equal(s.bad, 3);
	assert_int_equal(s.warnings, 1);
	assert_non_null(strstr(s.last, "no campaign"));
	list_close(r);
	const char *out = test_tmpfile("a.sdb");
	assert_int_equal(list_import_write(im, out, 1, &err), 0);
	list_import_free(im);
	struct db *db;
	assert_int_equal(db_open(out, &db, &err), 0);
	db_close(db);
}

static void test_window_message(void **state)
{
	(void)state;
	struct seen s = {0};
	struct list_import_opts o = opts(&s);
	o.campaign = "w";
	struct list_import *im;
	struct sd_error err = {0};
	assert_int_equal(list_import_new(&o, &im, &err), 0);
	struct list_reader *r =
	    open_list("b.csv", "ip,last_seen\n192.0.2.9,2022-12-31\n");
	struct list_import_stats fs;
	assert_int_equal(list_import_file(im, r, "src", &fs, &err), 0);
	assert_int_equal(fs.rejected, 1);
	assert_non_null(strstr(s.last, "b.csv:2: dated outside the window of "
				       "campaign 'w'"));
	list_close(r);
	list_import_free(im);
}

static void test_stops(void **state)
{
	(void)state;
	struct seen s = {0};
	struct list_import_opts o = opts(&s);
	o.campaign = "w";
	o.max_errors = 1;
	o.quiet = true;
	struct list_import *im;
	struct sd_error err = {0};
	assert_int_equal(list_import_new(&o, &im, &err), 0);
	const char *text = "192.0.2.1\nnot-an-address\n192.0.2.2\n";
	struct list_reader *r = open_list("c.txt", text);
	struct list_import_stats fs;
	/* one bad line is tolerated, and quiet keeps it unreported */
	assert_int_equal(list_import_file(im, r, "src", &fs, &err), 0);
	assert_int_equal(fs.rejected, 1);
	assert_int_equal(s.bad, 0);
	list_close(r);
	/* the limit counts over the files of one import */
	r = open_list("d.txt", text);
	assert_int_equal(list_import_file(im, r, "src", &fs, &err), SD_EPARSE);
	assert_non_null(strstr(err.msg, "more than 1 bad lines (--max-errors)"));
	assert_int_equal(fs.accepted, 0);
	assert_int_equal(fs.duplicate, 1);
	list_close(r);
	list_import_free(im);

	o.strict = true;
	o.max_errors = UINT64_MAX;
	assert_int_equal(list_import_new(&o, &im, &err), 0);
	r = open_list("e.txt", text);
	assert_int_equal(list_import_file(im, r, "src", &fs, &err), SD_EPARSE);
	assert_non_null(strstr(err.msg, "--strict"));
	assert_int_equal(s.bad, 1); /* strict reports even when quiet */
	list_close(r);
	list_import_free(im);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rules),
	    cmocka_unit_test(test_window_message),
	    cmocka_unit_test(test_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
