/* io sources: plain, gzip, zstd, stdin-like pipes; line splitting; limits;
 * truncation. Compressed inputs are made with the real gzip and zstd. */
#include "testutil.h"

#include "core/limits.h"
#include "io/ident.h"
#include "io/source.h"

static void write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
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
	snprintf(cmd, sizeof(cmd), "gzip -c %s > %s.gz && zstd -q -c %s > %s.zst", p, p,
		 p, p);
	test_sh("%s", cmd);
	char gz[512], zs[512];
	snprintf(gz, sizeof(gz), "%s.gz", p);
	snprintf(zs, sizeof(zs), "%s.zst", p);
	expect_lines(gz, lines, 4);
	expect_lines(zs, lines, 4);
	/* concatenated gzip members read as one stream */
	snprintf(cmd, sizeof(cmd), "cat %s.gz %s.gz > %s.2.gz", p, p, p);
	test_sh("%s", cmd);
	char two[512];
	snprintf(two, sizeof(two), "%s.2.gz", p);
	static const char *const twice[] = {"first",
					    "second",
					    "",
					    "last without newlinefirst",
					    "second",
					    "",
					    "last without newline"};
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
	snprintf(cmd, sizeof(cmd),
		 "gzip -c %s > %s.gz && head -c 100000 %s.gz > %s.cut.gz", p, p, p, p);
	test_sh("%s", cmd);
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

	/* io_read in large reads hands out every byte decompressed before
	 * the cut (no fewer lines than io_getline gave), then the error */
	assert_int_equal(io_open(cut, &s, &err), 0);
	size_t cap = 8u << 20, got = 0;
	char *all = malloc(cap);
	assert_non_null(all);
	long r;
	while ((r = io_read(s, all + got, 1u << 20, &err)) > 0)
		got += (size_t)r;
	assert_int_equal(r, SD_ETRUNC);
	assert_non_null(strstr(err.msg, "gzip stream ends early"));
	assert_int_equal(io_read(s, all, 16, &err), SD_ETRUNC); /* and stays */
	uint64_t nl = 0;
	for (size_t i = 0; i < got; i++)
		nl += all[i] == '\n';
	assert_true(nl >= n);
	assert_true(got > 0 && memcmp(all, "198.51.100.0 line 0\n", 20) == 0);
	free(all);
	io_close(s);
}

/* What a reader sees of a file: every line (hashed), how many, the last
 * one, how reading ended and with which message. */
struct seen {
	uint64_t lines, limited, hash, bytes_in;
	char last[64];
	int rc;
	char msg[512];
};

/* span: the lines as io_getline_span gives them */
static void read_lines(const char *path, struct seen *o, bool span)
{
	struct io_source *s;
	struct sd_error err = {0};
	memset(o, 0, sizeof(*o));
	o->hash = 1469598103934665603ull;
	if (io_open(path, &s, &err))
		fail_msg("%s", err.msg);
	const char *line;
	size_t len;
	while ((o->rc = span ? io_getline_span(s, &line, &len, &err)
			     : io_getline(s, &line, &len, &err)) == 1 ||
	       o->rc == SD_ELIMIT) {
		if (o->rc == SD_ELIMIT) {
			o->limited++;
			continue;
		}
		o->lines++;
		for (size_t i = 0; i < len; i++)
			o->hash = (o->hash ^ (unsigned char)line[i]) * 1099511628211ull;
		o->hash = (o->hash ^ '\n') * 1099511628211ull;
		snprintf(o->last, sizeof(o->last), "%.*s", (int)(len < 60 ? len : 60),
			 line);
	}
	if (o->rc)
		snprintf(o->msg, sizeof(o->msg), "%s", err.msg);
	o->bytes_in = io_bytes_in(s);
	io_close(s);
}

static void read_all(const char *path, struct seen *o)
{
	read_lines(path, o, false);
}

/* Decompressing on a thread of its own changes nothing a reader can see:
 * the same lines, and a truncated or corrupt stream stops at the same
 * line with the same error, for gzip and zstd. */
static void test_background_same_as_inline(void **state)
{
	(void)state;
	const char *p = test_tmpfile("bg.txt");
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	for (int i = 0; i < 300000; i++)
		fprintf(f, "192.0.2.%d\tline %d of the background test\n", i % 256, i);
	fclose(f);
	char cmd[2048];
	snprintf(cmd, sizeof(cmd),
		 "gzip -1 -c %s > %s.gz && zstd -q -1 -c %s > %s.zst && "
		 "cat %s.gz %s.gz > %s.2.gz && "
		 "for c in gz zst; do s=$(stat -c %%s %s.$c); "
		 "head -c $((s / 3)) %s.$c > %s.cut1.$c; head -c $((s - 5)) %s.$c > "
		 "%s.cut2.$c; "
		 "cp %s.$c %s.bad.$c; printf 'XXXXXXXX' | dd of=%s.bad.$c bs=1 seek=$((s "
		 "/ 2)) "
		 "conv=notrunc 2>/dev/null; done",
		 p, p, p, p, p, p, p, p, p, p, p, p, p, p, p);
	test_sh("%s", cmd);
	static const char *const variants[] = {".gz",	    ".zst",	".2.gz",
					       ".cut1.gz",  ".cut2.gz", ".cut1.zst",
					       ".cut2.zst", ".bad.gz",	".bad.zst"};
	for (size_t v = 0; v < sizeof(variants) / sizeof(*variants); v++) {
		char path[512];
		snprintf(path, sizeof(path), "%s%s", p, variants[v]);
		struct seen bg, inl;
		io_decompress_in_background(true);
		read_all(path, &bg);
		io_decompress_in_background(false);
		read_all(path, &inl);
		io_decompress_in_background(true);
		if (bg.lines != inl.lines || bg.hash != inl.hash || bg.rc != inl.rc ||
		    strcmp(bg.msg, inl.msg) || strcmp(bg.last, inl.last) ||
		    bg.bytes_in != inl.bytes_in)
			fail_msg("%s: background %llu lines rc %d '%s' (last '%s', in "
				 "%llu); inline "
				 "%llu lines rc %d '%s' (last '%s', in %llu)",
				 variants[v], (unsigned long long)bg.lines, bg.rc, bg.msg,
				 bg.last, (unsigned long long)bg.bytes_in,
				 (unsigned long long)inl.lines, inl.rc, inl.msg, inl.last,
				 (unsigned long long)inl.bytes_in);
		bool intact = v < 3;
		assert_int_equal(bg.lines,
				 intact ? (v == 2 ? 600000 : 300000) : bg.lines);
		if (intact) {
			assert_int_equal(bg.rc, 0);
		} else {
			/* a cut stream is SD_ETRUNC (or, cut inside a block, corrupt
			 * data); a damaged one corrupt data; never a clean end */
			assert_true(bg.rc == SD_ETRUNC || bg.rc == SD_EIO);
			/* cut1 loses two thirds of the stream; cut2 only its
			 * last bytes, and damage inside a block may show only
			 * at the checksum */
			if (strstr(variants[v], "cut1"))
				assert_true(bg.lines < 200000);
			else
				assert_true(bg.lines <= 300000);
			assert_non_null(strstr(bg.msg, path));
		}
	}
}

/* A plain regular file is read through a mapping: the same lines (also as
 * spans), bytes and identity as read with read(), also with several read
 * at once, line by line in turn. */
static void test_plain_mapped(void **state)
{
	(void)state;
	const char *p = test_tmpfile("ahead.txt");
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	for (int i = 0; i < 200000; i++)
		fprintf(f, "198.51.100.%d\tline %d of the read-ahead test\n", i % 256, i);
	fprintf(f, "a last line without a newline");
	fclose(f);
	struct io_ident want;
	assert_int_equal(io_ident_file(p, 0, UINT64_MAX, &want, NULL), 0);
	struct seen inl, bg, sp;
	io_map_regular_files(false);
	read_all(p, &inl);
	io_map_regular_files(true);
	read_all(p, &bg);
	read_lines(p, &sp, true);
	assert_int_equal(inl.lines, 200001);
	assert_int_equal(bg.lines, inl.lines);
	assert_int_equal(sp.lines, inl.lines);
	assert_true(bg.hash == inl.hash);
	assert_true(sp.hash == inl.hash);
	assert_int_equal(bg.rc, 0);
	assert_int_equal(sp.rc, 0);
	assert_int_equal(bg.bytes_in, inl.bytes_in);
	assert_int_equal(sp.bytes_in, inl.bytes_in);
	assert_string_equal(bg.last, "a last line without a newline");
	/* three at once, line by line in turn, each with its identity */
	struct io_source *s[3];
	struct sd_error err = {0};
	for (int k = 0; k < 3; k++) {
		assert_int_equal(io_open(p, &s[k], &err), 0);
		assert_int_equal(io_ident_begin(s[k]), 0);
	}
	uint64_t got_lines[3] = {0, 0, 0};
	for (bool more = true; more;) {
		more = false;
		for (int k = 0; k < 3; k++) {
			const char *line;
			size_t len;
			int rc = io_getline(s[k], &line, &len, &err);
			assert_true(rc >= 0);
			got_lines[k] += (uint64_t)rc;
			more |= rc == 1;
		}
	}
	for (int k = 0; k < 3; k++) {
		struct io_ident got;
		assert_int_equal(got_lines[k], 200001);
		assert_true(io_ident_of(s[k], &got));
		assert_memory_equal(&got.content, &want.content, sizeof(want.content));
		assert_memory_equal(&got.head, &want.head, sizeof(want.head));
		io_close(s[k]);
	}
}

/* Lines of every shape read the same mapped or with read(), as copies or
 * spans: CRLF, empty lines, a line over the limit (counted, skipped), NULs,
 * a last line without a newline, one that ends at a page boundary. */
static void test_mapped_shapes(void **state)
{
	(void)state;
	const char *p = test_tmpfile("shapes.txt");
	size_t cap = 3 * SD_MAX_LINE + 65536, n = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	static const char head[] = "crlf line\r\n\n\r\nnul \0 inside\n";
	memcpy(buf, head, sizeof(head) - 1);
	n += sizeof(head) - 1;
	memset(buf + n, 'y', SD_MAX_LINE + 1);
	n += SD_MAX_LINE + 1;
	buf[n++] = '\n';
	memset(buf + n, 'z', SD_MAX_LINE);
	n += SD_MAX_LINE;
	buf[n++] = '\n';
	for (; n % 4096 != 4095; n++)
		buf[n] = n % 61 ? 'a' : '\n';
	buf[n++] = '\n';
	n += (size_t)sprintf(buf + n, "last\r");
	write_file(p, buf, n);
	free(buf);
	for (int cut = 0; cut < 2; cut++) {
		struct seen rd, mp, sp;
		io_map_regular_files(false);
		read_lines(p, &rd, false);
		io_map_regular_files(true);
		read_lines(p, &mp, false);
		read_lines(p, &sp, true);
		assert_int_equal(rd.limited, 1);
		assert_int_equal(rd.rc, 0);
		assert_int_equal(mp.lines, rd.lines);
		assert_int_equal(sp.lines, rd.lines);
		assert_int_equal(mp.limited, 1);
		assert_int_equal(sp.limited, 1);
		assert_true(mp.hash == rd.hash && sp.hash == rd.hash);
		assert_int_equal(mp.rc, 0);
		assert_int_equal(sp.rc, 0);
		assert_string_equal(mp.last, rd.last);
		assert_string_equal(sp.last, rd.last);
		assert_int_equal(mp.bytes_in, rd.bytes_in);
		/* then the same, ending exactly at a page boundary */
		assert_int_equal(truncate(p, (off_t)(n - 5)), 0);
	}
}

/* A file cut short while it is read (mapped): no crash (SIGBUS), an
 * SD_ETRUNC that names the file, and every line handed out before it
 * intact. Cut to nothing, inside a page, and at a page boundary. */
static void test_mapped_shrinks(void **state)
{
	(void)state;
	const char *p = test_tmpfile("shrink.txt");
	static const long cuts[] = {0, 300001, 409600};
	for (size_t c = 0; c < sizeof(cuts) / sizeof(*cuts); c++) {
		FILE *f = fopen(p, "w");
		assert_non_null(f);
		for (int i = 0; i < 100000; i++)
			fprintf(f, "line %06d of the shrink test, padded\n", i);
		fclose(f);
		struct io_source *s;
		struct sd_error err = {0};
		assert_int_equal(io_open(p, &s, &err), 0);
		assert_int_equal(io_ident_begin(s), 0);
		const char *line;
		size_t len;
		uint64_t nlines = 0;
		int rc;
		while ((rc = io_getline_span(s, &line, &len, &err)) == 1) {
			char want[64];
			int k = snprintf(want, sizeof(want),
					 "line %06llu of the shrink test, padded",
					 (unsigned long long)nlines);
			if (len != (size_t)k || memcmp(line, want, len))
				fail_msg("line %llu: '%.*s'", (unsigned long long)nlines,
					 (int)len, line);
			if (++nlines == 1000)
				assert_int_equal(truncate(p, cuts[c]), 0);
		}
		assert_int_equal(rc, SD_ETRUNC);
		assert_non_null(strstr(err.msg, "shrink.txt: file shrank while read"));
		assert_true(nlines >= 1000 && nlines < 100000);
		struct io_ident id;
		assert_false(io_ident_of(s, &id));
		io_close(s);
	}
	/* io_read too */
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	for (int i = 0; i < 100000; i++)
		fputs("0123456789abcdef0123456789abcdef\n", f);
	fclose(f);
	struct io_source *s;
	struct sd_error err = {0};
	assert_int_equal(io_open(p, &s, &err), 0);
	static char buf[1 << 16];
	assert_int_equal(io_read(s, buf, sizeof(buf), &err), (long)sizeof(buf));
	assert_int_equal(truncate(p, 100000), 0);
	long r;
	while ((r = io_read(s, buf, sizeof(buf), &err)) > 0)
		;
	assert_int_equal(r, SD_ETRUNC);
	io_close(s);
}

/* A file that grows while read (mapped at its first size) is read on to
 * its new end, as with read(); its identity (of the size at the start) is
 * then not complete, as with read(). */
static void test_mapped_grows(void **state)
{
	(void)state;
	const char *p = test_tmpfile("grow.txt");
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	for (int i = 0; i < 50000; i++)
		fprintf(f, "line %d\n", i);
	fprintf(f, "half a li");
	fclose(f);
	struct io_source *s;
	struct sd_error err = {0};
	assert_int_equal(io_open(p, &s, &err), 0);
	const char *line;
	size_t len;
	uint64_t nlines = 0;
	int rc;
	char last[64] = "";
	while ((rc = io_getline(s, &line, &len, &err)) == 1) {
		snprintf(last, sizeof(last), "%.*s", (int)len, line);
		if (++nlines == 10) {
			f = fopen(p, "a");
			assert_non_null(f);
			fprintf(f, "ne\nand more\n");
			fclose(f);
		}
	}
	assert_int_equal(rc, 0);
	assert_int_equal(nlines, 50002);
	assert_string_equal(last, "and more");
	assert_int_equal(io_bytes_in(s), io_file_size(s) + 12);
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
	test_sh("%s", cmd);
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
	    cmocka_unit_test(test_background_same_as_inline),
	    cmocka_unit_test(test_plain_mapped),
	    cmocka_unit_test(test_mapped_shapes),
	    cmocka_unit_test(test_mapped_shrinks),
	    cmocka_unit_test(test_mapped_grows),
	    cmocka_unit_test(test_long_line_limit),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_peek_and_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
