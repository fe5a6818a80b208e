/* A directory of files published at once: everything is written under a
 * temporary directory next to the target (0700 while it is written),
 * synced with one syncfs(2), and then renamed into place (or exchanged
 * with the previous version, which is removed). A reader sees the old
 * directory or the new one, never a mix.
 *
 * Only an empty directory, or one this module wrote for the same kind of
 * output, is ever replaced: it must hold the marker file OUTDIR_MARKER
 * with the kind's text, and nothing that kind does not write (a file a
 * user put there is never deleted). The temporary directory is locked
 * (flock) while it is written, and its marker says "in progress" until
 * just before it is published; a writer killed with SIGKILL leaves it
 * behind unlocked, and the next writer of the same target removes it
 * (only if it is still 0700, the caller's, and so marked: a user's copy
 * of a finished directory, cp -a DIR DIR.tmp.backup, is never removed). */
#ifndef SD_OWNERS_OUTDIR_H
#define SD_OWNERS_OUTDIR_H

#include <stdio.h>

#include "core/error.h"

#define OUTDIR_MARKER ".sighted-output"

/* What one kind of output directory holds: its name (in the marker and in
 * messages) and the paths it writes, fnmatch(3) patterns relative to the
 * directory ("owners/ *.csv" without the space), NULL-terminated. A
 * pattern's directory part is literal. */
struct outdir_kind {
	const char *name;
	const char *const *files;
};

struct outdir {
	const struct outdir_kind *kind;
	char *path, *tmp;
	int tmpfd; /* holds the lock */
};

/* Refuses (SD_EUSAGE, saying why and what to do) a path that exists and
 * is not replaceable; sweeps the leftovers of dead writers of path. */
int outdir_begin(struct outdir *d, const char *path, const struct outdir_kind *kind,
		 struct sd_error *err);
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
