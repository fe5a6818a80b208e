/* Crash-safe file replacement: write to a temporary name in the target's
 * directory, fsync, rename over the target, fsync the directory. A reader
 * sees the old file or the new one, never a partial one. */
#ifndef SD_CORE_ATOMIC_FILE_H
#define SD_CORE_ATOMIC_FILE_H

#include <stdio.h>

#include "core/error.h"

struct sd_atomic_file {
	FILE *fp;
	char *path;
	char *tmp_path;
};

int sd_atomic_open(struct sd_atomic_file *af, const char *path, struct sd_error *err);
/* Flushes, fsyncs and renames. Reports a write error that fwrite hid. */
int sd_atomic_commit(struct sd_atomic_file *af, struct sd_error *err);
/* Removes the temporary file; safe after commit or a failed open. */
void sd_atomic_abort(struct sd_atomic_file *af);

#endif
