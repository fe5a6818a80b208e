/* Which directories an output of sighted may replace or remove. */
#include "owners/outdir_tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

void outdir_marker_text(const struct outdir_kind *kind, char *buf, size_t size)
{
	snprintf(buf, size,
		 "sighted %s directory: the next run replaces it as a whole; keep "
		 "nothing else here\n",
		 kind->name);
}

static bool is_file_of(const struct outdir_kind *k, const char *rel)
{
	for (const char *const *p = k->files; *p; p++)
		if (fnmatch(*p, rel, FNM_PATHNAME | FNM_PERIOD) == 0)
			return true;
	return false;
}

static bool is_dir_of(const struct outdir_kind *k, const char *rel)
{
	size_t n = strlen(rel);
	for (const char *const *p = k->files; *p; p++)
		if (!strncmp(*p, rel, n) && (*p)[n] == '/')
			return true;
	return false;
}

static void name_first(char *what, size_t size, const char *rel)
{
	if (!*what)
		snprintf(what, size, "%s", rel);
}

/* Visits the entries of dirfd (rel: its path inside the output directory,
 * "" at the top); counts them in *count. Stops at the first entry kind
 * does not write, naming it in what, unless remove, which goes on
 * removing what is ours. The marker is left for the caller: it goes
 * last, so a removal cut short still leaves a marked directory. */
static bool walk(int dirfd, const char *rel, const struct outdir_kind *k, bool remove,
		 char *what, size_t size, size_t *count)
{
	int fd = dup(dirfd); /* fdopendir takes it */
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		name_first(what, size, *rel ? rel : ".");
		return false;
	}
	bool ours = true;
	for (struct dirent *de; (de = readdir(d));) {
		const char *name = de->d_name;
		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		(*count)++;
		char path[PATH_MAX];
		int n =
		    snprintf(path, sizeof(path), "%s%s%s", rel, *rel ? "/" : "", name);
		struct stat st;
		bool file = false, dir = false;
		if (n > 0 && (size_t)n < sizeof(path) &&
		    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			if (S_ISREG(st.st_mode) && !*rel && !strcmp(name, OUTDIR_MARKER))
				continue;
			file = S_ISREG(st.st_mode) && is_file_of(k, path);
			dir = S_ISDIR(st.st_mode) && is_dir_of(k, path);
		}
		bool mine = file;
		if (dir) {
			int sub = openat(dirfd, name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			mine = sub >= 0 && walk(sub, path, k, remove, what, size, count);
			if (sub >= 0)
				close(sub);
			if (sub < 0)
				name_first(what, size, path);
			if (mine && remove)
				unlinkat(dirfd, name, AT_REMOVEDIR);
		} else if (file && remove) {
			unlinkat(dirfd, name, 0);
		} else if (!file) {
			name_first(what, size, path);
		}
		if (!mine) {
			ours = false;
			if (!remove)
				break;
		}
	}
	closedir(d);
	return ours;
}

/* 1: the marker holds kind's text; 0: it holds something else; -1: there
 * is none (errno ENOENT) or it cannot be read. */
static int marker_of(int dirfd, const struct outdir_kind *kind)
{
	int fd =
	    openat(dirfd, OUTDIR_MARKER, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? 0 : -1; /* a symlink is no marker of ours */
	char got[OUTDIR_MAX_MARKER + 1], want[OUTDIR_MAX_MARKER];
	struct stat st;
	ssize_t n =
	    fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, got, sizeof(got)) : -1;
	close(fd);
	outdir_marker_text(kind, want, sizeof(want));
	return n == (ssize_t)strlen(want) && !memcmp(got, want, (size_t)n);
}

enum outdir_state outdir_classify(int dirfd, const struct outdir_kind *kind, char *what,
				  size_t size)
{
	static const char *const nothing[] = {NULL};
	static const struct outdir_kind none = {"", nothing};
	*what = 0;
	size_t count = 0;
	int m = marker_of(dirfd, kind);
	if (m < 0 && errno != ENOENT)
		return OUTDIR_UNREADABLE;
	if (m < 0) {
		walk(dirfd, "", &none, false, what, size, &count);
		return count ? OUTDIR_NO_MARKER : OUTDIR_EMPTY;
	}
	if (m == 0)
		return OUTDIR_OTHER_KIND;
	return walk(dirfd, "", kind, false, what, size, &count) ? OUTDIR_OURS
								: OUTDIR_FOREIGN;
}

bool outdir_remove(const char *path, const struct outdir_kind *kind)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT;
	char what[PATH_MAX] = "";
	size_t count = 0;
	bool ours = walk(fd, "", kind, true, what, sizeof(what), &count);
	if (ours)
		unlinkat(fd, OUTDIR_MARKER, 0);
	close(fd);
	return ours && rmdir(path) == 0;
}

/* "BASE.tmp." and six letters or digits: a name mkdtemp made for BASE. */
static bool is_tmp_of(const char *name, const char *base)
{
	static const char infix[] = ".tmp.";
	size_t bl = strlen(base), il = sizeof(infix) - 1;
	if (strncmp(name, base, bl) || strncmp(name + bl, infix, il))
		return false;
	const char *p = name + bl + il;
	size_t n = 0;
	for (; p[n]; n++)
		if (!((p[n] >= '0' && p[n] <= '9') || (p[n] >= 'a' && p[n] <= 'z') ||
		      (p[n] >= 'A' && p[n] <= 'Z')))
			return false;
	return n == 6;
}

int outdir_sweep(const char *path, const struct outdir_kind *kind)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path))
			  : strdup(".");
	const char *base = slash ? slash + 1 : path;
	int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d && dfd >= 0)
		close(dfd);
	int removed = 0;
	for (struct dirent *de; d && *base && (de = readdir(d));) {
		if (!is_tmp_of(de->d_name, base))
			continue;
		int fd = openat(dfd, de->d_name,
				O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* a live writer holds its lock until it is done: only a dead
		 * writer's directory can be locked here */
		struct stat a, b;
		char what[PATH_MAX], full[PATH_MAX];
		if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &a) == 0 &&
		    fstatat(dfd, de->d_name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
			enum outdir_state s =
			    outdir_classify(fd, kind, what, sizeof(what));
			int n = snprintf(full, sizeof(full), "%s/%s", dir, de->d_name);
			if ((s == OUTDIR_OURS || s == OUTDIR_EMPTY) && n > 0 &&
			    (size_t)n < sizeof(full) && outdir_remove(full, kind))
				removed++;
		}
		close(fd);
	}
	if (d)
		closedir(d);
	free(dir);
	return removed;
}
