/* MISP events: ESET's 3CX/Lazarus event and hand-made variants. */
#include "testutil.h"

#include "loadutil.h"

static void test_eset_to_ids(void **state)
{
	(void)state;
	struct ind_load_opts o = {0};
	struct reports r = {0};
	/* {"response":[{"Event":...}]}, attributes only inside Objects;
	 * to_ids is true only on the URLs and hashes */
	struct ind_set *s = load("iocs/eset-lazarus_3cx.misp.json", &o, &r);
	assert_int_equal(ind_set_size(s), 3);
	assert_true(has_value(s, IND_URL, "https://journalide.org/djour.php"));
	assert_true(has_value(s, IND_URL, "tcp://23.254.211.230/"));
	assert_true(has_value(s, IND_URL, "https://od.lk/d/NTJfMzg4MDE1NzJf/vxmedia"));
	assert_int_equal(ind_set_stats(s)->hashes, 12);
	assert_int_equal(ind_set_stats(s)->filtered, 6);
	struct net_addr a;
	const char *why;
	assert_int_equal(net_addr_parse("23.254.211.230", 14, &a, &why), 0);
	const struct ind_indicator *h[4];
	assert_int_equal(ind_match_addr(s, &a, 0, h, 4), 1);
	ind_set_free(s);
}

static void test_eset_all(void **state)
{
	(void)state;
	struct ind_load_opts o = {.misp_all = true};
	struct reports r = {0};
	struct ind_set *s = load("iocs/eset-lazarus_3cx.misp.json", &o, &r);
	assert_int_equal(ind_set_count(s, IND_ADDR), 3);
	assert_true(has_value(s, IND_DOMAIN, "journalide.org"));
	/* od.lk is a file-sharing host: refused as a domain, reported */
	assert_false(has_value(s, IND_DOMAIN, "od.lk"));
	assert_int_equal(ind_set_stats(s)->shared, 1);
	assert_int_equal(r.by_kind[3], 1);
	ind_set_free(s);
}

/* The auditor's finding 3: evil.com|104.21.45.67 made the Cloudflare
 * address an indicator, listing every client of it. */
static void test_domain_ip_context(void **state)
{
	(void)state;
	const char *ev = "{\"Event\":{\"info\":\"x\",\"Attribute\":[{\"type\":"
			 "\"domain|ip\",\"value\":\"evil.com|104.21.45.67\","
			 "\"to_ids\":true}]}}";
	struct ind_load_opts o = {0};
	struct reports r = {0};
	int rc;
	struct ind_set *s = load_buf(ind_load_misp, ev, &o, &r, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(ind_set_size(s), 1);
	assert_true(has_value(s, IND_DOMAIN, "evil.com"));
	assert_int_equal(ind_set_stats(s)->filtered, 1);
	assert_int_equal(r.by_kind[4], 1);
	assert_non_null(strstr(r.last, "evil.com|104.21.45.67"));
	assert_non_null(strstr(r.last, "--misp-all"));
	ind_set_free(s);
	/* --misp-all asks for it */
	struct ind_load_opts all = {.misp_all = true};
	s = load_buf(ind_load_misp, ev, &all, &r, &rc);
	assert_int_equal(rc, 0);
	assert_true(has_value(s, IND_ADDR, "104.21.45.67"));
	assert_int_equal(ind_set_stats(s)->filtered, 0);
	ind_set_free(s);
}

static void test_shapes(void **state)
{
	(void)state;
	struct ind_load_opts o = {0};
	struct reports r = {0};
	int rc;
	struct ind_set *s = load_buf(ind_load_misp,
		"{\"Event\":{\"Attribute\":["
		"{\"type\":\"ip-dst|port\",\"value\":\"192.0.2.1|443\",\"to_ids\":\"1\"},"
		"{\"type\":\"domain|ip\",\"value\":\"evil.example|198.51.100.7\",\"to_ids\":true},"
		"{\"type\":\"hostname\",\"value\":\"c2.evil.example\"},"
		"{\"type\":\"ip-src\",\"value\":\"not-an-ip\",\"to_ids\":true},"
		"{\"type\":\"email-src\",\"value\":\"a@b.example\",\"to_ids\":true},"
		"{\"type\":\"url\",\"value\":\"http://x.example/\",\"to_ids\":true,\"deleted\":true},"
		"{\"type\":\"domain\",\"value\":42}],"
		"\"Object\":[{\"name\":\"domain-ip\",\"Attribute\":["
		"{\"type\":\"ip-dst\",\"value\":\"203.0.113.9\",\"to_ids\":\"0\"}]}]}}",
		&o, &r, &rc);
	assert_int_equal(rc, 0);
	assert_true(has_value(s, IND_ADDR, "192.0.2.1"));
	assert_true(has_value(s, IND_DOMAIN, "evil.example"));
	/* the address of domain|ip is the domain's resolution: context */
	assert_false(has_value(s, IND_ADDR, "198.51.100.7"));
	assert_true(has_value(s, IND_DOMAIN, "c2.evil.example"));
	assert_false(has_value(s, IND_ADDR, "203.0.113.9"));
	assert_int_equal(ind_set_stats(s)->malformed, 2);
	assert_int_equal(ind_set_stats(s)->unsupported, 1);
	assert_int_equal(ind_set_stats(s)->filtered, 3);
	ind_set_free(s);
	s = load_buf(ind_load_misp, "[1,2]", &o, &r, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(ind_set_size(s), 0);
	ind_set_free(s);
	s = load_buf(ind_load_misp, "{\"foo\":1}", &o, &r, &rc);
	assert_int_equal(rc, SD_EFORMAT);
	ind_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eset_to_ids),
		cmocka_unit_test(test_eset_all),
		cmocka_unit_test(test_domain_ip_context),
		cmocka_unit_test(test_shapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
