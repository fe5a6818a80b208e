/* Publishing a directory atomically. */
#include "owners/outdir.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool replaceable(const char *path, struct sd_error *err, int *rc)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return errno == ENOENT
			   ? true
			   : (*rc = sd_error_errno(err, errno, "%s", path), false);
	if (!S_ISDIR(st.st_mode)) {
		*rc = sd_error_set(err, SD_EUSAGE, "%s: exists and is not a directory",
				   path);
		return false;
	}
	char *marker;
	if (asprintf(&marker, "%s/%s", path, OUTDIR_MARKER) < 0) {
		*rc = sd_error_set(err, SD_ENOMEM, "out of memory");
		return false;
	}
	bool ours = access(marker, F_OK) == 0;
	free(marker);
	if (ours)
		return true;
	if (rmdir(path) == 0 || errno == ENOENT) /* empty: take its place */
		return true;
	*rc = sd_error_set(err, SD_EUSAGE,
			   "%s: a directory that holds no earlier report (no %s): "
			   "refusing to replace it",
			   path, OUTDIR_MARKER);
	return false;
}

int outdir_begin(struct outdir *d, const char *path, struct sd_error *err)
{
	memset(d, 0, sizeof(*d));
	d->tmpfd = -1;
	int rc = 0;
	if (!replaceable(path, err, &rc))
		return rc;
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (!(d->path = strndup(path, n)) ||
	    asprintf(&d->tmp, "%s.tmp.XXXXXX", d->path) < 0) {
		free(d->path);
		d->path = d->tmp = NULL;
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	if (!mkdtemp(d->tmp)) {
		int e = errno;
		free(d->tmp);
		d->tmp = NULL;
		return sd_error_errno(err, e, "%s: cannot create a temporary directory",
				      path);
	}
	/* mkdtemp makes 0700; a report is as readable as mkdir(1) would make it */
	mode_t um = umask(0);
	umask(um);
	chmod(d->tmp, 0777 & ~um);
	d->tmpfd = open(d->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->tmpfd < 0) {
		int e = errno;
		outdir_abort(d);
		return sd_error_errno(err, e, "%s: cannot open", path);
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

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static void rm_tree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
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
	/* one sync for every file written, instead of one fsync each */
	if (syncfs(d->tmpfd) != 0 || fsync(d->tmpfd) != 0)
		return sd_error_errno(err, errno, "%s: sync failed", d->path);
	struct stat st;
	if (lstat(d->path, &st) == 0) {
		if (renameat2(AT_FDCWD, d->tmp, AT_FDCWD, d->path, RENAME_EXCHANGE) != 0)
			return sd_error_errno(err, errno, "%s: cannot replace", d->path);
		/* the previous report now sits at the temporary name */
		fsync_parent(d->path);
		rm_tree(d->tmp);
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
	if (d->tmpfd >= 0)
		close(d->tmpfd);
	d->tmpfd = -1;
	if (d->tmp)
		rm_tree(d->tmp);
	free(d->tmp);
	free(d->path);
	d->tmp = d->path = NULL;
}
