#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/files.h"
#include "cli/terminal.h"
#include "core/error.h"

static const struct cli_command *const commands[] = {
    &cli_cmd_import,
    &cli_cmd_check,
    &cli_cmd_merge,
    &cli_cmd_info,
    &cli_cmd_indicators,
    &cli_cmd_correlate,
    &cli_cmd_records,
    &cli_cmd_serve,
    &cli_cmd_export,
    &cli_cmd_diff,
    &cli_cmd_report,
    &cli_cmd_notify,
    NULL,
};

const char *cli_default_db(void)
{
	const char *e = getenv("SIGHTED_DB");
	return e && *e ? e : "sighted.sdb";
}

int cli_exit_for(int code)
{
	switch (code) {
	case SD_OK:
		return EXIT_OK;
	case SD_EUSAGE:
		return EXIT_USAGE;
	case SD_ENOMEM:
		return EXIT_FAIL;
	}
	return EXIT_DATA;
}

void cli_error(const char *cmd, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(msg))
		n = (int)sizeof(msg) - 1;
	fprintf(stderr, "sighted%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	/* messages quote the input: never let it drive the terminal */
	cli_write_escaped(stderr, msg, (size_t)n);
	fputc('\n', stderr);
}

void cli_message(const char *msg)
{
	cli_report(NULL, NULL, msg);
}

void cli_report(const char *where, const char *kind, const char *why)
{
	const char *parts[] = {where, kind, why};
	bool first = true;
	for (size_t i = 0; i < 3; i++) {
		if (!parts[i])
			continue;
		if (!first)
			fputs(": ", stderr);
		cli_write_escaped(stderr, parts[i], strlen(parts[i]));
		first = false;
	}
	fputc('\n', stderr);
}

bool cli_stderr_is_tty(void)
{
	return isatty(STDERR_FILENO);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: sighted <command> [options] [args]\n"
		"\n"
		"Who was potentially impacted by a supply-chain attack: sightings of\n"
		"client addresses talking to a campaign's infrastructure.\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; commands[i]; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out,
		"\n"
		"Run 'sighted <command> --help' for a command's options.\n"
		"  --version  print the version\n"
		"  --help     this text\n"
		"Exit status: 0 ok (check: listed; diff: same), 1 not listed (diff:\n"
		"differences), 2 usage,\n"
		"3 bad or corrupt input, 4 failure (write error, out of memory).\n");
}

static int dispatch(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		if (argc > 2 && strcmp(cmd, "help") == 0) {
			for (size_t i = 0; commands[i]; i++)
				if (!strcmp(commands[i]->name, argv[2])) {
					char *hv[] = {argv[2], "--help", NULL};
					return commands[i]->run(2, hv);
				}
		}
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("sighted %s\n", SIGHTED_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; commands[i]; i++)
		if (!strcmp(commands[i]->name, cmd))
			return commands[i]->run(argc - 1, argv + 1);
	cli_error(NULL, "unknown command '%s' (try 'sighted --help')", cmd);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	/* A reader that went away (`| head`) is a write error like a full
	 * disk: reported on stderr, exit status 4, instead of a silent death
	 * by signal (status 141) that a script cannot tell from a crash. */
	signal(SIGPIPE, SIG_IGN);
	int status = dispatch(argc, argv);
	/* what a command did not check (its --help, --version): status 4
	 * already means the command reported its write error, and a usage
	 * error keeps its 2 (the write error is still reported) */
	if (status != EXIT_FAIL && cli_finish_stdout(NULL) != EXIT_OK &&
	    status != EXIT_USAGE)
		return EXIT_FAIL;
	return status;
}
