#include "cli/terminal.h"

#include <stdbool.h>

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

void cli_write_escaped(FILE *f, const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	for (size_t i = 0; i < n;) {
		size_t l = cli_utf8_len(s + i, n - i);
		bool c1 = l == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0; /* U+0080..9F */
		if (l == 1 && s[i] >= 0x20 && s[i] != 0x7f && s[i] != '\\') {
			fputc(s[i], f);
		} else if (l > 1 && !c1) {
			fwrite(s + i, 1, l, f);
			i += l;
			continue;
		} else if (l == 2) { /* a C1 control: both bytes shown */
			fprintf(f, "\\x%02x\\x%02x", s[i], s[i + 1]);
			i += 2;
			continue;
		} else {
			fprintf(f, "\\x%02x", s[i]);
		}
		i++;
	}
}
