#include "correlate/line_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DIRECT_ALIGN 4096u    /* covers 512- and 4096-byte sectors */
#define STAGE_SIZE (4u << 20) /* the aligned buffer O_DIRECT writes from */

struct corr_line_writer {
	FILE *fp;
	int fd;
	bool direct; /* fd is in O_DIRECT mode */
	char *stage; /* DIRECT_ALIGN-aligned, STAGE_SIZE bytes */
	size_t staged;
	bool threaded;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t more, room;
	struct sd_buf queue[CORR_WRITER_SLOTS]; /* handed over, oldest first */
	size_t head, count;
	struct sd_buf spare[CORR_WRITER_SLOTS]; /* written, kept for reuse */
	size_t nspare;
	bool done; /* nothing more will be handed over */
	int err;   /* errno of the first failed write; 0 if none */
};

/* Through the stream (its cookie keeps the reason of a failure). */
static int write_stream(struct corr_line_writer *w, const char *p, size_t n)
{
	errno = 0;
	if (n && (fwrite(p, 1, n, w->fp) != n || fflush(w->fp)))
		return errno ? errno : EIO;
	return 0;
}

/* Back to writing through the stream, from where the file is now. */
static void leave_direct(struct corr_line_writer *w)
{
	int fl = fcntl(w->fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(w->fd, F_SETFL, fl & ~O_DIRECT);
	w->direct = false;
}

/* The whole blocks of the stage with O_DIRECT, the rest moved to its
 * front; false when O_DIRECT did not take them all (the stage then holds
 * what is left, for the stream). */
static bool flush_blocks(struct corr_line_writer *w)
{
	size_t n = w->staged / DIRECT_ALIGN * DIRECT_ALIGN, done = 0;
	while (done < n) {
		ssize_t r = write(w->fd, w->stage + done, n - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (size_t)r % DIRECT_ALIGN) {
			if (r > 0)
				done += (size_t)r;
			memmove(w->stage, w->stage + done, w->staged - done);
			w->staged -= done;
			return false;
		}
		done += (size_t)r;
	}
	memmove(w->stage, w->stage + n, w->staged - n);
	w->staged -= n;
	return true;
}

/* Writes b out (no lock held: only one thread writes). */
static int write_out(struct corr_line_writer *w, const struct sd_buf *b)
{
	const char *p = b->data;
	size_t n = b->len;
	while (w->direct && n) {
		size_t k = STAGE_SIZE - w->staged < n ? STAGE_SIZE - w->staged : n;
		memcpy(w->stage + w->staged, p, k);
		w->staged += k;
		p += k;
		n -= k;
		if (w->staged == STAGE_SIZE && !flush_blocks(w)) {
			leave_direct(w);
			int e = write_stream(w, w->stage, w->staged);
			w->staged = 0;
			if (e)
				return e;
		}
	}
	return write_stream(w, p, n);
}

/* What is still staged, through the stream, at the end. */
static int write_rest(struct corr_line_writer *w)
{
	if (w->direct) {
		(void)flush_blocks(w); /* what it leaves goes through the stream */
		leave_direct(w);       /* as the last partial block does */
	}
	int e = write_stream(w, w->stage, w->staged);
	w->staged = 0;
	return e;
}

/* b, written, back to the spare buffers (or freed); lock held. */
static void keep_spare(struct corr_line_writer *w, struct sd_buf *b)
{
	b->len = 0;
	if (w->nspare < CORR_WRITER_SLOTS)
		w->spare[w->nspare++] = *b;
	else
		sd_buf_free(b);
}

static void *writer_main(void *arg)
{
	struct corr_line_writer *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->count && !w->done)
			pthread_cond_wait(&w->more, &w->mu);
		if (!w->count)
			break;
		struct sd_buf b = w->queue[w->head];
		pthread_mutex_unlock(&w->mu);
		int e = w->err ? 0 : write_out(w, &b);
		pthread_mutex_lock(&w->mu);
		if (e && !w->err)
			w->err = e;
		w->head = (w->head + 1) % CORR_WRITER_SLOTS;
		w->count--;
		keep_spare(w, &b);
		pthread_cond_signal(&w->room);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* O_DIRECT on fd when the file system takes it; the stage it needs. */
static void try_direct(struct corr_line_writer *w)
{
	void *stage;
	if (w->fd < 0 || posix_memalign(&stage, DIRECT_ALIGN, STAGE_SIZE))
		return;
	int fl = fcntl(w->fd, F_GETFL);
	if (fl < 0 || fcntl(w->fd, F_SETFL, fl | O_DIRECT)) {
		free(stage);
		return;
	}
	w->stage = stage;
	w->direct = true;
}

struct corr_line_writer *corr_line_writer_start(FILE *fp, int fd, bool threaded)
{
	struct corr_line_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->fp = fp;
	w->fd = fd;
	if (fd >= 0 && fflush(fp) == 0)
		try_direct(w);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->more, NULL);
	pthread_cond_init(&w->room, NULL);
	w->threaded = threaded && pthread_create(&w->thread, NULL, writer_main, w) == 0;
	return w;
}

/* The next empty buffer for the renderer; lock held when threaded. */
static struct sd_buf take_spare(struct corr_line_writer *w)
{
	return w->nspare ? w->spare[--w->nspare] : (struct sd_buf){0};
}

int corr_line_writer_put(struct corr_line_writer *w, struct sd_buf *b)
{
	if (b->failed) {
		errno = ENOMEM;
		return -1;
	}
	if (!w->threaded) {
		int e = w->err ? w->err : write_out(w, b);
		if (e) {
			w->err = e;
			errno = e;
			return -1;
		}
		b->len = 0;
		return 0;
	}
	pthread_mutex_lock(&w->mu);
	while (w->count == CORR_WRITER_SLOTS && !w->err)
		pthread_cond_wait(&w->room, &w->mu);
	int e = w->err;
	if (!e) {
		w->queue[(w->head + w->count) % CORR_WRITER_SLOTS] = *b;
		w->count++;
		*b = take_spare(w);
		pthread_cond_signal(&w->more);
	}
	pthread_mutex_unlock(&w->mu);
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

int corr_line_writer_finish(struct corr_line_writer *w)
{
	if (w->threaded) {
		pthread_mutex_lock(&w->mu);
		w->done = true;
		pthread_cond_signal(&w->more);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
	}
	int e = w->err ? w->err : write_rest(w);
	if (w->direct) /* after a failure */
		leave_direct(w);
	for (size_t i = 0; i < w->nspare; i++)
		sd_buf_free(&w->spare[i]);
	free(w->stage);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->more);
	pthread_cond_destroy(&w->room);
	free(w);
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}
