/* CSV loader on the real vendor files and the normalised list. */
#include "testutil.h"

#include "loadutil.h"

static void test_sophos(void **state)
{
	(void)state;
	struct ind_load_opts o = {0};
	struct reports r = {0};
	/* BOM, CRLF, defanged values, domains typed URL, a Description row */
	struct ind_set *s = load("iocs/sophoslabs-3CX-IoCs-2023-03.csv", &o, &r);
	assert_int_equal(ind_set_count(s, IND_DOMAIN), 21);
	assert_int_equal(ind_set_count(s, IND_URL), 1);
	assert_int_equal(ind_set_stats(s)->hashes, 8);
	assert_int_equal(ind_set_stats(s)->unsupported, 1);
	assert_int_equal(ind_set_stats(s)->malformed, 0);
	assert_true(has_value(s, IND_DOMAIN, "akamaicontainer.com"));
	assert_true(has_value(s, IND_URL, "raw.githubusercontent.com/IconStorages/images/main/"));
	for (size_t i = 0; i < ind_set_size(s); i++)
		if (ind_set_at(s, i)->kind == IND_URL)
			assert_true(ind_set_at(s, i)->flags & IND_SHARED);
	ind_set_free(s);
}

static void test_volexity(void **state)
{
	(void)state;
	struct ind_load_opts o = {0};
	struct reports r = {0};
	struct ind_set *s = load("iocs/volexity-3cx-iocs.csv", &o, &r);
	assert_int_equal(ind_set_count(s, IND_DOMAIN), 23);
	/* six "sha256,sha1,md5" triples in one quoted field each */
	assert_int_equal(ind_set_stats(s)->hashes, 18);
	assert_int_equal(ind_set_stats(s)->unsupported, 5); /* emailwhois */
	assert_true(has_value(s, IND_DOMAIN, "www.journalide.org"));
	ind_set_free(s);
}

static void test_volexity_github_summary(void **state)
{
	(void)state;
	struct ind_load_opts o = {0};
	struct reports r = {0};
	/* File,Creation,Last Modified,Domain: the Domain column, defanged */
	struct ind_set *s = load("iocs/volexity-3cx-github_summary.csv", &o, &r);
	assert_int_equal(ind_set_count(s, IND_DOMAIN), 14);
	assert_true(has_value(s, IND_DOMAIN, "msstorageazure.com"));
	assert_int_equal(ind_set_stats(s)->malformed, 0);
	ind_set_free(s);
}

static void test_normalised_include(void **state)
{
	(void)state;
	struct ind_load_opts o = {.include = {"gopuram-2023"}, .ninclude = 1};
	struct reports r = {0};
	struct ind_set *s = load("iocs/3cx-indicators.csv", &o, &r);
	/* Gopuram: hashes only */
	assert_int_equal(ind_set_size(s), 0);
	assert_int_equal(ind_set_stats(s)->hashes, 10);
	assert_int_equal(ind_set_stats(s)->filtered, 150);
	ind_set_free(s);

	struct ind_load_opts all = {0};
	struct reports r2 = {0};
	s = load("iocs/3cx-indicators.csv", &all, &r2);
	assert_int_equal(ind_set_count(s, IND_ADDR), 4);
	assert_int_equal(ind_set_count(s, IND_URL), 37);
	assert_int_equal(ind_set_stats(s)->hashes, 87);
	assert_true(has_value(s, IND_URL, "https://od.lk/d/NTJfMzg4MDE1NzJf/vxmedia"));
	const struct ind_indicator *d = ind_set_at(s, 0);
	assert_string_equal(d->campaign, "3cx-desktopapp-2023");
	assert_non_null(strstr(d->source, "sophoslabs/IoCs"));
	ind_set_free(s);
}

static void test_typed_with_validity(void **state)
{
	(void)state;
	struct ind_load_opts o = {0};
	struct reports r = {0};
	int rc;
	struct ind_set *s = load_buf(ind_load_csv,
				     "type,value,campaign,source,valid_from,valid_until\n"
				     "domain,evil[.]example,x,feed,2023-03-01,2023-03-31\n"
				     "cidr,192.0.2.0/24,x,feed,,\n"
				     "ipv4,192.0.2.300,x,feed,,\n"
				     "domain,\"unterminated,x,feed,,\n"
				     "domain,good.example,x,feed,yesterday,\n"
				     "mutex,Global\\\\abc,x,feed,,\n",
				     &o, &r, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(ind_set_size(s), 2);
	const struct ind_indicator *d = ind_set_at(s, 0);
	assert_string_equal(d->value, "evil.example");
	assert_int_equal(d->valid_from, 1677628800);
	assert_int_equal(d->valid_until, 1680307199); /* end of 2023-03-31 */
	assert_int_equal(ind_set_at(s, 1)->kind, IND_PREFIX);
	assert_int_equal(ind_set_stats(s)->malformed, 3);
	assert_int_equal(ind_set_stats(s)->unsupported, 1);
	ind_set_free(s);
}

/* The auditor's finding 5: an epoch valid_until is ten characters long
 * too, and got a day added (1678881600 read as 2023-03-16T11:59:59Z). */
static void test_epoch_until_exact(void **state)
{
	(void)state;
	struct ind_load_opts o = {0};
	struct reports r = {0};
	int rc;
	struct ind_set *s = load_buf(ind_load_csv,
				     "type,value,valid_until\n"
				     "domain,evil.com,1678881600\n"
				     "domain,evil2.com,2023-03-15\n"
				     "domain,evil3.com,2023-03-15T12:00:00Z\n",
				     &o, &r, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(ind_set_size(s), 3);
	assert_int_equal(ind_set_at(s, 0)->valid_until, 1678881600);
	assert_int_equal(ind_set_at(s, 1)->valid_until, 1678924799); /* end of day */
	assert_int_equal(ind_set_at(s, 2)->valid_until, 1678881600);
	ind_set_free(s);
}

static void test_no_value_column(void **state)
{
	(void)state;
	struct ind_load_opts o = {0};
	struct reports r = {0};
	int rc;
	struct ind_set *s = load_buf(ind_load_csv, "a,b,c\n1,2,3\n", &o, &r, &rc);
	assert_int_equal(rc, SD_EFORMAT);
	ind_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sophos),
		cmocka_unit_test(test_volexity),
		cmocka_unit_test(test_volexity_github_summary),
		cmocka_unit_test(test_normalised_include),
		cmocka_unit_test(test_typed_with_validity),
		cmocka_unit_test(test_epoch_until_exact),
		cmocka_unit_test(test_no_value_column),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
