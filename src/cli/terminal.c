#include "cli/terminal.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

size_t cli_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	/* lower and upper bounds of the second byte exclude overlong forms,
	 * surrogates and code points past U+10FFFF */
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (!cont(s[i]))
			return 0;
	return len;
}

/* Escapes the character at s: out gets its text (at most 8 bytes), the
 * return value is how many input bytes it stands for. */
static size_t escape_one(const unsigned char *s, size_t n, char out[9], size_t *outlen)
{
	size_t l = cli_utf8_len(s, n);
	if (l == 1 && s[0] >= 0x20 && s[0] != 0x7f && s[0] != '\\') {
		out[0] = (char)s[0];
		*outlen = 1;
		return 1;
	}
	bool c1 = l == 2 && s[0] == 0xc2 && s[1] < 0xa0; /* U+0080..U+009F */
	if (l > 1 && !c1) {
		memcpy(out, s, l);
		*outlen = l;
		return l;
	}
	if (c1) {
		snprintf(out, 9, "\\x%02x\\x%02x", s[0], s[1]);
		*outlen = 8;
		return 2;
	}
	snprintf(out, 9, "\\x%02x", s[0]);
	*outlen = 4;
	return 1;
}

void cli_write_escaped(FILE *f, const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	char out[9];
	size_t ol;
	for (size_t i = 0; i < n;) {
		i += escape_one(s + i, n - i, out, &ol);
		fwrite(out, 1, ol, f);
	}
}

size_t cli_escape(char *buf, size_t size, const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	char out[9];
	size_t ol, pos = 0;
	if (!size)
		return 0;
	for (size_t i = 0; i < n;) {
		size_t used = escape_one(s + i, n - i, out, &ol);
		if (pos + ol >= size)
			break;
		memcpy(buf + pos, out, ol);
		pos += ol;
		i += used;
	}
	buf[pos] = '\0';
	return pos;
}
