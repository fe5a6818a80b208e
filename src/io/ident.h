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

/* a += b, per half (the content of two adjacent ranges). */
void io_hash128_add(struct io_hash128 *a, const struct io_hash128 *b);
int io_hash128_cmp(const struct io_hash128 *a, const struct io_hash128 *b);
/* 32 hex digits, high half first. */
void io_hash128_format(const struct io_hash128 *h, char out[33]);

#endif
