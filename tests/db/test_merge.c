/* merge is associative and commutative: shards built apart and joined in
 * any grouping and order give the same snapshot contents. */
#include "db/fixture.h"
#include "db/merge.h"

static struct db *merge(const char *out, struct db *const *in, size_t n)
{
	struct db_builder *b = db_builder_new();
	struct sd_error err = {0};
	for (size_t i = 0; i < n; i++)
		if (db_merge_into(b, in[i], &err))
			fail_msg("merge: %s", err.msg);
	if (db_builder_write(b, out, 1, &err))
		fail_msg("write: %s", err.msg);
	db_builder_free(b);
	struct db *db;
	if (db_open(out, &db, &err))
		fail_msg("open merged: %s", err.msg);
	return db;
}

/* Random shards over a small key space, so keys and campaigns collide. */
static struct db *random_shard(const char *path, unsigned seed)
{
	static const char *const keys[] = {"192.0.2.1",	  "192.0.2.2",	   "192.0.2.0/24",
					   "2001:db8::1", "2001:db8::/48", "0.0.0.0/0",
					   "198.51.100.7"};
	static const char *const camps[] = {"a", "b", "c"};
	static const char *const srcs[] = {"s1", "s2", "s3", "s4"};
	struct fx_row rows[40];
	srand(seed);
	size_t n = 10 + (size_t)rand() % 30;
	for (size_t i = 0; i < n; i++) {
		uint32_t f = (uint32_t)(rand() % 1000);
		rows[i] = (struct fx_row){keys[rand() % 7],
					  camps[rand() % 3],
					  srcs[rand() % 4],
					  rand() % 5 ? f : 0,
					  rand() % 5 ? f + (uint32_t)(rand() % 500) : 0,
					  1 + (uint32_t)(rand() % 9),
					  (uint8_t)(1u << (rand() % 5)),
					  (uint8_t)(rand() % 4)};
	}
	return fx_build(path, rows, n);
}

static void test_commutative_and_associative(void **state)
{
	(void)state;
	for (unsigned round = 0; round < 20; round++) {
		char pa[64], pb[64], pc[64];
		snprintf(pa, sizeof(pa), "a%u.sdb", round);
		snprintf(pb, sizeof(pb), "b%u.sdb", round);
		snprintf(pc, sizeof(pc), "c%u.sdb", round);
		struct db *a = random_shard(test_tmpfile(pa), round * 3 + 1);
		struct db *b = random_shard(test_tmpfile(pb), round * 3 + 2);
		struct db *c = random_shard(test_tmpfile(pc), round * 3 + 3);

		struct db *ab = merge(test_tmpfile("ab.sdb"), (struct db *[]){a, b}, 2);
		struct db *ba = merge(test_tmpfile("ba.sdb"), (struct db *[]){b, a}, 2);
		char *dab = fx_dump(ab), *dba = fx_dump(ba);
		assert_string_equal(dab, dba);

		struct db *ab_c =
		    merge(test_tmpfile("ab_c.sdb"), (struct db *[]){ab, c}, 2);
		struct db *bc = merge(test_tmpfile("bc.sdb"), (struct db *[]){b, c}, 2);
		struct db *a_bc =
		    merge(test_tmpfile("a_bc.sdb"), (struct db *[]){a, bc}, 2);
		struct db *cab =
		    merge(test_tmpfile("cab.sdb"), (struct db *[]){c, a, b}, 3);
		char *d1 = fx_dump(ab_c), *d2 = fx_dump(a_bc), *d3 = fx_dump(cab);
		assert_string_equal(d1, d2);
		assert_string_equal(d1, d3);
		assert_true(strlen(d1) > 0);

		/* merging a shard with itself keeps its keys; counts add up
		 * (a merge joins shards of different data, it does not
		 * deduplicate copies of the same shard) */
		struct db *aa = merge(test_tmpfile("aa.sdb"), (struct db *[]){a, a}, 2);
		assert_int_equal(db_entry_count(aa), db_entry_count(a));

		free(dab);
		free(dba);
		free(d1);
		free(d2);
		free(d3);
		struct db *all_dbs[] = {a, b, c, ab, ba, ab_c, bc, a_bc, cab, aa};
		for (size_t i = 0; i < sizeof(all_dbs) / sizeof(all_dbs[0]); i++)
			db_close(all_dbs[i]);
	}
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return buf;
}

static void assert_same_bytes(const char *x, const char *y)
{
	size_t nx, ny;
	char *a = slurp(x, &nx), *b = slurp(y, &ny);
	assert_int_equal(nx, ny);
	assert_memory_equal(a, b, nx);
	free(a);
	free(b);
}

/* The bytes, not only the contents: every order of three shards (whose
 * strings, sets and campaigns were interned in different orders) and
 * every grouping write the same file. */
static void test_permutations_byte_identical(void **state)
{
	(void)state;
	static const unsigned perm[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
					    {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	for (unsigned round = 0; round < 10; round++) {
		struct db *in[3];
		for (unsigned i = 0; i < 3; i++) {
			char p[64];
			snprintf(p, sizeof(p), "perm%u-%u.sdb", round, i);
			in[i] = random_shard(test_tmpfile(p), 1000 + round * 7 + i);
		}
		for (unsigned k = 0; k < 6; k++) {
			struct db *o[3] = {in[perm[k][0]], in[perm[k][1]],
					   in[perm[k][2]]};
			db_close(merge(test_tmpfile(k ? "perm.sdb" : "perm0.sdb"), o, 3));
			if (k)
				assert_same_bytes(test_tmpfile("perm0.sdb"),
						  test_tmpfile("perm.sdb"));
		}
		/* (c a) b */
		struct db *ca =
		    merge(test_tmpfile("ca.sdb"), (struct db *[]){in[2], in[0]}, 2);
		db_close(merge(test_tmpfile("ca_b.sdb"), (struct db *[]){ca, in[1]}, 2));
		assert_same_bytes(test_tmpfile("perm0.sdb"), test_tmpfile("ca_b.sdb"));
		db_close(ca);
		for (unsigned i = 0; i < 3; i++)
			db_close(in[i]);
	}
}

static void test_merge_equals_single_build(void **state)
{
	(void)state;
	const struct fx_row rows[] = {
	    {"192.0.2.1", "a", "s1", 10, 20, 1, DB_EV_DNS, 1},
	    {"192.0.2.1", "a", "s2", 5, 15, 2, DB_EV_TLS, 3},
	    {"192.0.2.0/24", "b", "s1", 0, 0, 1, DB_EV_LIST, 0},
	    {"2001:db8::1", "a", "s1", 1, 1, 1, DB_EV_FLOW, 2},
	};
	struct db *whole = fx_build(test_tmpfile("whole.sdb"), rows, 4);
	struct db *x = fx_build(test_tmpfile("x.sdb"), rows, 2);
	struct db *y = fx_build(test_tmpfile("y.sdb"), rows + 2, 2);
	struct db *m = merge(test_tmpfile("xy.sdb"), (struct db *[]){x, y}, 2);
	char *dw = fx_dump(whole), *dm = fx_dump(m);
	assert_string_equal(dw, dm);
	free(dw);
	free(dm);
	db_close(whole);
	db_close(x);
	db_close(y);
	db_close(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commutative_and_associative),
	    cmocka_unit_test(test_merge_equals_single_build),
	    cmocka_unit_test(test_permutations_byte_identical),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
