#include "core/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sd_atomic_open(struct sd_atomic_file *af, const char *path, struct sd_error *err)
{
	memset(af, 0, sizeof(*af));
	af->path = strdup(path);
	/* A device or a FIFO (-o /dev/null, /dev/stdout, a pipe) is written in
	 * place: renaming a temporary file over it would replace the device
	 * node with a regular file for everybody on the machine. */
	struct stat st;
	if (af->path && stat(path, &st) == 0 && !S_ISREG(st.st_mode) &&
	    !S_ISDIR(st.st_mode)) {
		af->fp = fopen(path, "wb");
		if (!af->fp) {
			int e = errno;
			sd_atomic_abort(af);
			return sd_error_errno(err, e, "%s: cannot open", path);
		}
		return 0;
	}
	if (!af->path || asprintf(&af->tmp_path, "%s.tmp.XXXXXX", path) < 0) {
		af->tmp_path = NULL;
		sd_atomic_abort(af);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	int fd = mkstemp(af->tmp_path);
	if (fd < 0) {
		int e = errno;
		free(af->tmp_path);
		af->tmp_path = NULL;
		sd_atomic_abort(af);
		return sd_error_errno(err, e, "%s: cannot create temporary file", path);
	}
	/* mkstemp makes 0600; a published snapshot or export is world-readable
	 * like any file the user would have written with a shell redirect. */
	mode_t um = umask(0);
	umask(um);
	(void)fchmod(fd, 0666 & ~um);
	af->fp = fdopen(fd, "wb");
	if (!af->fp) {
		int e = errno;
		close(fd);
		sd_atomic_abort(af);
		return sd_error_errno(err, e, "%s: fdopen", path);
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) == 0 ? 0 : -errno;
	close(fd);
	return rc;
}

int sd_atomic_commit(struct sd_atomic_file *af, struct sd_error *err)
{
	int rc = 0;
	if (fflush(af->fp) != 0 || ferror(af->fp)) {
		rc = sd_error_errno(err, errno ? errno : EIO, "%s: write failed",
				    af->path);
		goto fail;
	}
	if (!af->tmp_path) { /* written in place (a device or FIFO) */
		rc = fclose(af->fp);
		af->fp = NULL;
		if (rc != 0)
			rc = sd_error_errno(err, errno, "%s: close failed", af->path);
		sd_atomic_abort(af);
		return rc;
	}
	if (fsync(fileno(af->fp)) != 0) {
		rc = sd_error_errno(err, errno, "%s: fsync failed", af->path);
		goto fail;
	}
	if (fclose(af->fp) != 0) {
		af->fp = NULL;
		rc = sd_error_errno(err, errno, "%s: close failed", af->path);
		goto fail;
	}
	af->fp = NULL;
	if (rename(af->tmp_path, af->path) != 0) {
		rc = sd_error_errno(err, errno, "%s: rename failed", af->path);
		goto fail;
	}
	free(af->tmp_path);
	af->tmp_path = NULL;
	(void)fsync_dir_of(af->path);
	sd_atomic_abort(af);
	return 0;
fail:
	sd_atomic_abort(af);
	return rc;
}

void sd_atomic_abort(struct sd_atomic_file *af)
{
	if (af->fp) {
		fclose(af->fp);
		af->fp = NULL;
	}
	if (af->tmp_path) {
		unlink(af->tmp_path);
		free(af->tmp_path);
		af->tmp_path = NULL;
	}
	free(af->path);
	af->path = NULL;
}
