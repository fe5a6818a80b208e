#include "core/json_str.h"

#include <stdint.h>
#include <string.h>

#include "core/utf8.h"

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* The high bit of a byte of the result is set for each byte of x that is
 * below 0x20, ", \ or past 0x7F, and possibly for bytes above (later in
 * memory) such a byte: a borrow only runs upwards from a byte that is one.
 * So whether any is set, and the lowest set, are exact. */
static inline uint64_t needs_care(uint64_t x)
{
	return (x | (x - 0x20 * ONES) | ((x ^ ('"' * ONES)) - ONES) |
		((x ^ ('\\' * ONES)) - ONES)) &
	       HIGHS;
}

static inline bool plain_byte(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

size_t sd_json_plain_len(const char *s, size_t n)
{
	size_t i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, s + i, 8);
		uint64_t m = needs_care(x);
		if (m)
			return i + (size_t)__builtin_ctzll(m) / 8;
	}
#endif
	while (i < n && plain_byte((unsigned char)s[i]))
		i++;
	return i;
}

size_t sd_json_escape_ascii(unsigned char c, char out[6])
{
	static const char hex[] = "0123456789ABCDEF";
	char e = 0;
	switch (c) {
	case '"':
		e = '"';
		break;
	case '\\':
		e = '\\';
		break;
	case '\b':
		e = 'b';
		break;
	case '\f':
		e = 'f';
		break;
	case '\n':
		e = 'n';
		break;
	case '\r':
		e = 'r';
		break;
	case '\t':
		e = 't';
		break;
	default:
		break;
	}
	out[0] = '\\';
	if (e) {
		out[1] = e;
		return 2;
	}
	memcpy(out + 1, "u00", 3);
	out[4] = hex[c >> 4];
	out[5] = hex[c & 15];
	return 6;
}

bool sd_json_string_utf8(struct sd_buf *b, const char *str, size_t n)
{
	size_t mark = b->len, i = sd_json_plain_len(str, n);
	if (i == n) { /* the common case: one copy */
		char *w = sd_buf_room(b, n + 2);
		if (!w)
			return true; /* failed: sticky, reported at the flush */
		w[0] = '"';
		memcpy(w + 1, str, n);
		w[n + 1] = '"';
		sd_buf_end_at(b, w + n + 2);
		return true;
	}
	const unsigned char *s = (const unsigned char *)str;
	sd_buf_putc(b, '"');
	size_t run = 0; /* start of the bytes not yet copied */
	while (i < n) {
		unsigned c = s[i];
		if (c >= 0x80) { /* kept as it is when valid */
			size_t l = sd_utf8_len(s + i, n - i);
			if (!l) {
				if (!b->failed)
					b->len = mark;
				return false;
			}
			i += l;
		} else {
			char esc[6];
			sd_buf_put(b, s + run, i - run);
			sd_buf_put(b, esc, sd_json_escape_ascii((unsigned char)c, esc));
			run = ++i;
		}
		i += sd_json_plain_len(str + i, n - i);
	}
	sd_buf_put(b, s + run, n - run);
	sd_buf_putc(b, '"');
	return true;
}
