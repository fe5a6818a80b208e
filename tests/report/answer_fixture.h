/* The snapshot the answer renderers are tested on (tests/report,
 * tests/server): two campaigns on one address, a prefix with an address
 * inside it, an IPv6 address, sources that need CSV quoting and a title
 * given by the test (quotes, tabs, non-ASCII). */
#ifndef SD_TESTS_ANSWER_FIXTURE_H
#define SD_TESTS_ANSWER_FIXTURE_H

#include "testutil.h"

#include "db/builder.h"

static void fixture_add(struct db_builder *b, const char *prefix, const char *campaign,
			const char *title, const char *const *sources, size_t nsrc,
			uint32_t first, uint32_t last, uint32_t count, uint8_t evidence)
{
	struct sd_error err = {0};
	struct db_campaign_meta m = {.name = campaign, .title = title};
	uint16_t cid;
	uint32_t set;
	assert_int_equal(db_builder_campaign(b, &m, &cid, &err), 0);
	assert_int_equal(db_builder_sourceset(b, sources, nsrc, &set, &err), 0);
	struct net_prefix p;
	const char *why;
	assert_int_equal(net_prefix_parse(prefix, strlen(prefix), &p, 0, &why), 0);
	struct db_sighting s = {first, last, count, cid, evidence, DB_CONF_HIGH, set};
	assert_int_equal(db_builder_add(b, &p, &s, &err), 0);
}

/* Writes the fixture snapshot to path, title naming the 3cx campaign. */
static void fixture_write(const char *path, const char *title)
{
	struct db_builder *b = db_builder_new();
	assert_non_null(b);
	const char *src1[] = {"feed,one", "=cmd"};
	const char *src2[] = {"plain"};
	fixture_add(b, "192.0.2.7", "3cx-2023", title, src1, 2, 1680000000, 1680003600, 1,
		    DB_EV_LIST | DB_EV_FLOW);
	fixture_add(b, "192.0.2.7", "gopuram-2023", "", src2, 1, 0, 0, 5, DB_EV_DNS);
	fixture_add(b, "198.51.100.128/26", "3cx-2023", title, src2, 1, 1680000000,
		    1680000000, 2, DB_EV_LIST);
	fixture_add(b, "198.51.100.130", "3cx-2023", title, src2, 1, 0, 0, 1, DB_EV_TLS);
	fixture_add(b, "2001:db8::1", "gopuram-2023", "", src2, 1, 1680000000, 1690000000,
		    3, DB_EV_HTTP);
	struct sd_error err = {0};
	assert_int_equal(db_builder_write(b, path, 1700000000, &err), 0);
	db_builder_free(b);
}

#endif
