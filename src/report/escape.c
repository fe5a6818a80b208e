/* Escaping untrusted text for the output formats: JSON strings exactly as
 * jansson's JSON_ENSURE_ASCII writes them (the ASCII part escaped as
 * core/json_str.h does it), and CSV fields defused for spreadsheets. */
#include "report/escape.h"

#include <stdbool.h>
#include <stdint.h>

#include "core/json_str.h"
#include "core/utf8.h"

static const char hexdig[] = "0123456789ABCDEF";

static void json_u16(struct sd_buf *out, unsigned v)
{
	char e[6] = {'\\',
		     'u',
		     hexdig[v >> 12 & 15],
		     hexdig[v >> 8 & 15],
		     hexdig[v >> 4 & 15],
		     hexdig[v & 15]};
	sd_buf_put(out, e, sizeof(e));
}

size_t report_json_step(const char *s, size_t n)
{
	size_t len = n ? sd_utf8_len((const unsigned char *)s, n) : 0;
	return len ? len : n ? 1 : 0;
}

void report_json_string(struct sd_buf *out, const char *str, size_t n)
{
	sd_buf_putc(out, '"');
	report_json_body(out, str, n);
	sd_buf_putc(out, '"');
}

void report_json_body(struct sd_buf *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + n;
	while (s < end) {
		size_t run = sd_json_plain_len((const char *)s, (size_t)(end - s));
		sd_buf_put(out, s, run);
		s += run;
		if (s == end)
			break;
		unsigned c = *s;
		if (c < 0x80) {
			char esc[6];
			sd_buf_put(out, esc, sd_json_escape_ascii((unsigned char)c, esc));
			s++;
			continue;
		}
		uint32_t cp;
		size_t len = sd_utf8_decode(s, (size_t)(end - s), &cp);
		if (!len) {
			json_u16(out, 0xfffd);
			s++;
			continue;
		}
		if (cp < 0x10000) {
			json_u16(out, cp);
		} else {
			cp -= 0x10000;
			json_u16(out, 0xd800 | (cp >> 10));
			json_u16(out, 0xdc00 | (cp & 0x3ff));
		}
		s += len;
	}
}

bool report_csv_formula(const char *s, size_t n)
{
	return n && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@');
}

bool report_csv_special(const char *s, size_t n)
{
	/* a table read a byte, without a branch: most fields need nothing */
	static const unsigned char special[256] = {
	    [','] = 1, ['"'] = 1, ['\n'] = 1, ['\r'] = 1};
	unsigned hit = 0;
	for (size_t i = 0; i < n; i++)
		hit |= special[(unsigned char)s[i]];
	return hit;
}

void report_csv_field(struct sd_buf *out, const char *s, size_t n)
{
	bool formula = report_csv_formula(s, n);
	if (!formula && !report_csv_special(s, n)) {
		sd_buf_put(out, s, n);
		return;
	}
	sd_buf_putc(out, '"');
	if (formula)
		sd_buf_putc(out, '\'');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			sd_buf_putc(out, '"');
		sd_buf_putc(out, s[i]);
	}
	sd_buf_putc(out, '"');
}
