/* Opening and reading the files the server loads and reloads (the
 * snapshot, the tokens file). The reload runs in the thread that also
 * stops the server on a signal and enforces the connection deadlines, so
 * whatever is put at the path (a FIFO, a directory, a file cut short while
 * read) must be refused at once, never waited on or half read. */
#ifndef SD_SERVER_LOADFILE_H
#define SD_SERVER_LOADFILE_H

#include <sys/stat.h>

#include "core/error.h"

/* Opens path read-only if it is a regular file; *st is its fstat. The open
 * is non-blocking (a FIFO would otherwise wait for a writer forever); the
 * flag is cleared before returning. what names the file in messages
 * ("snapshot", "tokens file"). */
int srv_loadfile_open(const char *path, const char *what, int *fd, struct stat *st,
		      struct sd_error *err);

/* Reads the st->st_size bytes of fd (st from srv_loadfile_open) into buf.
 * A read error, fewer bytes than the size, or a size or modification time
 * changed by the end (the file rewritten while read) is an error: a part
 * of a file is never taken for the whole. */
int srv_loadfile_read(int fd, const struct stat *st, void *buf, const char *path,
		      const char *what, struct sd_error *err);

#endif
