#include "io/ident.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#if defined(__x86_64__)
/* libxxhash's plain entry points are built for SSE2; its dispatch ones
 * pick the widest vector unit at run time (AVX2: half the instructions
 * a byte), with the same hash */
#include <xxh_x86dispatch.h>
#endif

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

int io_ident_stream_init(struct io_ident_stream *s, uint64_t size, uint64_t start,
			 uint64_t end)
{
	memset(s, 0, sizeof(*s));
	s->id.size = size;
	s->id.start = start < size ? start : size;
	s->id.end = end < size ? end : size;
	if (s->id.end < s->id.start)
		s->id.end = s->id.start;
	/* the blocks that start inside [start, end), whole */
	uint64_t k0 = (s->id.start + IO_IDENT_BLOCK - 1) / IO_IDENT_BLOCK;
	uint64_t k1 = (s->id.end + IO_IDENT_BLOCK - 1) / IO_IDENT_BLOCK;
	s->lo = k0 * IO_IDENT_BLOCK;
	s->hi = k1 * IO_IDENT_BLOCK < size ? k1 * IO_IDENT_BLOCK : size;
	if (s->lo > s->hi)
		s->lo = s->hi;
	s->next = s->lo;
	s->block = k0;
	if (size == 0) {
		XXH128_hash_t h = XXH3_128bits_withSeed("", 0, 0);
		s->id.head = (struct io_hash128){h.low64, h.high64};
		s->have_head = true;
		return 0;
	}
	XXH3_state_t *st = XXH3_createState();
	if (!st)
		return SD_ENOMEM;
	XXH3_128bits_reset_withSeed(st, s->block);
	s->state = st;
	return 0;
}

static void end_block(struct io_ident_stream *s)
{
	XXH128_hash_t d = XXH3_128bits_digest(s->state);
	struct io_hash128 h = {d.low64, d.high64};
	io_hash128_add(&s->id.content, &h);
	if (s->block == 0) {
		s->id.head = h;
		s->have_head = true;
	}
	s->block++;
	s->fill = 0;
	XXH3_128bits_reset_withSeed(s->state, s->block);
}

void io_ident_stream_feed(struct io_ident_stream *s, const void *data, size_t len,
			  uint64_t off)
{
	const unsigned char *p = data;
	uint64_t a = off > s->lo ? off : s->lo, b = off + len < s->hi ? off + len : s->hi;
	if (!s->state || a >= b)
		return;
	if (a != s->next) {
		s->gap = true; /* a byte of the window was not seen */
		return;
	}
	p += a - off;
	uint64_t n = b - a;
	while (n) {
		size_t take = IO_IDENT_BLOCK - s->fill;
		if (take > n)
			take = (size_t)n;
		XXH3_128bits_update(s->state, p, take);
		s->fill += take;
		p += take;
		n -= take;
		if (s->fill == IO_IDENT_BLOCK)
			end_block(s);
	}
	s->next = b;
}

void io_ident_stream_set_head(struct io_ident_stream *s, const struct io_hash128 *head)
{
	s->id.head = *head;
	s->have_head = true;
}

uint64_t io_ident_stream_lo(const struct io_ident_stream *s)
{
	return s->lo;
}

uint64_t io_ident_stream_hi(const struct io_ident_stream *s)
{
	return s->hi;
}

bool io_ident_stream_result(struct io_ident_stream *s, struct io_ident *out)
{
	if (s->gap || s->next != s->hi)
		return false;
	if (s->fill)
		end_block(s); /* the file's last, short block */
	if (!s->have_head)
		return false;
	*out = s->id;
	return true;
}

void io_ident_stream_free(struct io_ident_stream *s)
{
	if (s->state)
		XXH3_freeState(s->state);
	s->state = NULL;
}

int io_ident_head(int fd, const char *path, uint64_t size, struct io_hash128 *out,
		  struct sd_error *err)
{
	unsigned char *buf = malloc(IO_IDENT_BLOCK);
	if (!buf)
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	int rc = size ? hash_block(fd, path, 0, size, buf, out, err) : 0;
	if (!size) {
		XXH128_hash_t h = XXH3_128bits_withSeed("", 0, 0);
		*out = (struct io_hash128){h.low64, h.high64};
	}
	free(buf);
	return rc;
}
