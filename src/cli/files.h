/* What every subcommand does with its files before and after the work:
 * refuse an output that is one of the inputs or another output, refuse
 * `-o -` where the output cannot stream, check an output's directory
 * before any input is read, and report a write error with the file's name
 * and the system's reason. */
#ifndef SD_CLI_FILES_H
#define SD_CLI_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The reason given for `-o -` where the output is a snapshot. */
#define CLI_SNAPSHOT_NOT_STDOUT                                                          \
	"a snapshot must be a file (it is mapped and validated by its readers): "        \
	"give a path"

struct cli_output {
	/* "-o", "--sightings": named in messages; NULL for standard output
	 * written without an option (path "-") */
	const char *option;
	const char *path; /* NULL: not given; "-": standard output */
	/* why this output cannot be standard output, NULL when it can */
	const char *no_stdout;
	bool directory; /* a directory of files, made if missing */
};

/* Checks outputs against inputs ("-" is standard input) and each other by
 * device and inode, so another name for the same file (a hard link, a
 * symbolic link, "./x") is caught; `-` is standard output, compared when
 * it is a regular file (`>> input`), and a directory output is compared
 * through the files it will hold. An output that is a symbolic link the
 * atomic writer would refuse (sd_atomic_refusal) is refused first.
 * Returns EXIT_OK, EXIT_USAGE (an output is such a link, an input or
 * another output, or `-` where it cannot stream) or
 * EXIT_FAIL (an output's directory is missing, not writable or on a
 * read-only file system). Prints the reason. Nothing is read before. */
int cli_check_files(const char *cmd, const struct cli_output *outs, size_t nout,
		    const char *const *inputs, size_t nin);
/* cli_check_files for one directory output written file by file (export
 * suricata): each of names (NULL-terminated) in it is compared with the
 * inputs, and the directory itself, when it exists, must be writable. */
int cli_check_dir_files(const char *cmd, const struct cli_output *o,
			const char *const *names, const char *const *inputs, size_t nin);

/* For a command whose output is standard output: EXIT_USAGE when that is
 * a regular file that is one of the inputs (`sighted info s.sdb >> s.sdb`). */
int cli_check_stdout(const char *cmd, const char *const *inputs, size_t nin);

/* Flushes standard output; on a write error (a full disk, a closed pipe,
 * /dev/full) prints "standard output: <reason>" and returns EXIT_FAIL. */
int cli_finish_stdout(const char *cmd);

/* --max-errors N: N bad lines are tolerated, the next one stops (exit 3);
 * 0 stops at the first; "-1" or "unlimited" is no limit (UINT64_MAX). */
bool cli_parse_max_errors(const char *cmd, const char *val, uint64_t *out);

/* Exit status for an error met while writing: 2 for usage, else 4. */
int cli_exit_for_write(int code);

#endif
