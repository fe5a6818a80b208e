/* Property: for random snapshots, every address looked up in the exported
 * MMDB with libmaxminddb gives what db_cover gives on the snapshot: listed
 * or not, the most specific network, the campaigns and the summed count,
 * for IPv4, IPv6 and IPv4-mapped IPv6 (through the ::ffff:0:0/96 alias),
 * with and without filters, for record sizes chosen by size. */
#include "testutil.h"

#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>

#include "core/limits.h"
#include "export/export.h"
#include "report/report.h"
#include "snapgen.h"

struct expect {
	bool listed;
	char network[NET_PREFIX_STRLEN];
	uint64_t count;
	unsigned ncamps;
};

static struct expect expected(const struct db *db, const struct export_filter *f,
			      const struct net_addr *a)
{
	struct expect x = {0};
	struct db_entry hits[SD_MAX_CHECK_HITS];
	struct net_prefix q;
	net_prefix_host(&q, a);
	size_t nh = db_cover(db, &q, hits, SD_MAX_CHECK_HITS);
	uint32_t seen = 0;
	for (size_t h = 0; h < nh; h++)
		for (uint32_t i = 0; i < hits[h].nsightings; i++) {
			struct db_sighting s;
			db_entry_sighting(db, &hits[h], i, &s);
			if (!export_sighting_passes(f, &s))
				continue;
			if (!x.listed)
				report_format_prefix(&hits[h].prefix, x.network,
						     sizeof(x.network));
			x.listed = true;
			x.count += s.count;
			if (!(seen & 1u << s.campaign))
				x.ncamps++;
			seen |= 1u << s.campaign;
		}
	if (x.count > UINT32_MAX)
		x.count = UINT32_MAX;
	return x;
}

static void lookup(MMDB_s *mm, const struct sockaddr *sa, const struct expect *x,
		   const char *what)
{
	int mmerr;
	MMDB_lookup_result_s r = MMDB_lookup_sockaddr(mm, sa, &mmerr);
	assert_int_equal(mmerr, MMDB_SUCCESS);
	if (r.found_entry != x->listed)
		fail_msg("%s: mmdb found=%d, snapshot listed=%d", what, r.found_entry,
			 x->listed);
	if (!x->listed)
		return;
	MMDB_entry_data_s d;
	assert_int_equal(MMDB_get_value(&r.entry, &d, "network", NULL), MMDB_SUCCESS);
	assert_true(d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING);
	if (strlen(x->network) != d.data_size ||
	    memcmp(x->network, d.utf8_string, d.data_size))
		fail_msg("%s: network %.*s, expected %s", what, (int)d.data_size,
			 d.utf8_string, x->network);
	assert_int_equal(MMDB_get_value(&r.entry, &d, "listed", NULL), MMDB_SUCCESS);
	assert_int_equal(d.type, MMDB_DATA_TYPE_BOOLEAN);
	assert_true(d.boolean);
	assert_int_equal(MMDB_get_value(&r.entry, &d, "count", NULL), MMDB_SUCCESS);
	assert_int_equal(d.type, MMDB_DATA_TYPE_UINT32);
	assert_int_equal(d.uint32, x->count);
	MMDB_entry_data_list_s *list = NULL;
	assert_int_equal(MMDB_get_value(&r.entry, &d, "campaigns", NULL), MMDB_SUCCESS);
	assert_int_equal(d.type, MMDB_DATA_TYPE_ARRAY);
	assert_int_equal(d.data_size, x->ncamps);
	/* the full record must decode (pointers, nested maps and arrays) */
	assert_int_equal(MMDB_get_entry_data_list(&r.entry, &list), MMDB_SUCCESS);
	MMDB_free_entry_data_list(list);
}

static void check_addr(MMDB_s *mm, const struct db *db, const struct export_filter *f,
		       const struct net_addr *a)
{
	struct expect x = expected(db, f, a);
	char what[NET_ADDR_STRLEN];
	net_addr_format(a, what, sizeof(what));
	if (net_addr_is_v4(a)) {
		struct sockaddr_in s4 = {.sin_family = AF_INET};
		memcpy(&s4.sin_addr, a->b + 12, 4);
		lookup(mm, (struct sockaddr *)&s4, &x, what);
	}
	/* ::/96 is the IPv4 subtree in an MMDB: an IPv6 address there reads
	 * as the IPv4 address in its low bits (docs/export-mmdb.md) */
	if (net_addr_hi(a) == 0 && net_addr_lo(a) >> 32 == 0)
		return;
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
	memcpy(&s6.sin6_addr, a->b, 16);
	lookup(mm, (struct sockaddr *)&s6, &x, what);
}

static int probe_entry(const struct db_entry *e, void *p)
{
	void **c = p;
	struct net_addr last;
	check_addr(c[0], c[1], c[2], &e->prefix.addr);
	net_prefix_last(&e->prefix, &last);
	check_addr(c[0], c[1], c[2], &last);
	return 0;
}

static unsigned force_bits;

static void roundtrip(size_t n, const struct net_prefix *extra, size_t nextra,
		      const struct export_filter *f, unsigned want_bits)
{
	struct sd_error err = {0};
	const char *sdb = test_tmpfile("rt.sdb"), *mmdb = test_tmpfile("rt.mmdb");
	if (sg_build(sdb, n, extra, nextra, &err))
		fail_msg("build: %s", err.msg);
	struct db *db;
	if (db_open(sdb, &db, &err))
		fail_msg("open: %s", err.msg);
	struct export_opts o = {
	    .filter = *f, .build_time = 1700000000u, .mmdb_record_bits = force_bits};
	struct export_stats st;
	if (export_mmdb(db, &o, mmdb, &st, &err))
		fail_msg("export: %s", err.msg);
	MMDB_s mm;
	assert_int_equal(MMDB_open(mmdb, MMDB_MODE_MMAP, &mm), MMDB_SUCCESS);
	assert_int_equal(mm.metadata.ip_version, 6);
	assert_string_equal(mm.metadata.database_type, "sighted-impacted");
	assert_int_equal(mm.metadata.binary_format_major_version, 2);
	if (want_bits)
		assert_int_equal(mm.metadata.record_size, want_bits);
	/* every entry's first and last address, then random probes */
	void *ctx[3] = {&mm, db, (void *)f};
	db_foreach(db, probe_entry, ctx);
	for (int i = 0; i < 20000; i++) {
		struct net_addr a;
		sg_addr(&a, i % 3 != 0);
		check_addr(&mm, db, f, &a);
		uint64_t hi = sg_rand(), lo = sg_rand();
		net_addr_from_u64(&a, hi, lo);
		check_addr(&mm, db, f, &a);
		net_addr_from_v4(&a, (uint32_t)sg_rand());
		check_addr(&mm, db, f, &a);
	}
	MMDB_close(&mm);
	db_close(db);
}

static void all_small(void **state)
{
	(void)state;
	struct export_filter f;
	export_filter_init(&f);
	roundtrip(300, NULL, 0, &f, 24);
}

static void all_larger(void **state)
{
	(void)state;
	struct export_filter f;
	export_filter_init(&f);
	/* enough nodes and data for 28-bit records */
	roundtrip(120000, NULL, 0, &f, 28);
}

static void filtered(void **state)
{
	(void)state;
	struct export_filter f = {.campaign = 1, .min_confidence = DB_CONF_MEDIUM};
	roundtrip(3000, NULL, 0, &f, 0);
}

/* Prefixes at the edges of the IPv4 mapping: all of IPv4, IPv6 prefixes
 * that hold ::ffff:0:0/96, one next to ::/96 that must not leak into IPv4,
 * and ::/0 itself. */
static void edges(void **state)
{
	(void)state;
	struct net_prefix ex[5];
	const char *txt[5] = {"0.0.0.0/0", "::ffc0:0:0/90", "::/95", "2001:db8::/32",
			      "::/0"};
	const char *why;
	for (int i = 0; i < 5; i++)
		assert_int_equal(
		    net_prefix_parse(txt[i], strlen(txt[i]), &ex[i], 0, &why), 0);
	struct export_filter f;
	export_filter_init(&f);
	f.allow_broad = true;		  /* the tree's edges, /0 included */
	roundtrip(200, ex + 1, 3, &f, 0); /* no 0.0.0.0/0, no ::/0 */
	roundtrip(200, ex, 2, &f, 0);
	roundtrip(200, ex + 4, 1, &f, 0);
	roundtrip(0, NULL, 0, &f, 24); /* empty snapshot */
}

/* The same small snapshot in each node layout (24, 28, 32 bits). */
static void layouts(void **state)
{
	(void)state;
	struct export_filter f;
	export_filter_init(&f);
	for (unsigned bits = 24; bits <= 32; bits += 4) {
		force_bits = bits;
		roundtrip(2000, NULL, 0, &f, bits);
	}
	force_bits = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(all_small),  cmocka_unit_test(filtered),
	    cmocka_unit_test(edges),	  cmocka_unit_test(layouts),
	    cmocka_unit_test(all_larger),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
