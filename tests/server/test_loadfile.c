/* The snapshot and tokens file are opened without blocking, only as
 * regular files, and read whole or refused (audit stop 19). */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "server/loadfile.h"
#include "server/tokens.h"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, 0644);
}

static void test_regular_file_read_whole(void **state)
{
	(void)state;
	const char *p = test_tmpfile("regular");
	write_file(p, "0123456789");
	int fd;
	struct stat st;
	struct sd_error err = {0};
	assert_int_equal(srv_loadfile_open(p, "thing", &fd, &st, &err), SD_OK);
	assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK); /* cleared again */
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	char buf[16] = {0};
	assert_int_equal(srv_loadfile_read(fd, &st, buf, p, "thing", &err), SD_OK);
	assert_string_equal(buf, "0123456789");
	close(fd);
}

static void test_not_regular_refused(void **state)
{
	(void)state;
	const char *fifo = test_tmpfile("fifo"), *dir = test_tmpfile("dir");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	int fd = 7;
	struct stat st;
	struct sd_error err = {0};
	/* no writer: a blocking open would never return */
	assert_int_equal(srv_loadfile_open(fifo, "snapshot", &fd, &st, &err), SD_EFORMAT);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(
	    err.msg, "fifo: not a regular file (a FIFO): the snapshot must be a file"));
	assert_int_equal(srv_loadfile_open(dir, "tokens file", &fd, &st, &err),
			 SD_EFORMAT);
	assert_non_null(strstr(err.msg, "dir: not a regular file (a directory)"));
	assert_int_equal(srv_loadfile_open("/dev/null", "snapshot", &fd, &st, &err),
			 SD_EFORMAT);
	assert_non_null(strstr(err.msg, "(a character device)"));
	assert_int_equal(
	    srv_loadfile_open(test_tmpfile("absent"), "snapshot", &fd, &st, &err),
	    -ENOENT);
	assert_non_null(strstr(err.msg, "absent: cannot open snapshot: "));

	struct srv_tokens *t = NULL;
	assert_int_equal(srv_tokens_load(dir, &t, &err), SD_EFORMAT);
	assert_null(t);
	assert_int_equal(srv_tokens_load(fifo, &t, &err), SD_EFORMAT);
	assert_null(t);
}

/* The file shrinks between the size taken at open and the read (a read
 * error or a file rewritten in place ends the same way): the part read is
 * never taken for the whole. A tokens line cut there can still parse, with
 * a wider scope than written. */
static void test_short_read_refused(void **state)
{
	(void)state;
	uint8_t h[32];
	char hex[72], line[256];
	srv_token_hash("correct horse battery staple", 28, h);
	srv_token_hash_hex(h, hex);
	snprintf(line, sizeof(line), "%s name=a scope=128.0.0.0/16\n", hex);
	const char *p = test_tmpfile("tokens");
	write_file(p, line);
	int fd;
	struct stat st;
	struct sd_error err = {0};
	assert_int_equal(srv_loadfile_open(p, "tokens file", &fd, &st, &err), SD_OK);
	assert_int_equal(truncate(p, (off_t)strlen(line) - 2), 0); /* ".../1" */
	char buf[256];
	assert_int_equal(srv_loadfile_read(fd, &st, buf, p, "tokens file", &err),
			 SD_ETRUNC);
	assert_non_null(strstr(err.msg, "the tokens file changed while it was read"));
	close(fd);
	/* the cut text on its own is a valid, wider token */
	struct srv_tokens *t;
	assert_int_equal(srv_tokens_parse(buf, strlen(line) - 2, "t", &t, &err), SD_OK);
	srv_ref_put(&t->ref);
}

/* A tokens file others can write is an unusable input (exit status 3),
 * not a usage error (2). */
static void test_group_writable_is_data_error(void **state)
{
	(void)state;
	const char *p = test_tmpfile("tokens.gw");
	write_file(p, "");
	chmod(p, 0664);
	struct srv_tokens *t = NULL;
	struct sd_error err = {0};
	int rc = srv_tokens_load(p, &t, &err);
	assert_true(rc < 0);
	assert_int_not_equal(rc, SD_EUSAGE);
	assert_non_null(strstr(err.msg, "writable by its group"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_regular_file_read_whole),
	    cmocka_unit_test(test_not_regular_refused),
	    cmocka_unit_test(test_short_read_refused),
	    cmocka_unit_test(test_group_writable_is_data_error),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	test_sh("rm -rf %s", test_tmpdir());
	return rc;
}
