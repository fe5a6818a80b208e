/* Building, opening and querying snapshots: edge cases. */
#include "db/fixture.h"

static struct net_prefix P(const char *s) {
	struct net_prefix p;
	const char *why;
	if (net_prefix_parse(s, strlen(s), &p, 0, &why))
		fail_msg("'%s': %s", s, why);
	return p;
}

static size_t
cover(const struct db *db, const char *q, struct db_entry *out)
{
	struct net_prefix p = P(q);
	return db_cover(db, &p, out, 129);
}

static void key_is(const struct db_entry *e, const char *want)
{
	char buf[NET_PREFIX_STRLEN];
	net_prefix_format(&e->prefix, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_empty(void **state)
{
	(void)state;
	struct db *db = fx_build(test_tmpfile("empty.sdb"), NULL, 0);
	struct db_entry e[129];
	assert_int_equal(db_entry_count(db), 0);
	assert_int_equal(cover(db, "192.0.2.1", e), 0);
	assert_int_equal(cover(db, "::/0", e), 0);
	struct net_prefix all = P("::/0");
	assert_int_equal(db_range_count(db, &all), 0);
	struct net_addr a = all.addr;
	assert_false(db_contains(db, &a));
	db_close(db);
}

static void test_hosts_and_prefixes(void **state)
{
	(void)state;
	const struct fx_row rows[] = {
	    {"192.0.2.7", "c1", "s", 100, 200, 3, DB_EV_DNS, DB_CONF_LOW},
	    {"192.0.2.0/24", "c1", "s", 100, 200, 1, DB_EV_LIST, 0},
	    {"192.0.0.0/16", "c2", "s", 0, 0, 1, DB_EV_LIST, 0},
	    {"2001:db8::1", "c1", "s", 50, 60, 1, DB_EV_TLS, DB_CONF_HIGH},
	    {"2001:db8::/32", "c1", "s", 0, 0, 1, DB_EV_LIST, 0},
	    {"203.0.113.255", "c1", "s", 1, 1, 1, DB_EV_FLOW, 0},
	    {"0.0.0.0", "c1", "s", 1, 1, 1, DB_EV_FLOW, 0},
	};
	struct db *db = fx_build(test_tmpfile("mixed.sdb"), rows, 7);
	struct db_entry e[129];
	assert_int_equal(db_entry_count(db), 7);
	/* most specific first */
	assert_int_equal(cover(db, "192.0.2.7", e), 3);
	key_is(&e[0], "192.0.2.7/32");
	key_is(&e[1], "192.0.2.0/24");
	key_is(&e[2], "192.0.0.0/16");
	assert_int_equal(e[0].count, 3);
	assert_int_equal(cover(db, "192.0.2.8", e), 2);
	assert_int_equal(cover(db, "192.0.3.8", e), 1);
	assert_int_equal(cover(db, "192.1.0.0", e), 0);
	assert_int_equal(cover(db, "2001:db8::1", e), 2);
	assert_int_equal(cover(db, "2001:db8:1::", e), 1);
	assert_int_equal(cover(db, "2001:db9::", e), 0);
	/* IPv4 edges of the key space */
	assert_int_equal(cover(db, "203.0.113.255", e), 1);
	assert_int_equal(cover(db, "0.0.0.0", e), 1);
	assert_int_equal(cover(db, "255.255.255.255", e), 0);
	/* an IPv6 address never matches IPv4 entries and vice versa */
	assert_int_equal(cover(db, "::c000:207", e), 0);
	/* a prefix query: covering entries, and those inside */
	assert_int_equal(cover(db, "192.0.2.0/24", e), 2);
	struct net_prefix q = P("192.0.2.0/24");
	assert_int_equal(db_range_count(db, &q), 2);
	q = P("192.0.0.0/8");
	assert_int_equal(db_range_count(db, &q), 3);
	q = P("0.0.0.0/0");
	assert_int_equal(db_range_count(db, &q), 5);
	q = P("::ffff:0:0/96");
	assert_int_equal(db_range_count(db, &q), 5);
	q = P("::/0");
	assert_int_equal(db_range_count(db, &q), 7);
	q = P("2001:db8::/32");
	assert_int_equal(db_range_count(db, &q), 2);
	db_close(db);
}

static void test_slash_zero_entries(void **state)
{
	(void)state;
	const struct fx_row rows[] = {
	    {"0.0.0.0/0", "all4", "s", 0, 0, 1, DB_EV_LIST, 0},
	    {"::/0", "all", "s", 0, 0, 1, DB_EV_LIST, 0},
	};
	struct db *db = fx_build(test_tmpfile("zero.sdb"), rows, 2);
	struct db_entry e[129];
	assert_int_equal(cover(db, "198.51.100.1", e), 2);
	key_is(&e[0], "0.0.0.0/0");
	key_is(&e[1], "::/0");
	assert_int_equal(cover(db, "2001:db8::5", e), 1);
	key_is(&e[0], "::/0");
	/* ::ffff:0:0/96 is the same key as 0.0.0.0/0 */
	assert_int_equal(cover(db, "::ffff:0:0/96", e), 2);
	db_close(db);
}

static void test_duplicates_combine(void **state)
{
	(void)state;
	const struct fx_row rows[] = {
	    {"198.51.100.9", "c1", "a", 300, 400, 2, DB_EV_DNS, DB_CONF_LOW},
	    {"198.51.100.9", "c1", "b", 100, 350, 5, DB_EV_TLS, DB_CONF_HIGH},
	    {"198.51.100.9", "c1", "a", 0, 0, 1, DB_EV_LIST, 0},
	    {"198.51.100.9", "c2", "c", 500, 600, 7, DB_EV_FLOW, DB_CONF_MEDIUM},
	};
	struct db *db = fx_build(test_tmpfile("dups.sdb"), rows, 4);
	struct db_entry e[129];
	assert_int_equal(db_entry_count(db), 1);
	assert_int_equal(cover(db, "198.51.100.9", e), 1);
	assert_int_equal(e[0].nsightings, 2);
	/* aggregates over both campaigns */
	assert_int_equal(e[0].first_seen, 100);
	assert_int_equal(e[0].last_seen, 600);
	assert_int_equal(e[0].count, 15);
	struct db_sighting s;
	struct db_campaign c;
	db_entry_sighting(db, &e[0], 0, &s);
	db_campaign_get(db, s.campaign, &c);
	assert_string_equal(c.name, "c1");
	assert_int_equal(s.first_seen, 100); /* unknown (0) does not win */
	assert_int_equal(s.last_seen, 400);
	assert_int_equal(s.count, 8);
	assert_int_equal(s.evidence, DB_EV_DNS | DB_EV_TLS | DB_EV_LIST);
	assert_int_equal(s.confidence, DB_CONF_HIGH);
	assert_int_equal(db_sourceset_size(db, s.sources), 2);
	assert_string_equal(db_sourceset_item(db, s.sources, 0), "a");
	assert_string_equal(db_sourceset_item(db, s.sources, 1), "b");
	db_entry_sighting(db, &e[0], 1, &s);
	db_campaign_get(db, s.campaign, &c);
	assert_string_equal(c.name, "c2");
	assert_int_equal(s.count, 7);
	db_close(db);
}

static void test_count_saturates(void **state)
{
	(void)state;
	const struct fx_row rows[] = {
	    {"192.0.2.1", "c", "s", 1, 1, UINT32_MAX - 1, 0, 0},
	    {"192.0.2.1", "c", "s", 1, 1, 5, 0, 0},
	};
	struct db *db = fx_build(test_tmpfile("sat.sdb"), rows, 2);
	struct db_entry e[129];
	assert_int_equal(cover(db, "192.0.2.1", e), 1);
	assert_int_equal(e[0].count, UINT32_MAX);
	db_close(db);
}

static void test_many_random(void **state)
{
	(void)state;
	/* enough keys for a real radix index, clustered IPv6 included */
	struct db_builder *b = db_builder_new();
	struct sd_error err = {0};
	struct db_campaign_meta m = {.name = "c"};
	uint16_t cid;
	uint32_t set;
	const char *src = "s";
	assert_int_equal(db_builder_campaign(b, &m, &cid, &err), 0);
	assert_int_equal(db_builder_sourceset(b, &src, 1, &set, &err), 0);
	enum { N = 20000 };
	static struct net_addr keys[2 * N];
	srand(7);
	for (int i = 0; i < N; i++) {
		net_addr_from_v4(&keys[i],
				 (uint32_t)rand() * 2u); /* even: odd ones are misses */
		uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
		v6[14] = (uint8_t)(i >> 8);
		v6[15] = (uint8_t)(i << 1);
		v6[13] = (uint8_t)(rand() & 0x7f);
		net_addr_from_v6(&keys[N + i], v6);
	}
	for (int i = 0; i < 2 * N; i++) {
		struct net_prefix p;
		net_prefix_host(&p, &keys[i]);
		struct db_sighting s = {1, 2, 1, cid, DB_EV_FLOW, 0, set};
		assert_int_equal(db_builder_add(b, &p, &s, &err), 0);
	}
	const char *path = test_tmpfile("many.sdb");
	assert_int_equal(db_builder_write(b, path, 1, &err), 0);
	db_builder_free(b);
	struct db *db;
	assert_int_equal(db_open(path, &db, &err), 0);
	for (int i = 0; i < 2 * N; i++) {
		assert_true(db_contains(db, &keys[i]));
		struct net_addr miss = keys[i];
		miss.b[15] ^= 1;
		assert_false(db_contains(db, &miss));
	}
	db_close(db);
}

static void test_campaign_metadata(void **state)
{
	(void)state;
	struct db_builder *b = db_builder_new();
	struct sd_error err = {0};
	uint16_t id1, id2;
	struct db_campaign_meta m1 = {"x", "Short", "https://a.example/", "", 200, 300};
	struct db_campaign_meta m2 = {"x", "Longer title", "", "Do this.", 100, 250};
	assert_int_equal(db_builder_campaign(b, &m1, &id1, &err), 0);
	assert_int_equal(db_builder_campaign(b, &m2, &id2, &err), 0);
	assert_int_equal(id1, id2);
	const char *path = test_tmpfile("meta.sdb");
	assert_int_equal(db_builder_write(b, path, 1234, &err), 0);
	db_builder_free(b);
	struct db *db;
	assert_int_equal(db_open(path, &db, &err), 0);
	assert_int_equal(db_build_time(db), 1234);
	assert_int_equal(db_campaign_count(db), 1);
	struct db_campaign c;
	assert_int_equal(db_campaign_get(db, 0, &c), 0);
	assert_string_equal(c.name, "x");
	assert_string_equal(c.title, "Longer title");
	assert_string_equal(c.advisory, "https://a.example/");
	assert_string_equal(c.remediation, "Do this.");
	assert_int_equal(c.window_start, 100);
	assert_int_equal(c.window_end, 300);
	assert_int_equal(db_campaign_find(db, "x"), 0);
	assert_int_equal(db_campaign_find(db, "y"), -1);
	db_close(db);
}

static void test_builder_rejects(void **state)
{
	(void)state;
	struct db_builder *b = db_builder_new();
	struct sd_error err = {0};
	struct net_prefix p;
	struct db_sighting s = {0};
	net_prefix_parse("192.0.2.1", 9, &p, 0, NULL);
	/* unknown campaign id */
	assert_int_equal(db_builder_add(b, &p, &s, &err), SD_ENOTFOUND);
	struct db_campaign_meta m = {0};
	uint16_t id;
	assert_int_equal(db_builder_campaign(b, &m, &id, &err), SD_EPARSE);
	/* an unwritable path leaves nothing behind */
	assert_int_not_equal(db_builder_write(b, "/nonexistent-dir/x.sdb", 1, &err), 0);
	assert_non_null(strstr(err.msg, "/nonexistent-dir/x.sdb"));
	db_builder_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_hosts_and_prefixes),
	    cmocka_unit_test(test_slash_zero_entries),
	    cmocka_unit_test(test_duplicates_combine),
	    cmocka_unit_test(test_count_saturates),
	    cmocka_unit_test(test_many_random),
	    cmocka_unit_test(test_campaign_metadata),
	    cmocka_unit_test(test_builder_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
