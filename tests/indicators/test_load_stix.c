/* STIX 2.1 bundles: the OASIS examples and hand-made patterns. */
#include "testutil.h"

#include "loadutil.h"

static void test_oasis_examples(void **state)
{
	(void)state;
	struct ind_load_opts o = {0};
	struct reports r = {0};
	struct ind_set *s = load("iocs/stix2-examples/indicator-for-c2-ip-address.json", &o, &r);
	assert_int_equal(ind_set_size(s), 1);
	assert_true(has_value(s, IND_ADDR, "10.0.0.0"));
	assert_int_equal(ind_set_at(s, 0)->valid_from, 1399539600); /* 2014-05-08T09:00:00Z */
	ind_set_free(s);

	/* spaces inside brackets; the campaign named by an "indicates" edge */
	memset(&r, 0, sizeof(r));
	s = load("iocs/stix2-examples/indicator-to-campaign-relationship.json", &o, &r);
	assert_int_equal(ind_set_size(s), 1);
	assert_string_equal(ind_set_at(s, 0)->campaign, "Operation Omega");
	ind_set_free(s);

	/* file:hashes.'SHA-256' with a quoted property name: a hash */
	memset(&r, 0, sizeof(r));
	s = load("iocs/stix2-examples/indicators-for-C2-with-COA.json", &o, &r);
	assert_int_equal(ind_set_size(s), 1);
	assert_int_equal(ind_set_stats(s)->hashes, 1);
	ind_set_free(s);
}

static void test_patterns(void **state)
{
	(void)state;
	struct ind_load_opts o = {0};
	struct reports r = {0};
	int rc;
	struct ind_set *s = load_buf(ind_load_stix,
		"{\"type\":\"bundle\",\"objects\":["
		"{\"type\":\"indicator\",\"id\":\"indicator--1\",\"pattern_type\":\"stix\","
		" \"pattern\":\"[domain-name:value = 'Evil.Example' OR url:value = 'https://evil.example/x'] OR [ipv6-addr:value='2001:db8::1']\","
		" \"valid_from\":\"2023-03-01T00:00:00Z\",\"valid_until\":\"2023-04-01T00:00:00Z\"},"
		"{\"type\":\"indicator\",\"id\":\"indicator--2\",\"pattern_type\":\"stix\","
		" \"pattern\":\"[ipv4-addr:value = '192.0.2.1' AND network-traffic:dst_port = 443]\"},"
		"{\"type\":\"indicator\",\"id\":\"indicator--3\",\"pattern_type\":\"sigma\",\"pattern\":\"x\"},"
		"{\"type\":\"indicator\",\"id\":\"indicator--4\",\"pattern_type\":\"stix\","
		" \"pattern\":\"[ipv4-addr:value = '198.51.100.0/24'] OR [url:value = 'it\\\\'s.example/a']\"},"
		"{\"type\":\"indicator\",\"id\":\"indicator--5\",\"pattern\":\"[ipv4-addr:value != '192.0.2.9']\"},"
		"{\"type\":\"indicator\",\"id\":\"indicator--6\",\"pattern\":\"[ipv4-addr:value = '192.0.2.9'\"},"
		"{\"type\":\"indicator\",\"id\":\"indicator--7\",\"pattern\":\"[x] \",\"valid_from\":\"soon\"},"
		"{\"type\":\"domain-name\",\"value\":\"ignored.example\"}]}",
		&o, &r, &rc);
	assert_int_equal(rc, 0);
	assert_true(has_value(s, IND_DOMAIN, "evil.example"));
	assert_true(has_value(s, IND_URL, "https://evil.example/x"));
	assert_true(has_value(s, IND_ADDR, "2001:db8::1"));
	assert_true(has_value(s, IND_PREFIX, "198.51.100.0/24"));
	assert_int_equal(ind_set_at(s, 0)->valid_until, 1680307200);
	/* AND, sigma, != : unsupported; the quote inside a value is
	 * unescaped and then refused as a host; a bad time is malformed */
	assert_int_equal(ind_set_stats(s)->unsupported, 3);
	assert_int_equal(ind_set_stats(s)->malformed, 2);
	/* the unterminated bracket still parses: brackets are optional */
	assert_true(has_value(s, IND_ADDR, "192.0.2.9"));
	assert_non_null(strstr(r.last, "indicator--7"));
	ind_set_free(s);
}

static void test_not_json(void **state)
{
	(void)state;
	struct ind_load_opts o = {0};
	struct reports r = {0};
	int rc;
	struct ind_set *s = load_buf(ind_load_stix, "{\"objects\": [", &o, &r, &rc);
	assert_int_equal(rc, SD_EPARSE);
	ind_set_free(s);
	s = load_buf(ind_load_stix, "{\"type\": \"bundle\"}", &o, &r, &rc);
	assert_int_equal(rc, SD_EFORMAT);
	ind_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oasis_examples),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_not_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
