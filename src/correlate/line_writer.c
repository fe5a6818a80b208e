#include "correlate/line_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

/* Writeback is started once this much is written and not yet started. */
#define WRITEBACK_STEP (8u << 20)

struct corr_line_writer {
	FILE *fp;
	int fd;
	bool threaded;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t more, room;
	struct sd_buf queue[CORR_WRITER_SLOTS]; /* handed over, oldest first */
	size_t head, count;
	struct sd_buf spare[CORR_WRITER_SLOTS]; /* written, kept for reuse */
	size_t nspare;
	bool done;		   /* nothing more will be handed over */
	int err;		   /* errno of the first failed write; 0 if none */
	uint64_t written, started; /* bytes written; writeback started below */
};

/* Writes b out (no lock held: only one thread writes). */
static int write_out(struct corr_line_writer *w, const struct sd_buf *b)
{
	errno = 0;
	if (b->len && (fwrite(b->data, 1, b->len, w->fp) != b->len || fflush(w->fp)))
		return errno ? errno : EIO;
	w->written += b->len;
	if (w->fd >= 0 && w->written - w->started >= WRITEBACK_STEP) {
		/* a hint: a pipe or a device says no, which changes nothing */
		(void)sync_file_range(w->fd, (off64_t)w->started,
				      (off64_t)(w->written - w->started),
				      SYNC_FILE_RANGE_WRITE);
		w->started = w->written;
	}
	return 0;
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

struct corr_line_writer *corr_line_writer_start(FILE *fp, int fd)
{
	struct corr_line_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->fp = fp;
	w->fd = fd;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->more, NULL);
	pthread_cond_init(&w->room, NULL);
	w->threaded = sysconf(_SC_NPROCESSORS_ONLN) > 1 &&
		      pthread_create(&w->thread, NULL, writer_main, w) == 0;
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
	int e = w->err;
	for (size_t i = 0; i < w->nspare; i++)
		sd_buf_free(&w->spare[i]);
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
