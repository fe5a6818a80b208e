/* Address and prefix parsing, formatting and containment. */
#include "testutil.h"

#include "core/error.h"
#include "net/addr.h"

static void roundtrip(const char *in, const char *want)
{
	struct net_addr a;
	const char *why = NULL;
	int rc = net_addr_parse(in, strlen(in), &a, &why);
	if (rc)
		fail_msg("'%s' rejected: %s", in, why);
	char buf[NET_ADDR_STRLEN];
	net_addr_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void rejected(const char *in, const char *why_part)
{
	struct net_addr a;
	const char *why = NULL;
	int rc = net_addr_parse(in, strlen(in), &a, &why);
	if (rc == 0)
		fail_msg("'%s' accepted", in);
	assert_non_null(why);
	if (why_part && !strstr(why, why_part))
		fail_msg("'%s': reason '%s' lacks '%s'", in, why, why_part);
}

static void test_ipv4_valid(void **state)
{
	(void)state;
	roundtrip("0.0.0.0", "0.0.0.0");
	roundtrip("192.0.2.7", "192.0.2.7");
	roundtrip("255.255.255.255", "255.255.255.255");
	roundtrip("10.0.0.1", "10.0.0.1");
}

static void test_ipv4_invalid(void **state)
{
	(void)state;
	rejected("", "empty");
	rejected("1.2.3", "fewer than 4");
	rejected("1.2.3.4.5", "more than 4");
	rejected("256.1.1.1", "greater than 255");
	rejected("01.2.3.4", "leading zero");
	rejected("1.2.3.04", "leading zero");
	rejected("1.2.3.4 ", "trailing");
	rejected("1.2.3.4x", "trailing");
	rejected("1..3.4", "empty");
	rejected("1.2.3.-4", NULL);
	rejected(" 1.2.3.4", NULL);
}

static void test_ipv6_forms(void **state)
{
	(void)state;
	/* RFC 4291 2.2 forms, RFC 5952 output */
	roundtrip("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1");
	roundtrip("2001:DB8::1", "2001:db8::1");
	roundtrip("::", "::");
	roundtrip("::1", "::1");
	roundtrip("1::", "1::");
	roundtrip("fe80:0000:0000:0000:fada:0cff:fedc:87f1", "fe80::fada:cff:fedc:87f1");
	roundtrip("2607:f8b0:4006:0805:0000:0000:0000:200e", "2607:f8b0:4006:805::200e");
	/* a single zero group is not compressed (RFC 5952 4.2.2) */
	roundtrip("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");
	/* the longest run wins; the first on a tie (4.2.3) */
	roundtrip("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");
	roundtrip("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
	/* embedded IPv4 */
	roundtrip("64:ff9b::192.0.2.33", "64:ff9b::c000:221");
	roundtrip("::ffff:192.0.2.1", "192.0.2.1");
	roundtrip("::FFFF:c000:0201", "192.0.2.1");
	roundtrip("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304");
}

static void test_ipv6_invalid(void **state)
{
	(void)state;
	rejected("fe80::1%eth0", "zone");
	rejected("1:2:3:4:5:6:7:8:9", "more than 8");
	rejected("1::2::3", "more than one");
	rejected("12345::", "longer than 4");
	rejected("1:2:3:4:5:6:7", "fewer than 8");
	rejected(":1:2:3:4:5:6:7", "single ':'");
	rejected("1:2:3:4:5:6:7:", "single ':'");
	rejected("1:2:3:4:5:6:7::8", "at least one group");
	rejected("::1.2.3.04", "leading zero");
	rejected("1:2:3:4:5:6:7:1.2.3.4", "does not fit");
	rejected("::g", "unexpected");
	rejected("2001:db8::1 ", "unexpected");
}

static void prefix_ok(const char *in, const char *want, unsigned display_len)
{
	struct net_prefix p;
	const char *why = NULL;
	if (net_prefix_parse(in, strlen(in), &p, 0, &why))
		fail_msg("'%s' rejected: %s", in, why);
	char buf[NET_PREFIX_STRLEN];
	net_prefix_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_int_equal(net_prefix_display_len(&p), display_len);
}

static void test_prefixes(void **state)
{
	(void)state;
	prefix_ok("0.0.0.0/0", "0.0.0.0/0", 0);
	prefix_ok("192.0.2.0/24", "192.0.2.0/24", 24);
	prefix_ok("192.0.2.7/32", "192.0.2.7/32", 32);
	prefix_ok("192.0.2.7", "192.0.2.7/32", 32);
	prefix_ok("::/0", "::/0", 0);
	prefix_ok("2001:db8::/32", "2001:db8::/32", 32);
	prefix_ok("2001:db8::1/128", "2001:db8::1/128", 128);
	/* one rule: ::ffff:0:0/96 is all of IPv4 */
	prefix_ok("::ffff:0:0/96", "0.0.0.0/0", 0);
	prefix_ok("::ffff:192.0.2.0/120", "192.0.2.0/24", 24);

	struct net_prefix a, b;
	assert_int_equal(net_prefix_parse("::ffff:0:0/96", 13, &a, 0, NULL), 0);
	assert_int_equal(net_prefix_parse("0.0.0.0/0", 9, &b, 0, NULL), 0);
	assert_int_equal(net_prefix_cmp(&a, &b), 0);
}

static void test_prefix_invalid(void **state)
{
	(void)state;
	struct net_prefix p;
	const char *why;
	assert_int_equal(net_prefix_parse("192.0.2.1/24", 12, &p, 0, &why), SD_EHOSTBITS);
	assert_non_null(strstr(why, "host bits"));
	/* reported, and masked only when asked */
	assert_int_equal(net_prefix_parse("192.0.2.1/24", 12, &p, NET_ALLOW_HOSTBITS, &why), 0);
	char buf[NET_PREFIX_STRLEN];
	net_prefix_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "192.0.2.0/24");
	assert_int_equal(net_prefix_parse("2001:db8::1/32", 14, &p, 0, &why), SD_EHOSTBITS);
	assert_int_equal(net_prefix_parse("192.0.2.0/33", 12, &p, 0, &why), SD_ERANGE);
	assert_int_equal(net_prefix_parse("::/129", 6, &p, 0, &why), SD_ERANGE);
	assert_int_equal(net_prefix_parse("192.0.2.0/", 10, &p, 0, &why), SD_EPARSE);
	assert_int_equal(net_prefix_parse("192.0.2.0/024", 13, &p, 0, &why), SD_EPARSE);
	assert_int_equal(net_prefix_parse("192.0.2.0/24x", 13, &p, 0, &why), SD_EPARSE);
	assert_int_equal(net_prefix_parse("192.0.2.0", 9, &p, NET_REQUIRE_LENGTH, &why), SD_EPARSE);
	assert_int_equal(net_prefix_parse("fe80::/10%eth0", 14, &p, 0, &why), SD_EPARSE);
}

static struct net_addr A(const char *s)
{
	struct net_addr a;
	assert_int_equal(net_addr_parse(s, strlen(s), &a, NULL), 0);
	return a;
}

static struct net_prefix P(const char *s)
{
	struct net_prefix p;
	assert_int_equal(net_prefix_parse(s, strlen(s), &p, 0, NULL), 0);
	return p;
}

static void test_contains(void **state)
{
	(void)state;
	struct net_prefix all4 = P("0.0.0.0/0"), all = P("::/0");
	struct net_addr v4 = A("203.0.113.9"), v6 = A("2001:db8::9");
	assert_true(net_prefix_contains(&all4, &v4));
	assert_false(net_prefix_contains(&all4, &v6));
	assert_true(net_prefix_contains(&all, &v4));
	assert_true(net_prefix_contains(&all, &v6));
	struct net_prefix n24 = P("203.0.113.0/24"), h = P("203.0.113.9/32");
	assert_true(net_prefix_contains(&n24, &v4));
	assert_true(net_prefix_contains(&h, &v4));
	struct net_addr other = A("203.0.114.9");
	assert_false(net_prefix_contains(&n24, &other));
	assert_true(net_prefix_contains_prefix(&n24, &h));
	assert_false(net_prefix_contains_prefix(&h, &n24));
	struct net_prefix n25 = P("203.0.113.128/25");
	assert_true(net_prefix_contains_prefix(&n24, &n25));
	assert_false(net_prefix_contains(&n25, &v4));
	struct net_addr last;
	net_prefix_last(&n24, &last);
	char buf[NET_ADDR_STRLEN];
	net_addr_format(&last, buf, sizeof(buf));
	assert_string_equal(buf, "203.0.113.255");
	struct net_prefix odd = P("2001:db8::/33");
	net_prefix_last(&odd, &last);
	net_addr_format(&last, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff");
}

static void test_order(void **state)
{
	(void)state;
	struct net_prefix a = P("192.0.2.0/24"), b = P("192.0.2.0/25"), c = P("192.0.2.1");
	assert_true(net_prefix_cmp(&a, &b) < 0);
	assert_true(net_prefix_cmp(&b, &c) < 0);
	struct net_addr x = A("::1"), y = A("0.0.0.1");
	/* ::1 sorts before every IPv4-mapped address */
	assert_true(net_addr_cmp(&x, &y) < 0);
	assert_int_equal(net_addr_v4(&y), 1);
	assert_true(net_addr_is_v4(&y));
	assert_false(net_addr_is_v4(&x));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_valid),   cmocka_unit_test(test_ipv4_invalid),
		cmocka_unit_test(test_ipv6_forms),   cmocka_unit_test(test_ipv6_invalid),
		cmocka_unit_test(test_prefixes),     cmocka_unit_test(test_prefix_invalid),
		cmocka_unit_test(test_contains),     cmocka_unit_test(test_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
