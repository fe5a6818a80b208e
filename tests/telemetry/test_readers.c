/* Every text reader on the real sample files in tests/data/samples, with
 * assertions on what the records say. */
#include "telemetry/backend.h"
#include "telemetry/eve_fast.h"
#include "telutil.h"
#include "testutil.h"

static const char *sample(const char *name)
{
	static char buf[8][4096];
	static int k;
	char rel[512];
	snprintf(rel, sizeof(rel), "samples/%s", name);
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%s", test_data(rel));
	return buf[k];
}

static void read_ok(struct tfile *t, const char *name, const struct tel_options *opt,
		    enum tel_format fmt)
{
	int rc = tf_read(t, sample(name), opt);
	if (rc)
		fail_msg("%s: %s", name, t->err.msg);
	assert_int_equal(t->fmt, fmt);
	assert_int_equal(t->st.records, t->n);
}

/* --- Zeek TSV --- */

static void zeek_conn_labeled(void **state)
{
	(void)state;
	struct tfile t;
	read_ok(&t, "zeek/ctu-sme-11-win.conn.log.labeled", NULL, TEL_FMT_ZEEK_TSV);
	/* 766 records, two columns appended by netflowlabeler, no #close */
	assert_int_equal(t.n, 766);
	assert_int_equal(t.st.malformed, 0);
	assert_int_equal(t.r[0].kind, TEL_FLOW);
	assert_int_equal(t.r[0].ts, 1677024003);
	assert_string_equal(t.r[0].client, "192.168.1.107");
	assert_int_equal(t.r[0].cport, 65164);
	assert_string_equal(t.r[0].server, "66.63.168.35");
	assert_int_equal(t.r[0].sport, 5888);
	assert_int_equal(t.r[0].proto, 6);
	/* orig_ip_bytes are not payload: 0 + 0 payload bytes, 2 + 2 packets */
	assert_int_equal(t.r[0].bytes, 0);
	assert_int_equal(t.r[0].packets, 4);
	assert_int_equal(t.r[0].pos, 9);
	tf_free(&t);
}

static void zeek_dns_answers(void **state)
{
	(void)state;
	struct tfile t;
	read_ok(&t, "zeek/wrccdc-2018-03-24.dns.first3000.log", NULL, TEL_FMT_ZEEK_TSV);
	assert_int_equal(t.n, 3000);
	assert_int_equal(t.st.malformed, 0);
	assert_int_equal(t.r[0].kind, TEL_DNS);
	assert_string_equal(t.r[0].name, "ise.wrccdc.org");
	assert_string_equal(t.r[0].client, "10.47.1.100");
	assert_string_equal(t.r[0].server, "10.0.0.100");
	/* answers "ise.wrccdc.cpp.edu,134.71.3.16": the CNAME is not an address */
	assert_string_equal(t.r[0].answers, "134.71.3.16");
	assert_true(t.r[0].flags & TEL_ANSWERED);
	assert_int_equal(t.r[0].ts, 1521911720);
	tf_free(&t);
}

static void zeek_ssl_sni(void **state)
{
	(void)state;
	struct tfile t;
	read_ok(&t, "zeek/wrccdc-2018-03-24.ssl.first2000.log", NULL, TEL_FMT_ZEEK_TSV);
	assert_int_equal(t.n, 2000);
	size_t with_sni = 0;
	for (size_t i = 0; i < t.n; i++) {
		assert_int_equal(t.r[i].kind, TEL_TLS);
		assert_int_equal(t.r[i].proto, 6);
		if (t.r[i].name[0])
			with_sni++;
	}
	assert_int_equal(with_sni, 196); /* as PROVENANCE.md counts */
	tf_free(&t);
}

static void zeek_btest(void **state)
{
	(void)state;
	struct tfile t;
	/* "### BTest" first line, XXXXXXXXXX.XXXXXX times */
	read_ok(&t, "zeek/zeek-btest-opt.basic.conn.log", NULL, TEL_FMT_ZEEK_TSV);
	assert_int_equal(t.n, 34);
	assert_int_equal(t.st.malformed, 0);
	assert_int_equal(t.r[1].ts, 0);
	assert_string_equal(t.r[1].client, "fe80::217:f2ff:fed7:cf65");
	assert_string_equal(t.r[1].server, "ff02::fb");
	tf_free(&t);
	read_ok(&t, "zeek/zeek-btest-opt.basic.http.log", NULL, TEL_FMT_ZEEK_TSV);
	assert_int_equal(t.n, 14);
	assert_int_equal(t.r[0].kind, TEL_HTTP);
	assert_string_equal(t.r[0].name, "bits.wikimedia.org");
	assert_string_equal(t.r[0].path, "/skins-1.5/monobook/main.css");
	assert_string_equal(t.r[0].client, "141.142.220.118");
	tf_free(&t);
	read_ok(&t, "zeek/zeek-btest-opt.basic.dns.log", NULL, TEL_FMT_ZEEK_TSV);
	assert_int_equal(t.n, 34);
	assert_string_equal(t.r[0].name, "gemini._sftp-ssh._tcp.local");
	tf_free(&t);
	read_ok(&t, "zeek/zeek-cut-logs.conn.log", NULL, TEL_FMT_ZEEK_TSV);
	assert_int_equal(t.n, 5);
	assert_int_equal(t.r[0].bytes, 342);
	tf_free(&t);
}

/* --- Zeek JSON: same traffic as the TSV logs, so the records must agree --- */

static void same_records(const char *a, const char *b, size_t expect)
{
	struct tfile x, y;
	assert_int_equal(tf_read(&x, sample(a), NULL), 0);
	assert_int_equal(tf_read(&y, sample(b), NULL), 0);
	assert_int_equal(x.n, expect);
	assert_int_equal(y.n, expect);
	for (size_t i = 0; i < x.n; i++) {
		assert_int_equal(x.r[i].ts, y.r[i].ts);
		assert_int_equal(x.r[i].kind, y.r[i].kind);
		assert_string_equal(x.r[i].client, y.r[i].client);
		assert_string_equal(x.r[i].server, y.r[i].server);
		assert_int_equal(x.r[i].cport, y.r[i].cport);
		assert_string_equal(x.r[i].name, y.r[i].name);
		assert_string_equal(x.r[i].answers, y.r[i].answers);
	}
	tf_free(&x);
	tf_free(&y);
}

static void zeek_json_matches_tsv(void **state)
{
	(void)state;
	same_records("zeek/wrccdc-2018-03-24.dns.first3000.log",
		     "zeek/wrccdc-2018-03-24.dns.first3000.json", 3000);
	same_records("zeek/wrccdc-2018-03-24.ssl.first2000.log",
		     "zeek/wrccdc-2018-03-24.ssl.first2000.json", 2000);
}

static void zeek_json_beats(void **state)
{
	(void)state;
	struct tfile t;
	/* no _path: kind inferred from keys; key order varies */
	read_ok(&t, "zeek/beats-http-json.log", NULL, TEL_FMT_ZEEK_JSON);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.r[0].kind, TEL_HTTP);
	assert_string_equal(t.r[0].name, "ocsp.apple.com");
	assert_string_equal(t.r[1].name, "httpbin.org");
	assert_string_equal(t.r[1].path, "/ip");
	assert_string_equal(t.r[1].client, "10.20.8.197");
	assert_int_equal(t.r[1].sport, 80);
	tf_free(&t);
	read_ok(&t, "zeek/beats-ssl-json.log", NULL,
		TEL_FMT_ZEEK_JSON); /* no final newline */
	assert_int_equal(t.n, 3);
	assert_int_equal(t.r[2].kind, TEL_TLS);
	assert_string_equal(t.r[2].name,
			    "dd625ffb4fc54735b281862aa1cd6cd4.us-west1.gcp.cloud.es.io");
	assert_int_equal(t.r[0].ts, 1547688736);
	tf_free(&t);
}

/* --- Suricata EVE --- */

static void eve_small(void **state)
{
	(void)state;
	struct tfile t;
	read_ok(&t, "suricata/beats-eve-small.json", NULL, TEL_FMT_EVE);
	/* ssh, fileinfo and stats (no addresses) are skipped, not malformed */
	assert_int_equal(t.n, 5);
	assert_int_equal(t.st.skipped, 3);
	assert_int_equal(t.st.malformed, 0);
	const struct trec *r = tf_find(&t, TEL_TLS, "l2.io"); /* from an alert */
	assert_non_null(r);
	assert_string_equal(r->client, "192.168.86.85");
	/* SNI "p33-btmmdns.icloud.com." loses its trailing dot */
	r = tf_find(&t, TEL_TLS, "p33-btmmdns.icloud.com");
	assert_non_null(r);
	assert_int_equal(r->ts, 1530820310); /* 15:51:50-0400 */
	r = tf_find(&t, TEL_HTTP, "192.168.86.28");
	assert_non_null(r);
	assert_string_equal(r->path, "/dd.xml"); /* "\/dd.xml" */
	/* fully expanded IPv6 in a flow event */
	size_t v6 = 0;
	for (size_t i = 0; i < t.n; i++)
		if (!strcmp(t.r[i].client, "fe80::fada:cff:fedc:87f1"))
			v6++;
	assert_int_equal(v6, 1);
	tf_free(&t);
}

static void eve_dns_layouts(void **state)
{
	(void)state;
	struct tfile t;
	read_ok(&t, "suricata/beats-eve-dns-4.1.4.json", NULL, TEL_FMT_EVE);
	assert_int_equal(t.n, 24);
	/* answers are turned round: the client is always the querier */
	size_t answered = 0;
	for (size_t i = 0; i < t.n; i++) {
		assert_int_equal(t.r[i].kind, TEL_DNS);
		assert_string_equal(t.r[i].client, "10.0.2.15");
		assert_string_equal(t.r[i].server, "10.0.2.3");
		assert_int_equal(t.r[i].sport, 53);
		if (t.r[i].flags & TEL_ANSWERED)
			answered++;
	}
	assert_true(answered > 0 && answered < t.n);
	/* v2 answer: zero-padded AAAA rdata */
	assert_string_equal(t.r[2].answers, "2607:f8b0:4006:805::200e");
	/* v2 with several answers; v1 per-record answers further on */
	size_t many = 0, v1 = 0;
	for (size_t i = 0; i < t.n; i++) {
		if (strchr(t.r[i].answers, ' '))
			many++;
		if (t.r[i].answers[0] && !strchr(t.r[i].answers, ' '))
			v1++;
	}
	assert_true(many >= 2);
	assert_true(v1 >= 2);
	tf_free(&t);
}

static void eve_slips(void **state)
{
	(void)state;
	struct tfile t;
	read_ok(&t, "suricata/slips-test6-malicious.eve.part1-lines1-2000.json", NULL,
		TEL_FMT_EVE);
	/* 2000 events: 3 fileinfo and 3 anomaly are skipped */
	assert_int_equal(t.n, 1994);
	assert_int_equal(t.st.skipped, 6);
	assert_int_equal(t.st.malformed, 0);
	assert_int_equal(tf_count(&t, TEL_HTTP, NULL) >= 56, 1);
	assert_int_equal(tf_count(&t, TEL_DNS, NULL) >= 680, 1);
	assert_int_equal(tf_count(&t, TEL_TLS, NULL) >= 1, 1);
	tf_free(&t);
}

/* The hot path takes most real lines and agrees with jansson on each */
static void eve_fast_path(void **state)
{
	(void)state;
	struct sd_error err;
	struct io_source *src;
	struct tel_backend *b;
	struct tel_options opt = {0};
	const char *path =
	    sample("suricata/slips-test6-malicious.eve.part1-lines1-2000.json");
	assert_int_equal(io_open(path, &src, &err), 0);
	assert_int_equal(tel_eve_open(src, &opt, &b, &err), 0);
	const char *line;
	size_t len, fast = 0, lines = 0;
	static char copy[70000];
	while (io_getline(src, &line, &len, &err) == 1) {
		lines++;
		memcpy(copy, line, len);
		struct tel_record a, j;
		int ra = eve_line(b, copy, len, lines, &a, EVE_FAST_ONLY);
		if (ra == 2)
			continue;
		fast++;
		char name[512] = "";
		memcpy(name, a.name, a.name_len < 511 ? a.name_len : 511);
		int rj = eve_line(b, copy, len, lines, &j, EVE_JSON_ONLY);
		assert_int_equal(ra, rj);
		if (ra == 1) {
			assert_int_equal(a.ts, j.ts);
			assert_int_equal(a.kind, j.kind);
			assert_memory_equal(&a.client, &j.client, sizeof(a.client));
			assert_int_equal(a.bytes, j.bytes);
			assert_int_equal(a.name_len, j.name_len);
			assert_memory_equal(name, j.name, a.name_len);
		}
	}
	assert_int_equal(lines, 2000);
	/* alerts (745) and dns answers go to jansson; flows, http, tls,
	 * queries and skipped types stay on the hot path */
	assert_true(fast > 900);
	b->ops->close(b);
	io_close(src);
}

/* The quote index changes nothing: with every kernel (and none) the hot
 * path takes the same lines and makes the same records */
static void eve_kernels_agree(void **state)
{
	(void)state;
	struct sd_error err;
	struct io_source *src;
	struct tel_backend *b;
	struct tel_options opt = {0};
	const char *path =
	    sample("suricata/slips-test6-malicious.eve.part1-lines1-2000.json");
	assert_int_equal(io_open(path, &src, &err), 0);
	assert_int_equal(tel_eve_open(src, &opt, &b, &err), 0);
	const char *line;
	size_t len, lines = 0, indexed = 0;
	static char copy[70000];
	static const enum eve_kernel ks[] = {EVE_KERNEL_SCALAR, EVE_KERNEL_SSE2,
					     EVE_KERNEL_AVX2, EVE_KERNEL_AUTO};
	static struct eve_index ix;
	while (io_getline(src, &line, &len, &err) == 1) {
		lines++;
		memcpy(copy, line, len);
		indexed += eve_index_build(copy, len, EVE_KERNEL_SCALAR, &ix);
		struct tel_record a, k;
		eve_set_kernel(b, EVE_KERNEL_NONE);
		int ra = eve_line(b, copy, len, lines, &a, EVE_FAST_ONLY);
		char name[512] = "";
		if (ra == 1)
			memcpy(name, a.name, a.name_len < 511 ? a.name_len : 511);
		for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
			if (!eve_kernel_available(ks[i]))
				continue;
			eve_set_kernel(b, ks[i]);
			int rk = eve_line(b, copy, len, lines, &k, EVE_FAST_ONLY);
			assert_int_equal(ra, rk);
			if (ra != 1)
				continue;
			assert_int_equal(a.ts, k.ts);
			assert_int_equal(a.kind, k.kind);
			assert_int_equal(a.flags, k.flags);
			assert_memory_equal(&a.client, &k.client, sizeof(a.client));
			assert_memory_equal(&a.server, &k.server, sizeof(a.server));
			assert_int_equal(a.bytes, k.bytes);
			assert_int_equal(a.name_len, k.name_len);
			assert_memory_equal(name, k.name,
					    a.name_len < 511 ? a.name_len : 511);
		}
	}
	assert_int_equal(lines, 2000);
	assert_true(indexed > 1000); /* most real lines are clean */
	b->ops->close(b);
	io_close(src);
}

/* Indexing while copying (eve_index_copy, as the EVE reader fills its
 * batches) copies every byte and nothing past the line, and with every
 * kernel gives the answer and quote words eve_index_build gives: lines of
 * every length around the 64-byte blocks, and the longest, of quotes,
 * escapes (simple and not), control and non-ASCII bytes. */
static void eve_index_copy_agrees(void **state)
{
	(void)state;
	static const char alphabet[] = "\"\\/bnt{}:,0a \x01\x80";
	static const enum eve_kernel ks[] = {EVE_KERNEL_SCALAR, EVE_KERNEL_SSE2,
					     EVE_KERNEL_AVX2, EVE_KERNEL_AUTO,
					     EVE_KERNEL_NONE};
	static char line[SD_MAX_LINE], copy[SD_MAX_LINE + 64];
	static uint64_t quote[EVE_INDEX_WORDS];
	static struct eve_index want;
	uint32_t x = 12345;
	size_t clean_lines = 0;
	for (size_t len = 0; len <= SD_MAX_LINE;
	     len = len < 300 ? len + 1 : len * 2 + 1) {
		for (int round = 0; round < 8; round++) {
			if (len > 300 && round)
				break;
			for (size_t i = 0; i < len; i++) {
				x = x * 1103515245u + 12345u;
				/* mostly plain bytes, so that some lines are clean */
				unsigned r = (x >> 16) % (round < 2   ? 512
							  : round < 4 ? 64
								      : 16);
				line[i] = r < sizeof(alphabet) - 1 ? alphabet[r] : 'a';
			}
			bool clean = eve_index_build(line, len, EVE_KERNEL_SCALAR, &want);
			clean_lines += clean;
			for (size_t k = 0; k < sizeof(ks) / sizeof(ks[0]); k++) {
				if (!eve_kernel_available(ks[k]))
					continue;
				bool esc;
				memset(copy, 0x5a, len + 64);
				bool c =
				    eve_index_copy(line, len, copy, ks[k], quote, &esc);
				assert_memory_equal(copy, line, len);
				assert_int_equal((unsigned char)copy[len], 0x5a);
				assert_int_equal(c, clean && ks[k] != EVE_KERNEL_NONE);
				if (!c)
					continue;
				assert_int_equal(esc, want.esc);
				assert_memory_equal(quote, want.quote,
						    (want.nwords + 1) * sizeof(quote[0]));
			}
		}
	}
	assert_true(clean_lines > 100);
}

/* Lines the clean-line scanner takes or hands to the byte path: the
 * escapes Suricata writes keep a line clean, escapes that could hide a
 * quote do not, and whitespace between tokens (clean, but not the compact
 * form) is read again byte by byte. Every kernel, the byte path and
 * jansson give the same record. */
static void eve_clean_lines(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		int clean; /* the index's answer */
	} cases[] = {
	    {"{\"timestamp\":\"2023-03-29T13:55:06Z\",\"event_type\":\"http\","
	     "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"198.51.100.1\",\"http\":{"
	     "\"hostname\":\"a.example\",\"url\":\"\\/x\\/y\\tz\",\"status\":200}}",
	     1},
	    /* an escaped key is never a wanted one */
	    {"{\"timestamp\":\"2023-03-29T13:55:06Z\",\"event_type\":\"tls\","
	     "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"198.51.100.1\",\"tls\":{"
	     "\"s\\/ni\":\"x.example\",\"sni\":\"y.example\"}}",
	     1},
	    {"{\"timestamp\":\"2023-03-29T13:55:06Z\",\"event_type\":\"tls\","
	     "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"198.51.100.1\",\"tls\":{"
	     "\"sni\":\"a\\\"b.example\"}}",
	     0},
	    {"{\"timestamp\":\"2023-03-29T13:55:06Z\",\"event_type\":\"tls\","
	     "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"198.51.100.1\",\"tls\":{"
	     "\"sni\":\"a\\\\\"}}",
	     0},
	    {"{\"timestamp\":\"2023-03-29T13:55:06Z\",\"event_type\":\"tls\","
	     "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"198.51.100.1\",\"tls\":{"
	     "\"sni\":\"\\u0061.example\"}}",
	     0},
	    {"{\"event_type\":\"flow\"}\\", 0},
	    /* whitespace between tokens */
	    {"{ \"timestamp\": \"2023-03-29T13:55:06Z\", \"event_type\": \"flow\", "
	     "\"src_ip\": \"192.0.2.1\", \"src_port\": 40000, \"dest_ip\": "
	     "\"198.51.100.1\", \"dest_port\": 443, \"flow\": {\"bytes_toserver\": "
	     "12, \"bytes_toclient\": 1234567890123} }",
	     1},
	    /* a number last, and one too long for the hot path */
	    {"{\"event_type\":\"flow\",\"src_ip\":\"192.0.2.1\",\"dest_ip\":"
	     "\"198.51.100.1\",\"timestamp\":\"2023-03-29T13:55:06Z\","
	     "\"flow_id\":1234567890123456789}",
	     1},
	    {"{\"event_type\":\"flow\",\"src_ip\":\"192.0.2.1\",\"dest_ip\":"
	     "\"198.51.100.1\",\"timestamp\":\"2023-03-29T13:55:06Z\","
	     "\"flow_id\":12",
	     1},
	};
	struct sd_error err;
	struct io_source *src;
	struct tel_backend *b;
	struct tel_options opt = {0};
	assert_int_equal(io_open("/dev/null", &src, &err), 0);
	assert_int_equal(tel_eve_open(src, &opt, &b, &err), 0);
	static const enum eve_kernel ks[] = {EVE_KERNEL_SCALAR, EVE_KERNEL_SSE2,
					     EVE_KERNEL_AVX2, EVE_KERNEL_AUTO};
	static struct eve_index ix;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const char *line = cases[c].line;
		size_t len = strlen(line);
		assert_int_equal(eve_index_build(line, len, EVE_KERNEL_SCALAR, &ix),
				 cases[c].clean);
		struct tel_record a, k, j;
		char name[512] = "", path[512] = "";
		eve_set_kernel(b, EVE_KERNEL_NONE);
		int ra = eve_line(b, line, len, 1, &a, EVE_FAST_ONLY);
		if (ra == 1) {
			memcpy(name, a.name, a.name_len);
			memcpy(path, a.path, a.path_len);
		}
		for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
			if (!eve_kernel_available(ks[i]))
				continue;
			assert_int_equal(eve_index_build(line, len, ks[i], &ix),
					 cases[c].clean);
			eve_set_kernel(b, ks[i]);
			int rk = eve_line(b, line, len, 1, &k, EVE_FAST_ONLY);
			assert_int_equal(ra, rk);
			if (ra != 1)
				continue;
			assert_int_equal(a.ts, k.ts);
			assert_int_equal(a.kind, k.kind);
			assert_int_equal(a.bytes, k.bytes);
			assert_int_equal(a.name_len, k.name_len);
			assert_memory_equal(name, k.name, a.name_len);
			assert_int_equal(a.path_len, k.path_len);
			assert_memory_equal(path, k.path, a.path_len);
		}
		eve_set_kernel(b, EVE_KERNEL_AUTO);
		int rj = eve_line(b, line, len, 1, &j, EVE_JSON_ONLY);
		if (ra == 2)
			continue; /* handed over to jansson */
		assert_int_equal(ra, rj);
		if (ra == 1) {
			assert_int_equal(a.bytes, j.bytes);
			assert_int_equal(a.name_len, j.name_len);
			assert_memory_equal(name, j.name, a.name_len);
			assert_int_equal(a.path_len, j.path_len);
			assert_memory_equal(path, j.path, a.path_len);
		}
	}
	/* what the hot path made of them */
	eve_set_kernel(b, EVE_KERNEL_AUTO);
	struct tel_record r;
	assert_int_equal(
	    eve_line(b, cases[0].line, strlen(cases[0].line), 1, &r, EVE_FAST_ONLY), 1);
	assert_int_equal(r.path_len, 6);
	assert_memory_equal(r.path, "/x/y\tz", 6);
	assert_int_equal(
	    eve_line(b, cases[1].line, strlen(cases[1].line), 1, &r, EVE_FAST_ONLY), 1);
	assert_int_equal(r.name_len, 9);
	assert_memory_equal(r.name, "y.example", 9);
	assert_int_equal(
	    eve_line(b, cases[6].line, strlen(cases[6].line), 1, &r, EVE_FAST_ONLY), 1);
	assert_int_equal(r.bytes, 12 + 1234567890123ull);
	assert_int_equal(
	    eve_line(b, cases[8].line, strlen(cases[8].line), 1, &r, EVE_AUTO),
	    SD_EPARSE);
	b->ops->close(b);
	io_close(src);
}

/* --- nfdump CSV --- */

static void nfdump(void **state)
{
	(void)state;
	struct tfile t;
	read_ok(&t, "netflow/lab-3cx-loopback.ipfix.csv", NULL, TEL_FMT_NFDUMP_CSV);
	/* 90 flows; the Summary block at the end is not flows */
	assert_int_equal(t.n, 90);
	assert_int_equal(t.st.malformed, 0);
	assert_int_equal(t.r[0].ts, 1680098172);
	/* the proxy's reply flow (from port 3128) is turned round: the
	 * client is the proxy's client, and the ports settle the direction */
	assert_string_equal(t.r[0].client, "127.0.0.12");
	assert_int_equal(t.r[0].sport, 3128);
	assert_string_equal(t.r[0].server, "127.0.0.1");
	assert_int_equal(t.r[0].bytes, 3573);
	assert_int_equal(t.r[0].packets, 4);
	assert_false(t.r[0].flags & TEL_DIR_UNKNOWN);
	size_t v6 = 0;
	for (size_t i = 0; i < t.n; i++)
		if (!strcmp(t.r[i].client, "::1"))
			v6++;
	assert_true(v6 > 0);
	tf_free(&t);
	read_ok(&t, "netflow/zeek-wikipedia.ipfix.csv", NULL, TEL_FMT_NFDUMP_CSV);
	assert_int_equal(t.n, 57);
	tf_free(&t);
}

/* --- generic CSV (tshark field export) --- */

#define TSHARK_MAP                                                                       \
	"time=frame.time_epoch,client=ip.src,client=ipv6.src,server=ip.dst,"             \
	"server=ipv6.dst,client_port=udp.srcport,client_port=tcp.srcport,"               \
	"response=dns.flags.response,dns=dns.qry.name,answer=dns.a,answer=dns.aaaa,"     \
	"sni=tls.handshake.extensions_server_name,host=http.host,path=http.request.uri"

static void tshark_csv(void **state)
{
	(void)state;
	struct tel_options opt = {.column_map = TSHARK_MAP};
	struct tfile t;
	read_ok(&t, "tshark/lab-3cx-loopback.tshark-fields.csv", &opt, TEL_FMT_CSV);
	assert_int_equal(t.n, 86);
	assert_int_equal(t.st.malformed, 0);
	/* query then response, both with the querier as client */
	assert_int_equal(t.r[0].kind, TEL_DNS);
	assert_string_equal(t.r[0].name, "www.debian.org");
	assert_string_equal(t.r[0].client, "127.0.0.13");
	assert_int_equal(t.r[0].ts, 1680098106);
	assert_string_equal(t.r[1].client, "127.0.0.13");
	assert_string_equal(t.r[1].server, "127.0.0.53");
	assert_string_equal(t.r[1].answers, "127.0.0.170");
	assert_true(t.r[1].flags & TEL_ANSWERED);
	/* a proxy request: absolute URI split into host and path */
	assert_int_equal(t.r[6].kind, TEL_HTTP);
	assert_true(t.r[6].flags & TEL_VIA_PROXY);
	assert_string_equal(t.r[6].name, "raw.githubusercontent.com");
	assert_string_equal(t.r[6].path, "/octocat/Hello-World/master/README");
	/* IPv6 rows take the ipv6.* columns */
	size_t v6 = 0;
	for (size_t i = 0; i < t.n; i++)
		if (!strcmp(t.r[i].client, "::1") || !strcmp(t.r[i].server, "::1"))
			v6++;
	assert_true(v6 > 0);
	assert_true(tf_count(&t, TEL_TLS, NULL) > 0);
	tf_free(&t);
}

static void csv_bad_map(void **state)
{
	(void)state;
	struct tfile t;
	struct tel_options opt = {.format = TEL_FMT_CSV, .column_map = "client=no.such"};
	assert_int_equal(
	    tf_read(&t, sample("tshark/lab-3cx-loopback.tshark-fields.csv"), &opt),
	    SD_ENOTFOUND);
	assert_non_null(strstr(t.err.msg, "no.such"));
	opt.column_map = "colour=ip.src";
	assert_int_equal(
	    tf_read(&t, sample("tshark/lab-3cx-loopback.tshark-fields.csv"), &opt),
	    SD_EUSAGE);
	assert_non_null(strstr(t.err.msg, "colour"));
}

/* --- Squid --- */

static void squid_formats(void **state)
{
	(void)state;
	struct tfile n, c;
	read_ok(&n, "proxy/lab-squid-access.native.log", NULL, TEL_FMT_SQUID);
	read_ok(&c, "proxy/lab-squid-access.combined.log", NULL, TEL_FMT_SQUID);
	assert_int_equal(n.n, 5);
	assert_int_equal(c.n, 5);
	for (size_t i = 0; i < 5; i++) {
		/* the same five requests in two formats */
		assert_string_equal(n.r[i].name, c.r[i].name);
		assert_string_equal(n.r[i].path, c.r[i].path);
		assert_string_equal(n.r[i].client, c.r[i].client);
		assert_int_equal(n.r[i].ts, c.r[i].ts);
		assert_true(n.r[i].flags & TEL_VIA_PROXY);
		assert_true(c.r[i].flags & TEL_VIA_PROXY);
	}
	assert_string_equal(n.r[1].name, "raw.githubusercontent.com");
	assert_string_equal(n.r[1].path, "/IconStorages/images/main/icon15.ico");
	assert_int_equal(n.r[1].ts, 1680098172);
	/* CONNECT host:443 -> the host, no path */
	assert_string_equal(n.r[2].name, "msstorageazure.com");
	assert_string_equal(n.r[2].path, "");
	assert_int_equal(n.r[2].sport, 443);
	assert_string_equal(n.r[2].server, "127.0.0.102"); /* HIER_DIRECT/... */
	tf_free(&n);
	tf_free(&c);
	read_ok(&n, "proxy/beats-squid-access4.log", NULL, TEL_FMT_SQUID);
	assert_int_equal(n.n, 100);
	assert_int_equal(n.st.malformed, 0);
	assert_string_equal(n.r[0].client, "::1");
	assert_string_equal(n.r[0].name, "0.docs.google.com");
	tf_free(&n);
}

/* --- BIND, dnsmasq --- */

static void bind_querylog(void **state)
{
	(void)state;
	struct tfile t;
	read_ok(&t, "dns/lab-bind9-query.log", NULL, TEL_FMT_BIND);
	assert_int_equal(t.n, 9);
	assert_int_equal(t.r[0].ts, 1795827884);
	assert_string_equal(t.r[0].client, "127.0.0.14");
	assert_int_equal(t.r[0].cport, 44811);
	assert_string_equal(t.r[0].server, "127.0.0.1");
	assert_string_equal(t.r[0].name, "officeaddons.com");
	assert_int_equal(t.r[0].proto, 17);
	assert_int_equal(t.r[4].proto, 6); /* +E(0)TK */
	const struct trec *r = tf_find(&t, TEL_DNS, "WWW.OfficeAddons.COM");
	assert_non_null(r);
	assert_string_equal(r->client, "127.0.0.16");
	tf_free(&t);
}

static void dnsmasq_log(void **state)
{
	(void)state;
	struct tfile t;
	struct tel_options opt = {.year = 2023};
	read_ok(&t, "dns/lab-dnsmasq-queries.log", &opt, TEL_FMT_DNSMASQ);
	assert_int_equal(t.n, 32);
	assert_int_equal(t.st.malformed, 0);
	assert_int_equal(t.st.skipped, 37);
	assert_int_equal(t.r[0].ts, 1680098106);
	assert_string_equal(t.r[0].name, "www.debian.org");
	assert_string_equal(t.r[0].client, "127.0.0.13");
	assert_int_equal(t.r[0].cport, 36069);
	assert_non_null(tf_find(&t, TEL_DNS, "JournalIDE.org"));
	size_t v6 = 0;
	for (size_t i = 0; i < t.n; i++)
		if (!strcmp(t.r[i].client, "::1"))
			v6++;
	assert_true(v6 > 0);
	tf_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(zeek_conn_labeled),
	    cmocka_unit_test(zeek_dns_answers),
	    cmocka_unit_test(zeek_ssl_sni),
	    cmocka_unit_test(zeek_btest),
	    cmocka_unit_test(zeek_json_matches_tsv),
	    cmocka_unit_test(zeek_json_beats),
	    cmocka_unit_test(eve_small),
	    cmocka_unit_test(eve_dns_layouts),
	    cmocka_unit_test(eve_slips),
	    cmocka_unit_test(eve_fast_path),
	    cmocka_unit_test(eve_kernels_agree),
	    cmocka_unit_test(eve_index_copy_agrees),
	    cmocka_unit_test(eve_clean_lines),
	    cmocka_unit_test(nfdump),
	    cmocka_unit_test(tshark_csv),
	    cmocka_unit_test(csv_bad_map),
	    cmocka_unit_test(squid_formats),
	    cmocka_unit_test(bind_querylog),
	    cmocka_unit_test(dnsmasq_log),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
