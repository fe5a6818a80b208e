/* The command-line front end: one file per subcommand, a shared table. */
#ifndef SD_CLI_CLI_H
#define SD_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Exit status, documented in docs/sighted.1 and the README. */
enum cli_exit {
	EXIT_OK = 0,	     /* success; for check: at least one listed */
	EXIT_NOT_LISTED = 1, /* check: nothing asked about is listed */
	EXIT_USAGE = 2,	     /* bad command line */
	EXIT_DATA = 3,	     /* bad input: unreadable or corrupt file, a bad
			      * line under --strict, --max-errors passed */
	EXIT_FAIL = 4,	     /* could not finish: write error, out of memory */
};

struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

extern const struct cli_command cli_cmd_import, cli_cmd_check, cli_cmd_merge,
    cli_cmd_info, cli_cmd_indicators, cli_cmd_records, cli_cmd_correlate;
extern const struct cli_command cli_cmd_serve, cli_cmd_export;
extern const struct cli_command cli_cmd_diff, cli_cmd_report, cli_cmd_notify;

/* Default snapshot path: $SIGHTED_DB, else ./sighted.sdb. */
const char *cli_default_db(void);
/* Maps an sd_err code met while reading to an exit status: a corrupt or
 * unreadable input (SD_EIO from gzip/zstd included) is 3, out of memory 4.
 * Errors met while writing go through cli_exit_for_write (cli/files.h). */
int cli_exit_for(int code);
/* Prints "sighted <cmd>: <msg>" to stderr. */
void cli_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints msg and a newline to stderr, untrusted bytes escaped (a
 * reader's "file:line: why" quoting its input). */
void cli_message(const char *msg);
/* Prints "where: kind: why" (NULL parts left out), escaped likewise: the
 * loaders' and readers' per-line reports. */
void cli_report(const char *where, const char *kind, const char *why);
bool cli_stderr_is_tty(void);

#endif
