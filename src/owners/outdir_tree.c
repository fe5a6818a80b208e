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

/* The in-progress text is PROGRESS_HEAD, the pid's digits, PROGRESS_TAIL. */
#define PROGRESS_HEAD "sighted %s directory in progress (pid "
#define PROGRESS_TAIL "): the next run removes it if this one died\n"

void outdir_progress_text(const struct outdir_kind *kind, long pid, char *buf,
			  size_t size)
{
	snprintf(buf, size, PROGRESS_HEAD "%ld" PROGRESS_TAIL, kind->name, pid);
}

/* got (n bytes) is kind's in-progress text, for any pid */
static bool is_progress_text(const struct outdir_kind *kind, const char *got, size_t n)
{
	char head[OUTDIR_MAX_MARKER];
	int hl = snprintf(head, sizeof(head), PROGRESS_HEAD, kind->name);
	if (hl <= 0 || (size_t)hl >= sizeof(head) || n < (size_t)hl ||
	    memcmp(got, head, (size_t)hl))
		return false;
	size_t i = (size_t)hl, digits = 0;
	for (; i < n && got[i] >= '0' && got[i] <= '9'; i++)
		digits++;
	size_t tl = sizeof(PROGRESS_TAIL) - 1;
	return digits > 0 && n - i == tl && !memcmp(got + i, PROGRESS_TAIL, tl);
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

enum marker { MARKER_NONE = -1, MARKER_OTHER, MARKER_FINISHED, MARKER_PROGRESS };

/* What the marker holds: kind's finished or in-progress text, something
 * else; MARKER_NONE when there is none (errno ENOENT) or it cannot be
 * read. */
static enum marker marker_of(int dirfd, const struct outdir_kind *kind)
{
	int fd =
	    openat(dirfd, OUTDIR_MARKER, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	/* a symlink is no marker of ours */
	if (fd < 0)
		return errno == ELOOP ? MARKER_OTHER : MARKER_NONE;
	char got[OUTDIR_MAX_MARKER + 1], want[OUTDIR_MAX_MARKER];
	struct stat st;
	ssize_t n =
	    fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, got, sizeof(got)) : -1;
	close(fd);
	outdir_marker_text(kind, want, sizeof(want));
	if (n == (ssize_t)strlen(want) && !memcmp(got, want, (size_t)n))
		return MARKER_FINISHED;
	return n > 0 && is_progress_text(kind, got, (size_t)n) ? MARKER_PROGRESS
							       : MARKER_OTHER;
}

enum outdir_state outdir_classify(int dirfd, const struct outdir_kind *kind, char *what,
				  size_t size)
{
	static const char *const nothing[] = {NULL};
	static const struct outdir_kind none = {"", nothing};
	*what = 0;
	size_t count = 0;
	enum marker m = marker_of(dirfd, kind);
	if (m == MARKER_NONE && errno != ENOENT)
		return OUTDIR_UNREADABLE;
	if (m == MARKER_NONE) {
		walk(dirfd, "", &none, false, what, size, &count);
		return count ? OUTDIR_NO_MARKER : OUTDIR_EMPTY;
	}
	if (m == MARKER_OTHER)
		return OUTDIR_OTHER_KIND;
	if (!walk(dirfd, "", kind, false, what, size, &count))
		return OUTDIR_FOREIGN;
	return m == MARKER_PROGRESS ? OUTDIR_WRITING : OUTDIR_OURS;
}

/* Removes what is kind's in the directory open as fd, the marker last:
 * true when that was all it held (it is then empty). From the start of
 * the directory, whatever an earlier walk of fd read. */
static bool empty_ours(int fd, const struct outdir_kind *kind)
{
	char what[PATH_MAX] = "";
	size_t count = 0;
	if (lseek(fd, 0, SEEK_SET) != 0)
		return false;
	bool ours = walk(fd, "", kind, true, what, sizeof(what), &count);
	if (ours)
		unlinkat(fd, OUTDIR_MARKER, 0);
	return ours;
}

bool outdir_remove(const char *path, const struct outdir_kind *kind)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT;
	bool ours = empty_ours(fd, kind);
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
		 * writer's directory can be locked here. Its writer made it
		 * 0700 and marked it in progress; a user's copy of a finished
		 * directory (cp -a rep rep.tmp.backup) has the finished text,
		 * and is never taken for one. */
		struct stat a, b;
		char what[PATH_MAX];
		if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &a) == 0 &&
		    (a.st_mode & 07777) == 0700 && a.st_uid == geteuid() &&
		    fstatat(dfd, de->d_name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
			enum outdir_state s =
			    outdir_classify(fd, kind, what, sizeof(what));
			/* emptied through the descriptor checked above, not by
			 * name: a directory swapped in meanwhile loses nothing
			 * (the name is then only removed if it is empty) */
			if ((s == OUTDIR_WRITING || s == OUTDIR_EMPTY) &&
			    empty_ours(fd, kind) &&
			    unlinkat(dfd, de->d_name, AT_REMOVEDIR) == 0)
				removed++;
		}
		close(fd);
	}
	if (d)
		closedir(d);
	free(dir);
	return removed;
}
