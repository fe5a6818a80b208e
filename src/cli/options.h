/* Small helpers shared by the subcommands' option parsing. */
#ifndef SD_CLI_OPTIONS_H
#define SD_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

/* Parses a time option value into epoch seconds; prints an error naming
 * the option on failure. */
bool cli_parse_time(const char *cmd, const char *opt, const char *val, uint32_t *out);
/* A decimal whole number: digits only (no blank, no sign), at most
 * UINT64_MAX. NULL when it parses, else why not. */
const char *cli_u64_why(const char *val, uint64_t *out);
/* cli_u64_why, with an error naming the option. */
bool cli_parse_u64(const char *cmd, const char *opt, const char *val, uint64_t *out);
/* Build time for a new snapshot: --build-time, else SOURCE_DATE_EPOCH
 * (reproducible builds), else now. */
uint64_t cli_build_time(uint32_t option);

/* Output modes that exclude each other (--json, --csv, -q...): the first
 * flag sets the mode, the same flag again is harmless, a different one is
 * refused naming both. Start from {0, NULL} and the default mode. */
struct cli_mode {
	int mode;
	const char *flag; /* the flag that set it, NULL for the default */
};
bool cli_set_mode(const char *cmd, struct cli_mode *m, int mode, const char *flag);

/* A progress line on stderr, only when it is a terminal; at most a few
 * updates a second. */
struct cli_progress {
	bool enabled;
	double last;
	double start;
};
void cli_progress_init(struct cli_progress *p);
void cli_progress_update(struct cli_progress *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cli_progress_done(struct cli_progress *p);

#endif
