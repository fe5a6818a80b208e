/* Atomic output onto something that is not a regular file (a FIFO here,
 * /dev/null or /dev/stdout in real use) writes in place: the node must
 * never be replaced by a renamed temporary file. */
#include "testutil.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_written_in_place),
		cmocka_unit_test(test_regular_file_replaced),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
