#include "server/loadfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

static const char *kind(mode_t m)
{
	return S_ISDIR(m)    ? "a directory"
	       : S_ISCHR(m)  ? "a character device"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISFIFO(m) ? "a FIFO"
	       : S_ISSOCK(m) ? "a socket"
			     : "not a file";
}

int srv_loadfile_open(const char *path, const char *what, int *fd, struct stat *st,
		      struct sd_error *err)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (*fd < 0)
		return sd_error_errno(err, errno, "%s: cannot open %s", path, what);
	int rc = SD_OK;
	int fl;
	if (fstat(*fd, st) != 0)
		rc = sd_error_errno(err, errno, "%s: cannot stat %s", path, what);
	else if (!S_ISREG(st->st_mode))
		rc = sd_error_set(err, SD_EFORMAT,
				  "%s: not a regular file (%s): the %s must be a file",
				  path, kind(st->st_mode), what);
	else if ((fl = fcntl(*fd, F_GETFL)) < 0 ||
		 fcntl(*fd, F_SETFL, fl & ~O_NONBLOCK) != 0)
		rc = sd_error_errno(err, errno, "%s: cannot read %s", path, what);
	if (rc) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

int srv_loadfile_read(int fd, const struct stat *st, void *buf, const char *path,
		      const char *what, struct sd_error *err)
{
	size_t size = (size_t)st->st_size, got = 0;
	while (got < size) {
		ssize_t k = pread(fd, (char *)buf + got, size - got, (off_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return sd_error_errno(err, errno, "%s: cannot read %s", path,
					      what);
		if (k == 0)
			break;
		got += (size_t)k;
	}
	struct stat now;
	if (fstat(fd, &now) != 0)
		return sd_error_errno(err, errno, "%s: cannot stat %s", path, what);
	bool same = got == size && now.st_size == st->st_size &&
		    now.st_mtim.tv_sec == st->st_mtim.tv_sec &&
		    now.st_mtim.tv_nsec == st->st_mtim.tv_nsec;
	if (!same)
		return sd_error_set(err, SD_ETRUNC,
				    "%s: the %s changed while it was read (%zu of %zu "
				    "bytes; rewritten in place?)",
				    path, what, got, size);
	return SD_OK;
}
