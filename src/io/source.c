#include "io/source.h"

#include <errno.h>
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "core/limits.h"
#include "io/ident.h"
#include "io/mapped.h"

#define IN_SIZE (256 * 1024)
#define OUT_SIZE (256 * 1024)
/* Compressed input is inflated on a thread of its own, RING_SLOTS windows
 * of OUT_SIZE ahead of the reader (bounded memory: 2 MB a source), so the
 * parser and the decompressor each get a core as `zcat | parser` does. */
#define RING_SLOTS 8

/* One decompressed window in the ring: data (len > 0), or the end of the
 * stream (len 0, rc 0), or the error that stopped it (len 0, rc < 0). */
struct slot {
	unsigned char *buf;
	size_t len;
	uint64_t bytes_in; /* compressed bytes read when it was filled */
	int rc;
	struct sd_error err;
};

struct ring {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t filled, freed;
	struct slot slots[RING_SLOTS];
	unsigned head, count; /* next slot to read; slots ready */
	bool stop;	      /* io_close: the producer gives up */
	struct slot *cur;     /* held by the reader, or NULL */
	bool done;	      /* the reader took the end or the error */
	int rc;
	struct sd_error err;
};

/* A mapped file's bookkeeping (identity hash, progress, pages given back)
 * runs once every MAP_STEP bytes the reader passes, not per line; pages
 * more than MAP_KEEP behind the reader are given back. */
#define MAP_STEP (1024 * 1024)
#define MAP_KEEP MAP_STEP

static atomic_bool background = true;
static atomic_bool map_files = true;

void io_decompress_in_background(bool on)
{
	atomic_store(&background, on);
}

void io_map_regular_files(bool on)
{
	atomic_store(&map_files, on);
}

struct io_source {
	char *name;
	int fd;
	bool own_fd;
	enum io_compression comp;
	uint64_t file_size, bytes_in, bytes_out, lineno;
	bool eof_in; /* file exhausted */
	bool ended;  /* decompressor finished its last frame/member */
	/* raw input */
	unsigned char *in;
	size_t in_pos, in_len;
	/* decompressed output window */
	unsigned char *out;
	size_t out_pos, out_len;
	/* gzip goes through ISA-L's igzip: several times faster than zlib */
	struct inflate_state *z;
	ZSTD_DStream *zs;
	uint64_t produced;	/* decompressed bytes handed to the reader */
	uint64_t bytes_in_seen; /* compressed bytes behind the current window */
	struct ring *ring;	/* NULL: decompressed on the reader's thread */
	bool ring_pending;	/* start the ring at the first read */
	/* line assembly */
	char *line;
	size_t line_len;
	bool skipping; /* inside an over-long line */
	/* an error io_read met after reading some bytes: returned by the
	 * next read, once the bytes before it are handed out */
	int deferred_rc;
	struct sd_error deferred_err;
	/* io_open_range: the header block [0, header_len) then the body;
	 * seg_off/seg_end are what is left to read of each */
	bool ranged;
	unsigned seg;
	uint64_t seg_off[2], seg_end[2];
	uint64_t body, stop; /* the range's lines: [body, stop) */
	/* identity of what is read (io_ident_begin, io_open_range) */
	struct io_ident_stream *ids;
	/* a plain regular file read through a mapping: the window is the
	 * whole mapping and lines are handed out where they lie. map_mark is
	 * where map_advance runs next (SIZE_MAX when not mapped), map_done
	 * how far it hashed and counted, map_freed how far it gave back */
	struct io_map map;
	bool mapped;
	size_t map_mark, map_done, map_freed;
};

/* Reads the next piece of a ranged source with pread: segment 0 (the
 * header block), then segment 1 (the lines of the range). */
static int fill_in_range(struct io_source *s, struct sd_error *err)
{
	for (;;) {
		while (s->seg < 2 && s->seg_off[s->seg] >= s->seg_end[s->seg]) {
			s->seg++;
			/* every header line has been handed out (the block
			 * ends with a newline): the range's lines are
			 * numbered from 1 */
			if (s->seg == 1)
				s->lineno = 0;
		}
		s->in_pos = s->in_len = 0;
		if (s->seg == 2) {
			s->eof_in = true;
			return 0;
		}
		uint64_t at = s->seg_off[s->seg];
		uint64_t left = s->seg_end[s->seg] - at;
		size_t want = left < IN_SIZE ? (size_t)left : IN_SIZE;
		ssize_t n;
		do
			n = pread(s->fd, s->in, want, (off_t)at);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return sd_error_errno(err, errno, "%s: read failed", s->name);
		if (n == 0)
			return sd_error_set(
			    err, SD_ETRUNC,
			    "%s: file shrank while read (ends at byte %llu)", s->name,
			    (unsigned long long)at);
		s->seg_off[s->seg] += (uint64_t)n;
		s->bytes_in += (uint64_t)n;
		s->in_len = (size_t)n;
		if (s->seg == 0)
			return 0;
		/* segment 1 spans the range's lines and the blocks its
		 * identity covers: hash it all, hand out only the lines */
		if (s->ids)
			io_ident_stream_feed(s->ids, s->in, (size_t)n, at);
		uint64_t a = at > s->body ? at : s->body;
		uint64_t b = at + (uint64_t)n < s->stop ? at + (uint64_t)n : s->stop;
		if (a < b) {
			s->in_pos = (size_t)(a - at);
			s->in_len = (size_t)(b - at);
			return 0;
		}
	}
}

static bool ring_start(struct io_source *s);
static void ring_stop(struct io_source *s);

static int fill_in(struct io_source *s, struct sd_error *err)
{
	if (s->in_pos < s->in_len || s->eof_in)
		return 0;
	if (s->ranged)
		return fill_in_range(s, err);
	ssize_t n;
	do
		n = read(s->fd, s->in, IN_SIZE);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return sd_error_errno(err, errno, "%s: read failed", s->name);
	if (s->ids)
		io_ident_stream_feed(s->ids, s->in, (size_t)n, s->bytes_in);
	s->in_pos = 0;
	s->in_len = (size_t)n;
	s->bytes_in += (uint64_t)n;
	if (n == 0)
		s->eof_in = true;
	return 0;
}

/* A source named name with its buffers, not yet reading anything. */
static struct io_source *source_new(const char *name)
{
	struct io_source *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->map.slot = -1;
	s->map_mark = SIZE_MAX;
	s->name = strdup(name);
	s->in = malloc(IN_SIZE);
	s->out = malloc(OUT_SIZE);
	s->line = malloc(SD_MAX_LINE + 1);
	if (!s->name || !s->in || !s->out || !s->line) {
		io_close(s);
		return NULL;
	}
	return s;
}

/* Reads an uncompressed regular file through a mapping: no read() copy and
 * no read-ahead thread, so the file costs the parser's core little more
 * than the parse. false (nothing changed) when it cannot be mapped or is
 * compressed, and the source then reads it with read(). */
static bool map_plain(struct io_source *s)
{
	if (io_map_open(s->fd, s->file_size, &s->map))
		return false;
	const unsigned char *m = s->map.data;
	size_t n = s->map.len;
	if ((n >= 2 && m[0] == 0x1f && m[1] == 0x8b) ||
	    (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)) {
		io_map_close(&s->map);
		return false;
	}
	free(s->out);
	/* never written through: io_getline hands out copies or spans */
	s->out = (unsigned char *)s->map.data;
	s->out_pos = 0;
	s->out_len = s->map.len;
	s->bytes_in = s->map.len;
	s->mapped = true;
	s->map_mark = 0;
	return true;
}

int io_open(const char *path, struct io_source **out, struct sd_error *err)
{
	*out = NULL;
	struct io_source *s = source_new(strcmp(path, "-") == 0 ? "(stdin)" : path);
	if (!s)
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	if (strcmp(path, "-") == 0) {
		s->fd = STDIN_FILENO;
	} else {
		s->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (s->fd < 0) {
			int e = errno;
			io_close(s);
			return sd_error_errno(err, e, "%s: cannot open", path);
		}
		s->own_fd = true;
	}
	struct stat st;
	/* a plain regular file reads ahead too; a pipe does not: closing a
	 * source early must not wait for a writer that may never write */
	bool regular = false;
	if (fstat(s->fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			io_close(s);
			return sd_error_set(err, SD_EFORMAT, "%s: is a directory", path);
		}
		if (S_ISREG(st.st_mode)) {
			s->file_size = (uint64_t)st.st_size;
			regular = true;
		}
	}
	if (regular && s->own_fd && atomic_load(&map_files) && map_plain(s)) {
		*out = s;
		return 0;
	}
	/* The magic needs up to 4 bytes; a short first read from a pipe is
	 * topped up so detection does not depend on how the writer chunked. */
	while (s->in_len < 4 && !s->eof_in) {
		ssize_t n;
		do
			n = read(s->fd, s->in + s->in_len, IN_SIZE - s->in_len);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			int e = errno;
			io_close(s);
			return sd_error_errno(err, e, "%s: read failed", path);
		}
		if (n == 0)
			s->eof_in = true;
		s->in_len += (size_t)n;
		s->bytes_in += (uint64_t)n;
	}
	const unsigned char *m = s->in;
	if (s->in_len >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
		s->comp = IO_GZIP;
		s->z = malloc(sizeof(*s->z));
		if (!s->z) {
			io_close(s);
			return sd_error_set(err, SD_ENOMEM, "out of memory");
		}
		isal_inflate_init(s->z);
		s->z->crc_flag = ISAL_GZIP;
	} else if (s->in_len >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f &&
		   m[3] == 0xfd) {
		s->comp = IO_ZSTD;
		s->zs = ZSTD_createDStream();
		if (!s->zs || ZSTD_isError(ZSTD_initDStream(s->zs))) {
			io_close(s);
			return sd_error_set(err, SD_ENOMEM, "%s: zstd init failed", path);
		}
	}
	s->bytes_in_seen = s->bytes_in;
	/* the ring's thread starts at the first read, not here: whatever the
	 * caller sets up between io_open and it (io_ident_begin hashes what
	 * fill_in reads) must not race with that thread */
	s->ring_pending = atomic_load(&background) && s->comp != IO_PLAIN;
	*out = s;
	return 0;
}

void io_close(struct io_source *s)
{
	if (!s)
		return;
	if (s->ring) {
		ring_stop(s);
		s->out = NULL; /* it pointed into the ring */
	}
	if (s->mapped) {
		io_map_close(&s->map);
		s->out = NULL; /* it pointed into the mapping */
	}
	if (s->own_fd)
		close(s->fd);
	if (s->ids) {
		io_ident_stream_free(s->ids);
		free(s->ids);
	}
	free(s->z);
	if (s->zs)
		ZSTD_freeDStream(s->zs);
	free(s->name);
	free(s->in);
	free(s->out);
	free(s->line);
	free(s);
}

const char *io_name(const struct io_source *s)
{
	return s->name;
}
enum io_compression io_compression(const struct io_source *s)
{
	return s->comp;
}
uint64_t io_lineno(const struct io_source *s)
{
	return s->lineno;
}
uint64_t io_bytes_out(const struct io_source *s)
{
	return s->bytes_out;
}
uint64_t io_bytes_in(const struct io_source *s)
{
	/* the reader's view: the decompression thread reads ahead */
	return s->bytes_in_seen;
}
uint64_t io_file_size(const struct io_source *s)
{
	return s->file_size;
}

bool io_file_mtime(const struct io_source *s, int64_t *out)
{
	struct stat st;
	if (!s->own_fd || fstat(s->fd, &st) || !S_ISREG(st.st_mode))
		return false;
	*out = (int64_t)st.st_mtime;
	return true;
}

static int truncated(struct io_source *s, struct sd_error *err, const char *kind)
{
	return sd_error_set(err, SD_ETRUNC,
			    "%s: %s stream ends early (truncated after %llu "
			    "compressed bytes, %llu bytes decompressed)",
			    s->name, kind, (unsigned long long)s->bytes_in,
			    (unsigned long long)s->produced);
}

/* Decompresses into out (cap bytes): returns 0 with *len > 0, 0 with
 * *len == 0 at the end of the stream, or an error (the output of the call
 * that failed is not handed out). Touches only the input side of s, so it
 * can run on the ring's thread while the reader works on earlier output. */
static int produce(struct io_source *s, unsigned char *out, size_t cap, size_t *len,
		   struct sd_error *err)
{
	int rc;
	*len = 0;
	for (;;) {
		if ((rc = fill_in(s, err)))
			return rc;
		if (s->in_pos == s->in_len) {
			/* input exhausted */
			if (!s->ended)
				return truncated(s, err,
						 s->comp == IO_GZIP ? "gzip" : "zstd");
			return 0;
		}
		if (s->comp == IO_GZIP) {
			if (s->ended) {
				/* concatenated members (as `cat a.gz b.gz`) */
				isal_inflate_reset(s->z);
				s->z->crc_flag = ISAL_GZIP;
				s->ended = false;
			}
			s->z->next_in = s->in + s->in_pos;
			s->z->avail_in = (uint32_t)(s->in_len - s->in_pos);
			s->z->next_out = out;
			s->z->avail_out = (uint32_t)cap;
			int zr = isal_inflate(s->z);
			s->in_pos = s->in_len - s->z->avail_in;
			*len = cap - s->z->avail_out;
			if (zr < 0) {
				*len = 0;
				return sd_error_set(
				    err, SD_EIO,
				    "%s: corrupt gzip data after %llu bytes: %s", s->name,
				    (unsigned long long)s->produced,
				    zr == ISAL_INCORRECT_CHECKSUM ? "CRC mismatch"
				    : zr == ISAL_INVALID_WRAPPER
					? "bad gzip header"
					: "invalid deflate data");
			}
			if (s->z->block_state == ISAL_BLOCK_FINISH)
				s->ended = true;
		} else {
			ZSTD_inBuffer ib = {s->in, s->in_len, s->in_pos};
			ZSTD_outBuffer ob = {out, cap, 0};
			size_t zr = ZSTD_decompressStream(s->zs, &ob, &ib);
			if (ZSTD_isError(zr))
				return sd_error_set(
				    err, SD_EIO,
				    "%s: corrupt zstd data after %llu bytes: %s", s->name,
				    (unsigned long long)s->produced,
				    ZSTD_getErrorName(zr));
			s->in_pos = ib.pos;
			*len = ob.pos;
			s->ended = zr == 0;
		}
		if (*len) {
			s->produced += *len;
			return 0;
		}
	}
}

/* The ring's thread: fills free slots until the end, an error, or stop.
 * Each slot is one produce() call into a whole window, exactly the calls
 * the reader would make without the thread: a decoder's output (and where
 * it notices damage) depends on the output space it is given, so the
 * reader sees the same bytes and the same error at the same place. */
static void *ring_main(void *arg)
{
	struct io_source *s = arg;
	struct ring *r = s->ring;
	for (bool last = false; !last;) {
		pthread_mutex_lock(&r->mu);
		while (r->count == RING_SLOTS && !r->stop)
			pthread_cond_wait(&r->freed, &r->mu);
		bool stop = r->stop;
		struct slot *sl = &r->slots[(r->head + r->count) % RING_SLOTS];
		pthread_mutex_unlock(&r->mu);
		if (stop)
			break;
		sl->rc = produce(s, sl->buf, OUT_SIZE, &sl->len, &sl->err);
		last = sl->len == 0; /* the end or an error */
		sl->bytes_in = s->bytes_in;
		pthread_mutex_lock(&r->mu);
		r->count++;
		pthread_cond_signal(&r->filled);
		pthread_mutex_unlock(&r->mu);
	}
	return NULL;
}

static void ring_free(struct ring *r)
{
	for (unsigned i = 0; i < RING_SLOTS; i++)
		free(r->slots[i].buf);
	free(r);
}

/* Starts the decompression thread; false (and nothing changed) if it
 * cannot, and the source then decompresses on the reader's thread. */
static bool ring_start(struct io_source *s)
{
	struct ring *r = calloc(1, sizeof(*r));
	if (!r)
		return false;
	for (unsigned i = 0; i < RING_SLOTS; i++)
		if (!(r->slots[i].buf = malloc(OUT_SIZE))) {
			ring_free(r);
			return false;
		}
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->filled, NULL);
	pthread_cond_init(&r->freed, NULL);
	s->ring = r;
	if (pthread_create(&r->thread, NULL, ring_main, s) != 0) {
		s->ring = NULL;
		pthread_cond_destroy(&r->freed);
		pthread_cond_destroy(&r->filled);
		pthread_mutex_destroy(&r->mu);
		ring_free(r);
		return false;
	}
	return true;
}

static void ring_stop(struct io_source *s)
{
	struct ring *r = s->ring;
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_signal(&r->freed);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->freed);
	pthread_cond_destroy(&r->filled);
	pthread_mutex_destroy(&r->mu);
	ring_free(r);
	s->ring = NULL;
}

/* The reader's side: gives the slot it held back and takes the next one. */
static int ring_next(struct io_source *s, struct sd_error *err)
{
	struct ring *r = s->ring;
	if (!r->done) {
		pthread_mutex_lock(&r->mu);
		if (r->cur) {
			r->head = (r->head + 1) % RING_SLOTS;
			r->count--;
			r->cur = NULL;
			pthread_cond_signal(&r->freed);
		}
		while (r->count == 0)
			pthread_cond_wait(&r->filled, &r->mu);
		struct slot *sl = &r->slots[r->head];
		pthread_mutex_unlock(&r->mu);
		s->bytes_in_seen = sl->bytes_in;
		if (sl->len) {
			r->cur = sl;
			s->out = sl->buf;
			s->out_len = sl->len;
			return 0;
		}
		r->done = true;
		r->rc = sl->rc;
		r->err = sl->err;
	}
	if (r->rc && err)
		*err = r->err;
	return r->rc;
}

/* What reading a mapped file does every MAP_STEP bytes (map_mark): hashes
 * the identity up to the next step past the reader, counts those bytes as
 * read, and gives back the pages well behind it. */
static void map_advance(struct io_source *s)
{
	size_t len = s->map.len;
	size_t done = (s->out_pos + MAP_STEP - 1) / MAP_STEP * MAP_STEP;
	if (done > len)
		done = len;
	if (done > s->map_done) {
		io_map_ahead(&s->map, s->map_done, done);
		if (s->ids)
			io_ident_stream_feed(s->ids, s->map.data + s->map_done,
					     done - s->map_done, s->map_done);
		s->map_done = done;
	}
	s->bytes_in_seen = s->map_done;
	if (s->out_pos > MAP_KEEP && s->out_pos - MAP_KEEP > s->map_freed) {
		io_map_release(&s->map, s->map_freed, s->out_pos - MAP_KEEP);
		s->map_freed = s->out_pos - MAP_KEEP;
	}
	s->map_mark = done;
}

static int fill_out(struct io_source *s, struct sd_error *err);

/* The reader reached the end of the mapping: the file may have shrunk
 * under it (an error: what was read past the new end is not the file), or
 * grown (the rest is read with read(), as a reader of a growing file
 * would), or be as it was (the end). */
static int map_end(struct io_source *s, struct sd_error *err)
{
	if (s->eof_in)
		return 0;
	s->out_pos = s->out_len;
	struct stat st;
	if (fstat(s->fd, &st))
		return sd_error_errno(err, errno, "%s: read failed", s->name);
	uint64_t now = (uint64_t)st.st_size;
	if (io_map_damaged(&s->map) || now < s->map.len) {
		s->eof_in = true;
		if (s->ids) { /* it saw zeros: the file has no identity */
			io_ident_stream_free(s->ids);
			free(s->ids);
			s->ids = NULL;
		}
		return sd_error_set(
		    err, SD_ETRUNC, "%s: file shrank while read (%llu bytes, then %llu)",
		    s->name, (unsigned long long)s->map.len, (unsigned long long)now);
	}
	map_advance(s);
	if (now == s->map.len) {
		s->eof_in = true;
		return 0;
	}
	unsigned char *buf = malloc(OUT_SIZE);
	if (!buf)
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	if (lseek(s->fd, (off_t)s->map.len, SEEK_SET) < 0) {
		int e = errno;
		free(buf);
		return sd_error_errno(err, e, "%s: seek failed", s->name);
	}
	io_map_close(&s->map);
	s->mapped = false;
	s->map_mark = SIZE_MAX;
	s->out = buf;
	s->out_pos = s->out_len = 0;
	return fill_out(s, err);
}

/* Refills the output window; leaves out_len == out_pos only at the end. */
static int fill_out(struct io_source *s, struct sd_error *err)
{
	int rc;
	if (s->out_pos < s->out_len)
		return 0;
	if (s->mapped)
		return map_end(s, err);
	s->out_pos = s->out_len = 0;
	if (s->ring_pending) {
		s->ring_pending = false;
		if (ring_start(s)) {
			free(s->out); /* the windows are the ring's */
			s->out = NULL;
		}
	}
	if (s->ring)
		return ring_next(s, err);
	if (s->comp != IO_PLAIN) {
		size_t n;
		rc = produce(s, s->out, OUT_SIZE, &n, err);
		s->bytes_in_seen = s->bytes_in;
		s->out_len = n;
		return rc;
	}
	if ((rc = fill_in(s, err)))
		return rc;
	/* hand the input buffer over without copying */
	size_t n = s->in_len - s->in_pos;
	s->bytes_in_seen = s->bytes_in;
	if (n == 0)
		return 0;
	unsigned char *t = s->out;
	s->out = s->in;
	s->in = t;
	s->out_pos = s->in_pos;
	s->out_len = s->in_len;
	s->in_pos = s->in_len = 0;
	return 0;
}

size_t io_peek(struct io_source *s, const unsigned char **data, size_t n,
	       struct sd_error *err)
{
	if (fill_out(s, err) < 0) {
		*data = s->out;
		return 0;
	}
	/* one window is enough for sniffing: formats decide on their first
	 * line or first bytes */
	size_t avail = s->out_len - s->out_pos;
	*data = s->out + s->out_pos;
	return avail < n ? avail : n;
}

long io_read(struct io_source *s, void *buf, size_t n, struct sd_error *err)
{
	size_t done = 0;
	while (done < n) {
		int rc = 0;
		if (s->out_pos >= s->out_len) {
			if (s->deferred_rc) {
				rc = s->deferred_rc;
				s->deferred_rc = 0;
				if (err)
					*err = s->deferred_err;
			} else {
				rc = fill_out(s, err);
			}
		}
		/* a window may hold what was decompressed before the error */
		size_t avail = s->out_len - s->out_pos;
		size_t k = avail < n - done ? avail : n - done;
		if (k) {
			memcpy((unsigned char *)buf + done, s->out + s->out_pos, k);
			s->out_pos += k;
			done += k;
		}
		if (rc) {
			if (!done)
				return rc;
			/* the bytes before the error first */
			s->deferred_rc = rc;
			if (err)
				s->deferred_err = *err;
			break;
		}
		if (!avail)
			break;
	}
	if (s->mapped) {
		if (s->out_pos > s->map_mark)
			map_advance(s);
		/* what was copied may be the zeros put over a vanished page */
		if (io_map_damaged(&s->map))
			return map_end(s, err);
	}
	s->bytes_out += done;
	return (long)done;
}

/* Hands out the line [start, nl) that lies whole inside the window: in
 * place (the window stays put until the next call), with its newline
 * turned into the NUL; from a mapping, which is never written, as a span
 * or as a copy. */
static inline int whole_line(struct io_source *s, unsigned char *start,
			     const unsigned char *nl, const char **line, size_t *len,
			     bool span)
{
	size_t take = (size_t)(nl - start);
	s->out_pos += take + 1;
	s->bytes_out += take + 1;
	s->lineno++;
	if (take && start[take - 1] == '\r')
		take--;
	*len = take;
	if (!s->mapped) {
		start[take] = '\0';
		*line = (const char *)start;
		return 1;
	}
	/* a newline was found, so no byte before it lies in a page that
	 * vanished (those read as zeros to the end of the mapping) */
	if (s->out_pos > s->map_mark)
		map_advance(s);
	if (span) {
		*line = (const char *)start;
		return 1;
	}
	memcpy(s->line, start, take);
	s->line[take] = '\0';
	*line = s->line;
	return 1;
}

/* io_getline and io_getline_span past the common case: a line that
 * crosses windows, the last one without a newline, an over-long one, the
 * end of a window */
static __attribute__((noinline)) int line_across(struct io_source *s, const char **line,
						 size_t *len, struct sd_error *err,
						 bool span)
{
	s->line_len = 0;
	bool any = false;
	for (;;) {
		/* fill_out only when the window is used up */
		int rc = s->out_pos < s->out_len ? 0 : fill_out(s, err);
		if (rc)
			return rc;
		size_t avail = s->out_len - s->out_pos;
		if (!avail) {
			if (!any)
				return 0;
			break; /* last line without a newline */
		}
		unsigned char *start = s->out + s->out_pos;
		unsigned char *nl = memchr(start, '\n', avail);
		if (nl && !any && (size_t)(nl - start) <= SD_MAX_LINE)
			return whole_line(s, start, nl, line, len, span);
		any = true;
		size_t take = nl ? (size_t)(nl - start) : avail;
		s->out_pos += take + (nl ? 1 : 0);
		s->bytes_out += take + (nl ? 1 : 0);
		if (s->out_pos > s->map_mark)
			map_advance(s);
		if (!s->skipping) {
			if (take > SD_MAX_LINE - s->line_len) {
				s->skipping = true;
			} else {
				memcpy(s->line + s->line_len, start, take);
				s->line_len += take;
			}
		}
		if (nl)
			break;
	}
	s->lineno++;
	if (s->skipping) {
		s->skipping = false;
		return sd_error_set(err, SD_ELIMIT,
				    "%s:%llu: line longer than SD_MAX_LINE (%d bytes)",
				    s->name, (unsigned long long)s->lineno, SD_MAX_LINE);
	}
	if (s->line_len && s->line[s->line_len - 1] == '\r')
		s->line_len--;
	s->line[s->line_len] = '\0';
	*line = s->line;
	*len = s->line_len;
	return 1;
}

/* the common case inline: the next line lies whole inside the window */
static inline int next_line(struct io_source *s, const char **line, size_t *len,
			    struct sd_error *err, bool span)
{
	if (s->out_pos < s->out_len) {
		unsigned char *start = s->out + s->out_pos;
		unsigned char *nl = memchr(start, '\n', s->out_len - s->out_pos);
		if (nl && (size_t)(nl - start) <= SD_MAX_LINE)
			return whole_line(s, start, nl, line, len, span);
	}
	return line_across(s, line, len, err, span);
}

int io_getline(struct io_source *s, const char **line, size_t *len, struct sd_error *err)
{
	return next_line(s, line, len, err, false);
}

int io_getline_span(struct io_source *s, const char **line, size_t *len,
		    struct sd_error *err)
{
	return next_line(s, line, len, err, true);
}

/* The first line start at or after pos: pos itself when it is 0 or follows
 * a newline, else the byte after the next newline (size when none). */
static int line_start_at(int fd, const char *path, uint64_t pos, uint64_t size,
			 uint64_t *out, struct sd_error *err)
{
	if (pos == 0 || pos >= size) {
		*out = pos < size ? pos : size;
		return 0;
	}
	unsigned char buf[64 * 1024];
	uint64_t at = pos - 1; /* look at the byte before pos first */
	while (at < size) {
		ssize_t n;
		do
			n = pread(fd, buf, sizeof(buf), (off_t)at);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return sd_error_errno(err, errno, "%s: read failed", path);
		if (n == 0)
			break;
		unsigned char *nl = memchr(buf, '\n', (size_t)n);
		if (nl) {
			*out = at + (uint64_t)(nl - buf) + 1;
			return 0;
		}
		at += (uint64_t)n;
	}
	*out = size;
	return 0;
}

static int open_regular(const char *path, int *fd, uint64_t *size, struct sd_error *err)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return sd_error_errno(err, errno, "%s: cannot open", path);
	struct stat st;
	if (fstat(*fd, &st) || !S_ISREG(st.st_mode)) {
		close(*fd);
		return sd_error_set(err, SD_EFORMAT,
				    "%s: not a regular file: a byte range needs one",
				    path);
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

int io_header_len(const char *path, unsigned extra_lines, uint64_t *len,
		  struct sd_error *err)
{
	*len = 0;
	struct io_source *s;
	int rc = io_open(path, &s, err);
	if (rc)
		return rc;
	const char *line;
	size_t n;
	bool comments = true;
	while ((rc = io_getline(s, &line, &n, err)) == 1) {
		if (comments && n && line[0] == '#') {
			*len = io_bytes_out(s);
			continue;
		}
		comments = false;
		if (!extra_lines)
			break;
		extra_lines--;
		*len = io_bytes_out(s);
	}
	io_close(s);
	return rc < 0 ? rc : 0;
}

int io_open_range(const char *path, uint64_t header_len, uint64_t start, uint64_t end,
		  struct io_source **out, struct sd_error *err)
{
	*out = NULL;
	if (start > end)
		return sd_error_set(err, SD_EPARSE,
				    "%s: range %llu:%llu ends before it starts", path,
				    (unsigned long long)start, (unsigned long long)end);
	int fd;
	uint64_t size = 0;
	int rc = open_regular(path, &fd, &size, err);
	if (rc)
		return rc;
	unsigned char m[4] = {0};
	ssize_t got = pread(fd, m, sizeof(m), 0);
	if ((got >= 2 && m[0] == 0x1f && m[1] == 0x8b) ||
	    (got >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)) {
		close(fd);
		return sd_error_set(
		    err, SD_EFORMAT,
		    "%s: compressed (%s): a byte range of it is not a range "
		    "of lines; decompress it or read it whole",
		    path, m[0] == 0x1f ? "gzip" : "zstd");
	}
	if (header_len > size)
		header_len = size;
	uint64_t body, stop;
	if ((rc = line_start_at(fd, path, start, size, &body, err)) ||
	    (rc = line_start_at(fd, path, end, size, &stop, err))) {
		close(fd);
		return rc;
	}
	/* lines inside the header block are the header, served once in front */
	if (body < header_len)
		body = header_len;
	if (stop < body)
		stop = body;
	char name[4096 + 32];
	snprintf(name, sizeof(name), "%s@%llu", path, (unsigned long long)body);
	struct io_source *s = source_new(name);
	if (!s) {
		close(fd);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	s->fd = fd;
	s->own_fd = true;
	s->file_size = size;
	s->ranged = true;
	s->seg_off[0] = 0;
	s->seg_end[0] = header_len;
	s->body = body;
	s->stop = stop;
	s->ids = malloc(sizeof(*s->ids));
	if (!s->ids || io_ident_stream_init(s->ids, size, start, end)) {
		free(s->ids);
		s->ids = NULL;
		io_close(s);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	/* read what the lines and the identity need, once */
	uint64_t lo = io_ident_stream_lo(s->ids), hi = io_ident_stream_hi(s->ids);
	s->seg_off[1] = lo < body ? lo : body;
	s->seg_end[1] = hi > stop ? hi : stop;
	if (lo > 0 || hi == 0) {
		struct io_hash128 head;
		if ((rc = io_ident_head(fd, path, size, &head, err))) {
			io_close(s);
			return rc;
		}
		io_ident_stream_set_head(s->ids, &head);
	}
	*out = s;
	return 0;
}

int io_ident_begin(struct io_source *s)
{
	if (s->ids || s->ranged)
		return 0;
	struct stat st;
	if (s->fd == STDIN_FILENO || fstat(s->fd, &st) || !S_ISREG(st.st_mode) ||
	    (s->mapped ? s->map_done != 0 : s->bytes_in != s->in_len))
		return SD_EFORMAT;
	s->ids = malloc(sizeof(*s->ids));
	if (!s->ids ||
	    io_ident_stream_init(s->ids, (uint64_t)st.st_size, 0, UINT64_MAX)) {
		free(s->ids);
		s->ids = NULL;
		return SD_ENOMEM;
	}
	/* what io_open read to sniff the compression (a mapped file is
	 * hashed as the reader goes: map_advance) */
	if (!s->mapped)
		io_ident_stream_feed(s->ids, s->in, s->in_len, 0);
	return 0;
}

bool io_ident_of(struct io_source *s, struct io_ident *out)
{
	return s->ids && io_ident_stream_result(s->ids, out);
}
