/* Reading telemetry files in parallel and feeding the matcher and the
 * aggregator: one worker thread per file at a time (files are handed out
 * in order), each streaming with constant memory. */
#ifndef SD_CORRELATE_RUN_H
#define SD_CORRELATE_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "correlate/agg.h"
#include "correlate/match.h"
#include "correlate/roles.h"
#include "telemetry/reader.h"

#define CORR_MAX_THREADS 256
#define CORR_NO_ERROR_LIMIT UINT64_MAX

struct corr_input {
	const char *path;
	uint32_t source; /* source id given to the aggregator */
	bool ranged;	 /* read only the lines that start in [start, end) */
	uint64_t start, end;
};

struct corr_file_result {
	const char *format; /* detected or forced format name */
	uint64_t records;   /* records read */
	uint64_t matched;   /* records with at least one hit */
	uint64_t outside;   /* records outside the campaign window */
	uint64_t malformed; /* reported by the reader */
	uint64_t skipped;   /* well-formed, nothing to match */
	uint64_t bytes;	    /* bytes read from the file */
	int error;	    /* 0, or the code that stopped this file */
	bool have_ident;    /* ident was computed while reading: every byte */
	struct io_ident ident;
	char message[512]; /* the reason, naming the file */
	char assumed[160]; /* the reader's clock assumptions (tel_assumptions) */
};

/* Live counters for a progress line (read while workers run). */
struct corr_progress {
	uint64_t bytes, records, files_done;
};

typedef void (*corr_report_fn)(void *ctx, const char *where, const char *why);
typedef void (*corr_progress_fn)(void *ctx, const struct corr_progress *p,
				 size_t sightings);

struct corr_run_opts {
	unsigned threads;	/* 0: one per core */
	struct tel_options tel; /* format, column map, year */
	/* malformed records tolerated: one more stops the run (0 stops at the
	 * first); CORR_NO_ERROR_LIMIT for none */
	uint64_t error_limit;
	struct corr_roles *learn; /* roles the records teach are added here
				   * (correlate/roles.h); NULL: none */
	bool learn_only;	  /* only learn roles: match only the records
				   * that may teach one, aggregate nothing */
	corr_report_fn report;	  /* each malformed record; may be NULL */
	void *report_ctx;
	corr_progress_fn progress; /* called a few times a second; may be NULL */
	void *progress_ctx;
};

/* Runs every input; results[i] describes inputs[i]. Returns 0, SD_ELIMIT
 * when --max-errors was passed (what was read so far is kept), or a fatal
 * error (out of memory). A file that cannot be read or is truncated is
 * not fatal: its result carries the error and the others go on. */
int corr_run(const struct corr_rules *rules, struct corr_agg *agg,
	     const struct corr_input *inputs, size_t n, const struct corr_run_opts *opt,
	     struct corr_file_result *results, struct sd_error *err);

#endif
