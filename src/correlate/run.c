#include "correlate/run.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io/source.h"

struct shared {
	const struct corr_rules *rules;
	bool timeless; /* corr_rules_timeless(rules), asked once */
	struct corr_agg *agg;
	const struct corr_input *inputs;
	size_t n;
	const struct corr_run_opts *opt;
	struct corr_file_result *results;
	atomic_size_t next;
	atomic_uint_fast64_t bytes, records, files_done, malformed;
	atomic_bool stop;
	atomic_int fatal;
	pthread_mutex_t report_lock;
	/* wakes the progress loop when a worker finishes, so the end of the
	 * run is not delayed by the progress interval */
	pthread_mutex_t done_lock;
	pthread_cond_t done_cond;
	unsigned running;
	struct sd_error fatal_err;
};

struct file_ctx {
	struct shared *sh;
};

static void on_malformed(void *ctx, const char *where, const char *why)
{
	struct shared *sh = ((struct file_ctx *)ctx)->sh;
	uint64_t total = atomic_fetch_add(&sh->malformed, 1) + 1;
	if (total > sh->opt->error_limit)
		atomic_store(&sh->stop, true);
	if (sh->opt->report) {
		pthread_mutex_lock(&sh->report_lock);
		sh->opt->report(sh->opt->report_ctx, where, why);
		pthread_mutex_unlock(&sh->report_lock);
	}
}

/* The prefilter of a learn-only run: a role is taught by a record's kind,
 * flags, addresses and ports, which a reader sets before asking. */
static bool skip_all(void *ctx, const struct tel_record *rec)
{
	(void)ctx;
	(void)rec;
	return false;
}

/* Opens the lines of in->path that start inside its range: the format is
 * detected on the whole file (a range may start anywhere), then the
 * format's header block (Zeek's # lines, a CSV header row) is served in
 * front of the range so that the reader knows the columns. */
static int open_range(const struct corr_input *in, struct tel_options *topt,
		      struct io_source **out, struct sd_error *err)
{
	struct io_source *whole;
	struct tel_reader *r;
	int rc = io_open(in->path, &whole, err);
	if (rc)
		return rc;
	if (io_compression(whole) != IO_PLAIN) {
		io_close(whole);
		return sd_error_set(err, SD_EFORMAT,
				    "%s: compressed: --range reads byte ranges of "
				    "uncompressed line-oriented files only",
				    in->path);
	}
	if ((rc = tel_open(whole, topt, &r, err)))
		return rc;
	enum tel_format fmt = tel_format_of(r);
	tel_close(r);
	if (fmt == TEL_FMT_PCAP)
		return sd_error_set(err, SD_EFORMAT,
				    "%s: pcap is made of packets, not lines: --range "
				    "cannot split it (give the whole file)",
				    in->path);
	uint64_t header = 0;
	if (fmt == TEL_FMT_ZEEK_TSV || fmt == TEL_FMT_NFDUMP_CSV || fmt == TEL_FMT_CSV)
		rc = io_header_len(in->path, fmt == TEL_FMT_ZEEK_TSV ? 0 : 1, &header,
				   err);
	if (rc)
		return rc;
	topt->format = fmt; /* a range may not look like its format */
	return io_open_range(in->path, header, in->start, in->end, out, err);
}

static void run_file(struct shared *sh, size_t idx)
{
	const struct corr_input *in = &sh->inputs[idx];
	struct corr_file_result *res = &sh->results[idx];
	struct sd_error err = {0};
	struct io_source *src;
	struct tel_options topt = sh->opt->tel;
	/* the prefilter's lookups, reused by corr_match_memo */
	struct corr_memo memo = {.rules = sh->rules, .timeless = sh->timeless};
	topt.prefilter = corr_prefilter_memo;
	topt.prefilter_ctx = &memo;
	int rc = in->ranged ? open_range(in, &topt, &src, &err)
			    : io_open(in->path, &src, &err);
	if (rc) {
		res->error = rc;
		snprintf(res->message, sizeof(res->message), "%s", err.msg);
		return;
	}
	/* the identity comes with the reading (not for stdin or pipes) */
	io_ident_begin(src);
	struct tel_reader *r;
	/* a year-less log copied after the campaign takes its year from it */
	topt.window_start = sh->rules->window_start;
	topt.window_end = sh->rules->window_end;
	if (sh->opt->learn_only)
		topt.prefilter = skip_all; /* roles need only addresses and ports */
	if ((rc = tel_open(src, &topt, &r, &err))) {
		res->error = rc;
		snprintf(res->message, sizeof(res->message), "%s", err.msg);
		return;
	}
	enum tel_format fmt = tel_format_of(r);
	res->format = tel_format_name(fmt);
	struct corr_agg_batch *batch = calloc(1, sizeof(*batch));
	if (!batch) {
		tel_close(r);
		res->error = SD_ENOMEM;
		snprintf(res->message, sizeof(res->message), "out of memory");
		atomic_store(&sh->fatal, SD_ENOMEM);
		atomic_store(&sh->stop, true);
		return;
	}
	batch->n = 0;
	struct file_ctx fc = {sh};
	tel_set_report(r, on_malformed, &fc);
	struct corr_roles *learn = sh->opt->learn;
	struct tel_record rec;
	struct corr_hit hits[CORR_MAX_HITS];
	uint64_t last_bytes = 0, pending = 0;
	while (!atomic_load(&sh->stop) && (rc = tel_next(r, &rec, &err)) == 1) {
		res->records++;
		struct net_addr who;
		bool teaches = learn && corr_roles_taught(&rec, fmt, &who);
		/* a learn-only run matches only the records that may teach: what
		 * their clients asked for is what they teach */
		if (!sh->opt->learn_only || teaches) {
			enum corr_outcome oc;
			size_t nh = (rec.flags & TEL_PARTIAL)
					? corr_match_partial(sh->rules, &rec, &oc)
					: corr_match_memo(sh->rules, &memo, &rec, hits,
							  CORR_MAX_HITS, &oc);
			int lrc =
			    teaches ? corr_roles_learn(learn, &rec, fmt, hits, nh) : 0;
			if (lrc) {
				atomic_store(&sh->fatal, lrc);
				atomic_store(&sh->stop, true);
			}
			if (sh->opt->learn_only)
				nh = 0;
			if (oc == CORR_OUTSIDE_WINDOW && !sh->opt->learn_only)
				res->outside++;
			if (nh) {
				res->matched++;
				int arc = corr_agg_batch_add(sh->agg, batch, hits, nh,
							     rec.ts, in->source);
				if (arc) {
					atomic_store(&sh->fatal, arc);
					atomic_store(&sh->stop, true);
				}
			}
		}
		if (++pending == 4096) {
			uint64_t b = io_bytes_in(src);
			atomic_fetch_add(&sh->bytes, b - last_bytes);
			atomic_fetch_add(&sh->records, pending);
			last_bytes = b;
			pending = 0;
		}
	}
	int frc = corr_agg_batch_flush(sh->agg, batch);
	if (frc) {
		atomic_store(&sh->fatal, frc);
		atomic_store(&sh->stop, true);
	}
	free(batch);
	res->bytes = io_bytes_in(src);
	atomic_fetch_add(&sh->bytes, res->bytes - last_bytes);
	atomic_fetch_add(&sh->records, pending);
	if (rc < 0) {
		/* truncated or unreadable: what was matched so far stays */
		res->error = rc;
		snprintf(res->message, sizeof(res->message), "%s", err.msg);
	}
	tel_assumptions(r, res->assumed, sizeof(res->assumed));
	if (rc == 0 && !atomic_load(&sh->stop))
		res->have_ident = io_ident_of(src, &res->ident);
	const struct tel_stats *st = tel_stats(r);
	res->malformed = st->malformed;
	res->skipped = st->skipped;
	tel_close(r);
}

static void *worker(void *arg)
{
	struct shared *sh = arg;
	for (;;) {
		if (atomic_load(&sh->stop))
			break;
		size_t i = atomic_fetch_add(&sh->next, 1);
		if (i >= sh->n)
			break;
		run_file(sh, i);
		atomic_fetch_add(&sh->files_done, 1);
	}
	pthread_mutex_lock(&sh->done_lock);
	sh->running--;
	pthread_cond_signal(&sh->done_cond);
	pthread_mutex_unlock(&sh->done_lock);
	return NULL;
}

int corr_run(const struct corr_rules *rules, struct corr_agg *agg,
	     const struct corr_input *inputs, size_t n, const struct corr_run_opts *opt,
	     struct corr_file_result *results, struct sd_error *err)
{
	struct shared sh = {
	    .rules = rules,
	    .timeless = corr_rules_timeless(rules),
	    .agg = agg,
	    .inputs = inputs,
	    .n = n,
	    .opt = opt,
	    .results = results,
	};
	atomic_init(&sh.next, 0);
	atomic_init(&sh.stop, false);
	atomic_init(&sh.fatal, 0);
	pthread_mutex_init(&sh.report_lock, NULL);
	pthread_mutex_init(&sh.done_lock, NULL);
	pthread_cond_init(&sh.done_cond, NULL);
	memset(results, 0, n * sizeof(*results));
	unsigned nt = opt->threads;
	if (!nt) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		nt = c > 0 ? (unsigned)c : 1;
	}
	if (nt > CORR_MAX_THREADS)
		nt = CORR_MAX_THREADS;
	if (nt > n)
		nt = n ? (unsigned)n : 1;
	pthread_t tids[CORR_MAX_THREADS];
	unsigned started = 0;
	sh.running = nt;
	for (; started < nt; started++)
		if (pthread_create(&tids[started], NULL, worker, &sh))
			break;
	pthread_mutex_lock(&sh.done_lock);
	sh.running -= nt - started; /* threads that could not be created */
	pthread_mutex_unlock(&sh.done_lock);
	if (!started) {
		sh.running = 1;
		worker(&sh); /* no threads to be had: do it here */
	}
	pthread_mutex_lock(&sh.done_lock);
	while (sh.running) {
		if (!opt->progress) {
			pthread_cond_wait(&sh.done_cond, &sh.done_lock);
			continue;
		}
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&sh.done_cond, &sh.done_lock, &ts);
		struct corr_progress p = {atomic_load(&sh.bytes),
					  atomic_load(&sh.records),
					  atomic_load(&sh.files_done)};
		pthread_mutex_unlock(&sh.done_lock);
		opt->progress(opt->progress_ctx, &p, corr_agg_count(agg));
		pthread_mutex_lock(&sh.done_lock);
	}
	pthread_mutex_unlock(&sh.done_lock);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	pthread_cond_destroy(&sh.done_cond);
	pthread_mutex_destroy(&sh.done_lock);
	pthread_mutex_destroy(&sh.report_lock);
	int fatal = atomic_load(&sh.fatal);
	/* which requests explain forwarding depends on all of them: settled
	 * once, from everything learnt and loaded (correlate/roles.h) */
	if (opt->learn && (!fatal || fatal == SD_ELIMIT)) {
		int src = corr_roles_settle(opt->learn);
		fatal = src ? src : fatal;
	}
	if (fatal == SD_ELIMIT)
		return sd_error_set(
		    err, SD_ELIMIT,
		    "more than CORR_MAX_SIGHTINGS (%u) distinct sightings, "
		    "CORR_MAX_SOURCES (%u) source labels, "
		    "CORR_MAX_ROLES (%u) addresses with a role "
		    "or CORR_MAX_ASKED (%u) requests to proxies and resolvers",
		    CORR_MAX_SIGHTINGS, CORR_MAX_SOURCES, CORR_MAX_ROLES, CORR_MAX_ASKED);
	if (fatal)
		return sd_error_set(err, fatal, "out of memory");
	if (atomic_load(&sh.malformed) > opt->error_limit)
		return sd_error_set(
		    err, SD_ELIMIT,
		    "more than %llu malformed records (--max-errors): stopped",
		    (unsigned long long)opt->error_limit);
	return 0;
}
