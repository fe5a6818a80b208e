#include "cli/files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "core/error.h"

/* Identity of a path: the file's device and inode when it exists; for an
 * output not yet written, its directory's device and inode plus its name,
 * so two outputs spelled differently are still recognised as one. */
struct identity {
	dev_t dev;
	ino_t ino;
	const char *name; /* NULL when the file exists */
	bool known;
};

static const char *base_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* dir of p into buf ("." for a bare name) */
static void dir_of(const char *p, char *buf, size_t size)
{
	const char *s = strrchr(p, '/');
	if (!s)
		snprintf(buf, size, ".");
	else if (s == p)
		snprintf(buf, size, "/");
	else
		snprintf(buf, size, "%.*s", (int)(s - p), p);
}

static struct identity identify(const char *path, int std_fd)
{
	struct identity id = {0};
	struct stat st;
	int rc = strcmp(path, "-") ? stat(path, &st) : fstat(std_fd, &st);
	if (rc == 0) {
		/* only regular files can be overwritten: /dev/null as an input
		 * and an output at once is harmless */
		if (S_ISREG(st.st_mode)) {
			id.dev = st.st_dev;
			id.ino = st.st_ino;
			id.known = true;
		}
		return id;
	}
	char dir[4096];
	dir_of(path, dir, sizeof(dir));
	if (stat(dir, &st) == 0) {
		id.dev = st.st_dev;
		id.ino = st.st_ino;
		id.name = base_of(path);
		id.known = true;
	}
	return id;
}

static bool same(const struct identity *a, const struct identity *b)
{
	if (!a->known || !b->known || a->dev != b->dev || a->ino != b->ino)
		return false;
	if (!a->name && !b->name)
		return true;
	return a->name && b->name && !strcmp(a->name, b->name);
}

int cli_check_files(const char *cmd, const struct cli_output *outs, size_t nout,
		    const char *const *inputs, size_t nin)
{
	for (size_t i = 0; i < nout; i++) {
		const struct cli_output *o = &outs[i];
		if (!o->path)
			continue;
		if (!strcmp(o->path, "-")) {
			if (o->no_stdout) {
				cli_error(cmd, "%s -: %s", o->option, o->no_stdout);
				return EXIT_USAGE;
			}
			for (size_t j = 0; j < i; j++)
				if (outs[j].path && !strcmp(outs[j].path, "-")) {
					cli_error(cmd,
						  "%s - and %s - would both write to "
						  "standard output",
						  outs[j].option, o->option);
					return EXIT_USAGE;
				}
			continue;
		}
		struct identity oi = identify(o->path, STDOUT_FILENO);
		for (size_t j = 0; j < nin; j++) {
			struct identity ii = identify(inputs[j], STDIN_FILENO);
			if (!ii.name && same(&oi, &ii)) {
				cli_error(cmd,
					  "%s %s is the input %s: writing it would "
					  "destroy what is being read",
					  o->option, o->path, inputs[j]);
				return EXIT_USAGE;
			}
		}
		for (size_t j = 0; j < i; j++) {
			if (!outs[j].path || !strcmp(outs[j].path, "-"))
				continue;
			struct identity pi = identify(outs[j].path, STDOUT_FILENO);
			if (same(&oi, &pi)) {
				cli_error(cmd, "%s %s and %s %s are the same file",
					  outs[j].option, outs[j].path, o->option,
					  o->path);
				return EXIT_USAGE;
			}
		}
		/* fail now, not after reading every input */
		char dir[4096];
		struct stat st;
		dir_of(o->path, dir, sizeof(dir));
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			cli_error(cmd, "%s %s: cannot write in %s: %s", o->option,
				  o->path, dir, strerror(errno ? errno : ENOTDIR));
			return EXIT_FAIL;
		}
		if (!o->directory && stat(o->path, &st) == 0 && S_ISDIR(st.st_mode)) {
			cli_error(cmd, "%s %s: %s", o->option, o->path, strerror(EISDIR));
			return EXIT_FAIL;
		}
	}
	return EXIT_OK;
}

int cli_finish_stdout(const char *cmd)
{
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int e = errno ? errno : EIO;
		cli_error(cmd, "standard output: %s", strerror(e));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

bool cli_parse_max_errors(const char *cmd, const char *val, uint64_t *out)
{
	if (!strcmp(val, "-1") || !strcmp(val, "unlimited")) {
		*out = UINT64_MAX;
		return true;
	}
	return cli_parse_u64(cmd, "--max-errors", val, out);
}

int cli_exit_for_write(int code)
{
	return code == SD_OK ? EXIT_OK : code == SD_EUSAGE ? EXIT_USAGE : EXIT_FAIL;
}
