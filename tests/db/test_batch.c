/* db_contains_batch and db_cover_batch: the same answers as db_contains
 * and db_cover, whatever the batch size, table shape (one bucket, buckets
 * past the scan window, the last keys of a table) or address family. */
#include "dbrand.h"

#include "core/limits.h"

static struct db *build_keys(const char *name, const struct net_prefix *p, size_t n)
{
	struct sd_error err = {0};
	struct db_builder *b = db_builder_new();
	assert_non_null(b);
	uint16_t cid;
	struct db_campaign_meta c = {.name = "3cx-2023"};
	assert_int_equal(db_builder_campaign(b, &c, &cid, &err), 0);
	for (size_t i = 0; i < n; i++) {
		struct db_sighting s = {.first_seen = 1680000000,
					.last_seen = 1680000000,
					.count = (uint32_t)i + 1,
					.campaign = cid,
					.evidence = DB_EV_LIST};
		if (db_builder_add(b, &p[i], &s, &err))
			fail_msg("add: %s", err.msg);
	}
	const char *path = test_tmpfile(name);
	if (db_builder_write(b, path, 1700000000, &err))
		fail_msg("write: %s", err.msg);
	db_builder_free(b);
	struct db *db;
	if (db_open(path, &db, &err))
		fail_msg("open: %s", err.msg);
	return db;
}

static void host4(struct net_prefix *p, uint32_t a)
{
	net_addr_from_v4(&p->addr, a);
	p->len = 128;
}

/* Every probe through db_contains, db_contains_batch in chunks of `chunk`,
 * and db_cover; all must say `want` where want is given. */
static void agree(const struct db *db, const struct net_addr *a, size_t n, size_t chunk,
		  const bool *want)
{
	bool *got = malloc(n ? n : 1);
	assert_non_null(got);
	memset(got, 0xaa, n); /* the batch must write every answer */
	for (size_t j = 0; j < n; j += chunk)
		db_contains_batch(db, a + j, n - j < chunk ? n - j : chunk, got + j);
	for (size_t j = 0; j < n; j++) {
		bool single = db_contains(db, &a[j]);
		struct net_prefix h;
		net_prefix_host(&h, &a[j]);
		struct db_entry e;
		bool cover = db_cover(db, &h, &e, 1) > 0;
		if (got[j] != single || cover != single || (want && want[j] != single)) {
			char buf[NET_ADDR_STRLEN];
			net_addr_format(&a[j], buf, sizeof(buf));
			fail_msg("%s: batch %d, single %d, cover %d, expected %d", buf,
				 got[j], single, cover, want ? want[j] : -1);
		}
	}
	free(got);
	/* db_cover_batch: found as db_cover finds; an entry it calls the
	 * only one is all db_cover returns, and one it hands back is among
	 * those db_cover returns */
	struct db_entry *entry = malloc((n ? n : 1) * sizeof(*entry));
	uint8_t *found = malloc(n ? n : 1);
	assert_non_null(entry);
	assert_non_null(found);
	memset(found, 0xaa, n);
	for (size_t j = 0; j < n; j += chunk)
		db_cover_batch(db, a + j, n - j < chunk ? n - j : chunk, entry + j,
			       found + j);
	for (size_t j = 0; j < n; j++) {
		struct net_prefix h;
		net_prefix_host(&h, &a[j]);
		struct db_entry e[SD_MAX_CHECK_HITS];
		size_t nc = db_cover(db, &h, e, SD_MAX_CHECK_HITS);
		assert_true(found[j] <= 2);
		assert_int_equal(found[j] != 0, nc > 0);
		if (found[j] == 1)
			assert_int_equal(nc, 1);
		bool among = found[j] == 0;
		for (size_t k = 0; k < nc && k < SD_MAX_CHECK_HITS && !among; k++)
			among = e[k].table == entry[j].table &&
				e[k].index == entry[j].index &&
				!net_prefix_cmp(&e[k].prefix, &entry[j].prefix) &&
				e[k].count == entry[j].count &&
				e[k].nsightings == entry[j].nsightings;
		assert_true(among);
	}
	free(entry);
	free(found);
}

static void test_empty_snapshot(void **state)
{
	(void)state;
	struct db *db = build_keys("empty.sdb", NULL, 0);
	struct net_addr a[3];
	net_addr_from_v4(&a[0], 0xc0000201);
	net_addr_from_u64(&a[1], 0x20010db800000000ull, 1);
	net_addr_from_u64(&a[2], 0, 0);
	bool want[3] = {false, false, false};
	agree(db, a, 3, 3, want);
	db_contains_batch(db, a, 0, NULL); /* nothing to do, nothing written */
	db_close(db);
}

static void test_batch_sizes(void **state)
{
	(void)state;
	uint64_t s = 42;
	struct model m = {0};
	struct db *db = rnd_build(&s, 2000, false, test_tmpfile("sizes.sdb"), &m);
	enum { N = 1000 };
	struct net_addr a[N];
	bool want[N];
	size_t hits = 0;
	for (size_t j = 0; j < N; j++) {
		rnd_probe(&s, &m, &a[j]);
		struct net_prefix h;
		size_t idx[512];
		net_prefix_host(&h, &a[j]);
		want[j] = model_cover(&m, &h, idx) > 0;
		hits += want[j];
	}
	assert_true(hits > N / 10 && hits < N * 9 / 10);
	static const size_t chunks[] = {1, 2, 15, 16, 17, 31, 32, 33, 64, 999, N};
	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++)
		agree(db, a, N, chunks[c], want);
	db_close(db);
	free(m.e);
}

/* 500 consecutive addresses between two far ones: the common prefix is
 * empty, so the cluster falls in one index bucket far larger than the
 * 16-key scan window, and the far key is the table's last. */
static void test_dense_bucket_and_table_end(void **state)
{
	(void)state;
	enum { N = 502 };
	struct net_prefix p[N];
	host4(&p[0], 0x01000001);
	for (uint32_t i = 0; i < 500; i++)
		host4(&p[1 + i], 0x0a000000u + i);
	host4(&p[N - 1], 0xfa000001);
	struct db *db = build_keys("dense.sdb", p, N);
	struct net_addr a[3 * N];
	bool want[3 * N];
	for (size_t i = 0; i < N; i++) {
		uint32_t x = net_addr_v4(&p[i].addr);
		net_addr_from_v4(&a[3 * i], x);
		want[3 * i] = true;
		net_addr_from_v4(&a[3 * i + 1], x - 1);
		net_addr_from_v4(&a[3 * i + 2], x + 1);
		bool inside = x >= 0x0a000000u && x < 0x0a000000u + 500;
		want[3 * i + 1] = inside && x != 0x0a000000u;
		want[3 * i + 2] = inside && x != 0x0a000000u + 499;
	}
	agree(db, a, 3 * N, 32, want);
	agree(db, a, 3 * N, 7, want);
	/* db_cover gives each key's own entry (its count is its position) */
	for (size_t i = 0; i < N; i++) {
		struct db_entry e;
		assert_int_equal(db_cover(db, &p[i], &e, 1), 1);
		assert_int_equal(e.count, i + 1);
	}
	db_close(db);
}

/* Tables of 1 to 40 keys: no index at all up to a few index bits, and the
 * scan window running past the last key. */
static void test_small_tables(void **state)
{
	(void)state;
	uint64_t s = 7;
	for (size_t n = 1; n <= 40; n++) {
		struct net_prefix p[40];
		for (size_t i = 0; i < n; i++) /* distinct: i in the low byte */
			host4(&p[i], (uint32_t)(rnd_next(&s) << 8) | (uint32_t)i);
		struct db *db = build_keys("small.sdb", p, n);
		struct net_addr a[80];
		bool want[80];
		for (size_t i = 0; i < n; i++) {
			a[2 * i] = p[i].addr;
			want[2 * i] = true;
			/* low byte >= 40 is never a key */
			net_addr_from_v4(&a[2 * i + 1], net_addr_v4(&p[i].addr) | 0xff);
			want[2 * i + 1] = false;
		}
		agree(db, a, 2 * n, 2 * n, want);
		agree(db, a, 2 * n, 1, want);
		db_close(db);
	}
}

/* IPv4 probes of a snapshot holding only IPv6 prefixes (one of them ::/0,
 * which covers IPv4-mapped addresses too) and IPv6 probes of an IPv4 one. */
static void test_families(void **state)
{
	(void)state;
	struct net_prefix p[3];
	net_addr_from_u64(&p[0].addr, 0x20010db800000000ull, 1);
	p[0].len = 128;
	net_addr_from_u64(&p[1].addr, 0x20010db800010000ull, 0);
	p[1].len = 64;
	host4(&p[2], 0xc0000201);
	struct db *v6 = build_keys("v6.sdb", p, 2);
	struct db *v4 = build_keys("v4.sdb", p + 2, 1);
	struct net_addr a[4];
	net_addr_from_v4(&a[0], 0xc0000201);
	net_addr_from_u64(&a[1], 0x20010db800000000ull, 1);
	net_addr_from_u64(&a[2], 0x20010db800010000ull, 0x1234);
	net_addr_from_u64(&a[3], 0, 0xc0000201); /* ::192.0.2.1, not mapped */
	bool want6[4] = {false, true, true, false};
	bool want4[4] = {true, false, false, false};
	agree(v6, a, 4, 4, want6);
	agree(v4, a, 4, 4, want4);
	db_close(v6);
	net_addr_from_u64(&p[0].addr, 0, 0);
	p[0].len = 0;
	struct db *all = build_keys("all.sdb", p, 1);
	bool wantall[4] = {true, true, true, true};
	agree(all, a, 4, 3, wantall);
	db_close(all);
	db_close(v4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_snapshot),
	    cmocka_unit_test(test_batch_sizes),
	    cmocka_unit_test(test_dense_bucket_and_table_end),
	    cmocka_unit_test(test_small_tables),
	    cmocka_unit_test(test_families),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
