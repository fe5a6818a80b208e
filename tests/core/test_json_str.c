/* core/json_str.h against the escaper the --sightings writer had before it
 * (byte at a time, after a separate UTF-8 pass: kept here as the
 * reference) and against jansson's json_dumps; report_json_string, built on
 * the same pieces, against JSON_ENSURE_ASCII. Every string of one and two
 * bytes, samples of the strange texts sightings carry (file names that are
 * not UTF-8, control characters, quotes, backslashes, U+2028, 4-byte
 * sequences) and pseudo-random strings across the word boundaries. */
#include "testutil.h"

#include <jansson.h>

#include "core/json_str.h"
#include "core/utf8.h"
#include "report/escape.h"

/* The --sightings escaper before core/json_str.h (correlate/jsonl.c). */
static bool old_json_string(struct sd_buf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0; i < n;) {
		size_t l = sd_utf8_len(s + i, n - i);
		if (!l)
			return false;
		i += l;
	}
	sd_buf_putc(b, '"');
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sd_buf_put(b, s + run, i - run);
		run = i + 1;
		char esc[8];
		const char *t = NULL;
		switch (c) {
		case '"':
			t = "\\\"";
			break;
		case '\\':
			t = "\\\\";
			break;
		case '\b':
			t = "\\b";
			break;
		case '\f':
			t = "\\f";
			break;
		case '\n':
			t = "\\n";
			break;
		case '\r':
			t = "\\r";
			break;
		case '\t':
			t = "\\t";
			break;
		default: {
			static const char hex[] = "0123456789ABCDEF";
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			esc[6] = '\0';
			t = esc;
		}
		}
		sd_buf_puts(b, t);
	}
	sd_buf_put(b, s + run, n - run);
	sd_buf_putc(b, '"');
	return true;
}

static char *dumps(const char *s, size_t n, size_t flags)
{
	json_t *j = json_stringn(s, n);
	if (!j)
		return NULL;
	char *out = json_dumps(j, JSON_ENCODE_ANY | flags);
	json_decref(j);
	return out;
}

static void same_bytes(const struct sd_buf *b, const char *want, const char *what,
		       const char *s, size_t n)
{
	if (b->len != strlen(want) || memcmp(b->data, want, b->len))
		fail_msg("%s differs on %zu bytes starting %02x: got '%.*s', want '%s'",
			 what, n, n ? (unsigned char)s[0] : 0, (int)b->len, b->data,
			 want);
}

static void check(const char *s, size_t n)
{
	for (size_t i = 0; i <= n; i++) {
		size_t k = 0;
		while (i + k < n && (unsigned char)s[i + k] >= 0x20 &&
		       (unsigned char)s[i + k] < 0x80 && s[i + k] != '"' &&
		       s[i + k] != '\\')
			k++;
		if (sd_json_plain_len(s + i, n - i) != k)
			fail_msg("sd_json_plain_len at %zu of %zu", i, n);
	}
	struct sd_buf got = {0}, old = {0}, ascii = {0};
	sd_buf_put(&got, "[", 1); /* a refusal keeps what was there */
	bool ok = sd_json_string_utf8(&got, s, n);
	bool old_ok = old_json_string(&old, s, n);
	assert_int_equal(ok, old_ok);
	char *want = dumps(s, n, 0);
	assert_int_equal(ok, want != NULL);
	if (!ok) {
		assert_int_equal(got.len, 1);
	} else {
		struct sd_buf body = {.data = got.data + 1, .len = got.len - 1};
		same_bytes(&body, want, "sd_json_string_utf8 vs jansson", s, n);
		same_bytes(&old, want, "the old escaper vs jansson", s, n);
		free(want);
		report_json_string(&ascii, s, n);
		want = dumps(s, n, JSON_ENSURE_ASCII);
		same_bytes(&ascii, want, "report_json_string vs JSON_ENSURE_ASCII", s, n);
	}
	free(want);
	sd_buf_free(&got);
	sd_buf_free(&old);
	sd_buf_free(&ascii);
}

static void test_short_strings(void **state)
{
	(void)state;
	check("", 0);
	for (unsigned a = 0; a < 256; a++) {
		char s[2] = {(char)a};
		check(s, 1);
		for (unsigned b = 0; b < 256; b++) {
			s[1] = (char)b;
			check(s, 2);
		}
	}
}

static void test_samples(void **state)
{
	(void)state;
	static const char *const samples[] = {
	    "conn-\xe9.log",		     /* Latin-1 file name: refused */
	    "camp \"quoted\" \\back\\slash", /* */
	    "ctrl\x01\x1f\x7f tab\there\r\n\b\f",
	    "line\xe2\x80\xa8sep \xe2\x80\xa9 and emoji \xf0\x9f\x98\x80 caf\xc3\xa9",
	    "http://evil.example/a\"b\\c/\xc3\xa9\xf0\x9f\x98\x80",
	    "cut \xe2\x82",	      /* cut short */
	    "\xed\xa0\x80 surrogate", /* */
	    "\xc0\xaf overlong",
	    "\xf4\x90\x80\x80 past U+10FFFF",
	    "\xf4\x8f\xbf\xbf last code point",
	    "0123456\"89abcdef\\0123456\x80",
	    "exactly8",
	    "sixteen bytes!!!",
	    "198.51.100.2",
	    "2023-03-28T10:44:57Z",
	};
	for (size_t i = 0; i < sizeof(samples) / sizeof(*samples); i++)
		check(samples[i], strlen(samples[i]));
	check("nul\0inside", 10);
}

static void test_random(void **state)
{
	(void)state;
	/* the valid pieces first, then two that are not UTF-8 */
	static const char *const pieces[] = {"a",
					     "\"",
					     "\\",
					     "\x01",
					     "\xc3\xa9",
					     "\xe2\x80\xa8",
					     "\xf0\x9f\x98\x80",
					     "\x7f",
					     " ",
					     "abcdefgh",
					     "\xff",
					     "\xe2\x82"};
	uint64_t x = 18;
	for (int round = 0; round < 20000; round++) {
		char s[300];
		size_t n = 0;
		x = x * 6364136223846793005u + 1442695040888963407u;
		size_t count = (size_t)(x >> 59) + 1;
		for (size_t k = 0; k < count; k++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			/* mostly valid text: a bad piece possible in one string of 4 */
			const char *piece =
			    pieces[(size_t)(x >> 33) % (round % 4 ? 10 : 12)];
			size_t l = strlen(piece);
			memcpy(s + n, piece, l);
			n += l;
		}
		check(s, n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_short_strings),
	    cmocka_unit_test(test_samples),
	    cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
