#include "core/buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool sd_buf_grow(struct sd_buf *b, size_t n)
{
	if (b->failed)
		return false;
	if (n <= b->cap - b->len)
		return true;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap - b->len < n) {
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

size_t sd_u64_format(uint64_t v, char *out)
{
	char tmp[SD_U64_DIGITS];
	size_t i = sizeof(tmp);
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(out, tmp + i, sizeof(tmp) - i);
	return sizeof(tmp) - i;
}

void sd_buf_u64(struct sd_buf *b, uint64_t v)
{
	char d[SD_U64_DIGITS];
	sd_buf_put(b, d, sd_u64_format(v, d));
}

void sd_buf_i64(struct sd_buf *b, int64_t v)
{
	if (v < 0) {
		sd_buf_putc(b, '-');
		sd_buf_u64(b, (uint64_t)0 - (uint64_t)v);
		return;
	}
	sd_buf_u64(b, (uint64_t)v);
}

int sd_buf_flush(struct sd_buf *b, FILE *f)
{
	if (b->failed) {
		errno = ENOMEM;
		return -1;
	}
	if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
		return -1;
	b->len = 0;
	return 0;
}

void sd_buf_free(struct sd_buf *b)
{
	free(b->data);
	*b = (struct sd_buf){0};
}
