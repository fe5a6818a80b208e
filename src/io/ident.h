/* The identity of an input file, or of a byte range of one, so that the
 * same input given twice is recognised (docs/db-format.md, INPUTS):
 *   size     the file's size;
 *   head     XXH3-128 of its first block (IO_IDENT_BLOCK bytes): with the
 *            size, it names the file whichever part of it was read;
 *   content  the sum, per 64-bit half, of XXH3-128(block, seed = block
 *            number) over the blocks that START inside [start, end).
 * The content of a whole file is therefore the sum of the contents of any
 * ranges that tile it, which is what lets `merge` join the identities of
 * range shards into the identity of the file. */
#ifndef SD_IO_IDENT_H
#define SD_IO_IDENT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

#define IO_IDENT_BLOCK (64u * 1024u)

struct io_hash128 {
	uint64_t lo, hi;
};

struct io_ident {
	uint64_t size, start, end; /* [start, end) clipped to size */
	struct io_hash128 head, content;
};

/* Identity of [start, end) of the regular file at path (end past the size,
 * e.g. UINT64_MAX, means to the end). SD_EFORMAT for a file that is not
 * regular (stdin, a pipe): it has no identity. */
int io_ident_file(const char *path, uint64_t start, uint64_t end, struct io_ident *id,
		  struct sd_error *err);

/* The same identity computed while the bytes go by (io_source hashes what
 * it reads, so that correlate needs no second pass over its inputs). Bytes
 * are fed at their file offsets, in order; those outside the window are
 * ignored. */
struct io_ident_stream {
	void *state; /* XXH3_state_t */
	uint64_t lo, hi, next, block;
	size_t fill;
	struct io_ident id;
	bool have_head, gap;
};

/* For [start, end) of a file of size bytes. SD_ENOMEM. */
int io_ident_stream_init(struct io_ident_stream *s, uint64_t size, uint64_t start,
			 uint64_t end);
void io_ident_stream_feed(struct io_ident_stream *s, const void *data, size_t len,
			  uint64_t off);
/* Sets the head when block 0 is not in the window. */
void io_ident_stream_set_head(struct io_ident_stream *s, const struct io_hash128 *head);
/* First byte of the window (block-aligned) and its end. */
uint64_t io_ident_stream_lo(const struct io_ident_stream *s);
uint64_t io_ident_stream_hi(const struct io_ident_stream *s);
/* true with *out set when every byte of the window was fed. */
bool io_ident_stream_result(struct io_ident_stream *s, struct io_ident *out);
void io_ident_stream_free(struct io_ident_stream *s);
/* XXH3-128 of the first block of the open file fd of size bytes. */
int io_ident_head(int fd, const char *path, uint64_t size, struct io_hash128 *out,
		  struct sd_error *err);

/* a += b, per half (the content of two adjacent ranges). */
void io_hash128_add(struct io_hash128 *a, const struct io_hash128 *b);
int io_hash128_cmp(const struct io_hash128 *a, const struct io_hash128 *b);
/* 32 hex digits, high half first. */
void io_hash128_format(const struct io_hash128 *h, char out[33]);

#endif
