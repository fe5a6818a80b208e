/* The --sightings lines written out behind the renderer: full buffers are
 * handed to a thread that writes them to the stream and asks the kernel to
 * start writing them to disk (sync_file_range), so rendering goes on while
 * the kernel copies, and the fsync at the end finds little left to do. On
 * one CPU the buffers are written in place, the same way. */
#ifndef SD_CORRELATE_LINE_WRITER_H
#define SD_CORRELATE_LINE_WRITER_H

#include <stdio.h>

#include "core/buf.h"

#define CORR_WRITER_SLOTS 4 /* buffers handed over and not yet written */

struct corr_line_writer;

/* fp: where the lines go (written by the thread only, until
 * corr_line_writer_finish); fd: its file, for the writeback hint (-1:
 * none, or not a file: the hint is then skipped). NULL when out of memory. */
struct corr_line_writer *corr_line_writer_start(FILE *fp, int fd);
/* Takes b's bytes and gives b an empty buffer (one written before, kept
 * for reuse). Returns 0, or -1 with errno set when b ran out of memory
 * (ENOMEM) or an earlier write failed (then nothing more is written). */
int corr_line_writer_put(struct corr_line_writer *w, struct sd_buf *b);
/* Waits until everything handed over is written to fp (flushed, not
 * synced), and frees w. Returns 0, or -1 with errno set as above. */
int corr_line_writer_finish(struct corr_line_writer *w);

#endif
