/* correlate/line_writer.h: what is handed over reaches the file byte for
 * byte, in order, whatever the block sizes (a byte, a 4 KiB block and one
 * more, past the 4 MiB O_DIRECT stage in one piece), threaded or in place,
 * with O_DIRECT (fd given) or through the stream only (-1). */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>

#include "correlate/line_writer.h"

/* Deterministic bytes, different at every offset of a 4 KiB block. */
static char byte_at(size_t i)
{
	return (char)('!' + (i * 7 + i / 4093) % 90);
}

static void write_and_check(bool threaded, bool direct, const size_t *sizes, size_t n)
{
	const char *path = test_tmpfile("lines.out");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	FILE *fp = fdopen(fd, "wb");
	assert_non_null(fp);
	struct corr_line_writer *w =
	    corr_line_writer_start(fp, direct ? fd : -1, threaded);
	assert_non_null(w);
	struct sd_buf b = {0};
	size_t total = 0;
	for (size_t k = 0; k < n; k++) {
		for (size_t i = 0; i < sizes[k]; i++)
			sd_buf_putc(&b, byte_at(total + i));
		total += sizes[k];
		assert_int_equal(corr_line_writer_put(w, &b), 0);
		assert_int_equal(b.len, 0);
	}
	assert_int_equal(corr_line_writer_finish(w), 0);
	sd_buf_free(&b);
	assert_int_equal(fclose(fp), 0);
	FILE *in = fopen(path, "rb");
	assert_non_null(in);
	size_t got = 0;
	int c;
	while ((c = getc(in)) != EOF) {
		if ((char)c != byte_at(got))
			fail_msg("byte %zu differs (threaded %d, direct %d)", got,
				 threaded, direct);
		got++;
	}
	fclose(in);
	assert_int_equal(got, total);
	unlink(path);
}

static void test_sizes(void **state)
{
	(void)state;
	static const size_t small[] = {1, 0, 4095, 4097, 3, 8192, 100000, 1};
	static const size_t large[] = {(4u << 20) + 123, 1u << 20, 4096, (9u << 20) + 1,
				       7};
	static const size_t none[] = {0};
	for (int threaded = 0; threaded < 2; threaded++)
		for (int direct = 0; direct < 2; direct++) {
			write_and_check(threaded, direct, small,
					sizeof(small) / sizeof(*small));
			write_and_check(threaded, direct, large,
					sizeof(large) / sizeof(*large));
			write_and_check(threaded, direct, none, 1);
		}
}

/* A write that fails is reported (with its errno) by the next hand-over
 * or by the finish, and nothing after it is written. */
static void test_write_error(void **state)
{
	(void)state;
	FILE *fp = fopen("/dev/full", "wb");
	if (!fp)
		skip();
	for (int threaded = 0; threaded < 2; threaded++) {
		struct corr_line_writer *w = corr_line_writer_start(fp, -1, threaded);
		struct sd_buf b = {0};
		int rc = 0;
		for (int k = 0; k < 8 && !rc; k++) {
			for (int i = 0; i < 70000; i++)
				sd_buf_putc(&b, 'x');
			rc = corr_line_writer_put(w, &b);
		}
		int e = errno;
		if (!rc) {
			rc = corr_line_writer_finish(w);
			e = errno;
		} else {
			int frc = corr_line_writer_finish(w);
			assert_int_equal(frc, -1);
		}
		assert_int_equal(rc, -1);
		assert_int_equal(e, ENOSPC);
		sd_buf_free(&b);
		clearerr(fp);
	}
	fclose(fp);
}

/* A buffer that ran out of memory is refused as ENOMEM. */
static void test_failed_buffer(void **state)
{
	(void)state;
	FILE *fp = fopen("/dev/null", "wb");
	assert_non_null(fp);
	struct corr_line_writer *w = corr_line_writer_start(fp, -1, true);
	struct sd_buf b = {.failed = true};
	int rc = corr_line_writer_put(w, &b);
	int e = errno;
	assert_int_equal(rc, -1);
	assert_int_equal(e, ENOMEM);
	assert_int_equal(corr_line_writer_finish(w), 0);
	fclose(fp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sizes),
	    cmocka_unit_test(test_write_error),
	    cmocka_unit_test(test_failed_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
