#include "cli/options.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/timeutil.h"

bool cli_parse_time(const char *cmd, const char *opt, const char *val, uint32_t *out)
{
	const char *why;
	if (sd_time_parse32(val, strlen(val), out, &why)) {
		cli_error(cmd, "%s '%s': %s", opt, val, why);
		return false;
	}
	return true;
}

const char *cli_u64_why(const char *val, uint64_t *out)
{
	/* digits only: strtoull alone skips blanks and takes a sign, so that
	 * " -1" would become the largest number */
	if (!*val)
		return "not a whole number";
	for (const char *p = val; *p; p++)
		if (*p < '0' || *p > '9')
			return "not a whole number (digits only)";
	errno = 0;
	unsigned long long v = strtoull(val, NULL, 10);
	if (errno == ERANGE)
		return "too large";
	*out = v;
	return NULL;
}

bool cli_parse_u64(const char *cmd, const char *opt, const char *val, uint64_t *out)
{
	const char *why = cli_u64_why(val, out);
	if (why)
		cli_error(cmd, "%s '%s': %s", opt, val, why);
	return !why;
}

bool cli_set_mode(const char *cmd, struct cli_mode *m, int mode, const char *flag)
{
	if (m->flag && m->mode != mode) {
		cli_error(cmd, "%s and %s exclude each other", m->flag, flag);
		return false;
	}
	m->mode = mode;
	m->flag = flag;
	return true;
}

uint64_t cli_build_time(uint32_t option)
{
	if (option)
		return option;
	const char *e = getenv("SOURCE_DATE_EPOCH");
	if (e && *e) {
		char *end;
		unsigned long long v = strtoull(e, &end, 10);
		if (!*end && v <= UINT32_MAX)
			return v;
	}
	return (uint64_t)time(NULL);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_init(struct cli_progress *p)
{
	p->enabled = cli_stderr_is_tty() && !getenv("SIGHTED_NO_PROGRESS");
	p->start = p->last = now();
}

void cli_progress_update(struct cli_progress *p, const char *fmt, ...)
{
	if (!p->enabled)
		return;
	double t = now();
	if (t - p->last < 0.25)
		return;
	p->last = t;
	va_list ap;
	va_start(ap, fmt);
	fputs("\r\033[K", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
}

void cli_progress_done(struct cli_progress *p)
{
	if (p->enabled)
		fputs("\r\033[K", stderr);
}
