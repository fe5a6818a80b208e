/* The EVE reader scans lines ahead on a thread of its own (eve_pipe.h):
 * whatever the batch size, and with the thread or without it, it returns
 * the same records, counts and reports (in the same order) as reading the
 * file line by line, the way the reader did before it had the thread;
 * bad lines, an over-long line, empty lines, a BOM and a truncated gzip
 * stream included. */
#include "core/limits.h"
#include "telemetry/backend.h"
#include "telemetry/eve_fast.h"
#include "testutil.h"

#include "net/addr.h"

/* What a reading produced, as text. */
struct dump {
	char *s;
	size_t n, cap;
};

static void put(struct dump *d, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	assert_true(k >= 0 && (size_t)k < sizeof(buf));
	if (d->n + (size_t)k + 1 > d->cap) {
		d->cap = (d->n + (size_t)k + 1) * 2;
		d->s = realloc(d->s, d->cap);
		assert_non_null(d->s);
	}
	memcpy(d->s + d->n, buf, (size_t)k + 1);
	d->n += (size_t)k;
}

static void on_report(void *ctx, const char *where, const char *why)
{
	put(ctx, "report %s: %s\n", where, why);
}

static void put_record(struct dump *d, const struct tel_record *r)
{
	char c[NET_ADDR_STRLEN], s[NET_ADDR_STRLEN];
	net_addr_format(&r->client, c, sizeof(c));
	net_addr_format(&r->server, s, sizeof(s));
	put(d,
	    "rec %llu ts=%lld kind=%d flags=%u %s:%u %s:%u proto=%u bytes=%llu pkts=%llu",
	    (unsigned long long)r->position, (long long)r->ts, (int)r->kind, r->flags, c,
	    r->client_port, s, r->server_port, r->proto, (unsigned long long)r->bytes,
	    (unsigned long long)r->packets);
	put(d, " name=%.*s path=%.*s answers=", (int)r->name_len, r->name,
	    (int)r->path_len, r->path);
	for (size_t i = 0; i < r->nanswers; i++) {
		net_addr_format(&r->answers[i], c, sizeof(c));
		put(d, "%s ", c);
	}
	put(d, "\n");
}

static struct tel_backend *open_eve(const char *path, struct dump *d,
				    struct io_source **src)
{
	struct sd_error err;
	struct tel_backend *b;
	struct tel_options opt = {0};
	assert_int_equal(io_open(path, src, &err), 0);
	assert_int_equal(tel_eve_open(*src, &opt, &b, &err), 0);
	b->report = on_report;
	b->report_ctx = d;
	return b;
}

static void put_end(struct dump *d, struct tel_backend *b, int rc,
		    const struct sd_error *err)
{
	put(d, "end rc=%d %s records=%llu malformed=%llu skipped=%llu\n", rc,
	    rc < 0 ? err->msg : "", (unsigned long long)b->stats.records,
	    (unsigned long long)b->stats.malformed, (unsigned long long)b->stats.skipped);
}

/* The reader's loop before the scan thread: one line at a time. */
static void read_line_by_line(const char *path, struct dump *d)
{
	struct io_source *src;
	struct tel_backend *b = open_eve(path, d, &src);
	struct sd_error err;
	struct tel_record rec;
	const char *line;
	size_t len;
	int rc;
	while ((rc = tel_backend_getline(b, &line, &len, &err)) == 1) {
		if (len == 0)
			continue;
		int r = eve_line(b, line, len, io_lineno(src), &rec, EVE_AUTO);
		if (r == 1) {
			b->stats.records++;
			put_record(d, &rec);
		} else if (r == 0) {
			b->stats.skipped++;
		}
	}
	put_end(d, b, rc, &err);
	b->ops->close(b);
	io_close(src);
}

/* The reader as it is, with batches of batch_bytes line bytes. */
static void read_piped(const char *path, size_t batch_bytes, struct dump *d)
{
	struct io_source *src;
	struct tel_backend *b = open_eve(path, d, &src);
	eve_set_batch_bytes(b, batch_bytes);
	struct sd_error err;
	struct tel_record rec;
	int rc;
	while ((rc = b->ops->next(b, &rec, &err)) == 1) {
		b->stats.records++;
		put_record(d, &rec);
	}
	put_end(d, b, rc, &err);
	b->ops->close(b);
	io_close(src);
}

static void same_every_way(const char *path, size_t min_records)
{
	struct dump want = {0};
	read_line_by_line(path, &want);
	size_t recs = 0;
	for (const char *p = want.s; (p = strstr(p, "rec ")); p++)
		recs++;
	assert_true(recs >= min_records);
	/* 1: a line a batch; 0: the default (the test files fit in one
	 * batch: no thread) */
	static const size_t sizes[] = {1, 100, 700, 4096, 65536, 0};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct dump got = {0};
		read_piped(path, sizes[i], &got);
		if (got.n != want.n || memcmp(got.s, want.s, want.n)) {
			size_t k = 0;
			while (k < got.n && k < want.n && got.s[k] == want.s[k])
				k++;
			fail_msg("batch %zu differs at byte %zu: want \"%.120s\", got "
				 "\"%.120s\"",
				 sizes[i], k, want.s + k, got.s + k);
		}
		free(got.s);
	}
	free(want.s);
}

/* The slips sample (alerts, DNS answers and queries, flows, HTTP, TLS)
 * with bad and odd lines among its own. */
static const char *mixed_file(void)
{
	static char path[512];
	if (path[0])
		return path;
	snprintf(path, sizeof(path), "%s", test_tmpfile("mixed.eve.json"));
	FILE *in = fopen(test_data("samples/suricata/"
				   "slips-test6-malicious.eve.part1-lines1-2000.json"),
			 "r");
	FILE *out = fopen(path, "w");
	assert_non_null(in);
	assert_non_null(out);
	static const char *odd[] = {
	    "{\"event_type\":\"flow\",\"src_ip\":", /* not JSON */
	    "",
	    "[1,2]",
	    "{\"timestamp\":\"2023-03-29T13:55:06Z\",\"src_ip\":\"192.0.2.1\"}",
	    "{\"timestamp\":\"2023-03-29T13:55:06Z\",\"event_type\":\"flow\","
	    "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"198.51.100.7\",\"src_port\":5}",
	    "{ \"timestamp\": \"2023-03-29T13:55:06Z\", \"event_type\": \"tls\", "
	    "\"src_ip\": \"192.0.2.1\", \"dest_ip\": \"198.51.100.7\", "
	    "\"tls\": {\"sni\": \"spaced.example\"} }",
	    "{\"timestamp\":\"bad\",\"event_type\":\"flow\",\"src_ip\":\"192.0.2.1\","
	    "\"dest_ip\":\"198.51.100.7\"}",
	    "{\"timestamp\":\"2023-03-29T13:55:06Z\",\"event_type\":\"http\","
	    "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"198.51.100.7\",\"http\":{"
	    "\"hostname\":\"esc.example\",\"url\":\"\\/a\\/b\\tc\"}}",
	    "{\"event_type\":\"stats\",\"stats\":{\"uptime\":5}}",
	};
	fputs("\xef\xbb\xbf", out); /* a BOM before line 1 */
	char line[70000];
	size_t ln = 0;
	while (fgets(line, sizeof(line), in)) {
		fputs(line, out);
		if (++ln % 97 == 0)
			fprintf(out, "%s\n",
				odd[(ln / 97) % (sizeof(odd) / sizeof(odd[0]))]);
		if (ln == 1500) { /* longer than SD_MAX_LINE */
			fputs("{\"event_type\":\"flow\",\"x\":\"", out);
			for (int i = 0; i < SD_MAX_LINE; i++)
				fputc('a', out);
			fputs("\"}\n", out);
		}
	}
	fclose(in);
	fclose(out);
	return path;
}

static void pipe_same_as_line_by_line(void **state)
{
	(void)state;
	same_every_way(mixed_file(), 1900);
}

/* A gzip stream cut short: the same records before the same error. */
static void pipe_truncated(void **state)
{
	(void)state;
	const char *cut = test_tmpfile("mixed.eve.json.gz");
	test_sh("gzip -c '%s' | head -c 60000 > '%s'", mixed_file(), cut);
	same_every_way(cut, 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(pipe_same_as_line_by_line),
	    cmocka_unit_test(pipe_truncated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
