#include "io/ident.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

void io_hash128_add(struct io_hash128 *a, const struct io_hash128 *b)
{
	a->lo += b->lo; /* wraps: a sum modulo 2^64 per half */
	a->hi += b->hi;
}

int io_hash128_cmp(const struct io_hash128 *a, const struct io_hash128 *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

void io_hash128_format(const struct io_hash128 *h, char out[33])
{
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)h->hi,
		 (unsigned long long)h->lo);
}

/* Reads block number k (up to IO_IDENT_BLOCK bytes) and hashes it. */
static int hash_block(int fd, const char *path, uint64_t k, uint64_t size,
		      unsigned char *buf, struct io_hash128 *out, struct sd_error *err)
{
	uint64_t off = k * IO_IDENT_BLOCK;
	size_t want = size - off < IO_IDENT_BLOCK ? (size_t)(size - off) : IO_IDENT_BLOCK;
	size_t got = 0;
	while (got < want) {
		ssize_t n = pread(fd, buf + got, want - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sd_error_errno(err, errno, "%s: read failed", path);
		if (n == 0)
			return sd_error_set(err, SD_ETRUNC,
					    "%s: file shrank while hashed (at byte %llu)",
					    path, (unsigned long long)(off + got));
		got += (size_t)n;
	}
	XXH128_hash_t h = XXH3_128bits_withSeed(buf, want, k);
	out->lo = h.low64;
	out->hi = h.high64;
	return 0;
}

int io_ident_file(const char *path, uint64_t start, uint64_t end, struct io_ident *id,
		  struct sd_error *err)
{
	*id = (struct io_ident){0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sd_error_errno(err, errno, "%s: cannot open", path);
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return sd_error_set(err, SD_EFORMAT, "%s: not a regular file", path);
	}
	uint64_t size = (uint64_t)st.st_size;
	id->size = size;
	id->start = start < size ? start : size;
	id->end = end < size ? end : size;
	if (id->end < id->start)
		id->end = id->start;
	unsigned char *buf = malloc(IO_IDENT_BLOCK);
	if (!buf) {
		close(fd);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	int rc = 0;
	/* the empty file's head is the hash of nothing */
	if (size == 0) {
		XXH128_hash_t h = XXH3_128bits_withSeed("", 0, 0);
		id->head = (struct io_hash128){h.low64, h.high64};
	} else {
		rc = hash_block(fd, path, 0, size, buf, &id->head, err);
	}
	uint64_t first = (id->start + IO_IDENT_BLOCK - 1) / IO_IDENT_BLOCK;
	for (uint64_t k = first; !rc && k * IO_IDENT_BLOCK < id->end; k++) {
		struct io_hash128 h;
		if (k == 0)
			h = id->head;
		else if ((rc = hash_block(fd, path, k, size, buf, &h, err)))
			break;
		io_hash128_add(&id->content, &h);
	}
	free(buf);
	close(fd);
	return rc;
}
