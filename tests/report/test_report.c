/* report/report: the JSON documents the server's page and bulk answers are
 * built from show a snapshot string that is not UTF-8 (a source named by a
 * file whose name is not text) as the renderers do, never leave it out. */
#include "testutil.h"

#include "core/buf.h"
#include "report/escape.h"
#include "report/report.h"

/* The string the renderer's JSON for s decodes to. */
static json_t *rendered(const char *s)
{
	struct sd_buf b = {0};
	report_json_string(&b, s, strlen(s));
	sd_buf_putc(&b, '\0');
	assert_false(b.failed);
	json_error_t e;
	json_t *j = json_loads(b.data, JSON_DECODE_ANY, &e);
	assert_non_null(j);
	free(b.data);
	return j;
}

static void test_same_text_as_renderer(void **state)
{
	(void)state;
	static const char *const cases[] = {
	    "plain.txt",
	    "caf\xc3\xa9.txt",
	    "l\xe9.txt",
	    "\xff\xfe",
	    "cut \xe2\x82",
	    "\xc0\xaf overlong",
	    "\xed\xa0\x80 surrogate",
	    "\xf4\x90\x80\x80 past",
	    "\x80 stray",
	    "mixed \xe2\x82\xac \xe2 end",
	    "",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *got = report_text(cases[i]);
		assert_non_null(got);
		json_t *want = rendered(cases[i]);
		assert_string_equal(json_string_value(got), json_string_value(want));
		json_decref(got);
		json_decref(want);
	}
	json_t *fffd = report_text("l\xe9.txt");
	assert_string_equal(json_string_value(fffd), "l\xef\xbf\xbd.txt");
	json_decref(fffd);
	assert_null(report_text(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_text_as_renderer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
