#include "core/atomic_file.h" /* fopencookie: _GNU_SOURCE comes from the Makefile */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* dir and base of path, as two new strings ("." for a bare name). */
static int split_path(const char *path, char **dir, char **base)
{
	const char *slash = strrchr(path, '/');
	*dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path))
		     : strdup(".");
	*base = strdup(slash ? slash + 1 : path);
	if (!*dir || !*base) {
		free(*dir);
		free(*base);
		*dir = *base = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* the last component of path ("" for "dir/") */
static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* ".BASE.tmp." followed by a pid and optionally "-N": one of our names. */
static bool is_tmp_of(const char *name, const char *base)
{
	size_t bl = strlen(base), il = strlen(SD_ATOMIC_TMP_INFIX);
	if (name[0] != '.' || strncmp(name + 1, base, bl) ||
	    strncmp(name + 1 + bl, SD_ATOMIC_TMP_INFIX, il))
		return false;
	const char *p = name + 1 + bl + il;
	if (!*p)
		return false;
	for (; *p; p++)
		if ((*p < '0' || *p > '9') && *p != '-')
			return false;
	return true;
}

int sd_atomic_sweep(const char *path)
{
	char *dir, *base;
	if (split_path(path, &dir, &base))
		return 0;
	int removed = 0;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d && dfd >= 0)
		close(dfd);
	for (struct dirent *de; d && (de = readdir(d));) {
		if (!is_tmp_of(de->d_name, base))
			continue;
		int fd = openat(dfd, de->d_name,
				O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* a live writer holds its lock until the rename: only a dead
		 * writer's file can be locked here */
		struct stat a, b;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &a) == 0 &&
		    S_ISREG(a.st_mode) &&
		    fstatat(dfd, de->d_name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino &&
		    unlinkat(dfd, de->d_name, 0) == 0)
			removed++;
		close(fd);
	}
	if (d)
		closedir(d);
	free(dir);
	free(base);
	return removed;
}

/* Writes through a cookie so the reason of a failed write (ENOSPC, EIO) is
 * kept: stdio keeps only an error flag, and errno is long gone by the time
 * the caller looks. */
static ssize_t cookie_write(void *c, const char *buf, size_t n)
{
	struct sd_atomic_file *af = c;
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(af->fd, buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (!af->werr)
				af->werr = w < 0 ? errno : EIO;
			errno = af->werr;
			return done ? (ssize_t)done : -1;
		}
		done += (size_t)w;
	}
	return (ssize_t)done;
}

static int cookie_seek(void *c, off64_t *off, int whence)
{
	struct sd_atomic_file *af = c;
	off_t r = lseek(af->fd, (off_t)*off, whence);
	if (r < 0)
		return -1;
	*off = (off64_t)r;
	return 0;
}

static int cookie_close(void *c)
{
	struct sd_atomic_file *af = c;
	int rc = close(af->fd);
	af->fd = -1;
	return rc;
}

static int attach_stream(struct sd_atomic_file *af, const char *path,
			 struct sd_error *err)
{
	cookie_io_functions_t io = {
	    .write = cookie_write, .seek = cookie_seek, .close = cookie_close};
	;
	af->fp = fopencookie(af, "wb", io);
	if (!af->fp) {
		int e = errno;
		close(af->fd);
		af->fd = -1;
		sd_atomic_abort(af);
		return sd_error_errno(err, e, "%s: cannot open", path);
	}
	return 0;
}

/* The replacement keeps the owner and permission bits of the file it
 * replaces: rewriting a 0600 list of victims must not publish it 0644.
 * Set-user/group-ID bits are not carried over to new contents. */
static int copy_owner_mode(int fd, const struct stat *old)
{
	/* another user's file: keep our own owner, try the group */
	if (fchown(fd, old->st_uid, old->st_gid) != 0 &&
	    fchown(fd, (uid_t)-1, old->st_gid) != 0)
		errno = 0; /* not in its group either: the file stays ours */
	return fchmod(fd, old->st_mode & 0777) == 0 ? 0 : -errno;
}

/* Creates and locks ".BASE.tmp.PID" (or "...PID-N" should that exist)
 * beside path; old is the file it will replace, NULL if none. */
static int create_tmp(struct sd_atomic_file *af, const char *path, const struct stat *old,
		      struct sd_error *err)
{
	char *dir, *base;
	if (split_path(path, &dir, &base))
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	int rc = 0;
	for (int attempt = 0; attempt < 100; attempt++) {
		free(af->tmp_path);
		int n =
		    attempt
			? asprintf(&af->tmp_path, "%s/.%s" SD_ATOMIC_TMP_INFIX "%ld-%d",
				   dir, base, (long)getpid(), attempt)
			: asprintf(&af->tmp_path, "%s/.%s" SD_ATOMIC_TMP_INFIX "%ld", dir,
				   base, (long)getpid());
		if (n < 0) {
			af->tmp_path = NULL;
			rc = sd_error_set(err, SD_ENOMEM, "out of memory");
			break;
		}
		/* a new file: 0666 less the umask, readable like one the user
		 * would have written with a shell redirect; a replacement: 0600
		 * until it has the old file's owner and mode, so nobody opens
		 * it in between to read what the old mode kept from them */
		int fd = open(af->tmp_path,
			      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			      old ? 0600 : 0666);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0) {
			int e = errno;
			free(af->tmp_path);
			af->tmp_path = NULL;
			rc = sd_error_errno(err, e, "%s: cannot create temporary file",
					    path);
			break;
		}
		/* a sweeper may have locked the new file before us and removed
		 * it: keep it only if the name still leads to it */
		struct stat a, b;
		if (flock(fd, LOCK_EX) != 0 || fstat(fd, &a) != 0 ||
		    lstat(af->tmp_path, &b) != 0 || a.st_ino != b.st_ino ||
		    a.st_dev != b.st_dev) {
			close(fd);
			continue;
		}
		int e = old ? copy_owner_mode(fd, old) : 0;
		if (e) {
			unlink(af->tmp_path);
			close(fd);
			free(af->tmp_path);
			af->tmp_path = NULL;
			rc = sd_error_errno(err, -e, "%s: cannot set the permissions",
					    path);
			break;
		}
		af->fd = fd;
		break;
	}
	if (!rc && af->fd < 0) {
		free(af->tmp_path);
		af->tmp_path = NULL;
		rc = sd_error_set(err, SD_ELIMIT,
				  "%s: no free temporary name after 100 tries", path);
	}
	free(dir);
	free(base);
	return rc;
}

/* Writes in place through fd (a device, a FIFO, standard output). */
static int open_in_place(struct sd_atomic_file *af, int fd, const char *path,
			 struct sd_error *err)
{
	af->fd = fd;
	if (af->fd < 0) {
		int e = errno;
		sd_atomic_abort(af);
		return sd_error_errno(err, e, "%s: cannot open", path);
	}
	int fl = fcntl(af->fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(af->fd, F_SETFL, fl & ~O_NONBLOCK);
	return attach_stream(af, path, err);
}

/* st is the file standard output already writes */
static bool is_stdout_file(const struct stat *st)
{
	struct stat out;
	return fstat(STDOUT_FILENO, &out) == 0 && out.st_dev == st->st_dev &&
	       out.st_ino == st->st_ino;
}

/* Whether the directory holding path is sticky and world-writable (/tmp):
 * where another user can plant a name that a root run then writes. */
static bool in_shared_dir(const char *path)
{
	size_t n = (size_t)(base_of(path) - path);
	char *dir = n ? strndup(path, n) : strdup(".");
	struct stat d;
	bool shared =
	    dir && stat(dir, &d) == 0 && (d.st_mode & S_ISVTX) && (d.st_mode & S_IWOTH);
	free(dir);
	return shared;
}

const char *sd_atomic_refusal(const char *path)
{
	struct stat lst, st;
	if (!strcmp(path, "-") || lstat(path, &lst) != 0)
		return NULL;
	uid_t me = geteuid();
	if (S_ISFIFO(lst.st_mode))
		return lst.st_uid != me && lst.st_uid != 0 && in_shared_dir(path)
			   ? SD_ATOMIC_FOREIGN_REFUSED
			   : NULL;
	if (!S_ISLNK(lst.st_mode))
		return NULL;
	if (stat(path, &st) != 0)
		return SD_ATOMIC_LINK_REFUSED; /* dangling, or a loop */
	if (is_stdout_file(&st))
		return NULL;
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
		return SD_ATOMIC_LINK_REFUSED;
	/* a device or a FIFO, written through the link: only a link of root's
	 * (/dev/stdout, /dev/fd/N) or the caller's, and never to a disk */
	if (S_ISBLK(st.st_mode) || (lst.st_uid != 0 && lst.st_uid != me))
		return SD_ATOMIC_FOREIGN_REFUSED;
	return NULL;
}

int sd_atomic_open(struct sd_atomic_file *af, const char *path, struct sd_error *err)
{
	memset(af, 0, sizeof(*af));
	af->fd = -1;
	af->path = strdup(path);
	if (!af->path)
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	if (!strcmp(path, "-")) {
		af->fp = stdout;
		af->is_stdout = true;
		return 0;
	}
	const char *why = sd_atomic_refusal(path);
	if (why) {
		sd_atomic_abort(af);
		return sd_error_set(err, SD_EUSAGE, "%s %s", path, why);
	}
	struct stat st;
	bool exists = lstat(path, &st) == 0;
	bool is_link = exists && S_ISLNK(st.st_mode);
	/* A link is followed by the kernel only (open, stat), never resolved
	 * here: the kernel refuses another user's link in a sticky
	 * world-writable directory (fs.protected_symlinks), a resolution in
	 * user space would not, and a rename over the file a planted link
	 * names lets anyone make a root run clobber any file. */
	if (is_link)
		exists = stat(path, &st) == 0;
	if (exists && S_ISDIR(st.st_mode) && !is_link) {
		sd_atomic_abort(af);
		return sd_error_errno(err, EISDIR, "%s: cannot write", path);
	}
	if (!*base_of(path)) { /* "dir/" that does not exist */
		sd_atomic_abort(af);
		return sd_error_errno(err, EISDIR, "%s: cannot write", path);
	}
	/* The file standard output already writes (-o /dev/stdout, or the
	 * name of the file it is redirected to) is written through it, as
	 * for "-": replacing it would leave the output in a file nobody
	 * reads, and renaming over /dev/stdout would break it for the whole
	 * machine. */
	if (exists && is_stdout_file(&st))
		return open_in_place(af, fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0), path,
				     err);
	/* A device or a FIFO (-o /dev/null, a pipe) is written in place:
	 * renaming a temporary file over it would replace the device node
	 * with a regular file for everybody on the machine. O_NONBLOCK so a
	 * FIFO without a reader fails instead of hanging. */
	if (exists && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		int fl = O_WRONLY | O_CLOEXEC | (is_link ? 0 : O_NOFOLLOW);
		int fd = open(path, fl | O_NONBLOCK);
		if (fd < 0 && errno == ENXIO && S_ISFIFO(st.st_mode))
			fd = open(path, fl); /* wait for a reader */
		/* the link may have been turned to a regular file meanwhile:
		 * only the node seen above is written through it */
		struct stat now;
		if (fd >= 0 && (fstat(fd, &now) != 0 || now.st_dev != st.st_dev ||
				now.st_ino != st.st_ino)) {
			close(fd);
			sd_atomic_abort(af);
			return sd_error_set(err, SD_EUSAGE, "%s " SD_ATOMIC_LINK_REFUSED,
					    path);
		}
		return open_in_place(af, fd, path, err);
	}
	/* Any other link (to a regular file, a directory, nothing): never
	 * renamed over, never written through. */
	if (is_link) {
		sd_atomic_abort(af);
		return sd_error_set(err, SD_EUSAGE, "%s " SD_ATOMIC_LINK_REFUSED, path);
	}
	(void)sd_atomic_sweep(path);
	int rc = create_tmp(af, path, exists ? &st : NULL, err);
	if (rc) {
		sd_atomic_abort(af);
		return rc;
	}
	return attach_stream(af, path, err);
}

int sd_atomic_write_errno(const struct sd_atomic_file *af)
{
	return af->werr;
}

static int fsync_dir_of(const char *path)
{
	char *dir, *base;
	if (split_path(path, &dir, &base))
		return -ENOMEM;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	free(base);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) == 0 ? 0 : -errno;
	close(fd);
	return rc;
}

int sd_atomic_lost_errno(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR) ? EPIPE : EIO;
}

static int write_failed(struct sd_atomic_file *af, struct sd_error *err)
{
	int e = af->werr ? af->werr
		: errno	 ? errno
			 : sd_atomic_lost_errno(af->is_stdout ? STDOUT_FILENO : af->fd);
	int rc = sd_error_errno(err, e, "%s: write failed",
				af->is_stdout ? "standard output" : af->path);
	sd_atomic_abort(af);
	return rc;
}

int sd_atomic_commit(struct sd_atomic_file *af, struct sd_error *err)
{
	int rc = 0;
	errno = 0;
	if (fflush(af->fp) != 0 || ferror(af->fp) || af->werr)
		return write_failed(af, err);
	if (af->is_stdout) {
		af->fp = NULL;
		sd_atomic_abort(af);
		return 0;
	}
	if (!af->tmp_path) { /* written in place (a device or FIFO) */
		rc = fclose(af->fp);
		af->fp = NULL;
		if (rc != 0)
			rc = sd_error_errno(err, errno, "%s: close failed", af->path);
		sd_atomic_abort(af);
		return rc;
	}
	if (fsync(af->fd) != 0) {
		rc = sd_error_errno(err, errno, "%s: fsync failed", af->path);
		sd_atomic_abort(af);
		return rc;
	}
	/* renamed while the lock is held, so no sweeper takes it first */
	if (rename(af->tmp_path, af->path) != 0) {
		rc = sd_error_errno(err, errno, "%s: rename failed", af->path);
		sd_atomic_abort(af);
		return rc;
	}
	free(af->tmp_path);
	af->tmp_path = NULL;
	(void)fsync_dir_of(af->path);
	if (fclose(af->fp) != 0) {
		af->fp = NULL;
		rc = sd_error_errno(err, errno, "%s: close failed", af->path);
	}
	af->fp = NULL;
	sd_atomic_abort(af);
	return rc;
}

void sd_atomic_abort(struct sd_atomic_file *af)
{
	if (!af->path)
		return; /* never opened (a zeroed struct) or already done */
	/* removed while still locked, so a sweeper never sees it unlocked */
	if (af->tmp_path) {
		unlink(af->tmp_path);
		free(af->tmp_path);
		af->tmp_path = NULL;
	}
	if (af->is_stdout) {
		af->fp = NULL; /* standard output stays open */
	} else if (af->fp) {
		fclose(af->fp); /* closes af->fd through the cookie */
		af->fp = NULL;
	} else if (af->fd >= 0) {
		close(af->fd);
	}
	af->fd = -1;
	free(af->path);
	af->path = NULL;
}
