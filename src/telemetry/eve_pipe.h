/* The EVE reader's lines, read ahead in batches and scanned (eve_fast_scan)
 * on a thread of their own, so that the scan runs beside the making of
 * records on the reader's thread. The reader indexes each line in the
 * same pass that copies it into a batch (eve_index_copy); the scan walks
 * that index and writes each line's keys into the batch, where the reader
 * takes them as they are (struct ef_keys): the work on a line is split
 * about evenly, and nothing is copied twice. The scan of a line depends
 * on that line alone, and everything that depends
 * on the order of lines (records, the flow table, reports, counts) stays
 * on the reader's thread, in the order of the input: what a reader returns
 * is the same with the scan thread or without it (tests/telemetry compare
 * the two). An input that fits in one batch is scanned on the reader's
 * thread and starts no thread. */
#ifndef SD_TELEMETRY_EVE_PIPE_H
#define SD_TELEMETRY_EVE_PIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "io/source.h"
#include "telemetry/eve_fast.h"

/* line bytes read ahead in one batch (two batches are held): a hand-over
 * costs a wake-up of the other thread, so a batch holds a thousand lines
 * or so (at 32 KiB the hand-overs took a third more CPU time) */
#define EVE_PIPE_BATCH_BYTES (512 * 1024)
/* lines in one batch at most (short lines would make many) */
#define EVE_PIPE_BATCH_LINES 2048

struct eve_pipe;

struct eve_pipe_line {
	const char *line; /* valid until the next eve_pipe_next */
	size_t len;
	uint64_t ln;
	bool overlong; /* a line longer than SD_MAX_LINE, skipped (line NULL) */
	int scan;      /* eve_fast_scan's answer: EF_OK or EF_FALLBACK */
	const struct ef_keys *keys; /* the scan's keys (EF_OK) */
};

/* Reads src (borrowed) from where it stands, scanning with kernel k;
 * batch_bytes 0 is EVE_PIPE_BATCH_BYTES (tests make it small to cross
 * many batches). */
int eve_pipe_new(struct io_source *src, enum eve_kernel k, size_t batch_bytes,
		 struct eve_pipe **out, struct sd_error *err);
/* The next non-empty line: 1 with *l set, 0 at the end, <0 on a fatal read
 * error (err set), as io_getline (a BOM before line 1 removed). */
int eve_pipe_next(struct eve_pipe *p, struct eve_pipe_line *l, struct sd_error *err);
/* Stops the scan thread and frees p (not the source). */
void eve_pipe_free(struct eve_pipe *p);

#endif
