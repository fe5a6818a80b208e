/* io sources: plain, gzip, zstd, stdin-like pipes; line splitting; limits;
 * truncation. Compressed inputs are made with the real gzip and zstd. */
#include "testutil.h"

#include "core/limits.h"
#include "io/source.h"

static void write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void run(const char *cmd)
{
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static void expect_lines(const char *path, const char *const *want, size_t n)
{
	struct io_source *s;
	struct sd_error err = {0};
	if (io_open(path, &s, &err))
		fail_msg("%s", err.msg);
	const char *line;
	size_t len, i = 0;
	int rc;
	while ((rc = io_getline(s, &line, &len, &err)) == 1) {
		assert_true(i < n);
		assert_int_equal(len, strlen(want[i]));
		assert_memory_equal(line, want[i], len);
		assert_int_equal(io_lineno(s), i + 1);
		i++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(i, n);
	io_close(s);
}

static const char text[] = "first\r\nsecond\n\nlast without newline";
static const char *const lines[] = {"first", "second", "", "last without newline"};

static void test_plain(void **state)
{
	(void)state;
	const char *p = test_tmpfile("plain.txt");
	write_file(p, text, sizeof(text) - 1);
	expect_lines(p, lines, 4);
	struct io_source *s;
	struct sd_error err;
	assert_int_equal(io_open(p, &s, &err), 0);
	assert_int_equal(io_compression(s), IO_PLAIN);
	assert_int_equal(io_file_size(s), sizeof(text) - 1);
	io_close(s);
}

static void test_gzip_and_zstd(void **state)
{
	(void)state;
	const char *p = test_tmpfile("c.txt");
	write_file(p, text, sizeof(text) - 1);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "gzip -c %s > %s.gz && zstd -q -c %s > %s.zst", p, p, p, p);
	run(cmd);
	char gz[512], zs[512];
	snprintf(gz, sizeof(gz), "%s.gz", p);
	snprintf(zs, sizeof(zs), "%s.zst", p);
	expect_lines(gz, lines, 4);
	expect_lines(zs, lines, 4);
	/* concatenated gzip members read as one stream */
	snprintf(cmd, sizeof(cmd), "cat %s.gz %s.gz > %s.2.gz", p, p, p);
	run(cmd);
	char two[512];
	snprintf(two, sizeof(two), "%s.2.gz", p);
	static const char *const twice[] = {"first", "second", "", "last without newlinefirst",
					    "second", "", "last without newline"};
	expect_lines(two, twice, 7);
}

static void test_big_and_truncated_gzip(void **state)
{
	(void)state;
	const char *p = test_tmpfile("big.txt");
	FILE *f = fopen(p, "w");
	for (int i = 0; i < 200000; i++)
		fprintf(f, "198.51.100.%d line %d\n", i % 256, i);
	fclose(f);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "gzip -c %s > %s.gz && head -c 100000 %s.gz > %s.cut.gz", p, p, p, p);
	run(cmd);
	char gz[512], cut[512];
	snprintf(gz, sizeof(gz), "%s.gz", p);
	snprintf(cut, sizeof(cut), "%s.cut.gz", p);
	struct io_source *s;
	struct sd_error err = {0};
	const char *line;
	size_t len;
	int rc;
	uint64_t n = 0;
	assert_int_equal(io_open(gz, &s, &err), 0);
	while ((rc = io_getline(s, &line, &len, &err)) == 1)
		n++;
	assert_int_equal(rc, 0);
	assert_int_equal(n, 200000);
	assert_true(io_bytes_in(s) > 0);
	io_close(s);

	n = 0;
	assert_int_equal(io_open(cut, &s, &err), 0);
	while ((rc = io_getline(s, &line, &len, &err)) == 1)
		n++;
	assert_int_equal(rc, SD_ETRUNC);
	assert_non_null(strstr(err.msg, "gzip stream ends early"));
	assert_non_null(strstr(err.msg, "big.txt.cut.gz"));
	/* what was read before the cut was delivered */
	assert_true(n > 1000);
	io_close(s);
}

static void test_long_line_limit(void **state)
{
	(void)state;
	const char *p = test_tmpfile("long.txt");
	size_t n = SD_MAX_LINE + 10;
	char *buf = malloc(n + 32);
	memset(buf, 'x', n);
	memcpy(buf + n, "\nshort\n", 7);
	write_file(p, buf, n + 7);
	free(buf);
	struct io_source *s;
	struct sd_error err = {0};
	const char *line;
	size_t len;
	assert_int_equal(io_open(p, &s, &err), 0);
	assert_int_equal(io_getline(s, &line, &len, &err), SD_ELIMIT);
	assert_non_null(strstr(err.msg, "long.txt:1: line longer than SD_MAX_LINE"));
	/* reading goes on after the over-long line */
	assert_int_equal(io_getline(s, &line, &len, &err), 1);
	assert_int_equal(len, 5);
	assert_memory_equal(line, "short", 5);
	assert_int_equal(io_lineno(s), 2);
	io_close(s);
}

static void test_errors(void **state)
{
	(void)state;
	struct io_source *s;
	struct sd_error err = {0};
	assert_int_not_equal(io_open(test_tmpfile("absent"), &s, &err), 0);
	assert_non_null(strstr(err.msg, "absent: cannot open"));
	assert_int_equal(io_open(test_tmpdir(), &s, &err), SD_EFORMAT);
	const char *p = test_tmpfile("empty");
	write_file(p, "", 0);
	const char *line;
	size_t len;
	assert_int_equal(io_open(p, &s, &err), 0);
	assert_int_equal(io_getline(s, &line, &len, &err), 0);
	io_close(s);
	/* corrupt zstd */
	const char *z = test_tmpfile("bad.zst");
	write_file(z, "\x28\xb5\x2f\xfd garbage garbage", 20);
	assert_int_equal(io_open(z, &s, &err), 0);
	int rc = io_getline(s, &line, &len, &err);
	assert_true(rc < 0);
	assert_non_null(strstr(err.msg, "bad.zst"));
	io_close(s);
}

static void test_peek_and_read(void **state)
{
	(void)state;
	const char *p = test_tmpfile("peek.txt");
	write_file(p, "abcdef", 6);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "gzip -c %s > %s.gz", p, p);
	run(cmd);
	char gz[512];
	snprintf(gz, sizeof(gz), "%s.gz", p);
	struct io_source *s;
	struct sd_error err = {0};
	assert_int_equal(io_open(gz, &s, &err), 0);
	const unsigned char *d;
	assert_int_equal(io_peek(s, &d, 3, &err), 3);
	assert_memory_equal(d, "abc", 3);
	char buf[16];
	assert_int_equal(io_read(s, buf, sizeof(buf), &err), 6);
	assert_memory_equal(buf, "abcdef", 6);
	assert_int_equal(io_read(s, buf, sizeof(buf), &err), 0);
	io_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_gzip_and_zstd),
		cmocka_unit_test(test_big_and_truncated_gzip),
		cmocka_unit_test(test_long_line_limit),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_peek_and_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
