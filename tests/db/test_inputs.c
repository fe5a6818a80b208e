/* Input provenance (INPUTS): canonical order, ranges of a file joining into
 * the file, what counts as a shared input, the builder writing the same
 * bytes whatever order inputs came in, and merge's plan (refuse a shared
 * input, --dedupe keeping one copy whatever the argument order). */
#include "db/fixture.h"
#include "db/inputs.h"
#include "db/merge.h"

static struct io_ident ident(uint64_t size, uint64_t head, uint64_t start, uint64_t end,
			     uint64_t content)
{
	return (struct io_ident){size, start, end, {head, head}, {content, content}};
}

static void test_canonical_joins_ranges(void **state)
{
	(void)state;
	/* a file of 300 bytes in three ranges, given out of order, twice one
	 * of them; plus another file and the same file under another label */
	struct db_input in[] = {
	    {"f.log", ident(300, 7, 100, 200, 2)}, {"g.log", ident(50, 9, 0, 50, 5)},
	    {"f.log", ident(300, 7, 0, 100, 1)},   {"f.log", ident(300, 7, 200, 300, 3)},
	    {"f.log", ident(300, 7, 100, 200, 2)}, {"h.log", ident(300, 7, 0, 100, 1)},
	};
	size_t n = db_inputs_canonical(in, 6);
	assert_int_equal(n, 3);
	/* head 7 sorts before head 9; then by start, then end */
	assert_string_equal(in[0].label, "h.log");
	assert_int_equal(in[0].id.end, 100);
	assert_string_equal(in[1].label, "f.log");
	assert_int_equal(in[1].id.start, 0);
	assert_int_equal(in[1].id.end, 300);
	assert_int_equal(in[1].id.content.lo, 6); /* 1 + 2 + 3, the repeat once */
	assert_string_equal(in[2].label, "g.log");
	/* a gap is not joined */
	struct db_input gap[] = {{"f.log", ident(300, 7, 0, 100, 1)},
				 {"f.log", ident(300, 7, 150, 300, 3)}};
	assert_int_equal(db_inputs_canonical(gap, 2), 2);
}

static void test_overlap(void **state)
{
	(void)state;
	struct io_ident whole = ident(300, 7, 0, 300, 6),
			part = ident(300, 7, 100, 200, 2);
	struct io_ident other = ident(300, 8, 0, 300, 6),
			alike = ident(300, 7, 0, 300, 9);
	struct io_ident next = ident(300, 7, 200, 300, 3),
			empty = ident(300, 7, 150, 150, 0);
	assert_true(db_inputs_overlap(&whole, &whole));
	assert_true(db_inputs_overlap(&whole, &part));
	assert_true(db_inputs_overlap(&part, &whole));
	assert_false(db_inputs_overlap(&whole, &other)); /* another file */
	assert_false(db_inputs_overlap(&whole, &alike)); /* begins alike only */
	assert_false(db_inputs_overlap(&part, &next));	 /* [100,200) [200,300) */
	assert_false(db_inputs_overlap(&part, &empty));
}

static const char *build(const char *name, const struct db_input *in, size_t n,
			 const char *src)
{
	struct db_builder *b = db_builder_new();
	struct sd_error err = {0};
	struct fx_row row = {"192.0.2.1", "c", src, 10, 20, 1, DB_EV_DNS, 1};
	fx_add(b, &row);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(db_builder_input(b, in[i].label, &in[i].id, &err), 0);
	const char *path = test_tmpfile(name);
	if (db_builder_write(b, path, 1, &err))
		fail_msg("%s", err.msg);
	db_builder_free(b);
	return path;
}

static void test_builder_order_and_roundtrip(void **state)
{
	(void)state;
	struct db_input a[] = {{"z.log", ident(10, 3, 0, 10, 1)},
			       {"a.log", ident(20, 2, 0, 20, 2)},
			       {"m.log", ident(30, 1, 0, 15, 3)},
			       {"m.log", ident(30, 1, 15, 30, 4)}};
	struct db_input b[] = {a[3], a[1], a[0], a[2], a[1]};
	const char *pa = build("in-a.sdb", a, 4, "s");
	char keep[512];
	snprintf(keep, sizeof(keep), "%s", pa);
	const char *pb = build("in-b.sdb", b, 5, "s");
	FILE *fa = fopen(keep, "rb"), *fb = fopen(pb, "rb");
	char ba[8192], bb[8192];
	size_t na = fread(ba, 1, sizeof(ba), fa), nb = fread(bb, 1, sizeof(bb), fb);
	fclose(fa);
	fclose(fb);
	assert_int_equal(na, nb);
	assert_memory_equal(ba, bb, na);
	struct db *db;
	struct sd_error err = {0};
	assert_int_equal(db_open(keep, &db, &err), 0);
	assert_int_equal(db_input_count(db), 3);
	struct io_ident id;
	assert_string_equal(db_input_get(db, 0, &id), "m.log"); /* head 1 */
	assert_int_equal(id.start, 0);
	assert_int_equal(id.end, 30);
	assert_int_equal(id.content.hi, 7);
	assert_string_equal(db_input_get(db, 2, &id), "z.log");
	db_close(db);
}

static void test_merge_plan(void **state)
{
	(void)state;
	struct db_input whole[] = {{"f.log", ident(300, 7, 0, 300, 6)},
				   {"g.log", ident(50, 9, 0, 50, 5)}};
	struct db_input part[] = {{"f.log", ident(300, 7, 100, 200, 2)}};
	struct db_input other[] = {{"h.log", ident(10, 4, 0, 10, 1)},
				   {"g.log", ident(50, 9, 0, 50, 5)}};
	struct db_input rest[] = {{"f.log", ident(300, 7, 200, 300, 3)}};
	struct db *w, *p, *o, *r;
	struct sd_error err = {0};
	assert_int_equal(db_open(build("pw.sdb", whole, 2, "s1"), &w, &err), 0);
	assert_int_equal(db_open(build("pp.sdb", part, 1, "s2"), &p, &err), 0);
	assert_int_equal(db_open(build("po.sdb", other, 2, "s3"), &o, &err), 0);
	assert_int_equal(db_open(build("pr.sdb", rest, 1, "s4"), &r, &err), 0);
	bool skip[3];
	/* disjoint ranges of one file: fine */
	assert_int_equal(db_merge_plan((struct db *[]){p, r}, 2, false, skip, &err), 0);
	/* a range inside the whole: refused, naming it */
	assert_int_equal(db_merge_plan((struct db *[]){w, p}, 2, false, skip, &err),
			 SD_EDUPLICATE);
	assert_non_null(strstr(err.msg, "share an input: f.log"));
	/* --dedupe keeps the whole, in either order */
	assert_int_equal(db_merge_plan((struct db *[]){w, p}, 2, true, skip, &err), 0);
	assert_false(skip[0]);
	assert_true(skip[1]);
	assert_int_equal(db_merge_plan((struct db *[]){p, w}, 2, true, skip, &err), 0);
	assert_true(skip[0]);
	assert_false(skip[1]);
	/* the same snapshot twice: one copy, whichever */
	assert_int_equal(db_merge_plan((struct db *[]){w, w, r}, 3, true, skip, &err), 0);
	assert_true(skip[0] != skip[1]);
	/* a partial overlap (g.log shared, f.log and h.log not) stays refused */
	assert_int_equal(db_merge_plan((struct db *[]){w, o}, 2, true, skip, &err),
			 SD_EDUPLICATE);
	assert_non_null(strstr(err.msg, "g.log"));
	db_close(w);
	db_close(p);
	db_close(o);
	db_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_canonical_joins_ranges),
	    cmocka_unit_test(test_overlap),
	    cmocka_unit_test(test_builder_order_and_roundtrip),
	    cmocka_unit_test(test_merge_plan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
