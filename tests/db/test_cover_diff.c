/* Differential test of the queries: random snapshots (overlapping IPv4 and
 * IPv6 prefixes of every length, duplicate keys over two campaigns) against
 * a naive model that scans every prefix. db_cover must give exactly the
 * model's covering prefixes, most specific first, with the summed counts;
 * db_contains and db_contains_batch must agree with it. */
#include "dbrand.h"

#include "core/limits.h"

#define ROUNDS 40
#define PROBES 3000

static void check_cover(const struct db *db, const struct model *m,
			const struct net_prefix *p, uint64_t round)
{
	size_t want[512];
	struct db_entry got[SD_MAX_CHECK_HITS];
	size_t nw = model_cover(m, p, want);
	size_t ng = db_cover(db, p, got, SD_MAX_CHECK_HITS);
	char buf[NET_PREFIX_STRLEN];
	net_prefix_format(p, buf, sizeof(buf));
	if (ng != nw)
		fail_msg("round %llu: %s covered by %zu entries, model says %zu",
			 (unsigned long long)round, buf, ng, nw);
	for (size_t i = 0; i < nw; i++) {
		const struct model_entry *e = &m->e[want[i]];
		if (got[i].prefix.len != e->p.len ||
		    net_addr_cmp(&got[i].prefix.addr, &e->p.addr) != 0)
			fail_msg("round %llu: %s: cover #%zu differs from the model",
				 (unsigned long long)round, buf, i);
		assert_int_equal(got[i].count, e->count);
		assert_true(got[i].nsightings >= 1 && got[i].nsightings <= 2);
	}
}

static void test_cover_matches_naive_scan(void **state)
{
	(void)state;
	uint64_t checked = 0, hits = 0;
	for (uint64_t round = 0; round < ROUNDS; round++) {
		uint64_t s = 0x5eed0000 + round;
		struct model m = {0};
		/* sizes from a handful (one bucket per table) to thousands */
		size_t n =
		    round % 4 == 0 ? 1 + round % 7 : 50 + (size_t)(rnd_next(&s) % 3000);
		struct db *db =
		    rnd_build(&s, n, round % 3 == 0, test_tmpfile("diff.sdb"), &m);
		assert_int_equal(db_entry_count(db), m.n);
		struct net_addr a[PROBES];
		bool batch[PROBES];
		for (size_t j = 0; j < PROBES; j++)
			rnd_probe(&s, &m, &a[j]);
		db_contains_batch(db, a, PROBES, batch);
		for (size_t j = 0; j < PROBES; j++) {
			struct net_prefix host;
			net_prefix_host(&host, &a[j]);
			check_cover(db, &m, &host, round);
			size_t idx[512];
			bool want = model_cover(&m, &host, idx) > 0;
			assert_int_equal(db_contains(db, &a[j]), want);
			assert_int_equal(batch[j], want);
			hits += want;
			/* and a prefix query around the same address */
			struct net_prefix wide = host;
			wide.len = (uint8_t)(rnd_next(&s) % 129);
			net_addr_mask(&wide.addr, wide.len);
			check_cover(db, &m, &wide, round);
			checked += 2;
		}
		db_close(db);
		free(m.e);
	}
	/* the generator must really exercise both answers */
	assert_true(hits > ROUNDS * PROBES / 5);
	assert_true(hits < ROUNDS * PROBES * 9 / 10);
	assert_true(checked == 2ull * ROUNDS * PROBES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cover_matches_naive_scan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
