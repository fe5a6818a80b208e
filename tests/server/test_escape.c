/* HTML escaping and templates: nothing from a client or a snapshot can
 * become markup, and invalid UTF-8 never reaches a page. */
#include "testutil.h"

#include "server/escape.h"

/* The escaped text and its length: a NUL let through must be seen, so
 * every check covers the whole length, never up to the first NUL. */
static char *esc_n(const char *s, size_t n, size_t *len)
{
	struct srv_buf b = {0};
	srv_buf_html(&b, s, n);
	char *r = srv_buf_take(&b, len);
	assert_non_null(r);
	return r;
}

static char *esc(const char *s, size_t n)
{
	size_t len;
	char *r = esc_n(s, n, &len);
	assert_int_equal(strlen(r), len); /* no NUL inside */
	return r;
}

static void test_markup_escaped(void **state)
{
	(void)state;
	char *s = esc("<a href=\"x\" onclick='y'>&</a>", 29);
	assert_string_equal(
	    s, "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
	free(s);
}

static void test_utf8_kept_invalid_replaced(void **state)
{
	(void)state;
	char *s = esc("caf\xc3\xa9 \xe2\x82\xac", 9); /* café € */
	assert_string_equal(s, "caf\xc3\xa9 \xe2\x82\xac");
	free(s);
	/* a lone continuation byte, an overlong '<', a surrogate, a NUL, ESC:
	 * each byte becomes U+FFFD, and no NUL, ESC or '<' is anywhere in the
	 * whole output (memchr over its length: strchr would stop at a NUL
	 * that was let through) */
	size_t len;
	s = esc_n("\x80|\xc0\xbc|\xed\xa0\x80|\0|\x1b", 12, &len);
	static const char want[] = "\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|"
				   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
				   "\xef\xbf\xbd|\xef\xbf\xbd";
	assert_int_equal(len, sizeof(want) - 1);
	assert_memory_equal(s, want, len);
	assert_null(memchr(s, '\0', len));
	assert_null(memchr(s, 0x1b, len));
	assert_null(memchr(s, '<', len));
	free(s);
	/* every C0 control but tab and newline (kept: they are text) and
	 * DEL, one at a time, each replaced */
	for (int c = 0; c < 0x20; c++) {
		char in[3] = {'a', (char)c, 'b'};
		s = esc_n(in, 3, &len);
		if (c == '\t' || c == '\n') {
			assert_int_equal(len, 3);
			assert_memory_equal(s, in, 3);
			free(s);
			continue;
		}
		assert_int_equal(len, 5);
		assert_memory_equal(s,
				    "a\xef\xbf\xbd"
				    "b",
				    5);
		free(s);
	}
	s = esc_n("a\x7f"
		  "b",
		  3, &len);
	assert_int_equal(len, 5);
	assert_memory_equal(s,
			    "a\xef\xbf\xbd"
			    "b",
			    5);
	free(s);
	/* truncated sequence at the end */
	s = esc("ok\xe2\x82", 4);
	assert_string_equal(s, "ok\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
}

static void fill(struct srv_buf *out, const char *name, size_t n, void *ctx)
{
	(void)ctx;
	if (n == 4 && !memcmp(name, "name", 4))
		srv_buf_html(out, "<b>", 3);
}

static void test_template(void **state)
{
	(void)state;
	static const char tpl[] = "a {{name}} b {{unknown}} c {{name";
	struct srv_buf b = {0};
	srv_template(&b, tpl, sizeof(tpl) - 1, fill, NULL);
	char *s = srv_buf_take(&b, NULL);
	assert_string_equal(s, "a &lt;b&gt; b  c {{name");
	free(s);
}

static void test_buf_grows(void **state)
{
	(void)state;
	struct srv_buf b = {0};
	for (int i = 0; i < 10000; i++)
		srv_buf_printf(&b, "%05d", i);
	size_t len;
	char *s = srv_buf_take(&b, &len);
	assert_int_equal(len, 50000);
	assert_memory_equal(s + 49995, "09999", 5);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_markup_escaped),
	    cmocka_unit_test(test_utf8_kept_invalid_replaced),
	    cmocka_unit_test(test_template),
	    cmocka_unit_test(test_buf_grows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
