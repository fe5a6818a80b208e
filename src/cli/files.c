#include "cli/files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "core/atomic_file.h"
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

/* A standard stream: known only when it is a regular file, the one kind
 * a write can destroy (a terminal or a pipe read and written is harmless). */
static struct identity identify_fd(int fd)
{
	struct identity id = {0};
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		id.dev = st.st_dev;
		id.ino = st.st_ino;
		id.known = true;
	}
	return id;
}

static struct identity identify(const char *path, int std_fd)
{
	if (!strcmp(path, "-"))
		return identify_fd(std_fd);
	struct identity id = {0};
	struct stat st;
	if (stat(path, &st) == 0) {
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

/* "-o FILE", "-o - (standard output)", or "standard output" for a
 * command that writes there without an option. */
static const char *shown(const struct cli_output *o, char *buf, size_t size)
{
	if (!o->option)
		snprintf(buf, size, "standard output");
	else
		snprintf(buf, size, "%s %s", o->option,
			 strcmp(o->path, "-") ? o->path : "- (standard output)");
	return buf;
}

/* An output (or one file of a directory output) that is an input. */
static bool is_an_input(const char *cmd, const struct cli_output *o, const char *file,
			const char *const *inputs, size_t nin)
{
	struct identity oi = identify(file, STDOUT_FILENO);
	char buf[4200];
	for (size_t j = 0; j < nin; j++) {
		struct identity ii = identify(inputs[j], STDIN_FILENO);
		if (ii.name || !same(&oi, &ii))
			continue;
		if (file != o->path)
			cli_error(cmd,
				  "%s %s would replace %s, the input %s: writing it "
				  "would destroy what is being read",
				  o->option, o->path, file, inputs[j]);
		else
			cli_error(cmd,
				  "%s is the input %s: writing it would destroy what "
				  "is being read",
				  shown(o, buf, sizeof(buf)), inputs[j]);
		return true;
	}
	return false;
}

static bool directory_holds_an_input(const char *cmd, const struct cli_output *o,
				     const char *const *names, const char *const *inputs,
				     size_t nin)
{
	for (size_t k = 0; names && names[k]; k++) {
		char file[4096];
		snprintf(file, sizeof(file), "%s/%s", o->path, names[k]);
		if (is_an_input(cmd, o, file, inputs, nin))
			return true;
	}
	return false;
}

/* A symbolic link as an output (or one file of a directory output): only
 * the kernel follows links, so it is refused unless it leads to standard
 * output's file, a device or a FIFO (written in place); and a link or FIFO
 * another user may have planted is refused (sd_atomic_refusal). Checked before the
 * outputs are compared, so a link naming another output's future file is
 * told as a link. */
static bool is_refused_output(const char *cmd, const struct cli_output *o,
			      const char *file)
{
	const char *why = sd_atomic_refusal(file);
	if (!why)
		return false;
	if (file != o->path)
		cli_error(cmd, "%s %s: %s %s", o->option, o->path, file, why);
	else
		cli_error(cmd, "%s %s %s", o->option, file, why);
	return true;
}

static bool directory_holds_a_link(const char *cmd, const struct cli_output *o,
				   const char *const *names)
{
	for (size_t k = 0; names && names[k]; k++) {
		char file[4096];
		snprintf(file, sizeof(file), "%s/%s", o->path, names[k]);
		if (is_refused_output(cmd, o, file))
			return true;
	}
	return false;
}

/* Where the output's files will be created: beside a regular file, in a
 * directory output written file by file,
 * else the directory of the name (a directory replaced as a whole is made
 * beside it); "" when nothing is created (a device, a FIFO, the file that
 * is already standard output: written in place). */
static void created_in(const struct cli_output *o, bool by_file, char *dir, size_t size)
{
	struct stat st;
	if (stat(o->path, &st) != 0 || (S_ISDIR(st.st_mode) && !by_file)) {
		dir_of(o->path, dir, size);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(dir, size, "%s", o->path);
		return;
	}
	struct identity out = identify_fd(STDOUT_FILENO);
	if (!S_ISREG(st.st_mode) ||
	    (out.known && out.dev == st.st_dev && out.ino == st.st_ino)) {
		dir[0] = 0;
		return;
	}
	dir_of(o->path, dir, size);
}

/* Fails now, not after reading every input. */
static int check_writable(const char *cmd, const struct cli_output *o, bool by_file)
{
	char dir[4096];
	struct stat st;
	if (!o->directory && stat(o->path, &st) == 0 && S_ISDIR(st.st_mode)) {
		cli_error(cmd, "%s %s: %s", o->option, o->path, strerror(EISDIR));
		return EXIT_FAIL;
	}
	created_in(o, by_file, dir, sizeof(dir));
	if (!dir[0]) {
		if (access(o->path, W_OK) != 0) {
			cli_error(cmd, "%s %s: cannot write: %s", o->option, o->path,
				  strerror(errno));
			return EXIT_FAIL;
		}
		return EXIT_OK;
	}
	errno = 0;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		cli_error(cmd, "%s %s: cannot write in %s: %s", o->option, o->path, dir,
			  strerror(errno ? errno : ENOTDIR));
		return EXIT_FAIL;
	}
	struct statvfs fs;
	int e = access(dir, W_OK | X_OK) != 0			    ? errno
		: statvfs(dir, &fs) == 0 && (fs.f_flag & ST_RDONLY) ? EROFS
								    : 0;
	if (e) {
		cli_error(cmd, "%s %s: cannot write in %s: %s", o->option, o->path, dir,
			  strerror(e));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* names: the files a directory output is written as, NULL if it is not
 * written file by file */
static int check_files(const char *cmd, const struct cli_output *outs, size_t nout,
		       const char *const *names, const char *const *inputs, size_t nin)
{
	for (size_t i = 0; i < nout; i++) {
		const struct cli_output *o = &outs[i];
		if (!o->path)
			continue;
		bool is_stdout = !strcmp(o->path, "-");
		if (is_stdout && o->no_stdout) {
			cli_error(cmd, "%s -: %s", o->option, o->no_stdout);
			return EXIT_USAGE;
		}
		for (size_t j = 0; is_stdout && j < i; j++)
			if (outs[j].path && !strcmp(outs[j].path, "-")) {
				cli_error(cmd,
					  "%s - and %s - would both write to "
					  "standard output",
					  outs[j].option, o->option);
				return EXIT_USAGE;
			}
		if (!is_stdout &&
		    ((!o->directory && is_refused_output(cmd, o, o->path)) ||
		     directory_holds_a_link(cmd, o, names)))
			return EXIT_USAGE;
		if (is_an_input(cmd, o, o->path, inputs, nin) ||
		    directory_holds_an_input(cmd, o, names, inputs, nin))
			return EXIT_USAGE;
		struct identity oi = identify(o->path, STDOUT_FILENO);
		struct identity so = identify_fd(STDOUT_FILENO);
		if (!is_stdout && o->no_stdout && same(&oi, &so)) {
			/* written through standard output, as `-o -` would be */
			cli_error(cmd, "%s %s is standard output: %s", o->option, o->path,
				  o->no_stdout);
			return EXIT_USAGE;
		}
		for (size_t j = 0; j < i; j++) {
			if (!outs[j].path)
				continue;
			struct identity pi = identify(outs[j].path, STDOUT_FILENO);
			if (same(&oi, &pi)) {
				char a[4200], b[4200];
				cli_error(cmd, "%s and %s are the same file",
					  shown(&outs[j], a, sizeof(a)),
					  shown(o, b, sizeof(b)));
				return EXIT_USAGE;
			}
		}
		int status = is_stdout ? EXIT_OK : check_writable(cmd, o, names != NULL);
		if (status != EXIT_OK)
			return status;
	}
	return EXIT_OK;
}

int cli_check_files(const char *cmd, const struct cli_output *outs, size_t nout,
		    const char *const *inputs, size_t nin)
{
	return check_files(cmd, outs, nout, NULL, inputs, nin);
}

int cli_check_dir_files(const char *cmd, const struct cli_output *o,
			const char *const *names, const char *const *inputs, size_t nin)
{
	return check_files(cmd, o, 1, names, inputs, nin);
}

int cli_check_stdout(const char *cmd, const char *const *inputs, size_t nin)
{
	const struct cli_output o = {NULL, "-", NULL, false};
	return cli_check_files(cmd, &o, 1, inputs, nin);
}

int cli_finish_stdout(const char *cmd)
{
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int e = errno ? errno : sd_atomic_lost_errno(STDOUT_FILENO);
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
