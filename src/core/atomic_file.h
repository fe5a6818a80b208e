/* Crash-safe file replacement: write to a temporary name in the target's
 * directory, fsync, rename over the target, fsync the directory. A reader
 * sees the old file or the new one, never a partial one.
 *
 * The temporary file is ".NAME.tmp.PID" next to NAME, created exclusively
 * and locked (flock) for as long as it is written. A writer killed with
 * SIGKILL leaves it behind unlocked; the next writer of NAME removes every
 * such leftover it can lock, and never one a live writer still holds.
 *
 * The replacement keeps the owner (when allowed) and permission bits of
 * the file it replaces.
 *
 * The path "-" is standard output (written in place, left open); so is the
 * file standard output already is (-o /dev/stdout, or `-o F > F`); a
 * device or a FIFO is written in place too.
 *
 * Links are followed by the kernel only, never resolved here, so its
 * protections (fs.protected_symlinks in sticky world-writable directories)
 * hold: the temporary file is made in the directory of the path as given.
 * A final symbolic link is never renamed over nor written through to a
 * regular file: one leading to standard output's file, a device or a FIFO
 * is written in place as above; any other (to a regular file, a directory,
 * or dangling) is refused with SD_EUSAGE. */
#ifndef SD_CORE_ATOMIC_FILE_H
#define SD_CORE_ATOMIC_FILE_H

#include <stdbool.h>
#include <stdio.h>

#include "core/error.h"

struct sd_atomic_file {
	FILE *fp;
	char *path;	/* as given: the name replaced, and for messages */
	char *tmp_path; /* in path's directory */
	int fd;		/* the temporary file's descriptor (holds the lock) */
	int werr;	/* errno of the first failed write, 0 if none */
	bool is_stdout;
};

/* Why an output path is refused (sd_atomic_refusal): a symbolic link
 * that does not lead to a device, a FIFO or standard output's file; or a
 * link or FIFO another user may have planted (a link to a block device, a
 * link owned by neither root nor the caller, a FIFO of another user in a
 * sticky world-writable directory, as fs.protected_fifos has it). */
#define SD_ATOMIC_LINK_REFUSED                                                           \
	"is a symbolic link; name the file it points to, or remove the link"
#define SD_ATOMIC_FOREIGN_REFUSED                                                        \
	"is a link to a block device, or another user's link or FIFO; name a file of "   \
	"your own"

/* Prefix of the temporary names of NAME's writers (".NAME.tmp."). */
#define SD_ATOMIC_TMP_INFIX ".tmp."

int sd_atomic_open(struct sd_atomic_file *af, const char *path, struct sd_error *err);
/* Why sd_atomic_open would refuse path (SD_ATOMIC_LINK_REFUSED or
 * SD_ATOMIC_FOREIGN_REFUSED), or NULL: for a check before any input is
 * read. */
const char *sd_atomic_refusal(const char *path);
/* Flushes, fsyncs and renames. Reports a write error that fwrite hid,
 * with the system's reason (ENOSPC, EIO...). */
int sd_atomic_commit(struct sd_atomic_file *af, struct sd_error *err);
/* Removes the temporary file; safe after commit or a failed open. */
void sd_atomic_abort(struct sd_atomic_file *af);
/* errno of the first write that failed so far (0: none); for writers that
 * notice ferror() themselves and want to say why. */
int sd_atomic_write_errno(const struct sd_atomic_file *af);
/* The reason a write to fd failed when stdio kept only its error flag:
 * EPIPE when fd is a pipe or socket nobody reads any more, else EIO. */
int sd_atomic_lost_errno(int fd);
/* Removes the unlocked leftovers of dead writers of path; returns how
 * many were removed. Called by sd_atomic_open. */
int sd_atomic_sweep(const char *path);

#endif
