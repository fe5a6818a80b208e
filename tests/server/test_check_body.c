/* server/check_body: the /api/v1/check body written straight from the
 * lookup is, byte for byte, what the server sent when it built
 * report_lookup_query's document and dumped it (compact, ASCII only), and
 * the same JSON as the dump without ASCII escaping. */
#include "testutil.h"

#include "../report/answer_fixture.h"

#include <jansson.h>

#include "db/builder.h"
#include "db/db.h"
#include "report/report.h"
#include "server/check_body.h"
#include "server/limits.h"
#include "server/snapshot.h"

static struct srv_snap *snap;

static int setup(void **state)
{
	(void)state;
	/* a title with a quote, a tab, a slash and non-ASCII (2, 3, 4 bytes) */
	const char *path = test_tmpfile("check_body.sdb");
	fixture_write(path, "Caf\xc3\xa9 \"x\"\t/ \xe2\x82\xac \xf0\x9f\x98\x80");
	struct sd_error err = {0};
	struct db *db;
	assert_int_equal(db_open(path, &db, &err), 0);
	assert_int_equal(srv_snap_from_db(db, &snap, &err), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	srv_ref_put(&snap->ref);
	unlink(test_tmpfile("check_body.sdb"));
	rmdir(test_tmpdir());
	return 0;
}

/* What the server answered before: the document dumped with flags. */
static char *by_jansson(const struct net_prefix *p, const char *given, size_t n,
			enum report_detail d, size_t max_inside, size_t flags)
{
	json_t *doc = report_lookup_query(snap->db, p, given, n, d, max_inside);
	assert_non_null(doc);
	char *v = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY | flags);
	json_decref(doc);
	assert_non_null(v);
	size_t len = snap->snapshot_len + strlen(v) + 64;
	char *out = malloc(len);
	assert_non_null(out);
	snprintf(out, len, "{\"snapshot\":%.*s,\"result\":%s}\n", (int)snap->snapshot_len,
		 snap->snapshot_json, v);
	free(v);
	return out;
}

static void same(const char *q, bool own, enum report_detail d, size_t max_inside)
{
	struct net_prefix p;
	const char *why;
	assert_int_equal(net_prefix_parse(q, strlen(q), &p, 0, &why), 0);
	const char *given = own ? NULL : q;
	size_t n = own ? 0 : strlen(q);
	size_t len;
	char *got = srv_check_body(snap, &p, given, n, d, max_inside, &len);
	assert_non_null(got);
	char *want = by_jansson(&p, given, n, d, max_inside, JSON_ENSURE_ASCII);
	if (len != strlen(want) || memcmp(got, want, len))
		fail_msg("%s (own %d, max %zu, detail %d):\n got %.*s\nwant %s", q, own,
			 max_inside, d, (int)len, got, want);
	/* and the same JSON as the unescaped dump the server sent before */
	char *raw = by_jansson(&p, given, n, d, max_inside, 0);
	json_error_t e;
	json_t *a = json_loadb(got, len, 0, &e), *b = json_loads(raw, 0, &e);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(json_equal(a, b));
	json_decref(a);
	json_decref(b);
	free(raw);
	free(want);
	free(got);
}

static void test_same_as_the_document(void **state)
{
	(void)state;
	/* addresses and prefixes, listed and not, written canonically and
	 * otherwise (as a client may send them) */
	const char *queries[] = {
	    "192.0.2.7",      "192.0.2.8",	  "198.51.100.130",
	    "198.51.100.131", "198.51.100.0/24",  "198.51.100.128/26",
	    "2001:db8::1",    "2001:DB8:0::1",	  "2001:db8::/32",
	    "::/0",	      "::ffff:192.0.2.7", "10.0.0.0/8",
	    "192.0.2.7/32",   "0.0.0.0/0"};
	size_t max_inside[] = {SRV_MAX_INSIDE, 1, 0};
	for (size_t i = 0; i < sizeof(queries) / sizeof(*queries); i++)
		for (size_t m = 0; m < 3; m++)
			for (int d = REPORT_VERDICT; d <= REPORT_FULL; d++)
				for (int own = 0; own <= 1; own++)
					same(queries[i], own, (enum report_detail)d,
					     max_inside[m]);
}

static void test_ascii_only(void **state)
{
	(void)state;
	struct net_prefix p;
	const char *why;
	assert_int_equal(net_prefix_parse("192.0.2.7", 9, &p, 0, &why), 0);
	size_t len;
	char *got = srv_check_body(snap, &p, "192.0.2.7", 9, REPORT_FULL, 10, &len);
	assert_non_null(got);
	for (size_t i = 0; i < len; i++)
		assert_true((unsigned char)got[i] < 0x80);
	static const char want[] = "Caf\\u00E9 \\\"x\\\"\\t/ \\u20AC \\uD83D\\uDE00";
	if (!memmem(got, len, want, sizeof(want) - 1)) /* got has no NUL */
		fail_msg("%.*s", (int)len, got);
	assert_int_equal(got[len - 1], '\n');
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_as_the_document),
	    cmocka_unit_test(test_ascii_only),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
