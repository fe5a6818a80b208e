#include "telemetry/eve_pipe.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/csv.h"
#include "core/limits.h"

/* one line of a batch (the line's bytes are at buf + off, its quote
 * words at quote + qoff) */
struct slot {
	uint32_t off, len;
	uint64_t ln;
	uint32_t qoff;
	int8_t scan;
	bool overlong;
	bool clean; /* eve_index_copy's answer: the quote words are valid */
	bool esc;
};

enum { B_FREE, B_FILLED, B_SCANNED };

struct batch {
	char *buf; /* batch bytes + one longest line */
	size_t used;
	struct slot *slot;
	size_t n;
	struct ef_item *item; /* EK_COUNT a line at most */
	struct ef_keys *keys; /* a line's */
	uint64_t *quote;      /* the lines' quote words (eve_index_copy) */
	size_t qused;
	bool end; /* the input ended (or failed) after these lines */
	int end_rc;
	struct sd_error end_err;
	int state; /* B_*: under mu while the thread runs */
};

struct eve_pipe {
	struct io_source *src;
	size_t batch_bytes;
	struct batch b[2];
	int cur;    /* the batch the reader takes lines from */
	size_t pos; /* its next line */
	bool started, running, quit;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct eve_fast f; /* the scan's (one scan runs at a time) */
	enum eve_kernel kernel;
};

/* quote words a batch can take: its bytes (with the one line that may
 * pass them) and two words more a line (eve_index.h) */
static size_t batch_words(size_t bytes)
{
	return (bytes + SD_MAX_LINE) / 64 + 2 * (size_t)EVE_PIPE_BATCH_LINES;
}

/* Scan threads running in the process: at most one fewer than the CPUs.
 * On two CPUs that is one: with -j 1 the reader has it; with -j 2 the
 * first EVE file takes it and the others scan on their reader's thread
 * (both cores being busy already). No thread on one CPU. */
static atomic_uint scan_threads;

static bool claim_cpu(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned now = atomic_fetch_add(&scan_threads, 1);
	if (cpus > 1 && now + 2 <= (unsigned long)cpus)
		return true;
	atomic_fetch_sub(&scan_threads, 1);
	return false;
}

static bool batch_alloc(struct batch *bt, size_t bytes)
{
	bt->buf = malloc(bytes + SD_MAX_LINE);
	bt->slot = malloc(EVE_PIPE_BATCH_LINES * sizeof(*bt->slot));
	bt->item = malloc((size_t)EVE_PIPE_BATCH_LINES * EK_COUNT * sizeof(*bt->item));
	bt->keys = malloc(EVE_PIPE_BATCH_LINES * sizeof(*bt->keys));
	bt->quote = malloc(batch_words(bytes) * sizeof(*bt->quote));
	return bt->buf && bt->slot && bt->item && bt->keys && bt->quote;
}

static void batch_free(struct batch *bt)
{
	free(bt->buf);
	free(bt->slot);
	free(bt->item);
	free(bt->keys);
	free(bt->quote);
}

/* On the reader's thread: the next lines of the input, copied and
 * indexed in one pass. */
static void fill(struct eve_pipe *p, struct batch *bt)
{
	bt->used = bt->n = bt->qused = 0;
	bt->end = false;
	while (bt->used < p->batch_bytes && bt->n < EVE_PIPE_BATCH_LINES) {
		const char *line;
		size_t len;
		/* by length: the line is copied, so it need not end in a NUL */
		int rc = io_getline_span(p->src, &line, &len, &bt->end_err);
		if (rc == SD_ELIMIT) {
			bt->slot[bt->n++] =
			    (struct slot){.ln = io_lineno(p->src), .overlong = true};
			continue;
		}
		if (rc != 1) {
			bt->end = true;
			bt->end_rc = rc;
			return;
		}
		uint64_t ln = io_lineno(p->src);
		if (ln == 1) {
			size_t bom = sd_bom_len(line, len); /* Windows tools */
			line += bom;
			len -= bom;
		}
		if (!len)
			continue;
		bool esc, clean = eve_index_copy(line, len, bt->buf + bt->used, p->kernel,
						 bt->quote + bt->qused, &esc);
		bt->slot[bt->n++] = (struct slot){.off = (uint32_t)bt->used,
						  .len = (uint32_t)len,
						  .ln = ln,
						  .qoff = (uint32_t)bt->qused,
						  .clean = clean,
						  .esc = esc};
		bt->used += len;
		bt->qused += EVE_INDEX_LINE_WORDS(len);
	}
}

/* On the scan thread (or the reader's, with no thread). */
static void scan(struct eve_pipe *p, struct batch *bt)
{
	uint32_t item = 0;
	for (size_t i = 0; i < bt->n; i++) {
		struct slot *s = &bt->slot[i];
		if (s->overlong)
			continue;
		p->f.keys = &bt->keys[i]; /* the scan writes the keys there */
		p->f.item = bt->item + item;
		s->scan = (int8_t)eve_fast_scan_indexed(
		    bt->buf + s->off, s->len, s->clean ? bt->quote + s->qoff : NULL,
		    s->esc, &p->f);
		if (s->scan == EF_OK)
			item += p->f.n;
	}
}

static void *scan_main(void *arg)
{
	struct eve_pipe *p = arg;
	int i = 0;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->quit && p->b[i].state != B_FILLED)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->quit)
			break;
		pthread_mutex_unlock(&p->mu);
		scan(p, &p->b[i]);
		pthread_mutex_lock(&p->mu);
		p->b[i].state = B_SCANNED;
		pthread_cond_broadcast(&p->cv);
		i ^= 1;
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void submit(struct eve_pipe *p, struct batch *bt)
{
	pthread_mutex_lock(&p->mu);
	bt->state = B_FILLED;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static void await(struct eve_pipe *p, struct batch *bt)
{
	pthread_mutex_lock(&p->mu);
	while (bt->state != B_SCANNED)
		pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

/* The first batch; a thread only when there is more than one. */
static void start(struct eve_pipe *p)
{
	struct batch *bt = &p->b[0];
	p->started = true;
	fill(p, bt);
	if (bt->end || !claim_cpu()) {
		scan(p, bt);
		return;
	}
	if (!batch_alloc(&p->b[1], p->batch_bytes) ||
	    pthread_create(&p->thread, NULL, scan_main, p)) {
		atomic_fetch_sub(&scan_threads, 1);
		scan(p, bt);
		return;
	}
	p->running = true;
	submit(p, bt);
	fill(p, &p->b[1]);
	submit(p, &p->b[1]);
	await(p, bt);
}

/* The current batch is used up and the input goes on. */
static void advance(struct eve_pipe *p)
{
	struct batch *bt = &p->b[p->cur];
	p->pos = 0;
	if (!p->started) {
		start(p);
		return;
	}
	if (!p->running) {
		fill(p, bt);
		scan(p, bt);
		return;
	}
	/* the other batch is with the scan thread already: this one reads
	 * on while that is scanned, unless the input ended there */
	if (!p->b[p->cur ^ 1].end) {
		fill(p, bt);
		submit(p, bt);
	}
	p->cur ^= 1;
	await(p, &p->b[p->cur]);
}

int eve_pipe_new(struct io_source *src, enum eve_kernel k, size_t batch_bytes,
		 struct eve_pipe **out, struct sd_error *err)
{
	struct eve_pipe *p = calloc(1, sizeof(*p));
	if (!p ||
	    !batch_alloc(&p->b[0], batch_bytes ? batch_bytes : EVE_PIPE_BATCH_BYTES)) {
		if (p)
			batch_free(&p->b[0]);
		free(p);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	p->src = src;
	p->batch_bytes = batch_bytes ? batch_bytes : EVE_PIPE_BATCH_BYTES;
	p->kernel = k == EVE_KERNEL_AUTO ? eve_kernel_best() : k;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	*out = p;
	return 0;
}

int eve_pipe_next(struct eve_pipe *p, struct eve_pipe_line *l, struct sd_error *err)
{
	for (;;) {
		struct batch *bt = &p->b[p->cur];
		if (p->pos < bt->n) {
			const struct slot *s = &bt->slot[p->pos++];
			*l = (struct eve_pipe_line){
			    .line = s->overlong ? NULL : bt->buf + s->off,
			    .len = s->len,
			    .ln = s->ln,
			    .overlong = s->overlong,
			    .scan = s->scan,
			    .keys = &bt->keys[p->pos - 1]};
			return 1;
		}
		if (p->started && bt->end) {
			if (bt->end_rc < 0)
				*err = bt->end_err;
			return bt->end_rc;
		}
		advance(p);
	}
}

void eve_pipe_free(struct eve_pipe *p)
{
	if (!p)
		return;
	if (p->running) {
		pthread_mutex_lock(&p->mu);
		p->quit = true;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->thread, NULL);
		atomic_fetch_sub(&scan_threads, 1);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	batch_free(&p->b[0]);
	batch_free(&p->b[1]);
	free(p);
}
