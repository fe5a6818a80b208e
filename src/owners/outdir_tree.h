/* Internal to owners/outdir.c: telling a directory this module wrote from
 * any other, removing only what it wrote, and sweeping the temporary
 * directories of dead writers. */
#ifndef SD_OWNERS_OUTDIR_TREE_H
#define SD_OWNERS_OUTDIR_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "owners/outdir.h"

#define OUTDIR_MAX_MARKER 256 /* bytes of the marker's text */

/* The marker's text for kind, into buf: the text of a finished
 * directory. */
void outdir_marker_text(const struct outdir_kind *kind, char *buf, size_t size);
/* The marker's text while the run pid writes the temporary directory; it
 * becomes the finished text just before the directory is published. Only
 * a directory with this text is ever swept as a dead writer's, so a copy
 * of a finished one (`cp -a DIR DIR.tmp.backup`) is never deleted. */
void outdir_progress_text(const struct outdir_kind *kind, long pid, char *buf,
			  size_t size);

enum outdir_state {
	OUTDIR_OURS,	   /* marker of this kind, nothing else foreign */
	OUTDIR_WRITING,	   /* the same, but its marker says it is being written */
	OUTDIR_EMPTY,	   /* an empty directory */
	OUTDIR_NO_MARKER,  /* not empty, no marker (what holds: *what) */
	OUTDIR_OTHER_KIND, /* a marker, but not of this kind */
	OUTDIR_FOREIGN,	   /* marked, but holds *what, which kind never writes */
	OUTDIR_UNREADABLE, /* errno says why */
};

/* What the directory open at dirfd holds; *what (size bytes) names the
 * first foreign entry, relative to the directory. */
enum outdir_state outdir_classify(int dirfd, const struct outdir_kind *kind, char *what,
				  size_t size);
/* Removes what kind writes from the directory at path, then the directory
 * itself; true when it is gone. Anything else stays, and so does the
 * directory holding it. */
bool outdir_remove(const char *path, const struct outdir_kind *kind);
/* The temporary directories (PATH.tmp.XXXXXX) that dead writers of path
 * left behind, removed; returns how many. One is removed only when it is
 * mode 0700, owned by the caller, not locked (a live writer holds its
 * lock), and either holds this kind's in-progress marker and nothing
 * foreign, or is empty (a writer killed before its marker). */
int outdir_sweep(const char *path, const struct outdir_kind *kind);

#endif
