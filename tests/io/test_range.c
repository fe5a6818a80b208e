/* io_open_range and io_ident_file: ranges that tile a file read each of its
 * lines exactly once (random splits, random line lengths, ranges that start
 * mid-line, inside the header or past the end), the header block comes
 * first in every range, compressed files are refused, and the contents of
 * the ranges' identities add up to the whole file's. */
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

/* xorshift: the test is the same on every run */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* A file of a header block and n numbered lines of random length (some
 * empty, the last one without a newline when odd); returns its size. */
static size_t make_file(const char *path, const char *header, size_t n, char **out)
{
	size_t cap = strlen(header) + n * 200 + 1, len = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	len += (size_t)snprintf(buf, cap, "%s", header);
	for (size_t i = 0; i < n; i++) {
		len += (size_t)snprintf(buf + len, cap - len, "L%zu", i);
		size_t pad = rnd() % 150;
		for (size_t k = 0; k < pad; k++)
			buf[len++] = (char)('a' + rnd() % 26);
		if (i + 1 < n || n % 2 == 0)
			buf[len++] = '\n';
	}
	write_file(path, buf, len);
	*out = buf;
	return len;
}

/* Reads the range; counts each body line into seen[] (by its number) and
 * checks that the header lines come first and the body ones after. */
static void read_range(const char *path, uint64_t hlen, uint64_t start, uint64_t end,
		       unsigned *seen, size_t n, size_t header_lines)
{
	struct io_source *s;
	struct sd_error err = {0};
	if (io_open_range(path, hlen, start, end, &s, &err))
		fail_msg("%s", err.msg);
	const char *line;
	size_t len, k = 0;
	int rc;
	while ((rc = io_getline(s, &line, &len, &err)) == 1) {
		if (k < header_lines) {
			assert_true(len > 0 && line[0] == '#');
			k++;
			continue;
		}
		assert_true(len > 1 && line[0] == 'L');
		size_t i = strtoul(line + 1, NULL, 10);
		assert_true(i < n);
		seen[i]++;
		k++;
	}
	assert_int_equal(rc, 0);
	assert_true(k >= header_lines);
	/* the identity of the range, computed while reading it */
	struct io_ident streamed, hashed;
	assert_true(io_ident_of(s, &streamed));
	io_close(s);
	assert_int_equal(io_ident_file(path, start, end, &hashed, &err), 0);
	assert_memory_equal(&streamed, &hashed, sizeof(hashed));
}

static void test_random_splits(void **state)
{
	(void)state;
	static const char header[] =
	    "#separator \\x09\n#fields\tts\tuid\n#types\ttime\tstring\n";
	const char *p = test_tmpfile("ranges.log");
	for (int round = 0; round < 20; round++) {
		size_t n = 1 + rnd() % 3000;
		char *data;
		size_t size = make_file(p, round % 2 ? header : "", n, &data);
		uint64_t hlen;
		struct sd_error err = {0};
		assert_int_equal(io_header_len(p, 0, &hlen, &err), 0);
		assert_int_equal(hlen, round % 2 ? sizeof(header) - 1 : 0);
		unsigned *seen = calloc(n, sizeof(*seen));
		assert_non_null(seen);
		/* cut points at random bytes, some inside the header */
		size_t ncuts = rnd() % 40;
		uint64_t cuts[42];
		cuts[0] = 0;
		for (size_t i = 1; i <= ncuts; i++)
			cuts[i] = rnd() % (size + 1);
		cuts[ncuts + 1] = size + (rnd() % 2) * 1000; /* past the end is fine */
		for (size_t i = 1; i <= ncuts + 1; i++)	     /* insertion sort */
			for (size_t k = i; k > 0 && cuts[k - 1] > cuts[k]; k--) {
				uint64_t t = cuts[k];
				cuts[k] = cuts[k - 1];
				cuts[k - 1] = t;
			}
		for (size_t i = 0; i <= ncuts; i++)
			read_range(p, hlen, cuts[i], cuts[i + 1], seen, n,
				   round % 2 ? 3 : 0);
		for (size_t i = 0; i < n; i++)
			if (seen[i] != 1)
				fail_msg("round %d: line %zu read %u times", round, i,
					 seen[i]);
		/* identities of the pieces add up to the whole file's */
		struct io_ident whole, part;
		assert_int_equal(io_ident_file(p, 0, UINT64_MAX, &whole, &err), 0);
		assert_int_equal(whole.size, size);
		assert_int_equal(whole.end, size);
		struct io_hash128 sum = {0, 0};
		for (size_t i = 0; i <= ncuts; i++) {
			assert_int_equal(
			    io_ident_file(p, cuts[i], cuts[i + 1], &part, &err), 0);
			assert_int_equal(io_hash128_cmp(&part.head, &whole.head), 0);
			io_hash128_add(&sum, &part.content);
		}
		assert_int_equal(io_hash128_cmp(&sum, &whole.content), 0);
		free(seen);
		free(data);
	}
}

static void test_numbering_and_name(void **state)
{
	(void)state;
	const char *p = test_tmpfile("named.log");
	static const char text[] = "#h1\nabc\ndef\nghi\n";
	write_file(p, text, sizeof(text) - 1);
	struct io_source *s;
	struct sd_error err = {0};
	/* starts mid-"abc": the range's first line is "def" at byte 8 */
	assert_int_equal(io_open_range(p, 4, 5, 100, &s, &err), 0);
	char want[600];
	snprintf(want, sizeof(want), "%s@8", p);
	assert_string_equal(io_name(s), want);
	const char *line;
	size_t len;
	assert_int_equal(io_getline(s, &line, &len, &err), 1);
	assert_string_equal(line, "#h1");
	assert_int_equal(io_lineno(s), 1);
	assert_int_equal(io_getline(s, &line, &len, &err), 1);
	assert_string_equal(line, "def");
	assert_int_equal(io_lineno(s), 1); /* numbered from the range */
	assert_int_equal(io_getline(s, &line, &len, &err), 1);
	assert_string_equal(line, "ghi");
	assert_int_equal(io_getline(s, &line, &len, &err), 0);
	io_close(s);
}

/* gzip: the identity is of the bytes on disk, computed while inflating */
static void test_ident_compressed(void **state)
{
	(void)state;
	const char *p = test_tmpfile("big.log");
	char *data;
	make_file(p, "", 20000, &data);
	free(data);
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "gzip -1 -k -f %s", p);
	assert_int_equal(system(cmd), 0);
	char gz[600];
	snprintf(gz, sizeof(gz), "%s.gz", p);
	struct io_source *s;
	struct sd_error err = {0};
	assert_int_equal(io_open(gz, &s, &err), 0);
	assert_int_equal(io_ident_begin(s), 0);
	const char *line;
	size_t len;
	struct io_ident streamed, hashed;
	assert_true(io_getline(s, &line, &len, &err) == 1);
	assert_false(io_ident_of(s, &streamed)); /* not read to the end yet */
	while (io_getline(s, &line, &len, &err) == 1)
		;
	assert_true(io_ident_of(s, &streamed));
	io_close(s);
	assert_int_equal(io_ident_file(gz, 0, UINT64_MAX, &hashed, &err), 0);
	assert_true(hashed.size > IO_IDENT_BLOCK); /* several blocks */
	assert_memory_equal(&streamed, &hashed, sizeof(hashed));
}

static void test_refusals(void **state)
{
	(void)state;
	const char *p = test_tmpfile("r.gz");
	static const unsigned char gz[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
	write_file(p, (const char *)gz, sizeof(gz));
	struct io_source *s;
	struct sd_error err = {0};
	assert_int_equal(io_open_range(p, 0, 0, 10, &s, &err), SD_EFORMAT);
	assert_non_null(strstr(err.msg, "gzip"));
	const char *z = test_tmpfile("r.zst");
	static const unsigned char zs[] = {0x28, 0xb5, 0x2f, 0xfd, 0, 0};
	write_file(z, (const char *)zs, sizeof(zs));
	assert_int_equal(io_open_range(z, 0, 0, 10, &s, &err), SD_EFORMAT);
	assert_non_null(strstr(err.msg, "zstd"));
	assert_int_equal(io_open_range(test_tmpdir(), 0, 0, 10, &s, &err), SD_EFORMAT);
	assert_non_null(strstr(err.msg, "not a regular file"));
	assert_int_equal(io_ident_file(test_tmpdir(), 0, 10, &(struct io_ident){0}, &err),
			 SD_EFORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_random_splits),
	    cmocka_unit_test(test_numbering_and_name),
	    cmocka_unit_test(test_ident_compressed),
	    cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
