/* The --sightings lines written out behind the renderer: full buffers are
 * handed to a thread that writes them, so rendering goes on meanwhile (on
 * one CPU they are written in place, the same way).
 *
 * A regular file (the atomic file's temporary) is written with O_DIRECT in
 * whole 4 KiB blocks, the last partial block through the stream: on this
 * kind of output (a gigabyte for 3M sightings) copying into the page cache
 * and writing it back cost several times the rendering, and the file is
 * fsynced at the end anyway. Where O_DIRECT is refused (a file system
 * without it, an alignment it does not take, a short write) the writer
 * goes on through the stream, where a failure is recorded with its reason
 * as before. The stream is used from the writer only, until
 * corr_line_writer_finish. */
#ifndef SD_CORRELATE_LINE_WRITER_H
#define SD_CORRELATE_LINE_WRITER_H

#include <stdbool.h>
#include <stdio.h>

#include "core/buf.h"

#define CORR_WRITER_SLOTS 4 /* buffers handed over and not yet written */

struct corr_line_writer;

/* fp: where the lines go; fd: its descriptor when it is a regular file
 * written from offset 0 (O_DIRECT is tried), else -1; threaded: write on a
 * thread of its own (when one can be started), else in place. NULL when
 * out of memory. */
struct corr_line_writer *corr_line_writer_start(FILE *fp, int fd, bool threaded);
/* Takes b's bytes and gives b an empty buffer (one written before, kept
 * for reuse). Returns 0, or -1 with errno set when b ran out of memory
 * (ENOMEM) or an earlier write failed (then nothing more is written). */
int corr_line_writer_put(struct corr_line_writer *w, struct sd_buf *b);
/* Waits until everything handed over is written to fp's file (flushed,
 * not synced), and frees w. Returns 0, or -1 with errno set as above. */
int corr_line_writer_finish(struct corr_line_writer *w);

#endif
