/* Internal to owners/outdir.c: telling a directory this module wrote from
 * any other, removing only what it wrote, and sweeping the temporary
 * directories of dead writers. */
#ifndef SD_OWNERS_OUTDIR_TREE_H
#define SD_OWNERS_OUTDIR_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "owners/outdir.h"

#define OUTDIR_MAX_MARKER 256 /* bytes of the marker's text */

/* The marker's text for kind, into buf. */
void outdir_marker_text(const struct outdir_kind *kind, char *buf, size_t size);

enum outdir_state {
	OUTDIR_OURS,	   /* marker of this kind, nothing else foreign */
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
/* The unlocked temporary directories (PATH.tmp.XXXXXX) that dead writers
 * of path left behind, removed when they are empty or of this kind;
 * returns how many. */
int outdir_sweep(const char *path, const struct outdir_kind *kind);

#endif
