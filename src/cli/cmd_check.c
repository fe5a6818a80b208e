/* sighted check: is an address or prefix listed? */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "cli/cli.h"
#include "cli/files.h"
#include "cli/options.h"
#include "cli/terminal.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/limits.h"
#include "db/db.h"
#include "io/source.h"
#include "report/answer.h"
#include "report/render.h"
#include "report/report.h"

#define CMD "check"

static void help(FILE *out)
{
	fprintf(
	    out,
	    "usage: sighted check [options] ADDRESS|PREFIX...\n"
	    "       sighted check [options] -      (one query per line on stdin)\n"
	    "\n"
	    "Tells whether addresses or prefixes were sighted talking to a\n"
	    "campaign's infrastructure, with the evidence.\n"
	    "\n"
	    "  -d, --db FILE      snapshot (default: $SIGHTED_DB or sighted.sdb)\n"
	    "      --json         JSON Lines: one object per query\n"
	    "      --csv          CSV: one row per query and sighting, with a header\n"
	    "      --max-inside N entries listed inside a prefix (default 1000)\n"
	    "      --listed       print only the queries that are listed (bad queries\n"
	    "                     are still reported on stderr)\n"
	    "  -q, --quiet        print nothing; the exit status tells\n"
	    "  -h, --help         this text\n"
	    "\n"
	    "For an address: every entry covering it (the address itself and any\n"
	    "listed prefix containing it). For a prefix: entries covering it and\n"
	    "the entries inside it, with their count.\n"
	    "Exit status: 0 at least one query listed, 1 none listed, 2 usage,\n"
	    "3 a query could not be parsed or the snapshot is unreadable/corrupt.\n");
}

enum mode { MODE_TEXT, MODE_JSON, MODE_CSV, MODE_QUIET };

/* Output is gathered in buffers and handed to stdio in blocks of about
 * this size. */
#define CHECK_FLUSH_AT (256 * 1024)

struct check {
	const struct db *db;
	enum mode mode;
	bool listed_only; /* --listed: print the listed queries only */
	size_t max_inside;
	bool any_listed, any_error, write_failed;
};

/* Where answers are rendered: one for the queries on the command line,
 * one per block of a stream (rendered on a worker thread). */
struct lane {
	struct sd_buf out, err; /* stdout and stderr text, in order */
	struct report_answer *answer;
	struct report_renderer render;
	bool any_listed, any_error, oom;
};

static enum report_format format_of(enum mode m)
{
	return m == MODE_JSON ? REPORT_JSON : m == MODE_CSV ? REPORT_CSV : REPORT_TEXT;
}

static int lane_init(struct lane *l, const struct check *c)
{
	*l = (struct lane){0};
	report_renderer_init(&l->render, c->db, format_of(c->mode), REPORT_FULL);
	l->answer = calloc(1, sizeof(*l->answer));
	return l->answer ? 0 : SD_ENOMEM;
}

static void lane_free(struct lane *l)
{
	sd_buf_free(&l->out);
	sd_buf_free(&l->err);
	report_renderer_fini(&l->render);
	if (l->answer)
		report_answer_free(l->answer);
	free(l->answer);
	l->answer = NULL;
}

/* Writes what a lane holds (stderr text first) and empties it. */
static void lane_emit(struct check *c, struct lane *l)
{
	if (l->err.len || l->err.failed) {
		if (sd_buf_flush(&l->err, stderr) != 0)
			l->oom |= l->err.failed;
		l->err.len = 0;
	}
	if (!c->write_failed && sd_buf_flush(&l->out, stdout) != 0) {
		c->write_failed = true;
		l->oom |= l->out.failed;
		if (!l->out.failed)
			cli_error(CMD, "standard output: %s", strerror(errno));
	}
	l->out.len = 0;
	c->any_listed |= l->any_listed;
	c->any_error |= l->any_error;
	if (l->oom) {
		c->any_error = true;
		cli_error(CMD, "out of memory");
	}
	l->any_listed = l->any_error = l->oom = false;
}

static void report_bad(const struct check *c, struct lane *l, const char *text,
		       size_t len, const char *where, const char *why)
{
	if (len > 80)
		len = 80;
	l->any_error = true;
	sd_buf_puts(&l->err, "sighted check: ");
	sd_buf_puts(&l->err, where);
	sd_buf_putc(&l->err, '\'');
	/* the query as given, control bytes and invalid UTF-8 escaped:
	 * nothing that drives a terminal */
	char q[81 * 4];
	cli_escape(q, sizeof(q), text, len);
	sd_buf_puts(&l->err, q);
	sd_buf_puts(&l->err, "': ");
	sd_buf_puts(&l->err, why);
	sd_buf_putc(&l->err, '\n');
	if (c->mode != MODE_QUIET && !c->listed_only)
		report_render_error(&l->out, format_of(c->mode), text, len, why);
}

/* Whether text, which parsed as p, is p's canonical form: an IPv4
 * address is accepted only as a strict dotted quad (net/addr.h), which is
 * how it is printed, unless it came as IPv6 text (::ffff:192.0.2.7) or
 * with a length (/32). */
static bool written_canonically(const struct net_prefix *p, const char *text, size_t len)
{
	return p->len == 128 && net_addr_is_v4(&p->addr) && len < NET_ADDR_STRLEN &&
	       !memchr(text, ':', len) && !memchr(text, '/', len);
}

/* What a batched lookup already knows of an address query. */
enum known { KNOWN_NOTHING, KNOWN_UNLISTED, KNOWN_ONLY_ENTRY, KNOWN_LISTED };

/* known: what a batched lookup found for an address (entry: its only
 * covering entry, for KNOWN_ONLY_ENTRY), KNOWN_NOTHING when there was
 * none. */
static void answer(const struct check *c, struct lane *l, const struct net_prefix *p,
		   const char *text, size_t len, bool canonical, enum known known,
		   const struct db_entry *entry)
{
	if (p->len == 128 && known == KNOWN_NOTHING)
		known = db_contains(c->db, &p->addr) ? KNOWN_LISTED : KNOWN_UNLISTED;
	if (p->len == 128 && known == KNOWN_UNLISTED) {
		/* the common case in a stream: no entry to fetch */
		if (c->mode == MODE_QUIET || c->listed_only)
			return;
		if (canonical) {
			report_renderer_address(&l->render, &l->out, p, text, len, NULL);
			return;
		}
		report_answer_unlisted(p, l->answer);
	} else if (p->len == 128 && known == KNOWN_ONLY_ENTRY && entry) {
		l->any_listed = true;
		if (c->mode == MODE_QUIET)
			return;
		if (canonical) {
			report_renderer_address(&l->render, &l->out, p, text, len, entry);
			return;
		}
		report_answer_found(p, entry, l->answer);
	} else {
		if (c->mode == MODE_QUIET && p->len == 128) {
			l->any_listed = true;
			return;
		}
		if (report_answer_lookup(c->db, p, c->max_inside, l->answer)) {
			l->oom = true;
			return;
		}
		l->any_listed |= l->answer->listed;
		if (c->mode == MODE_QUIET || (c->listed_only && !l->answer->listed))
			return;
	}
	if (canonical)
		report_answer_given_canonical(l->answer, text, len);
	else
		report_answer_given(l->answer, text, len);
	report_renderer_answer(&l->render, &l->out, l->answer);
}

static int parse_query(const char *text, size_t len, struct net_prefix *p,
		       const char **why, struct sd_field *f)
{
	f->s = (char *)text;
	f->len = len;
	sd_field_trim(f);
	return net_prefix_parse(f->s, f->len, p, 0, why);
}

static void query(struct check *c, struct lane *l, const char *text, size_t len)
{
	struct net_prefix p;
	struct sd_field f;
	const char *why;
	int rc = parse_query(text, len, &p, &why, &f);
	if (rc)
		report_bad(c, l, f.s, f.len, "", why);
	else
		answer(c, l, &p, f.s, f.len, written_canonically(&p, f.s, f.len),
		       KNOWN_NOTHING, NULL);
	if (l->out.len >= CHECK_FLUSH_AT || l->err.len)
		lane_emit(c, l);
}

/* ---- a stream on stdin ----
 * The main thread only reads: it fills blocks of CHECK_RAW bytes ending at
 * a line end and counts their lines. CHECK_WORKERS threads split a
 * block's lines, parse them, look them up in batches (db_cover_batch,
 * so the memory misses of their addresses overlap) and render the answers
 * into the block's own buffers. The worker that finishes a block writes
 * out the finished blocks at the head of the ring, in input order, while
 * the other goes on rendering: reading never waits on write() (a JSON
 * answer is 200 bytes a query, a GB for 5M queries, and writing it into
 * the page cache costs about as much as rendering it), and neither core
 * idles while one thread writes. At most CHECK_RING blocks are in flight:
 * memory stays bounded. */
#define CHECK_RAW (128 * 1024) /* > SD_MAX_LINE: a longest line fits */
#define CHECK_BATCH 256	       /* addresses a db_cover_batch call */
#define CHECK_RING 6
#define CHECK_WORKERS 2
_Static_assert(CHECK_RAW > SD_MAX_LINE + 1, "a block holds a longest line");

struct pending {
	struct net_prefix p;
	int rc;
	const char *why;
	uint64_t lineno;
	const char *text; /* in the block, trimmed */
	size_t len;
	bool canonical; /* text is p's canonical form */
};

enum block_state { BLOCK_FREE, BLOCK_QUEUED, BLOCK_DONE };

struct block {
	char raw[CHECK_RAW]; /* whole lines (the last may lack its newline at
				the end of input) */
	size_t rawlen;
	uint64_t first_line; /* number of the line raw starts with */
	/* the line before raw was longer than the block (skipped): said
	 * before the answers of this block */
	bool after_long_line;
	enum block_state state;
	struct lane lane;
};

struct stream {
	struct check *c;
	struct block *blocks[CHECK_RING];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t submitted, taken, emitted; /* block sequence numbers */
	bool writing;			    /* a worker is writing blocks out */
	bool quit;
};

static void report_long_line(struct lane *l, uint64_t lineno)
{
	char msg[128];
	snprintf(msg, sizeof(msg),
		 "sighted check: (stdin):%llu: line longer than SD_MAX_LINE (%d bytes)\n",
		 (unsigned long long)lineno, SD_MAX_LINE);
	sd_buf_puts(&l->err, msg);
	l->any_error = true;
}

/* Looks up and answers pend[0..n), in order. */
static void answer_batch(const struct check *c, struct lane *l, struct pending *pend,
			 size_t n)
{
	struct net_addr addrs[CHECK_BATCH];
	struct db_entry entry[CHECK_BATCH];
	uint8_t found[CHECK_BATCH];
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!pend[i].rc && pend[i].p.len == 128)
			addrs[k++] = pend[i].p.addr;
	if (k && c->mode == MODE_QUIET) {
		/* only whether: no entry to hand back */
		bool hit[CHECK_BATCH];
		db_contains_batch(c->db, addrs, k, hit);
		for (size_t i = 0; i < k; i++)
			found[i] = hit[i] ? 2 : 0;
	} else if (k) {
		db_cover_batch(c->db, addrs, k, entry, found);
	}
	static const enum known known_of[3] = {KNOWN_UNLISTED, KNOWN_ONLY_ENTRY,
					       KNOWN_LISTED};
	for (size_t i = 0, j = 0; i < n; i++) {
		if (pend[i].rc) {
			char where[64];
			snprintf(where, sizeof(where),
				 "(stdin):%llu: ", (unsigned long long)pend[i].lineno);
			report_bad(c, l, pend[i].text, pend[i].len, where, pend[i].why);
			continue;
		}
		if (pend[i].p.len == 128) {
			answer(c, l, &pend[i].p, pend[i].text, pend[i].len,
			       pend[i].canonical, known_of[found[j]], &entry[j]);
			j++;
		} else {
			answer(c, l, &pend[i].p, pend[i].text, pend[i].len, false,
			       KNOWN_NOTHING, NULL);
		}
	}
}

/* The lines of a block being answered, batch by batch. */
struct block_pass {
	const struct check *c;
	struct lane *l;
	struct pending pend[CHECK_BATCH];
	size_t n;
	uint64_t lineno; /* of the next line */
};

static void block_line(struct block_pass *bp, const char *line, size_t len)
{
	uint64_t lineno = bp->lineno++;
	if (len > SD_MAX_LINE) { /* as io_getline says it */
		answer_batch(bp->c, bp->l, bp->pend, bp->n);
		bp->n = 0;
		report_long_line(bp->l, lineno);
		return;
	}
	if (len && line[len - 1] == '\r')
		len--;
	/* a byte-order mark, as Windows tools write, before the first
	 * query (import accepts it too) */
	if (lineno == 1) {
		size_t bom = sd_bom_len(line, len);
		line += bom;
		len -= bom;
	}
	if (len == 0 || line[0] == '#')
		return;
	struct pending *q = &bp->pend[bp->n];
	q->lineno = lineno;
	if (net_addr_parse_dotted_quad(line, len, &q->p.addr)) {
		/* the common case: nothing to trim, the text is canonical */
		q->p.len = 128;
		q->rc = 0;
		q->text = line;
		q->len = len;
		q->canonical = true;
	} else {
		struct sd_field f;
		q->rc = parse_query(line, len, &q->p, &q->why, &f);
		q->text = f.s;
		q->len = f.len;
		q->canonical = !q->rc && written_canonically(&q->p, f.s, f.len);
	}
	if (++bp->n == CHECK_BATCH) {
		answer_batch(bp->c, bp->l, bp->pend, bp->n);
		bp->n = 0;
	}
}

/* Answers a block's lines. They are found 16 bytes at a time, a bit per
 * newline, rather than by a memchr call per (short) line. */
static void process_block(const struct check *c, struct block *b)
{
	struct block_pass pass, *bp = &pass;
	bp->c = c;
	bp->l = &b->lane;
	bp->n = 0;
	bp->lineno = b->first_line;
	if (b->after_long_line)
		report_long_line(bp->l, bp->lineno - 1);
	const char *raw = b->raw;
	size_t rawlen = b->rawlen, start = 0;
	for (size_t base = 0; base < rawlen; base += 16) {
		unsigned nl = 0;
#ifdef __SSE2__
		if (rawlen - base >= 16) {
			__m128i v = _mm_loadu_si128((const void *)(raw + base));
			nl = (unsigned)_mm_movemask_epi8(
			    _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
		} else
#endif
		{
			size_t k = rawlen - base < 16 ? rawlen - base : 16;
			for (size_t i = 0; i < k; i++)
				nl |= (unsigned)(raw[base + i] == '\n') << i;
		}
		for (; nl; nl &= nl - 1) {
			size_t end = base + (size_t)__builtin_ctz(nl);
			block_line(bp, raw + start, end - start);
			start = end + 1;
		}
	}
	if (start < rawlen) /* the last line, without a newline at the end */
		block_line(bp, raw + start, rawlen - start);
	answer_batch(c, bp->l, bp->pend, bp->n);
}

/* Writes out the finished blocks at the head of the ring, in order, with
 * st->mu held (released while writing). One worker writes at a time: one
 * that finishes a block meanwhile leaves it to the writing one, which
 * looks at the head again after every block. */
static void write_finished(struct stream *st)
{
	if (st->writing)
		return;
	st->writing = true;
	for (;;) {
		struct block *b = st->blocks[st->emitted % CHECK_RING];
		if (st->emitted == st->submitted || b->state != BLOCK_DONE)
			break;
		pthread_mutex_unlock(&st->mu);
		lane_emit(st->c, &b->lane);
		pthread_mutex_lock(&st->mu);
		b->state = BLOCK_FREE;
		st->emitted++;
		pthread_cond_broadcast(&st->cv);
	}
	st->writing = false;
}

static void *worker_main(void *arg)
{
	struct stream *st = arg;
	pthread_mutex_lock(&st->mu);
	for (;;) {
		while (st->taken == st->submitted && !st->quit)
			pthread_cond_wait(&st->cv, &st->mu);
		if (st->taken == st->submitted)
			break; /* quit, and nothing left */
		struct block *b = st->blocks[st->taken++ % CHECK_RING];
		pthread_mutex_unlock(&st->mu);
		process_block(st->c, b);
		pthread_mutex_lock(&st->mu);
		b->state = BLOCK_DONE;
		write_finished(st);
	}
	pthread_mutex_unlock(&st->mu);
	return NULL;
}

/* Without workers the block is answered and written out on this thread
 * (the next one is another block all the same: the unfinished line at the
 * end of this one is copied from it). */
static void submit(struct stream *st, bool threaded)
{
	struct block *b = st->blocks[st->submitted % CHECK_RING];
	if (!threaded) {
		process_block(st->c, b);
		lane_emit(st->c, &b->lane);
		st->submitted++;
		st->emitted++;
		return;
	}
	pthread_mutex_lock(&st->mu);
	b->state = BLOCK_QUEUED;
	st->submitted++;
	pthread_cond_broadcast(&st->cv);
	pthread_mutex_unlock(&st->mu);
}

/* Waits until at most keep blocks are in flight (not yet written out). */
static void wait_written(struct stream *st, bool threaded, uint64_t keep)
{
	if (!threaded)
		return; /* each was written as it was submitted */
	pthread_mutex_lock(&st->mu);
	while (st->submitted - st->emitted > keep)
		pthread_cond_wait(&st->cv, &st->mu);
	pthread_mutex_unlock(&st->mu);
}

/* Newlines in s[0..n): 16 bytes at a time, where a memchr call per
 * (short) line costs more than the line's own work on the reading thread. */
static size_t count_lines(const char *s, size_t n)
{
	size_t k = 0, i = 0;
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
	while (n - i >= 16) {
		/* byte counters (each newline adds 1: a compare gives -1),
		 * summed before one can pass 255 */
		__m128i acc = zero;
		for (size_t r = 0; r < 255 && n - i >= 16; r++, i += 16)
			acc = _mm_sub_epi8(
			    acc,
			    _mm_cmpeq_epi8(_mm_loadu_si128((const void *)(s + i)), nl));
		__m128i sum = _mm_sad_epu8(acc, zero);
		k += (size_t)_mm_cvtsi128_si32(sum) +
		     (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sum, 8));
	}
#endif
	for (; i < n; i++)
		k += s[i] == '\n';
	return k;
}

/* The block to fill next, once it is free (written out). */
static struct block *next_block(struct stream *st, bool threaded)
{
	wait_written(st, threaded, CHECK_RING - 1);
	return st->blocks[st->submitted % CHECK_RING];
}

static void query_stream(struct check *c, struct io_source *src)
{
	struct stream st = {.c = c};
	size_t nblocks = 0;
	for (; nblocks < CHECK_RING; nblocks++) {
		st.blocks[nblocks] = malloc(sizeof(struct block));
		if (!st.blocks[nblocks] || lane_init(&st.blocks[nblocks]->lane, c)) {
			free(st.blocks[nblocks]);
			break;
		}
		st.blocks[nblocks]->state = BLOCK_FREE;
	}
	if (nblocks < CHECK_RING) {
		c->any_error = true;
		cli_error(CMD, "out of memory");
		goto out;
	}
	pthread_mutex_init(&st.mu, NULL);
	pthread_cond_init(&st.cv, NULL);
	pthread_t tid[CHECK_WORKERS];
	size_t nworkers = 0;
	while (nworkers < CHECK_WORKERS &&
	       pthread_create(&tid[nworkers], NULL, worker_main, &st) == 0)
		nworkers++;
	bool threaded = nworkers > 0; /* else every block on this thread */

	struct sd_error err = {0};
	uint64_t lineno = 1;	  /* of the first line of the next block */
	const char *carry = NULL; /* the unfinished line of the last block */
	size_t carry_len = 0;
	bool long_line = false; /* skipping a line longer than a block */
	bool eof = false, read_failed = false;
	while (!eof) {
		struct block *b = next_block(&st, threaded);
		if (carry_len)
			memcpy(b->raw, carry, carry_len);
		b->rawlen = carry_len;
		b->first_line = lineno;
		b->after_long_line = false;
		carry_len = 0;
		for (;;) {
			while (b->rawlen < CHECK_RAW) {
				long n = io_read(src, b->raw + b->rawlen,
						 CHECK_RAW - b->rawlen, &err);
				if (n < 0) {
					read_failed = true;
					break;
				}
				if (n == 0) {
					eof = true;
					break;
				}
				b->rawlen += (size_t)n;
			}
			if (!long_line)
				break;
			/* the rest of a line longer than a block, dropped */
			const char *nl = memchr(b->raw, '\n', b->rawlen);
			if (nl) {
				size_t skip = (size_t)(nl + 1 - b->raw);
				memmove(b->raw, nl + 1, b->rawlen - skip);
				b->rawlen -= skip;
				b->after_long_line = true;
				b->first_line = ++lineno;
				long_line = false;
				if (read_failed)
					break;
				continue; /* fill the rest of the block */
			}
			b->rawlen = 0;
			if (read_failed)
				break;
			if (eof) {
				b->after_long_line = true;
				b->first_line = ++lineno;
				break;
			}
		}
		size_t whole = b->rawlen; /* what this block answers */
		if (!eof) {
			const char *nl = memrchr(b->raw, '\n', b->rawlen);
			if (!nl) { /* a line longer than the block: skipped */
				long_line = true;
				whole = 0;
			} else {
				whole = (size_t)(nl + 1 - b->raw);
			}
		}
		carry = b->raw + whole;
		carry_len = long_line ? 0 : b->rawlen - whole;
		b->rawlen = whole;
		lineno += count_lines(b->raw, whole);
		if (b->rawlen || b->after_long_line)
			submit(&st, threaded);
		if (read_failed) {
			/* said in its place: after the answers to the whole
			 * lines before it */
			wait_written(&st, threaded, 0);
			fprintf(stderr, "sighted check: %s\n", err.msg);
			c->any_error = true;
			break;
		}
	}
	wait_written(&st, threaded, 0);
	pthread_mutex_lock(&st.mu);
	st.quit = true;
	pthread_cond_broadcast(&st.cv);
	pthread_mutex_unlock(&st.mu);
	for (size_t i = 0; i < nworkers; i++)
		pthread_join(tid[i], NULL);
	pthread_cond_destroy(&st.cv);
	pthread_mutex_destroy(&st.mu);
out:
	for (size_t i = 0; i < nblocks; i++) {
		lane_free(&st.blocks[i]->lane);
		free(st.blocks[i]);
	}
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"json", no_argument, NULL, 'J'},
	    {"csv", no_argument, NULL, 'C'},
	    {"max-inside", required_argument, NULL, 'M'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"listed", no_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *dbpath = cli_default_db();
	struct check c = {.mode = MODE_TEXT, .max_inside = REPORT_MAX_INSIDE};
	int opt;
	struct cli_mode mode = {MODE_TEXT, NULL};
	optind = 1;
	while ((opt = getopt_long(argc, argv, "d:qh", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dbpath = optarg;
			break;
		case 'J':
		case 'C':
		case 'q':
			if (!cli_set_mode(CMD, &mode,
					  opt == 'J'   ? MODE_JSON
					  : opt == 'C' ? MODE_CSV
						       : MODE_QUIET,
					  opt == 'J'   ? "--json"
					  : opt == 'C' ? "--csv"
						       : "--quiet"))
				return EXIT_USAGE;
			c.mode = (enum mode)mode.mode;
			break;
		case 'L':
			c.listed_only = true;
			break;
		case 'M': {
			uint64_t v;
			if (cli_u64_why(optarg, &v) || v > 1000000) {
				cli_error(CMD, "--max-inside '%s': a number 0..1000000",
					  optarg);
				return EXIT_USAGE;
			}
			c.max_inside = (size_t)v;
			break;
		}
		case 'h':
			help(stdout);
			return EXIT_OK;
		default:
			help(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error(CMD, "nothing to check (give addresses, prefixes or '-')");
		help(stderr);
		return EXIT_USAGE;
	}
	const char *ins[2] = {dbpath, "-"};
	bool reads_stdin = false;
	for (int i = optind; i < argc; i++)
		reads_stdin |= !strcmp(argv[i], "-");
	int fs = cli_check_stdout(CMD, ins, reads_stdin ? 2 : 1);
	if (fs != EXIT_OK)
		return fs;
	struct sd_error err = {0};
	struct db *db;
	if (db_open(dbpath, &db, &err)) {
		cli_error(CMD, "%s", err.msg);
		return cli_exit_for(err.code);
	}
	c.db = db;
	struct lane main_lane;
	if (lane_init(&main_lane, &c)) {
		cli_error(CMD, "out of memory");
		db_close(db);
		return EXIT_FAIL;
	}
	if (c.mode == MODE_CSV)
		report_render_csv_header(&main_lane.out);
	for (int i = optind; i < argc; i++) {
		if (strcmp(argv[i], "-") != 0) {
			query(&c, &main_lane, argv[i], strlen(argv[i]));
			continue;
		}
		lane_emit(&c, &main_lane); /* what came before, in order */
		struct io_source *src;
		if (io_open("-", &src, &err)) {
			cli_error(CMD, "%s", err.msg);
			c.any_error = true;
			break;
		}
		query_stream(&c, src);
		io_close(src);
	}
	lane_emit(&c, &main_lane);
	lane_free(&main_lane);
	db_close(db);
	if (!c.write_failed && fflush(stdout) != 0) {
		cli_error(CMD, "standard output: %s", strerror(errno));
		c.write_failed = true;
	}
	if (c.write_failed)
		return EXIT_FAIL;
	if (c.any_error)
		return EXIT_DATA;
	return c.any_listed ? EXIT_OK : EXIT_NOT_LISTED;
}

const struct cli_command cli_cmd_check = {
    "check", "is an address or prefix listed? (CLI lookup)", run};
