/* Differential test of db_diff: pairs of random snapshots built from
 * overlapping random sightings (IPv4 and IPv6 prefixes of every length, two
 * campaigns whose ids differ between the two snapshots) against a naive
 * model keyed by prefix and campaign name. Every difference must be
 * reported once, classified as the model says, in snapshot order; the
 * counts must add up; a snapshot against itself has no difference. */
#include "dbrand.h"

#include "db/diff.h"

#define ROUNDS 20
#define ITEMS 1500

struct item {
	struct net_prefix p;
	int campaign; /* 0 or 1, by name */
	struct db_sighting s;
	bool in_a, in_b;
	struct db_sighting sa, sb; /* combined per side */
	bool seen;
};

static const char *const names[2] = {"3cx-2023", "gopuram-2023"};

static struct db *build(const char *path, struct item *v, size_t n, bool side_b)
{
	struct sd_error err = {0};
	struct db_builder *b = db_builder_new();
	assert_non_null(b);
	uint16_t cid[2];
	/* campaigns registered in opposite orders: ids differ between sides */
	for (int k = 0; k < 2; k++) {
		int c = side_b ? 1 - k : k;
		struct db_campaign_meta m = {.name = names[c]};
		assert_int_equal(db_builder_campaign(b, &m, &cid[c], &err), 0);
	}
	const char *src = "test";
	uint32_t set;
	assert_int_equal(db_builder_sourceset(b, &src, 1, &set, &err), 0);
	for (size_t i = 0; i < n; i++) {
		if (side_b ? !v[i].in_b : !v[i].in_a)
			continue;
		struct db_sighting s = v[i].s;
		s.campaign = cid[v[i].campaign];
		s.sources = set;
		if (side_b && i % 7 == 0)
			s.count += 1; /* seen more often on side B */
		if (db_builder_add(b, &v[i].p, &s, &err))
			fail_msg("add: %s", err.msg);
	}
	if (db_builder_write(b, path, 1700000000, &err))
		fail_msg("write: %s", err.msg);
	db_builder_free(b);
	struct db *db;
	if (db_open(path, &db, &err))
		fail_msg("open: %s", err.msg);
	return db;
}

/* Index of the model key (p, campaign), the first item holding it. */
static size_t key_of(struct item *v, size_t n, const struct net_prefix *p, int c)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].campaign == c && v[i].p.len == p->len &&
		    !net_addr_cmp(&v[i].p.addr, &p->addr))
			return i;
	return SIZE_MAX;
}

/* Both sides of model key k, combined as the builder does. */
static void expect(const struct item *v, size_t n, size_t k, bool *a, bool *b,
		   struct db_sighting *sa, struct db_sighting *sb)
{
	*a = *b = false;
	memset(sa, 0, sizeof(*sa));
	memset(sb, 0, sizeof(*sb));
	for (size_t i = k; i < n; i++) {
		if (v[i].campaign != v[k].campaign || v[i].p.len != v[k].p.len ||
		    net_addr_cmp(&v[i].p.addr, &v[k].p.addr))
			continue;
		struct db_sighting s = v[i].s;
		if (v[i].in_a) {
			if (*a)
				db_sighting_combine(sa, &s);
			else
				*sa = s;
			*a = true;
		}
		if (v[i].in_b) {
			if (i % 7 == 0)
				s.count += 1;
			if (*b)
				db_sighting_combine(sb, &s);
			else
				*sb = s;
			*b = true;
		}
	}
}

struct check {
	struct item *v;
	size_t n;
	struct db_diff_stats got;
	struct net_prefix last;
	bool have_last;
};

static int on_diff(const struct db_diff_item *d, void *p)
{
	struct check *c = p;
	if (c->have_last)
		assert_true(db_prefix_order(&c->last, &d->prefix) <= 0);
	c->last = d->prefix;
	c->have_last = true;
	int camp = !strcmp(d->campaign, names[1]);
	assert_true(camp || !strcmp(d->campaign, names[0]));
	size_t k = key_of(c->v, c->n, &d->prefix, camp);
	assert_true(k != SIZE_MAX);
	struct item *it = &c->v[k];
	assert_false(it->seen); /* reported once */
	it->seen = true;
	bool a, b;
	struct db_sighting sa, sb;
	expect(c->v, c->n, k, &a, &b, &sa, &sb);
	switch (d->change) {
	case DB_CHANGE_ADDED:
		assert_true(b && !a);
		assert_int_equal(d->new_s.count, sb.count);
		c->got.added++;
		break;
	case DB_CHANGE_REMOVED:
		assert_true(a && !b);
		assert_int_equal(d->old_s.count, sa.count);
		c->got.removed++;
		break;
	case DB_CHANGE_CHANGED:
		assert_true(a && b);
		assert_true(sa.count != sb.count || sa.first_seen != sb.first_seen ||
			    sa.last_seen != sb.last_seen);
		assert_int_equal(!!(d->what & DB_DIFF_COUNT), sa.count != sb.count);
		assert_int_equal(d->old_s.count, sa.count);
		assert_int_equal(d->new_s.count, sb.count);
		c->got.changed++;
		break;
	}
	return 0;
}

static void test_diff_matches_model(void **state)
{
	(void)state;
	uint64_t seed = 12345;
	char pa[512], pb[512];
	snprintf(pa, sizeof(pa), "%s/diff-a.sdb", test_tmpdir());
	snprintf(pb, sizeof(pb), "%s/diff-b.sdb", test_tmpdir());
	uint64_t total = 0;
	for (int round = 0; round < ROUNDS; round++) {
		struct item *v = calloc(ITEMS, sizeof(*v));
		assert_non_null(v);
		for (size_t i = 0; i < ITEMS; i++) {
			/* some keys repeat, to combine sightings */
			if (i && rnd_next(&seed) % 8 == 0)
				v[i].p = v[rnd_next(&seed) % i].p;
			else
				rnd_prefix(&seed, &v[i].p, rnd_next(&seed) % 4 == 0);
			uint64_t r = rnd_next(&seed);
			v[i].campaign = (int)(r & 1);
			v[i].s = (struct db_sighting){
			    .first_seen = 1672531200u + (uint32_t)(r % 1000),
			    .last_seen = 1672631200u,
			    .count = 1 + (uint32_t)(r >> 32) % 50,
			    .evidence = DB_EV_LIST,
			    .confidence = DB_CONF_LOW};
			unsigned side = (unsigned)(r >> 20) % 10;
			v[i].in_a = side != 0; /* 10% only in B */
			v[i].in_b = side != 1; /* 10% only in A */
		}
		struct db *a = build(pa, v, ITEMS, false), *b = build(pb, v, ITEMS, true);
		struct check c = {.v = v, .n = ITEMS};
		struct db_diff_stats st;
		assert_int_equal(db_diff(a, b, on_diff, &c, &st), 0);
		assert_int_equal(st.added, c.got.added);
		assert_int_equal(st.removed, c.got.removed);
		assert_int_equal(st.changed, c.got.changed);
		/* every model key with a difference was reported, no other */
		for (size_t i = 0; i < ITEMS; i++) {
			if (key_of(v, ITEMS, &v[i].p, v[i].campaign) != i)
				continue;
			bool ia, ib;
			struct db_sighting sa, sb;
			expect(v, ITEMS, i, &ia, &ib, &sa, &sb);
			bool differs = ia != ib || sa.count != sb.count ||
				       sa.first_seen != sb.first_seen ||
				       sa.last_seen != sb.last_seen;
			assert_int_equal(v[i].seen, differs);
			total++;
		}
		assert_true(c.got.added > 0 && c.got.removed > 0 && c.got.changed > 0);
		/* null old: everything added */
		struct db_diff_stats all;
		assert_int_equal(db_diff(NULL, b, NULL, NULL, &all), 0);
		assert_int_equal(all.removed + all.changed + all.same, 0);
		assert_int_equal(all.added, st.added + st.changed + st.same);
		/* a snapshot against itself */
		struct db_diff_stats self;
		assert_int_equal(db_diff(a, a, NULL, NULL, &self), 0);
		assert_int_equal(self.added + self.removed + self.changed, 0);
		db_close(a);
		db_close(b);
		free(v);
	}
	assert_true(total > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_diff_matches_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
