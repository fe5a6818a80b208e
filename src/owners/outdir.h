/* A directory of files published at once: everything is written under a
 * temporary directory next to the target, synced with one syncfs(2), and
 * then renamed into place (or exchanged with the previous version, which
 * is removed). A reader sees the old directory or the new one, never a
 * mix. Only a directory this module wrote (it holds the marker file) or an
 * empty one is ever replaced. */
#ifndef SD_OWNERS_OUTDIR_H
#define SD_OWNERS_OUTDIR_H

#include <stdio.h>

#include "core/error.h"

#define OUTDIR_MARKER "summary.json"

struct outdir {
	char *path, *tmp;
	int tmpfd;
};

int outdir_begin(struct outdir *d, const char *path, struct sd_error *err);
/* A new file (and the subdirectory sub, if given) in the temporary
 * directory. */
FILE *outdir_create(struct outdir *d, const char *sub, const char *name,
		    struct sd_error *err);
/* Closes fp, reporting a write error (with the file name and strerror). */
int outdir_close(struct outdir *d, FILE *fp, const char *name, struct sd_error *err);
int outdir_commit(struct outdir *d, struct sd_error *err);
/* Removes the temporary directory; safe after commit. */
void outdir_abort(struct outdir *d);

#endif
