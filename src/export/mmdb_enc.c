#include "export/mmdb_enc.h"

#include <stdlib.h>
#include <string.h>

void mmdb_buf_free(struct mmdb_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void mmdb_put(struct mmdb_buf *b, const void *p, size_t n)
{
	if (b->oom)
		return;
	if (n > b->cap - b->n) {
		size_t cap = b->cap ? b->cap : 256;
		while (n > cap - b->n)
			cap *= 2;
		uint8_t *q = realloc(b->p, cap);
		if (!q) {
			b->oom = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void put_be(struct mmdb_buf *b, uint64_t v, unsigned nbytes)
{
	uint8_t t[8];
	for (unsigned i = 0; i < nbytes; i++)
		t[i] = (uint8_t)(v >> (8 * (nbytes - 1 - i)));
	mmdb_put(b, t, nbytes);
}

void mmdb_ctrl(struct mmdb_buf *b, unsigned type, size_t size)
{
	uint8_t c[5];
	size_t n = 0;
	unsigned s5, extra;
	uint64_t rest = 0;
	if (size < 29) {
		s5 = (unsigned)size;
		extra = 0;
	} else if (size < 29 + 256) {
		s5 = 29;
		extra = 1;
		rest = size - 29;
	} else if (size < 285 + 65536) {
		s5 = 30;
		extra = 2;
		rest = size - 285;
	} else {
		s5 = 31;
		extra = 3;
		rest = size - 65821;
	}
	/* types above 7 are "extended": 0 in the control byte, type - 7 in
	 * the next one, and the size bytes come after that */
	c[n++] = (uint8_t)((type > 7 ? 0 : type) << 5 | s5);
	if (type > 7)
		c[n++] = (uint8_t)(type - 7);
	mmdb_put(b, c, n);
	put_be(b, rest, extra);
}

void mmdb_string(struct mmdb_buf *b, const char *s, size_t n)
{
	mmdb_ctrl(b, MMDB_T_STRING, n);
	mmdb_put(b, s, n);
}

void mmdb_cstring(struct mmdb_buf *b, const char *s)
{
	mmdb_string(b, s, strlen(s));
}

void mmdb_uint(struct mmdb_buf *b, unsigned type, uint64_t v)
{
	unsigned n = 0;
	for (uint64_t t = v; t; t >>= 8)
		n++;
	mmdb_ctrl(b, type, n);
	put_be(b, v, n);
}

void mmdb_bool(struct mmdb_buf *b, bool v)
{
	mmdb_ctrl(b, MMDB_T_BOOLEAN, v ? 1 : 0);
}

void mmdb_pointer(struct mmdb_buf *b, uint32_t off)
{
	uint8_t c;
	if (off < 2048) {
		c = (uint8_t)(MMDB_T_POINTER << 5 | 0 << 3 | off >> 8);
		mmdb_put(b, &c, 1);
		put_be(b, off, 1);
	} else if (off < 2048 + (1u << 19)) {
		uint32_t v = off - 2048;
		c = (uint8_t)(MMDB_T_POINTER << 5 | 1 << 3 | v >> 16);
		mmdb_put(b, &c, 1);
		put_be(b, v, 2);
	} else if (off < 526336 + (1u << 27)) {
		uint32_t v = off - 526336;
		c = (uint8_t)(MMDB_T_POINTER << 5 | 2 << 3 | v >> 24);
		mmdb_put(b, &c, 1);
		put_be(b, v, 3);
	} else {
		c = (uint8_t)(MMDB_T_POINTER << 5 | 3 << 3);
		mmdb_put(b, &c, 1);
		put_be(b, off, 4);
	}
}
