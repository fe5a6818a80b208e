/* The JSON string escapers (core/json_str.h, and report/escape.h built on
 * its pieces) against jansson, the library they stand in for, on arbitrary
 * bytes (NUL, control characters, quotes, backslashes, any UTF-8, valid or
 * not):
 *   - sd_json_string_utf8 writes what json_dumps writes for json_stringn
 *     (JSON_ENCODE_ANY), and refuses, appending nothing, exactly the texts
 *     json_stringn refuses;
 *   - report_json_string writes what json_dumps writes with
 *     JSON_ENSURE_ASCII for a valid text;
 *   - sd_json_plain_len, which reads a word at a time, agrees with a byte
 *     at a time at every offset. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_str.h"
#include "report/escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t plain_len_bytewise(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x80 &&
	       s[i] != '"' && s[i] != '\\')
		i++;
	return i;
}

static void same_as_jansson(const char *s, size_t n, size_t flags, const struct sd_buf *b)
{
	json_t *j = json_stringn(s, n);
	if (!j)
		abort();
	char *want = json_dumps(j, JSON_ENCODE_ANY | flags);
	json_decref(j);
	if (!want || b->failed || b->len != strlen(want) || memcmp(b->data, want, b->len))
		abort();
	free(want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	for (size_t i = 0; i <= size; i++)
		if (sd_json_plain_len(s + i, size - i) !=
		    plain_len_bytewise(s + i, size - i))
			abort();
	/* appended after text already there, which a refusal keeps */
	struct sd_buf b = {0};
	sd_buf_put(&b, "x", 1);
	bool ok = sd_json_string_utf8(&b, s, size);
	json_t *j = json_stringn(s, size);
	if (ok != (j != NULL) || b.len < 1 || b.data[0] != 'x' || (!ok && b.len != 1))
		abort();
	json_decref(j);
	if (ok) {
		struct sd_buf v = {
		    .data = b.data + 1, .len = b.len - 1, .cap = b.cap - 1};
		same_as_jansson(s, size, 0, &v);
		struct sd_buf a = {0};
		report_json_string(&a, s, size);
		same_as_jansson(s, size, JSON_ENSURE_ASCII, &a);
		sd_buf_free(&a);
	}
	sd_buf_free(&b);
	return 0;
}
