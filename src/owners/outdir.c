/* Publishing a directory atomically. */
#include "owners/outdir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "owners/outdir_tree.h"

#define OUTDIR_TMP_TRIES 100 /* temporary names tried before giving up */

/* 0 when path may be replaced: absent, an empty directory (removed here,
 * so the new one takes its place), or an earlier output of this kind. */
static int replaceable(const char *path, const struct outdir_kind *kind,
		       struct sd_error *err)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : sd_error_errno(err, errno, "%s", path);
	if (!S_ISDIR(st.st_mode))
		return sd_error_set(err, SD_EUSAGE, "%s: exists and is not a directory",
				    path);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return sd_error_errno(err, errno, "%s: cannot open", path);
	char what[PATH_MAX];
	enum outdir_state s = outdir_classify(fd, kind, what, sizeof(what));
	int e = errno;
	/* what an older sighted wrote had no marker, but a summary.json */
	bool older = faccessat(fd, "summary.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	close(fd);
	switch (s) {
	case OUTDIR_OURS:
		return 0;
	case OUTDIR_EMPTY:
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		return sd_error_errno(err, errno, "%s: cannot replace", path);
	case OUTDIR_NO_MARKER:
		return sd_error_set(err, SD_EUSAGE,
				    "%s: holds %s but no %s file: not the output of "
				    "sighted %s%s; refusing to replace it: remove it or "
				    "choose another directory",
				    path, what, OUTDIR_MARKER, kind->name,
				    older ? " (or of an older sighted, which wrote none)"
					  : "");
	case OUTDIR_WRITING:
		return sd_error_set(err, SD_EUSAGE,
				    "%s: its %s says a run of sighted %s was still "
				    "writing it: refusing to replace it; remove it or "
				    "choose another directory",
				    path, OUTDIR_MARKER, kind->name);
	case OUTDIR_OTHER_KIND:
		return sd_error_set(err, SD_EUSAGE,
				    "%s: its %s does not mark the output of sighted %s: "
				    "refusing to replace it; remove it or choose another "
				    "directory",
				    path, OUTDIR_MARKER, kind->name);
	case OUTDIR_FOREIGN:
		return sd_error_set(
		    err, SD_EUSAGE,
		    "%s: holds %s, which sighted %s does not write: "
		    "refusing to replace it (and delete that); move it away "
		    "or choose another directory",
		    path, what, kind->name);
	case OUTDIR_UNREADABLE:
	default:
		return sd_error_errno(err, e, "%s: cannot read", path);
	}
}

/* Creates and locks PATH.tmp.XXXXXX, 0700 while it is written. */
static int create_tmp(struct outdir *d, struct sd_error *err)
{
	for (int attempt = 0; attempt < OUTDIR_TMP_TRIES; attempt++) {
		free(d->tmp);
		if (asprintf(&d->tmp, "%s.tmp.XXXXXX", d->path) < 0) {
			d->tmp = NULL;
			return sd_error_set(err, SD_ENOMEM, "out of memory");
		}
		if (!mkdtemp(d->tmp)) {
			int e = errno;
			free(d->tmp);
			d->tmp = NULL;
			return sd_error_errno(
			    err, e, "%s: cannot create a temporary directory", d->path);
		}
		int fd = open(d->tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			rmdir(d->tmp);
			free(d->tmp);
			d->tmp = NULL;
			return sd_error_errno(err, e, "%s: cannot open", d->path);
		}
		/* a sweeper may have taken the new directory for a dead
		 * writer's before we locked it: keep it only if the name
		 * still leads to it */
		struct stat a, b;
		if (flock(fd, LOCK_EX) == 0 && fstat(fd, &a) == 0 &&
		    lstat(d->tmp, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino) {
			d->tmpfd = fd;
			return 0;
		}
		close(fd);
	}
	free(d->tmp);
	d->tmp = NULL;
	return sd_error_set(err, SD_ELIMIT,
			    "%s: no usable temporary directory after %d tries", d->path,
			    OUTDIR_TMP_TRIES);
}

/* The marker goes in first, saying the run is in progress: a temporary
 * directory left by a killed run is recognised as such by the next one.
 * It says so only until the directory is finished (finish_marker), so a
 * copy of a finished directory is never taken for a dead writer's. */
static int write_marker(struct outdir *d, struct sd_error *err)
{
	char text[OUTDIR_MAX_MARKER];
	outdir_progress_text(d->kind, (long)getpid(), text, sizeof(text));
	FILE *fp = outdir_create(d, NULL, OUTDIR_MARKER, err);
	if (!fp)
		return err->code;
	fputs(text, fp);
	return outdir_close(d, fp, OUTDIR_MARKER, err);
}

static int finish_marker(struct outdir *d, struct sd_error *err)
{
	char text[OUTDIR_MAX_MARKER];
	outdir_marker_text(d->kind, text, sizeof(text));
	int fd =
	    openat(d->tmpfd, OUTDIR_MARKER, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	FILE *fp = fd < 0 ? NULL : fdopen(fd, "wb");
	if (!fp) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return sd_error_errno(err, e, "%s/%s: cannot rewrite", d->path,
				      OUTDIR_MARKER);
	}
	fputs(text, fp);
	return outdir_close(d, fp, OUTDIR_MARKER, err);
}

int outdir_begin(struct outdir *d, const char *path, const struct outdir_kind *kind,
		 struct sd_error *err)
{
	memset(d, 0, sizeof(*d));
	d->tmpfd = -1;
	d->kind = kind;
	int rc = replaceable(path, kind, err);
	if (rc)
		return rc;
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (!(d->path = strndup(path, n)))
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	(void)outdir_sweep(d->path, kind);
	if ((rc = create_tmp(d, err)) || (rc = write_marker(d, err))) {
		outdir_abort(d);
		return rc;
	}
	return 0;
}

FILE *outdir_create(struct outdir *d, const char *sub, const char *name,
		    struct sd_error *err)
{
	char rel[4096];
	if (sub) {
		if (mkdirat(d->tmpfd, sub, 0755) != 0 && errno != EEXIST) {
			sd_error_errno(err, errno, "%s/%s: cannot create", d->path, sub);
			return NULL;
		}
		snprintf(rel, sizeof(rel), "%s/%s", sub, name);
	} else {
		snprintf(rel, sizeof(rel), "%s", name);
	}
	int fd = openat(d->tmpfd, rel, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	FILE *fp = fd < 0 ? NULL : fdopen(fd, "wb");
	if (!fp) {
		sd_error_errno(err, errno, "%s/%s: cannot create", d->path, rel);
		if (fd >= 0)
			close(fd);
	}
	return fp;
}

int outdir_close(struct outdir *d, FILE *fp, const char *name, struct sd_error *err)
{
	bool bad = fflush(fp) != 0 || ferror(fp);
	int e = errno;
	if (fclose(fp) != 0 && !bad) {
		bad = true;
		e = errno;
	}
	if (bad)
		return sd_error_errno(err, e ? e : EIO, "%s/%s: write failed", d->path,
				      name);
	return 0;
}

static void fsync_parent(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return;
	char *slash = strrchr(copy, '/');
	const char *parent = slash ? (slash == copy ? "/" : (*slash = 0, copy)) : ".";
	int fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int outdir_commit(struct outdir *d, struct sd_error *err)
{
	/* finished from here on; a run killed before the rename below
	 * leaves a directory the next one keeps (it cannot be told from a
	 * user's copy) */
	int rc = finish_marker(d, err);
	if (rc)
		return rc;
	/* published as readable as mkdir(1) would make it */
	mode_t um = umask(0);
	umask(um);
	if (fchmod(d->tmpfd, 0777 & ~um) != 0)
		return sd_error_errno(err, errno, "%s: cannot set its mode", d->path);
	/* one sync for every file written, instead of one fsync each */
	if (syncfs(d->tmpfd) != 0 || fsync(d->tmpfd) != 0)
		return sd_error_errno(err, errno, "%s: sync failed", d->path);
	/* again, now: what was checked at the start may have changed since */
	rc = replaceable(d->path, d->kind, err);
	if (rc)
		return rc;
	struct stat st;
	if (lstat(d->path, &st) == 0) {
		if (renameat2(AT_FDCWD, d->tmp, AT_FDCWD, d->path, RENAME_EXCHANGE) != 0)
			return sd_error_errno(err, errno, "%s: cannot replace", d->path);
		/* the previous output now sits at the temporary name */
		fsync_parent(d->path);
		if (!outdir_remove(d->tmp, d->kind))
			fprintf(stderr,
				"%s: the previous version is kept at %s: it now holds "
				"files sighted %s does not write\n",
				d->path, d->tmp, d->kind->name);
	} else if (rename(d->tmp, d->path) != 0) {
		return sd_error_errno(err, errno, "%s: cannot rename into place",
				      d->path);
	} else {
		fsync_parent(d->path);
	}
	free(d->tmp);
	d->tmp = NULL;
	return 0;
}

void outdir_abort(struct outdir *d)
{
	if (d->tmp)
		outdir_remove(d->tmp, d->kind);
	if (d->tmpfd >= 0)
		close(d->tmpfd); /* the lock goes last */
	d->tmpfd = -1;
	free(d->tmp);
	free(d->path);
	d->tmp = d->path = NULL;
}
