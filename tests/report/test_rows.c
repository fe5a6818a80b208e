/* report/rows: the stream writers give the same bytes as render.c's buffer
 * writers (one escaping implementation), and those bytes are the escaped
 * forms: a formula-leading CSV field defused, invalid UTF-8 replaced,
 * control bytes and quotes escaped. */
#include "testutil.h"

#include "core/buf.h"
#include "report/render.h"
#include "report/rows.h"

/* What fn wrote to a memory stream, NUL-terminated (caller frees). */
static char *via_stream(void (*fn)(FILE *, const char *), const char *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	assert_non_null(fp);
	fn(fp, s);
	assert_int_equal(fclose(fp), 0);
	return text;
}

static char *via_buf(void (*fn)(struct sd_buf *, const char *, size_t), const char *s)
{
	struct sd_buf b = {0};
	fn(&b, s, strlen(s));
	sd_buf_putc(&b, '\0');
	assert_false(b.failed);
	return b.data;
}

static const char *const samples[] = {
    "plain",
    "=HYPERLINK(\"http://x\")",
    "+1",
    "-2",
    "@SUM(A1)",
    "a,b",
    "say \"hi\"",
    "line\r\nbreak",
    "\x01\x08\x0c\x1f\x7f tab\t",
    "\x80 lone \xe2\x82 cut \xc0\xaf overlong \xed\xa0\x80 surrogate",
    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
    "",
};

static void test_same_bytes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(*samples); i++) {
		char *a = via_stream(report_csv_field_fp, samples[i]);
		char *b = via_buf(report_csv_field, samples[i]);
		assert_string_equal(a, b);
		free(a);
		free(b);
		a = via_stream(report_json_string_fp, samples[i]);
		b = via_buf(report_json_string, samples[i]);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
}

static void test_long_field(void **state)
{
	(void)state;
	/* longer than a piece: the same bytes as the buffer writers */
	char s[4000];
	for (size_t i = 0; i < sizeof(s) - 1; i++)
		s[i] = i % 7 == 0 ? '"' : i % 11 == 0 ? '\x80' : 'a';
	s[0] = '=';
	s[sizeof(s) - 1] = '\0';
	char *a = via_stream(report_csv_field_fp, s), *b = via_buf(report_csv_field, s);
	assert_string_equal(a, b);
	free(a);
	free(b);
	a = via_stream(report_json_string_fp, s);
	b = via_buf(report_json_string, s);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

/* Long text of every kind of UTF-8 (valid 2, 3 and 4 byte sequences,
 * stray continuation bytes, cut sequences) at every offset against the
 * pieces the stream writer cuts: the same bytes as escaping it whole. */
static void test_long_utf8_pieces(void **state)
{
	(void)state;
	static const char *const bits[] = {"\xc3\xa9",
					   "\xe2\x82\xac",
					   "\xf0\x9f\x98\x80",
					   "\x80\x80\x80\x80\x80",
					   "\xe2\x82",
					   "a",
					   "\"",
					   ","};
	for (unsigned seed = 0; seed < 64; seed++) {
		char s[1200];
		size_t n = 0;
		for (unsigned i = seed; n < sizeof(s) - 8; i = i * 1103515245u + 12345u) {
			const char *b = bits[(i >> 16) % 8];
			memcpy(s + n, b, strlen(b));
			n += strlen(b);
		}
		s[n] = '\0';
		char *a = via_stream(report_json_string_fp, s + seed % 5);
		char *b = via_buf(report_json_string, s + seed % 5);
		assert_string_equal(a, b);
		free(a);
		free(b);
		a = via_stream(report_csv_field_fp, s + seed % 5);
		b = via_buf(report_csv_field, s + seed % 5);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
}

static void test_escaped_forms(void **state)
{
	(void)state;
	struct {
		void (*fn)(FILE *, const char *);
		const char *in, *want;
	} cases[] = {
	    {report_csv_field_fp, "=1+2", "\"'=1+2\""},
	    {report_csv_field_fp, "@x", "\"'@x\""},
	    {report_csv_field_fp, "-x,y", "\"'-x,y\""},
	    {report_csv_field_fp, "say \"hi\"", "\"say \"\"hi\"\"\""},
	    {report_csv_field_fp, "a\nb", "\"a\nb\""},
	    {report_csv_field_fp, "x=1", "x=1"},
	    {report_json_string_fp, "a\"b\\c", "\"a\\\"b\\\\c\""},
	    {report_json_string_fp, "\x01\n\t", "\"\\u0001\\n\\t\""},
	    {report_json_string_fp, "\x80z\xe2\x82", "\"\\uFFFDz\\uFFFD\\uFFFD\""},
	    {report_json_string_fp, "\xc3\xa9", "\"\\u00E9\""},
	    {report_json_string_fp, "\xf0\x9f\x98\x80", "\"\\uD83D\\uDE00\""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *got = via_stream(cases[i].fn, cases[i].in);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_bytes),
	    cmocka_unit_test(test_long_field),
	    cmocka_unit_test(test_escaped_forms),
	    cmocka_unit_test(test_long_utf8_pieces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
