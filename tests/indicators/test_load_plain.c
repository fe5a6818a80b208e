/* Plain lists: signature-base's LOKI lists and defanged hand-made lines. */
#include "testutil.h"

#include "loadutil.h"

static void test_signature_base_c2(void **state)
{
	(void)state;
	struct ind_load_opts o = {.campaign = "3cx"};
	struct reports r = {0};
	struct ind_set *s = load("iocs/signature-base-c2-iocs-3cx-excerpt.txt", &o, &r);
	/* 23 + 6 domains in the two sections, 3 of them in both */
	assert_int_equal(ind_set_count(s, IND_DOMAIN), 26);
	assert_int_equal(ind_set_stats(s)->duplicates, 3);
	assert_int_equal(ind_set_stats(s)->malformed, 0);
	assert_true(has_value(s, IND_DOMAIN, "apollo-crypto.org.shilaerc20.com"));
	assert_string_equal(ind_set_at(s, 0)->campaign, "3cx");
	assert_string_equal(ind_set_at(s, 0)->source,
			    "signature-base-c2-iocs-3cx-excerpt.txt");
	ind_set_free(s);
}

static void test_signature_base_hashes(void **state)
{
	(void)state;
	struct ind_load_opts o = {0};
	struct reports r = {0};
	struct ind_set *s = load("iocs/signature-base-hash-iocs-3cx-excerpt.txt", &o, &r);
	/* HASH;COMMENT and HASH;SCORE;COMMENT: all counted, none usable */
	assert_int_equal(ind_set_size(s), 0);
	assert_int_equal(ind_set_stats(s)->hashes, 53);
	assert_int_equal(r.by_kind[1], 53);
	assert_int_equal(ind_set_stats(s)->malformed, 0);
	ind_set_free(s);
}

static void test_defanged(void **state)
{
	(void)state;
	struct ind_load_opts o = {0};
	struct reports r = {0};
	int rc;
	struct ind_set *s = load_buf(ind_load_plain,
				     "\xef\xbb\xbf# comment\r\n"
				     "akamaicontainer[.]com\r\n"
				     "hxxps[:]//msedgeupdate(.)net/Windows\n"
				     "38.108.185[.]79 38.108.185[.]115\n"
				     "2001:db8::[:]1\n"
				     "\n"
				     "evil.example   # trailing comment\n"
				     "not a domain!\n",
				     &o, &r, &rc);
	assert_int_equal(rc, 0);
	assert_true(has_value(s, IND_DOMAIN, "akamaicontainer.com"));
	assert_true(has_value(s, IND_URL, "https://msedgeupdate.net/Windows"));
	assert_true(has_value(s, IND_ADDR, "38.108.185.79"));
	assert_true(has_value(s, IND_ADDR, "38.108.185.115"));
	assert_true(has_value(s, IND_DOMAIN, "evil.example"));
	/* "not", "a", "domain!" are reported, one line each */
	assert_int_equal(ind_set_stats(s)->malformed, 4);
	assert_non_null(strstr(r.last, "buf:8"));
	ind_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature_base_c2),
		cmocka_unit_test(test_signature_base_hashes),
		cmocka_unit_test(test_defanged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
