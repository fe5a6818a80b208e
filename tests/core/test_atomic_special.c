/* Atomic output onto something that is not a regular file (a FIFO here,
 * /dev/null or /dev/stdout in real use) writes in place: the node must
 * never be replaced by a renamed temporary file. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "core/atomic_file.h"

static void test_fifo_written_in_place(void **state)
{
	(void)state;
	const char *fifo = test_tmpfile("out.fifo");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) { /* the reader: count the bytes, exit with 0 if 6 */
		FILE *f = fopen(fifo, "rb");
		char buf[64];
		size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
		_exit(n == 6 && !memcmp(buf, "hello\n", 6) ? 0 : 1);
	}
	struct sd_atomic_file af;
	struct sd_error e = {0};
	assert_int_equal(sd_atomic_open(&af, fifo, &e), 0);
	fputs("hello\n", af.fp);
	assert_int_equal(sd_atomic_commit(&af, &e), 0);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	struct stat st;
	assert_int_equal(stat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
}

static void test_regular_file_replaced(void **state)
{
	(void)state;
	const char *p = test_tmpfile("out.txt");
	struct sd_atomic_file af;
	struct sd_error e = {0};
	assert_int_equal(sd_atomic_open(&af, p, &e), 0);
	fputs("x\n", af.fp);
	assert_int_equal(sd_atomic_commit(&af, &e), 0);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 2);
}

/* A full device: the commit fails with the system's reason, not "I/O
 * error", and names the file. */
static void test_write_error_keeps_reason(void **state)
{
	(void)state;
	struct sd_atomic_file af;
	struct sd_error e = {0};
	assert_int_equal(sd_atomic_open(&af, "/dev/full", &e), 0);
	for (int i = 0; i < 10000; i++)
		fputs("0123456789", af.fp);
	assert_int_equal(sd_atomic_commit(&af, &e), -ENOSPC);
	assert_non_null(strstr(e.msg, "/dev/full"));
	assert_non_null(strstr(e.msg, "No space left on device"));
}

static bool exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

/* A dead writer's ".NAME.tmp.PID" (unlocked) is swept by the next writer of
 * NAME; one still locked (a live writer) is not; nor is another name's. */
static void test_leftovers_swept(void **state)
{
	(void)state;
	char dead[512], live[512], other[512], target[512];
	snprintf(target, sizeof(target), "%s", test_tmpfile("t.sdb"));
	snprintf(dead, sizeof(dead), "%s", test_tmpfile(".t.sdb.tmp.999999"));
	snprintf(live, sizeof(live), "%s", test_tmpfile(".t.sdb.tmp.999998-1"));
	snprintf(other, sizeof(other), "%s", test_tmpfile(".u.sdb.tmp.999997"));
	int fds[3];
	const char *paths[3] = {dead, live, other};
	for (int i = 0; i < 3; i++) {
		fds[i] = open(paths[i], O_WRONLY | O_CREAT | O_TRUNC, 0600);
		assert_true(fds[i] >= 0);
	}
	/* flock locks belong to the open file: held on this descriptor, the
	 * sweeper's own open of the file cannot take it */
	assert_int_equal(flock(fds[1], LOCK_EX), 0);
	close(fds[0]);
	close(fds[2]);
	struct sd_atomic_file af;
	struct sd_error e = {0};
	assert_int_equal(sd_atomic_open(&af, target, &e), 0);
	assert_false(exists(dead));
	assert_true(exists(live));
	assert_true(exists(other));
	/* our own temporary file is named for our pid and locked */
	char mine[512];
	snprintf(mine, sizeof(mine), "%s/.t.sdb.tmp.%ld", test_tmpdir(), (long)getpid());
	assert_true(exists(mine));
	assert_int_equal(sd_atomic_sweep(target), 0); /* ours is locked */
	assert_true(exists(mine));
	fputs("x", af.fp);
	assert_int_equal(sd_atomic_commit(&af, &e), 0);
	assert_false(exists(mine));
	close(fds[1]);
	assert_int_equal(sd_atomic_sweep(target), 1);
	assert_false(exists(live));
	unlink(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fifo_written_in_place),
	    cmocka_unit_test(test_regular_file_replaced),
	    cmocka_unit_test(test_write_error_keeps_reason),
	    cmocka_unit_test(test_leftovers_swept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
