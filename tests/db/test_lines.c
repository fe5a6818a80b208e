/* The key lines of snapshot format 3 (docs/db-format.md, "Key lines"):
 * whatever the spread of the keys (uniform, so that lines seldom
 * overflow; clustered, so that one bucket's keys run over many lines; at
 * the top of the key space, so that lines are added past the last
 * bucket), every key is found with its own value, every neighbour is not,
 * and the walks (db_foreach, db_cursor_next, db_entry_get, db_range) give
 * the keys in ascending order with their ranks. */
#include "dbrand.h"

typedef unsigned __int128 db_u128_t;

static db_u128_t db_u128_make_t(uint64_t hi, uint64_t lo)
{
	return (db_u128_t)hi << 64 | lo;
}

enum { MAXN = 6000 };

struct keyset {
	db_u128_t k[MAXN]; /* ascending */
	size_t n;
	bool v6;
};

static void to_prefix(const struct keyset *ks, size_t i, struct net_prefix *p)
{
	if (ks->v6)
		net_addr_from_u64(&p->addr, (uint64_t)(ks->k[i] >> 64),
				  (uint64_t)ks->k[i]);
	else
		net_addr_from_v4(&p->addr, (uint32_t)ks->k[i]);
	p->len = 128;
}

static int cmp_u128(const void *x, const void *y)
{
	db_u128_t a = *(const db_u128_t *)x, b = *(const db_u128_t *)y;
	return (a > b) - (a < b);
}

/* Sorts and removes repeats. */
static void finish(struct keyset *ks)
{
	qsort(ks->k, ks->n, sizeof(ks->k[0]), cmp_u128);
	size_t m = 0;
	for (size_t i = 0; i < ks->n; i++)
		if (!m || ks->k[i] != ks->k[m - 1])
			ks->k[m++] = ks->k[i];
	ks->n = m;
}

/* The entry of key i has count i + 1 (keys are added in order), each a
 * prefix of len bits (128: hosts). */
static struct db *build_len(const struct keyset *ks, unsigned len)
{
	struct sd_error err = {0};
	struct db_builder *b = db_builder_new();
	assert_non_null(b);
	uint16_t cid;
	struct db_campaign_meta c = {.name = "lines"};
	assert_int_equal(db_builder_campaign(b, &c, &cid, &err), 0);
	for (size_t i = 0; i < ks->n; i++) {
		struct net_prefix p;
		to_prefix(ks, i, &p);
		p.len = (uint8_t)len;
		struct db_sighting s = {.first_seen = 1680000000,
					.last_seen = 1680000000,
					.count = (uint32_t)i + 1,
					.campaign = cid,
					.evidence = DB_EV_LIST};
		if (db_builder_add(b, &p, &s, &err))
			fail_msg("add: %s", err.msg);
	}
	const char *path = test_tmpfile("lines.sdb");
	if (db_builder_write(b, path, 1700000000, &err))
		fail_msg("write: %s", err.msg);
	db_builder_free(b);
	struct db *db;
	if (db_open(path, &db, &err))
		fail_msg("open: %s", err.msg);
	return db;
}

static struct db *build(const struct keyset *ks)
{
	return build_len(ks, 128);
}

struct walk {
	const struct keyset *ks;
	size_t i;
};

static int walk_one(const struct db_entry *e, void *ctx)
{
	struct walk *w = ctx;
	struct net_prefix p;
	assert_true(w->i < w->ks->n);
	to_prefix(w->ks, w->i, &p);
	assert_true(net_addr_cmp(&e->prefix.addr, &p.addr) == 0);
	assert_int_equal(e->count, w->i + 1);
	w->i++;
	return 0;
}

static void check(const struct keyset *ks)
{
	struct db *db = build(ks);
	assert_int_equal(db_entry_count(db), ks->n);
	/* every key and its two neighbours, one by one and in a batch */
	size_t np = 3 * ks->n;
	struct net_addr *a = malloc(np * sizeof(*a));
	bool *want = malloc(np), *got = malloc(np);
	assert_true(a && want && got);
	for (size_t i = 0; i < ks->n; i++) {
		for (int d = -1; d <= 1; d++) {
			db_u128_t x = ks->k[i] + (db_u128_t)(__int128)d;
			if (!ks->v6)
				x &= 0xffffffffu;
			size_t j = 3 * i + (size_t)(d + 1);
			struct keyset one = {.n = 1, .v6 = ks->v6};
			one.k[0] = x;
			struct net_prefix p;
			to_prefix(&one, 0, &p);
			a[j] = p.addr;
			want[j] = bsearch(&x, ks->k, ks->n, sizeof(x), cmp_u128) != NULL;
		}
	}
	db_contains_batch(db, a, np, got);
	for (size_t j = 0; j < np; j++) {
		assert_int_equal(db_contains(db, &a[j]), want[j]);
		assert_int_equal(got[j], want[j]);
		struct net_prefix h;
		net_prefix_host(&h, &a[j]);
		struct db_entry e;
		size_t n = db_cover(db, &h, &e, 1);
		assert_int_equal(n, want[j]);
		if (n) {
			db_u128_t x =
			    db_u128_make_t(net_addr_hi(&a[j]), net_addr_lo(&a[j]));
			if (!ks->v6)
				x = (uint32_t)x;
			const db_u128_t *at =
			    bsearch(&x, ks->k, ks->n, sizeof(x), cmp_u128);
			assert_int_equal(e.count, (size_t)(at - ks->k) + 1);
		}
	}
	/* walks */
	struct walk w = {ks, 0};
	assert_int_equal(db_foreach(db, walk_one, &w), 0);
	assert_int_equal(w.i, ks->n);
	struct db_cursor c = {0};
	struct db_entry e;
	w.i = 0;
	while (db_cursor_next(db, &c, &e))
		walk_one(&e, &w);
	assert_int_equal(w.i, ks->n);
	for (size_t i = 0; i < ks->n; i += 7) {
		assert_true(db_entry_get(db, 0, i, &e));
		w.i = i;
		walk_one(&e, &w);
	}
	assert_false(db_entry_get(db, 0, ks->n, &e));
	/* a range over the middle half gives exactly the keys inside it */
	if (!ks->v6 && ks->n > 4) {
		struct net_prefix all;
		net_addr_from_v4(&all.addr, 0);
		all.len = 96;
		assert_int_equal(db_range_count(db, &all), ks->n);
		struct net_prefix half;
		uint32_t mid = (uint32_t)ks->k[ks->n / 2];
		net_addr_from_v4(&half.addr, mid & 0xffff0000u);
		half.len = 112;
		size_t inside = 0;
		for (size_t i = 0; i < ks->n; i++)
			inside +=
			    ((uint32_t)ks->k[i] & 0xffff0000u) == (mid & 0xffff0000u);
		assert_int_equal(db_range_count(db, &half), inside);
	}
	free(a);
	free(want);
	free(got);
	db_close(db);
}

static struct keyset ks;

static void test_uniform(void **state)
{
	(void)state;
	uint64_t s = 11;
	for (int v6 = 0; v6 <= 1; v6++) {
		ks.n = MAXN;
		ks.v6 = v6;
		for (size_t i = 0; i < ks.n; i++) {
			uint64_t hi = rnd_next(&s), lo = rnd_next(&s);
			ks.k[i] =
			    v6 ? db_u128_make_t((hi & ~(7ull << 61)) | (1ull << 61), lo)
			       : (db_u128_t)(uint32_t)lo;
		}
		finish(&ks);
		check(&ks);
	}
}

/* A few keys spread out and runs of consecutive ones: the runs fill their
 * bucket's line and many after it. */
static void test_clustered(void **state)
{
	(void)state;
	uint64_t s = 12;
	for (int v6 = 0; v6 <= 1; v6++) {
		ks.n = 0;
		ks.v6 = v6;
		db_u128_t base6 = db_u128_make_t(0x20010db800000000ull, 0);
		for (size_t i = 0; i < 40; i++) {
			uint64_t r = rnd_next(&s);
			ks.k[ks.n++] =
			    v6 ? base6 + ((db_u128_t)r << 40) : (db_u128_t)(uint32_t)r;
		}
		for (size_t run = 0; run < 3; run++) {
			uint64_t r = rnd_next(&s);
			db_u128_t start =
			    v6 ? base6 + ((db_u128_t)r << 40) : (uint32_t)r & ~0xfffu;
			for (size_t i = 0; i < 1500; i++)
				ks.k[ks.n++] = start + i;
		}
		finish(&ks);
		check(&ks);
	}
}

/* Keys crowded at the top of the key space: their lines run past the last
 * bucket. And tables of 1 to 40 keys. */
static void test_top_and_small(void **state)
{
	(void)state;
	ks.n = 0;
	ks.v6 = false;
	ks.k[ks.n++] = 0x01000000;
	for (uint32_t i = 0; i < 3000; i++)
		ks.k[ks.n++] = 0xffffffffu - i;
	finish(&ks);
	check(&ks);
	uint64_t s = 13;
	for (size_t n = 1; n <= 40; n++) {
		ks.n = n;
		for (size_t i = 0; i < n; i++)
			ks.k[i] = (uint32_t)rnd_next(&s);
		finish(&ks);
		check(&ks);
	}
}

/* Keys that share their leading 16 or 24 bits (the table's `common`):
 * probes outside that prefix miss before any line is read, and those
 * inside are spread over the remaining bits. */
static void test_common_prefix(void **state)
{
	(void)state;
	uint64_t s = 17;
	static const uint32_t base[] = {0x0a010000u, 0xc0000200u};
	static const uint32_t span[] = {0x10000u, 0x100u};
	for (size_t b = 0; b < 2; b++) {
		ks.n = 0;
		ks.v6 = false;
		for (size_t i = 0; i < 200; i++)
			ks.k[ks.n++] = base[b] + (uint32_t)(rnd_next(&s) % span[b]);
		ks.k[ks.n++] = base[b];
		ks.k[ks.n++] = base[b] + span[b] - 1;
		finish(&ks);
		check(&ks);
	}
}

/* One table of /24 prefixes: an address is listed when its /24 is, and
 * the same answers come from a snapshot read from a buffer that is not
 * 16-byte aligned (the lookup then takes its general path). */
static void test_prefix_table_and_buffer(void **state)
{
	(void)state;
	struct sd_error err = {0};
	uint64_t s = 19;
	ks.n = 300;
	ks.v6 = false;
	for (size_t i = 0; i < ks.n; i++)
		ks.k[i] = (uint32_t)rnd_next(&s) & 0xffffff00u;
	finish(&ks);
	struct db *db = build_len(&ks, 120);
	const char *path = test_tmpfile("lines.sdb");
	/* the same file in a buffer 8 bytes past a 64-aligned one (the reader wants 8) */
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t size = db_file_size(db);
	unsigned char *raw = aligned_alloc(64, size + 64);
	assert_non_null(raw);
	assert_int_equal(fread(raw + 8, 1, size, f), size);
	fclose(f);
	struct db *odd;
	if (db_open_buffer(raw + 8, size, &odd, &err))
		fail_msg("open buffer: %s", err.msg);
	for (size_t i = 0; i < ks.n; i++) {
		uint32_t net = (uint32_t)ks.k[i];
		for (uint32_t d = 0; d < 3; d++) {
			uint32_t x = d == 0 ? net + 77 : d == 1 ? net + 255 : net + 256;
			bool want = d < 2;
			if (d == 2) /* the next /24 may be listed too */
				for (size_t j = 0; j < ks.n; j++)
					want |= (uint32_t)ks.k[j] == (x & 0xffffff00u);
			struct net_addr a;
			net_addr_from_v4(&a, x);
			assert_int_equal(db_contains(db, &a), want);
			assert_int_equal(db_contains(odd, &a), want);
		}
	}
	db_close(odd);
	free(raw);
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_uniform),
	    cmocka_unit_test(test_clustered),
	    cmocka_unit_test(test_top_and_small),
	    cmocka_unit_test(test_common_prefix),
	    cmocka_unit_test(test_prefix_table_and_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
