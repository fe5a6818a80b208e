/* report/render: check answers rendered straight into a buffer. JSON is
 * compared byte for byte with jansson's dump of report_lookup's document
 * (the form the HTTP API serves); text and CSV with the exact lines. */
#include "testutil.h"

#include "answer_fixture.h"

#include <jansson.h>

#include "core/buf.h"
#include "db/builder.h"
#include "db/db.h"
#include "report/answer.h"
#include "report/render.h"
#include "report/report.h"

static struct db *db;

static int setup(void **state)
{
	(void)state;
	/* a title with a quote, a tab, non-ASCII (2, 3 and 4 byte forms) */
	const char *path = test_tmpfile("render.sdb");
	fixture_write(path, "Caf\xc3\xa9 \"x\"\t\xe2\x82\xac \xf0\x9f\x98\x80");
	struct sd_error err = {0};
	assert_int_equal(db_open(path, &db, &err), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	db_close(db);
	unlink(test_tmpfile("render.sdb"));
	rmdir(test_tmpdir());
	return 0;
}

static struct net_prefix prefix(const char *s)
{
	struct net_prefix p;
	const char *why;
	assert_int_equal(net_prefix_parse(s, strlen(s), &p, 0, &why), 0);
	return p;
}

/* What the renderer writes for query q, NUL-terminated (caller frees). */
static char *render(const char *q, enum report_format fmt, enum report_detail detail,
		    size_t max_inside)
{
	struct net_prefix p = prefix(q);
	struct report_answer *a = calloc(1, sizeof(*a));
	assert_non_null(a);
	assert_int_equal(report_answer_lookup(db, &p, max_inside, a), 0);
	report_answer_given(a, q, strlen(q)); /* the query as written */
	struct sd_buf out = {0};
	report_render(&out, db, a, fmt, detail);
	sd_buf_putc(&out, '\0');
	assert_false(out.failed);
	report_answer_free(a);
	free(a);
	return out.data;
}

static void test_json_is_janssons(void **state)
{
	(void)state;
	const char *queries[] = {
	    "192.0.2.7",	"192.0.2.8",	   "198.51.100.130",
	    "198.51.100.131",	"198.51.100.0/24", "198.51.100.128/26",
	    "2001:db8::1",	"2001:db8::/32",   "::/0",
	    "::ffff:192.0.2.7", "10.0.0.0/8"};
	size_t max_inside[] = {1000, 1, 0};
	for (size_t i = 0; i < sizeof(queries) / sizeof(*queries); i++)
		for (size_t m = 0; m < 3; m++)
			for (int d = REPORT_VERDICT; d <= REPORT_FULL; d++) {
				struct net_prefix p = prefix(queries[i]);
				json_t *doc = report_lookup_query(
				    db, &p, queries[i], strlen(queries[i]),
				    (enum report_detail)d, max_inside[m]);
				assert_non_null(doc);
				char *want =
				    json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
				json_decref(doc);
				char *got = render(queries[i], REPORT_JSON,
						   (enum report_detail)d, max_inside[m]);
				size_t n = strlen(want);
				if (strncmp(got, want, n) || strcmp(got + n, "\n"))
					fail_msg("%s (max %zu, detail %d):\n got "
						 "%s\nwant %s\n",
						 queries[i], max_inside[m], d, got, want);
				free(want);
				free(got);
			}
}

static void test_json_query_as_written(void **state)
{
	(void)state;
	char *got = render("::ffff:192.0.2.7", REPORT_JSON, REPORT_FULL, 1000);
	const char *want = "{\"query\":\"::ffff:192.0.2.7\",\"canonical\":\"192.0.2.7\","
			   "\"type\":\"address\",";
	assert_memory_equal(got, want, strlen(want));
	free(got);
	/* without a text (the caller's own address) both are canonical */
	struct net_prefix p = prefix("::ffff:192.0.2.7");
	json_t *doc = report_lookup(db, &p, REPORT_FULL, 1000);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "query")),
			    "192.0.2.7");
	assert_string_equal(json_string_value(json_object_get(doc, "canonical")),
			    "192.0.2.7");
	json_decref(doc);
}

static void test_csv(void **state)
{
	(void)state;
	char *got = render("192.0.2.7", REPORT_CSV, REPORT_FULL, 1000);
	assert_string_equal(
	    got, "192.0.2.7,true,covering,192.0.2.7,3cx-2023,2023-03-28T10:40:00Z,"
		 "2023-03-28T11:40:00Z,1,list;flow,high,\"'=cmd;feed,one\",192.0.2.7\n"
		 "192.0.2.7,true,covering,192.0.2.7,gopuram-2023,,,5,dns,high,plain,"
		 "192.0.2.7\n");
	free(got);
	got = render("192.0.2.8", REPORT_CSV, REPORT_FULL, 1000);
	assert_string_equal(got, "192.0.2.8,false,,,,,,,,,,192.0.2.8\n");
	free(got);
	/* the query as written, the canonical form in the last column */
	got = render("::FFFF:192.0.2.8", REPORT_CSV, REPORT_FULL, 1000);
	assert_string_equal(got, "::FFFF:192.0.2.8,false,,,,,,,,,,192.0.2.8\n");
	free(got);
	got = render("::ffff:192.0.2.7", REPORT_CSV, REPORT_FULL, 1000);
	assert_non_null(strstr(got, "::ffff:192.0.2.7,true,covering,192.0.2.7,"));
	assert_non_null(strstr(got, ",plain,192.0.2.7\n"));
	free(got);
	/* a prefix: the covering entry and the entries inside, the prefix
	 * itself once */
	got = render("198.51.100.128/26", REPORT_CSV, REPORT_FULL, 1000);
	assert_string_equal(got,
			    "198.51.100.128/26,true,covering,198.51.100.128/26,3cx-2023,"
			    "2023-03-28T10:40:00Z,2023-03-28T10:40:00Z,2,list,high,plain,"
			    "198.51.100.128/26\n"
			    "198.51.100.128/26,true,inside,198.51.100.130,3cx-2023,,,1,"
			    "tls,high,plain,198.51.100.128/26\n");
	free(got);
	struct sd_buf out = {0};
	report_render_csv_header(&out);
	/* a bad query keeps its text, quoted and defused as a formula */
	report_render_error(&out, REPORT_CSV, "not-an-ip", 9, "why");
	report_render_error(&out, REPORT_CSV, "=1+2,\"x\"", 8, "why");
	report_render_error(&out, REPORT_CSV, "1.2.3.4/8", 9, "why");
	sd_buf_putc(&out, '\0');
	assert_string_equal(
	    out.data, "query,listed,relation,key,campaign,first_seen,last_seen,count,"
		      "evidence,confidence,sources,canonical\n"
		      "not-an-ip,error,,,,,,,,,,\n"
		      "\"'=1+2,\"\"x\"\"\",error,,,,,,,,,,\n"
		      "1.2.3.4/8,error,,,,,,,,,,\n");
	sd_buf_free(&out);
}

static void test_text(void **state)
{
	(void)state;
	char *got = render("192.0.2.7", REPORT_TEXT, REPORT_FULL, 1000);
	assert_string_equal(
	    got, "192.0.2.7: LISTED\n"
		 "  192.0.2.7  3cx-2023 (Caf\xc3\xa9 \"x\"\t\xe2\x82\xac "
		 "\xf0\x9f\x98\x80)\n"
		 "      seen 1 time from 2023-03-28T10:40:00Z to "
		 "2023-03-28T11:40:00Z; evidence: list,flow; confidence: high\n"
		 "      sources: =cmd, feed,one\n"
		 "  192.0.2.7  gopuram-2023\n"
		 "      seen 5 times; evidence: dns; confidence: high\n"
		 "      sources: plain\n");
	free(got);
	got = render("2001:db8::2", REPORT_TEXT, REPORT_FULL, 1000);
	assert_string_equal(got, "2001:db8::2: not listed\n");
	free(got);
	/* written otherwise than the canonical form: both */
	got = render("::ffff:192.0.2.8", REPORT_TEXT, REPORT_FULL, 1000);
	assert_string_equal(got, "::ffff:192.0.2.8 (192.0.2.8): not listed\n");
	free(got);
	got = render("2001:DB8::2", REPORT_TEXT, REPORT_FULL, 1000);
	assert_string_equal(got, "2001:DB8::2 (2001:db8::2): not listed\n");
	free(got);
	got = render("198.51.100.0/24", REPORT_TEXT, REPORT_FULL, 1);
	assert_string_equal(
	    got, "198.51.100.0/24: LISTED\n"
		 "  2 listed entries inside (first ones shown):\n"
		 "    198.51.100.130  3cx-2023 (Caf\xc3\xa9 \"x\"\t\xe2\x82\xac "
		 "\xf0\x9f\x98\x80)\n"
		 "        seen 1 time; evidence: tls; confidence: high\n"
		 "        sources: plain\n");
	free(got);
	/* a bad query prints nothing on stdout in text (stderr tells) */
	struct sd_buf out = {0};
	report_render_error(&out, REPORT_TEXT, "x", 1, "why");
	assert_int_equal(out.len, 0);
	sd_buf_free(&out);
}

static void test_json_error_and_strings(void **state)
{
	(void)state;
	struct sd_buf out = {0};
	report_render_error(&out, REPORT_JSON, "a\"b\\c\n", 6, "bad");
	/* invalid UTF-8 (a lone continuation byte, a cut sequence) and a NUL */
	report_json_string(&out, "\x80z\xe2\x82", 4);
	report_json_string(&out, "\0\x1f\x7f", 3);
	sd_buf_putc(&out, '\0');
	assert_string_equal(out.data, "{\"query\":\"a\\\"b\\\\c\\n\",\"error\":\"bad\"}\n"
				      "\"\\uFFFDz\\uFFFD\\uFFFD\"\"\\u0000\\u001F\x7f\"");
	sd_buf_free(&out);
	/* every valid form jansson accepts comes out as jansson writes it */
	const char *samples[] = {"plain", "tab\there",
				 "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
				 "\x01\x08\x0c/\"\\", "\xef\xbf\xbf\xf4\x8f\xbf\xbf"};
	for (size_t i = 0; i < sizeof(samples) / sizeof(*samples); i++) {
		json_t *s = json_string(samples[i]);
		assert_non_null(s);
		char *want =
		    json_dumps(s, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
		json_decref(s);
		struct sd_buf b = {0};
		report_json_string(&b, samples[i], strlen(samples[i]));
		sd_buf_putc(&b, '\0');
		assert_string_equal(b.data, want);
		free(want);
		sd_buf_free(&b);
	}
}

static void test_buf_numbers(void **state)
{
	(void)state;
	struct sd_buf b = {0};
	sd_buf_u64(&b, 0);
	sd_buf_putc(&b, ' ');
	sd_buf_u64(&b, UINT64_MAX);
	sd_buf_putc(&b, ' ');
	sd_buf_i64(&b, INT64_MIN);
	sd_buf_putc(&b, '\0');
	assert_string_equal(b.data, "0 18446744073709551615 -9223372036854775808");
	sd_buf_free(&b);
}

/* One renderer answering many queries in a row (what bulk check does)
 * writes what a fresh one writes for each: the parts it keeps of a
 * sighting's attributes never leak into an answer about another. */
static void test_renderer_reuse(void **state)
{
	(void)state;
	const char *queries[] = {"192.0.2.7",	      "198.51.100.130", "2001:db8::1",
				 "198.51.100.0/24",   "192.0.2.8",	"::/0",
				 "198.51.100.128/26", "192.0.2.7"};
	for (int fmt = REPORT_TEXT; fmt <= REPORT_JSON; fmt++)
		for (int d = REPORT_VERDICT; d <= REPORT_FULL; d++) {
			struct report_renderer r;
			report_renderer_init(&r, db, (enum report_format)fmt,
					     (enum report_detail)d);
			for (int round = 0; round < 3; round++)
				for (size_t i = 0; i < sizeof(queries) / sizeof(*queries);
				     i++) {
					struct net_prefix p = prefix(queries[i]);
					struct report_answer *a = calloc(1, sizeof(*a));
					assert_non_null(a);
					assert_int_equal(
					    report_answer_lookup(db, &p, 1000, a), 0);
					report_answer_given(a, queries[i],
							    strlen(queries[i]));
					struct sd_buf got = {0}, want = {0};
					report_renderer_answer(&r, &got, a);
					report_render(&want, db, a,
						      (enum report_format)fmt,
						      (enum report_detail)d);
					assert_false(got.failed);
					assert_int_equal(got.len, want.len);
					assert_memory_equal(got.data, want.data, got.len);
					sd_buf_free(&got);
					sd_buf_free(&want);
					report_answer_free(a);
					free(a);
				}
			report_renderer_fini(&r);
		}
}

/* report_renderer_address (a bulk check's address answered from a
 * batched lookup, no answer filled) writes what report_renderer_answer
 * writes for the same answer: unlisted, an entry of the address itself
 * with one and with two sightings, an entry of a prefix covering it
 * (another key than the query), IPv4 and IPv6, in every form, from one
 * renderer again and again (its caches warm). */
static void test_renderer_address(void **state)
{
	(void)state;
	const char *queries[] = {"192.0.2.7",	"192.0.2.8",   "198.51.100.129",
				 "2001:db8::1", "2001:db8::2", "10.1.2.3"};
	for (int fmt = REPORT_TEXT; fmt <= REPORT_JSON; fmt++) {
		struct report_renderer r;
		report_renderer_init(&r, db, (enum report_format)fmt, REPORT_FULL);
		for (int round = 0; round < 3; round++)
			for (size_t i = 0; i < sizeof(queries) / sizeof(*queries); i++) {
				struct net_prefix p = prefix(queries[i]);
				struct report_answer *a = calloc(1, sizeof(*a));
				assert_non_null(a);
				assert_int_equal(report_answer_lookup(db, &p, 1000, a),
						 0);
				assert_true(a->nmatches <= 1);
				report_answer_given_canonical(a, queries[i],
							      strlen(queries[i]));
				struct sd_buf got = {0}, want = {0};
				report_renderer_address(
				    &r, &got, &p, queries[i], strlen(queries[i]),
				    a->nmatches ? &a->matches[0] : NULL);
				report_render(&want, db, a, (enum report_format)fmt,
					      REPORT_FULL);
				assert_false(got.failed);
				assert_int_equal(got.len, want.len);
				assert_memory_equal(got.data, want.data, got.len);
				sd_buf_free(&got);
				sd_buf_free(&want);
				report_answer_free(a);
				free(a);
			}
		report_renderer_fini(&r);
	}
}

/* got, a renderer's row, is want's bytes and, in JSON, jansson's compact
 * ASCII dump of report_lookup's document for query q and a newline */
static void assert_row(const struct sd_buf *got, const struct sd_buf *want, int fmt,
		       struct db *tdb, const struct net_prefix *p, const char *q,
		       size_t len)
{
	assert_false(got->failed);
	assert_int_equal(got->len, want->len);
	assert_memory_equal(got->data, want->data, got->len);
	if (fmt != REPORT_JSON)
		return;
	json_t *doc = report_lookup_query(tdb, p, q, len, REPORT_FULL, 1000);
	assert_non_null(doc);
	char *j = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(doc);
	assert_int_equal(got->len, strlen(j) + 1);
	assert_memory_equal(got->data, j, strlen(j));
	free(j);
}

/* Entries with one sighting that share it (a list imported at once), in
 * runs, and then differ from the one before in one thing at a time: its
 * prefix length, first seen, last seen, count, campaign, evidence,
 * confidence, sources; and an entry with two sightings between them. One
 * renderer answers them all in turn (it keeps the last entry's JSON after
 * the key), through report_renderer_address and report_renderer_answer:
 * the same bytes as a fresh renderer's and, for JSON, jansson's. */
static void test_shared_sightings(void **state)
{
	(void)state;
	const char *path = test_tmpfile("shared.sdb");
	struct db_builder *b = db_builder_new();
	assert_non_null(b);
	const char *s1[] = {"feed"}, *s2[] = {"other"};
	struct {
		const char *key, *campaign;
		const char *const *src;
		uint32_t first, last, count;
		uint8_t ev;
		uint8_t conf;
	} rows[] = {
	    {"10.0.0.1", "c", s1, 0, 0, 1, DB_EV_LIST, DB_CONF_HIGH},
	    {"10.0.0.2", "c", s1, 0, 0, 1, DB_EV_LIST, DB_CONF_HIGH},
	    {"10.0.0.3", "c", s1, 0, 0, 1, DB_EV_LIST, DB_CONF_HIGH},
	    {"10.0.1.0/24", "c", s1, 0, 0, 1, DB_EV_LIST, DB_CONF_HIGH},
	    {"10.0.2.0/25", "c", s1, 0, 0, 1, DB_EV_LIST, DB_CONF_HIGH},
	    {"10.0.3.1", "c", s1, 1680000000, 1680000000, 1, DB_EV_LIST, DB_CONF_HIGH},
	    {"10.0.3.2", "c", s1, 1680000000, 1680003600, 1, DB_EV_LIST, DB_CONF_HIGH},
	    {"10.0.3.3", "c", s1, 1680000000, 1680003600, 2, DB_EV_LIST, DB_CONF_HIGH},
	    {"10.0.3.4", "d", s1, 1680000000, 1680003600, 2, DB_EV_LIST, DB_CONF_HIGH},
	    {"10.0.3.5", "d", s1, 1680000000, 1680003600, 2, DB_EV_DNS, DB_CONF_HIGH},
	    {"10.0.3.6", "d", s1, 1680000000, 1680003600, 2, DB_EV_DNS, DB_CONF_LOW},
	    {"10.0.3.7", "d", s2, 1680000000, 1680003600, 2, DB_EV_DNS, DB_CONF_LOW},
	    {"10.0.3.8", "d", s2, 1680000000, 1680003600, 2, DB_EV_DNS, DB_CONF_LOW},
	    {"10.0.3.9", "d", s2, 1680000000, 1680003600, 2, DB_EV_DNS, DB_CONF_LOW},
	    {"10.0.3.9", "c", s2, 1680000000, 1680003600, 2, DB_EV_DNS, DB_CONF_LOW},
	    {"10.0.3.10", "d", s2, 1680000000, 1680003600, 2, DB_EV_DNS, DB_CONF_LOW},
	    {"2001:db8::1", "d", s2, 1680000000, 1680003600, 2, DB_EV_DNS, DB_CONF_LOW},
	    {"2001:db8::/120", "d", s2, 1680000000, 1680003600, 2, DB_EV_DNS,
	     DB_CONF_LOW},
	};
	size_t n = sizeof(rows) / sizeof(*rows);
	for (size_t i = 0; i < n; i++) {
		struct db_campaign_meta m = {.name = rows[i].campaign, .title = ""};
		struct sd_error err = {0};
		uint16_t cid;
		uint32_t set;
		assert_int_equal(db_builder_campaign(b, &m, &cid, &err), 0);
		assert_int_equal(db_builder_sourceset(b, rows[i].src, 1, &set, &err), 0);
		struct net_prefix p = prefix(rows[i].key);
		struct db_sighting s = {
		    rows[i].first, rows[i].last, rows[i].count, cid, rows[i].ev,
		    rows[i].conf,  set};
		assert_int_equal(db_builder_add(b, &p, &s, &err), 0);
	}
	struct sd_error err = {0};
	assert_int_equal(db_builder_write(b, path, 1700000000, &err), 0);
	db_builder_free(b);
	struct db *tdb;
	assert_int_equal(db_open(path, &tdb, &err), 0);
	struct report_answer *a = calloc(1, sizeof(*a));
	assert_non_null(a);
	/* each key, then an address of each prefix (another key than the
	 * query), twice over */
	const char *queries[] = {
	    "10.0.0.1",	   "10.0.0.2",	     "10.0.0.3",  "10.0.1.0/24", "10.0.1.7",
	    "10.0.0.1",	   "10.0.2.0/25",    "10.0.2.9",  "10.0.3.1",	 "10.0.3.2",
	    "10.0.3.3",	   "10.0.3.4",	     "10.0.3.5",  "10.0.3.6",	 "10.0.3.7",
	    "10.0.3.8",	   "10.0.3.9",	     "10.0.3.10", "10.0.3.8",	 "2001:db8::1",
	    "2001:db8::2", "2001:db8::/120", "10.0.0.9",  "10.0.0.1"};
	size_t nq = sizeof(queries) / sizeof(*queries);
	for (int fmt = REPORT_TEXT; fmt <= REPORT_JSON; fmt++) {
		struct report_renderer r;
		report_renderer_init(&r, tdb, (enum report_format)fmt, REPORT_FULL);
		for (size_t round = 0; round < 2; round++)
			for (size_t i = 0; i < nq; i++) {
				struct net_prefix p = prefix(queries[i]);
				size_t len = strlen(queries[i]);
				assert_int_equal(report_answer_lookup(tdb, &p, 1000, a),
						 0);
				report_answer_given_canonical(a, queries[i], len);
				struct sd_buf got = {0}, want = {0};
				report_render(&want, tdb, a, (enum report_format)fmt,
					      REPORT_FULL);
				if (p.len == 128 && a->nmatches <= 1)
					report_renderer_address(
					    &r, &got, &p, queries[i], len,
					    a->nmatches ? &a->matches[0] : NULL);
				else
					report_renderer_answer(&r, &got, a);
				assert_row(&got, &want, fmt, tdb, &p, queries[i], len);
				sd_buf_free(&got);
				sd_buf_free(&want);
			}
		report_renderer_fini(&r);
	}
	report_answer_free(a);
	free(a);
	db_close(tdb);
	unlink(path);
}

/* Times over the whole range a snapshot holds (the renderer caches the
 * date of recent days and writes the time of day itself) and queries
 * given as their canonical text (report_answer_given_canonical): one
 * renderer's answers are byte for byte jansson's dump of report_lookup's
 * document, and CSV and text the same as for the text given plainly. */
static void test_times_and_canonical_text(void **state)
{
	(void)state;
	const char *path = test_tmpfile("times.sdb");
	struct db_builder *b = db_builder_new();
	assert_non_null(b);
	const char *src[] = {"feed"};
	uint32_t fixed[] = {1,
			    59,
			    60,
			    3599,
			    3600,
			    86399,
			    86400,
			    86401,
			    951782400,
			    1680000000,
			    1680003599,
			    4102444799u,
			    UINT32_MAX - 1,
			    UINT32_MAX};
	size_t nfixed = sizeof(fixed) / sizeof(*fixed);
	enum { N = 300 };
	char addr[N][NET_ADDR_STRLEN];
	uint64_t x = 88172645463325252ull; /* xorshift: the same times every run */
	for (size_t i = 0; i < N; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* a day in three repeats a recent one: the cache's hits */
		uint32_t first = i < nfixed ? fixed[i]
				 : i % 3    ? (uint32_t)x
					    : fixed[i % nfixed] + (uint32_t)(x % 7);
		uint32_t last = first + (uint32_t)(x >> 40) % 200000u;
		if (last < first)
			last = first;
		snprintf(addr[i], sizeof(addr[i]), "10.%u.%u.%u",
			 (unsigned)(i >> 16) & 255, (unsigned)(i >> 8) & 255,
			 (unsigned)i & 255);
		fixture_add(b, addr[i], "c", "", src, 1, first, last, (uint32_t)i,
			    DB_EV_LIST);
	}
	struct sd_error err = {0};
	assert_int_equal(db_builder_write(b, path, 1700000000, &err), 0);
	db_builder_free(b);
	struct db *tdb;
	assert_int_equal(db_open(path, &tdb, &err), 0);
	struct report_answer *a = calloc(1, sizeof(*a));
	assert_non_null(a);
	for (int fmt = REPORT_TEXT; fmt <= REPORT_JSON; fmt++) {
		struct report_renderer r;
		report_renderer_init(&r, tdb, (enum report_format)fmt, REPORT_FULL);
		for (size_t round = 0; round < 2; round++)
			for (size_t i = 0; i < N; i++) {
				struct net_prefix p = prefix(addr[i]);
				assert_int_equal(report_answer_lookup(tdb, &p, 1000, a),
						 0);
				report_answer_given(a, addr[i], strlen(addr[i]));
				struct sd_buf got = {0}, want = {0};
				report_render(&want, tdb, a, (enum report_format)fmt,
					      REPORT_FULL);
				report_answer_given_canonical(a, addr[i],
							      strlen(addr[i]));
				report_renderer_answer(&r, &got, a);
				assert_row(&got, &want, fmt, tdb, &p, addr[i],
					   strlen(addr[i]));
				sd_buf_free(&got);
				sd_buf_free(&want);
			}
		report_renderer_fini(&r);
	}
	report_answer_free(a);
	free(a);
	db_close(tdb);
	unlink(path);
}

/* The escapers' fast paths (nothing to escape) and slow paths agree with
 * the rules byte by byte. */
static void test_escape_paths(void **state)
{
	(void)state;
	struct {
		const char *in, *csv, *json;
	} cases[] = {
	    {"192.0.2.7", "192.0.2.7", "\"192.0.2.7\""},
	    {"a,b", "\"a,b\"", "\"a,b\""},
	    {"say \"hi\"", "\"say \"\"hi\"\"\"", "\"say \\\"hi\\\"\""},
	    {"=1+1", "\"'=1+1\"", "\"=1+1\""},
	    {"line\nbreak", "\"line\nbreak\"", "\"line\\nbreak\""},
	    {"back\\slash", "back\\slash", "\"back\\\\slash\""},
	    {"del\x7f", "del\x7f", "\"del\x7f\""},
	    {"caf\xc3\xa9", "caf\xc3\xa9", "\"caf\\u00E9\""},
	    {"", "", "\"\""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct sd_buf c = {0}, j = {0};
		report_csv_field(&c, cases[i].in, strlen(cases[i].in));
		report_json_string(&j, cases[i].in, strlen(cases[i].in));
		sd_buf_putc(&c, '\0');
		sd_buf_putc(&j, '\0');
		assert_string_equal(c.data, cases[i].csv);
		assert_string_equal(j.data, cases[i].json);
		sd_buf_free(&c);
		sd_buf_free(&j);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_is_janssons),
	    cmocka_unit_test(test_json_query_as_written),
	    cmocka_unit_test(test_csv),
	    cmocka_unit_test(test_text),
	    cmocka_unit_test(test_json_error_and_strings),
	    cmocka_unit_test(test_buf_numbers),
	    cmocka_unit_test(test_renderer_reuse),
	    cmocka_unit_test(test_renderer_address),
	    cmocka_unit_test(test_shared_sightings),
	    cmocka_unit_test(test_times_and_canonical_text),
	    cmocka_unit_test(test_escape_paths),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
