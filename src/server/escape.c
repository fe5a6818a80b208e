#include "server/escape.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

static bool grow(struct srv_buf *b, size_t n)
{
	if (b->failed)
		return false;
	if (n <= b->cap - b->len && b->data)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap - b->len <= n) {
		if (cap > SIZE_MAX / 2) {
			b->failed = true;
			return false;
		}
		cap *= 2;
	}
	char *d = realloc(b->data, cap);
	if (!d) {
		b->failed = true;
		return false;
	}
	b->data = d;
	b->cap = cap;
	return true;
}

void srv_buf_put(struct srv_buf *b, const char *s, size_t n)
{
	if (!grow(b, n + 1))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = 0;
}

void srv_buf_puts(struct srv_buf *b, const char *s)
{
	srv_buf_put(b, s, strlen(s));
}

void srv_buf_printf(struct srv_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		srv_buf_put(b, small, (size_t)n);
		return;
	}
	if (!grow(b, (size_t)n + 1))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void srv_buf_html(struct srv_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned c = p[i];
		const char *ent = NULL;
		switch (c) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&#39;";
			break;
		}
		if (ent) {
			srv_buf_puts(b, ent);
			i++;
			continue;
		}
		if (c < 0x20 && c != '\n' && c != '\t') {
			srv_buf_puts(b, "\xef\xbf\xbd");
			i++;
			continue;
		}
		size_t k = sd_utf8_len(p + i, n - i);
		if (!k || c == 0x7f) {
			srv_buf_puts(b, "\xef\xbf\xbd");
			i++;
			continue;
		}
		srv_buf_put(b, s + i, k);
		i += k;
	}
}

char *srv_buf_take(struct srv_buf *b, size_t *len)
{
	char *d = b->failed ? NULL : b->data;
	if (d && !b->len)
		d[0] = 0;
	if (!d && !b->failed) {
		d = calloc(1, 1);
	}
	if (b->failed)
		free(b->data);
	if (len)
		*len = d ? b->len : 0;
	*b = (struct srv_buf){0};
	return d;
}

void srv_buf_free(struct srv_buf *b)
{
	free(b->data);
	*b = (struct srv_buf){0};
}

void srv_template(struct srv_buf *out, const char *tpl, size_t len, srv_template_fn fn,
		  void *ctx)
{
	size_t i = 0;
	while (i < len) {
		const char *open = memmem(tpl + i, len - i, "{{", 2);
		if (!open) {
			srv_buf_put(out, tpl + i, len - i);
			return;
		}
		size_t at = (size_t)(open - tpl);
		const char *close = memmem(tpl + at + 2, len - at - 2, "}}", 2);
		if (!close) {
			srv_buf_put(out, tpl + i, len - i);
			return;
		}
		srv_buf_put(out, tpl + i, at - i);
		fn(out, tpl + at + 2, (size_t)(close - tpl) - at - 2, ctx);
		i = (size_t)(close - tpl) + 2;
	}
}
