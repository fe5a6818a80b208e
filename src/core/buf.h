/* A growable output buffer for renderers that write many small pieces
 * (check answers, exports): appends are inline memcpy's, the buffer is
 * handed to stdio in large blocks. An allocation failure is sticky: every
 * later append does nothing and sd_buf_flush reports it. */
#ifndef SD_CORE_BUF_H
#define SD_CORE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct sd_buf {
	char *data;
	size_t len, cap;
	bool failed;
};

/* Makes room for n more bytes; false (and failed set) if it cannot. */
bool sd_buf_grow(struct sd_buf *b, size_t n);

static inline void sd_buf_put(struct sd_buf *b, const void *s, size_t n)
{
	if (!n) /* an empty piece on a buffer not yet allocated: no memcpy(NULL) */
		return;
	if (n > b->cap - b->len && !sd_buf_grow(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

/* Writing in place, for a row whose pieces' lengths are known before it
 * is written: sd_buf_room makes room for n more bytes once and gives where
 * they go (NULL, failed set, if it cannot); the pieces are copied there and
 * sd_buf_end_at takes the length from where the writing stopped. */
static inline char *sd_buf_room(struct sd_buf *b, size_t n)
{
	if (n > b->cap - b->len && !sd_buf_grow(b, n))
		return NULL;
	return b->data + b->len;
}

static inline void sd_buf_end_at(struct sd_buf *b, const char *w)
{
	b->len = (size_t)(w - b->data);
}

static inline void sd_buf_putc(struct sd_buf *b, char c)
{
	if (b->len == b->cap && !sd_buf_grow(b, 1))
		return;
	b->data[b->len++] = c;
}

static inline void sd_buf_puts(struct sd_buf *b, const char *s)
{
	sd_buf_put(b, s, strlen(s));
}

/* Decimal, as printf's %llu / %lld would write it. */
void sd_buf_u64(struct sd_buf *b, uint64_t v);
/* v in decimal at out (SD_U64_DIGITS bytes at most, no NUL); its length. */
#define SD_U64_DIGITS 20
size_t sd_u64_format(uint64_t v, char *out);
void sd_buf_i64(struct sd_buf *b, int64_t v);

/* Writes the contents to f and empties the buffer. Returns 0, or -1 if the
 * write failed (errno set) or an earlier allocation failed (ENOMEM). */
int sd_buf_flush(struct sd_buf *b, FILE *f);
void sd_buf_free(struct sd_buf *b);

#endif
