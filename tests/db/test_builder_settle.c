/* The builder sorts and combines in place (radix sort of the IPv4 records,
 * split on the bits where addresses differ) and may do so any number of
 * times (db_builder_settle after each list of an import): the snapshot is
 * the same bytes whatever the order of the sightings and however often
 * they were settled, or whether the IPv4 hosts came in batches
 * (db_builder_add_v4_hosts), and settle counts one per prefix and
 * campaign. */
#include "db/dbrand.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSIGHT 200000

struct sight {
	struct net_prefix p;
	struct db_sighting s;
	unsigned camp, src;
};

/* Sightings that collide on purpose: IPv4 hosts clustered under one /12
 * (so the sort splits below the bits all share) and anywhere, IPv4
 * prefixes, IPv6, repeated with other campaigns, sources and dates. */
static void make_sightings(struct sight *v, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t r = rnd_next(&seed), r2 = rnd_next(&seed);
		struct sight *x = &v[i];
		memset(x, 0, sizeof(*x));
		if (i > 8 && r % 7 == 0) {
			x->p = v[r2 % i].p; /* a key again */
		} else {
			switch (r % 5) {
			case 0:
			case 1:
				net_addr_from_v4(&x->p.addr,
						 0x0a000000u | (uint32_t)(r2 & 0xfffff));
				x->p.len = 128;
				break;
			case 2:
				net_addr_from_v4(&x->p.addr, (uint32_t)r2);
				x->p.len = 128;
				break;
			case 3:
				net_addr_from_v4(&x->p.addr, (uint32_t)r2 & 0xffffff00u);
				x->p.len = 96 + 24;
				break;
			default:
				net_addr_from_u64(&x->p.addr, 0x20010db800000000ull,
						  r2 & 0xfff);
				x->p.len = 128;
				break;
			}
		}
		x->camp = (unsigned)(r >> 8) % 3;
		x->src = (unsigned)(r >> 16) % 4;
		uint32_t f = (uint32_t)(r >> 24) % 1000;
		x->s.first_seen = (r >> 40) % 5 ? f : 0;
		x->s.last_seen = (r >> 44) % 5 ? f + (uint32_t)(r >> 48) % 100 : 0;
		x->s.count = 1 + (uint32_t)(r2 >> 32) % 9;
		x->s.evidence = (uint8_t)(1u << ((r2 >> 40) % 3));
		x->s.confidence = (uint8_t)((r2 >> 48) % 4);
	}
}

/* Whether build_counting adds the IPv4 hosts through
 * db_builder_add_v4_hosts, in batches of one campaign (a correlate run's
 * feed), rather than one by one. */
static bool batch_hosts;

/* Builds from v in the order given by idx, settling every `every` adds (0:
 * never) among the first `until`; returns the last settle's count, and
 * each periodic settle's in counts[k] for the k-th when counts is not
 * NULL. */
static uint64_t build_counting(const char *path, const struct sight *v, const size_t *idx,
			       size_t n, size_t every, size_t until, uint64_t *counts)
{
	static const char *const camps[] = {"c-one", "c-two", "c-three"};
	static const char *const srcs[] = {"s1", "s2", "s3", "s4"};
	struct db_builder *b = db_builder_new();
	struct sd_error err = {0};
	uint16_t cid[3];
	uint32_t set[4];
	/* declared in another order each time: ids must not matter */
	for (int k = 0; k < 3; k++) {
		int c = every ? 2 - k : k;
		struct db_campaign_meta m = {.name = camps[c], .title = camps[c]};
		assert_int_equal(db_builder_campaign(b, &m, &cid[c], &err), 0);
	}
	for (int k = 0; k < 4; k++) {
		int c = every ? 3 - k : k;
		assert_int_equal(db_builder_sourceset(b, &srcs[c], 1, &set[c], &err), 0);
	}
	uint64_t distinct = 0;
	struct db_v4_host h[64];
	size_t nh = 0;
	uint16_t hcid = 0;
	for (size_t i = 0; i <= n; i++) {
		const struct sight *x = i < n ? &v[idx[i]] : NULL;
		bool host = x && batch_hosts && x->p.len == 128 && net_addr_is_v4(&x->p.addr);
		if (nh && (!host || cid[x->camp] != hcid || nh == 64)) {
			if (db_builder_add_v4_hosts(b, hcid, h, nh, &err))
				fail_msg("add hosts: %s", err.msg);
			nh = 0;
		}
		if (!x)
			break;
		if (host) {
			hcid = cid[x->camp];
			h[nh++] = (struct db_v4_host){
			    .addr = (uint32_t)net_addr_lo(&x->p.addr),
			    .first_seen = x->s.first_seen,
			    .last_seen = x->s.last_seen,
			    .count = x->s.count,
			    .sources = set[x->src],
			    .evidence = x->s.evidence,
			    .confidence = x->s.confidence};
			continue;
		}
		struct db_sighting s = x->s;
		s.campaign = cid[x->camp];
		s.sources = set[x->src];
		if (db_builder_add(b, &x->p, &s, &err))
			fail_msg("add: %s", err.msg);
		if (every && i < until && (i + 1) % every == 0) {
			assert_int_equal(db_builder_settle(b, &distinct, &err), 0);
			if (counts)
				counts[(i + 1) / every - 1] = distinct;
		}
	}
	assert_int_equal(db_builder_settle(b, &distinct, &err), 0);
	assert_int_equal(db_builder_write(b, path, 1700000000, &err), 0);
	/* written once: the records became the tables */
	assert_int_equal(db_builder_write(b, path, 1700000000, &err), SD_EUSAGE);
	db_builder_free(b);
	return distinct;
}

static uint64_t build(const char *path, const struct sight *v, const size_t *idx,
		      size_t n, size_t every)
{
	return build_counting(path, v, idx, n, every, n, NULL);
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *p = malloc((size_t)size + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	*n = (size_t)size;
	return p;
}

static int cmp_key(const void *x, const void *y)
{
	const struct sight *a = x, *b = y;
	int c = net_prefix_cmp(&a->p, &b->p);
	return c ? c : (a->camp > b->camp) - (a->camp < b->camp);
}

static void test_order_and_settle(void **state)
{
	(void)state;
	struct sight *v = malloc(NSIGHT * sizeof(*v));
	size_t *fwd = malloc(NSIGHT * sizeof(*fwd)),
	       *mixed = malloc(NSIGHT * sizeof(*mixed));
	assert_true(v && fwd && mixed);
	make_sightings(v, NSIGHT, 12);
	for (size_t i = 0; i < NSIGHT; i++)
		fwd[i] = mixed[i] = i;
	uint64_t s = 99;
	for (size_t i = NSIGHT - 1; i > 0; i--) {
		size_t j = rnd_next(&s) % (i + 1), t = mixed[i];
		mixed[i] = mixed[j];
		mixed[j] = t;
	}
	const char *a = test_tmpfile("settle-a.sdb"), *b = test_tmpfile("settle-b.sdb");
	const char *c = test_tmpfile("settle-c.sdb");
	const char *d = test_tmpfile("settle-d.sdb");
	uint64_t da = build(a, v, fwd, NSIGHT, 0);
	uint64_t db = build(b, v, mixed, NSIGHT, 7919);
	uint64_t dc = build(c, v, fwd, NSIGHT, 4999);
	batch_hosts = true;
	uint64_t dd = build(d, v, mixed, NSIGHT, 0);
	batch_hosts = false;

	/* the count is that of distinct prefix + campaign keys */
	qsort(v, NSIGHT, sizeof(*v), cmp_key);
	uint64_t want = 0;
	for (size_t i = 0; i < NSIGHT; i++)
		want += i == 0 || cmp_key(&v[i - 1], &v[i]) != 0;
	assert_int_equal(da, want);
	assert_int_equal(db, want);
	assert_int_equal(dc, want);
	assert_int_equal(dd, want);

	size_t na, nb, nc, nd;
	char *pa = slurp(a, &na), *pb = slurp(b, &nb), *pc = slurp(c, &nc);
	char *pd = slurp(d, &nd);
	assert_int_equal(na, nb);
	assert_int_equal(na, nc);
	assert_int_equal(na, nd);
	assert_memory_equal(pa, pb, na);
	assert_memory_equal(pa, pc, na);
	assert_memory_equal(pa, pd, na);
	free(pa);
	free(pb);
	free(pc);
	free(pd);
	free(v);
	free(fwd);
	free(mixed);
}

static const struct sight *by_key_base;

/* by key, then by position: the first of each key is where it is new */
static int cmp_pos(const void *x, const void *y)
{
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	int c = cmp_key(&by_key_base[i], &by_key_base[j]);
	return c ? c : (i > j) - (i < j);
}

/* Many small inputs, as an import of daily lists, then a large one: each
 * small one is folded into the sorted runs held (builder_sort.c) once they
 * are large, and the runs are merged as they grow; the large one merges
 * every run. The count after every settle is that of the distinct keys so
 * far, and the snapshot is the one settled never. */
static void test_many_small_settles(void **state)
{
	(void)state;
	enum { EVERY = 997, UNTIL = NSIGHT / 4 * 3, SETTLES = UNTIL / EVERY };
	struct sight *v = malloc(NSIGHT * sizeof(*v));
	size_t *fwd = malloc(NSIGHT * sizeof(*fwd)), *pos = malloc(NSIGHT * sizeof(*pos));
	bool *fresh = calloc(NSIGHT, sizeof(*fresh));
	uint64_t *got = malloc(SETTLES * sizeof(*got));
	assert_true(v && fwd && pos && fresh && got);
	make_sightings(v, NSIGHT, 31);
	for (size_t i = 0; i < NSIGHT; i++)
		fwd[i] = pos[i] = i;
	by_key_base = v;
	qsort(pos, NSIGHT, sizeof(*pos), cmp_pos);
	for (size_t i = 0; i < NSIGHT; i++)
		fresh[pos[i]] = i == 0 || cmp_key(&v[pos[i - 1]], &v[pos[i]]) != 0;

	const char *a = test_tmpfile("fold-a.sdb"), *b = test_tmpfile("fold-b.sdb");
	build(a, v, fwd, NSIGHT, 0);
	uint64_t last = build_counting(b, v, fwd, NSIGHT, EVERY, UNTIL, got);
	uint64_t want = 0;
	size_t i = 0;
	for (size_t k = 0; k < SETTLES; k++) {
		for (; i < (k + 1) * EVERY; i++)
			want += fresh[i];
		assert_int_equal(got[k], want);
	}
	for (; i < NSIGHT; i++)
		want += fresh[i];
	assert_int_equal(last, want);
	size_t na, nb;
	char *pa = slurp(a, &na), *pb = slurp(b, &nb);
	assert_int_equal(na, nb);
	assert_memory_equal(pa, pb, na);
	free(pa);
	free(pb);
	free(v);
	free(fwd);
	free(pos);
	free(fresh);
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_and_settle),
	    cmocka_unit_test(test_many_small_settles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
