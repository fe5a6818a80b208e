/* Shared by the cmocka unit tests. */
#ifndef SD_TESTS_TESTUTIL_H
#define SD_TESTS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* Path of a file under tests/data (TESTS_DATA, set by tests/run). */
static inline const char *test_data(const char *name)
{
	static char buf[4096];
	const char *dir = getenv("TESTS_DATA");
	snprintf(buf, sizeof(buf), "%s/%s", dir ? dir : "tests/data", name);
	return buf;
}

/* A fresh private temporary directory for one test program. */
static inline const char *test_tmpdir(void)
{
	static char dir[256];
	if (!dir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(dir, sizeof(dir), "%s/sighted-test-XXXXXX", t ? t : "/tmp");
		if (!mkdtemp(dir))
			abort();
	}
	return dir;
}

static inline const char *test_tmpfile(const char *name)
{
	static char buf[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", test_tmpdir(), name);
	return buf[k];
}

/* Runs a shell command made from fmt; the test fails if it does not
 * exit 0. */
static inline __attribute__((format(printf, 1, 2))) void test_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

#endif
