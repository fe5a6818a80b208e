/* /api/v1/changes while a reload is under way: the generation to the new
 * snapshot is recorded just before the snapshot is swapped in, and
 * requests in flight finish on the snapshot they started with; they must
 * still get their changes, not 410 (audit stop 19, unconfirmed item). */
#include "testutil.h"

#include <jansson.h>

#include "db/builder.h"
#include "server/changes.h"

/* A snapshot listing the first n of three /24s. */
static struct db *build(const char *name, int n)
{
	struct sd_error err = {0};
	struct db_builder *b = db_builder_new();
	assert_non_null(b);
	struct db_campaign_meta m = {.name = "3cx-2023"};
	uint16_t cid;
	assert_int_equal(db_builder_campaign(b, &m, &cid, &err), 0);
	const char *src = "test";
	uint32_t set;
	assert_int_equal(db_builder_sourceset(b, &src, 1, &set, &err), 0);
	static const char *const nets[] = {"192.0.2.0/24", "198.51.100.0/24",
					   "203.0.113.0/24"};
	for (int i = 0; i < n; i++) {
		struct net_prefix p;
		assert_int_equal(net_prefix_parse(nets[i], strlen(nets[i]), &p, 0, NULL), 0);
		struct db_sighting s = {.first_seen = 1690000000,
					.last_seen = 1690000000,
					.count = 1,
					.campaign = cid,
					.evidence = 1,
					.confidence = 1,
					.sources = set};
		assert_int_equal(db_builder_add(b, &p, &s, &err), 0);
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

/* Items in the answer for since, or -status if it is not 200. */
static int changes(const struct srv_snap *snap, const struct srv_token *tok,
		   const char *since)
{
	struct srv_response r = {0};
	srv_changes_answer(snap, tok, since, &r);
	int out = -r.status;
	if (r.status == 200) {
		json_t *o = json_loadb(r.body, r.len, 0, NULL);
		assert_non_null(o);
		out = (int)json_array_size(
		    json_object_get(json_object_get(o, "changes"), "items"));
		json_decref(o);
	}
	srv_response_free(&r);
	return out;
}

static void test_changes_during_reload(void **state)
{
	(void)state;
	struct db *a = build("a.sdb", 1), *b = build("b.sdb", 2), *c = build("c.sdb", 3);
	char ida[DB_CONTENT_ID_STRLEN], idb[DB_CONTENT_ID_STRLEN];
	db_content_id(a, ida);
	db_content_id(b, idb);
	struct srv_token tok = {.nscope = 1};
	assert_int_equal(net_prefix_parse("0.0.0.0/0", 9, &tok.scope[0], 0, NULL), 0);
	struct srv_snap *sa, *sb, *sc;
	struct sd_error err = {0};
	srv_changes_record(a, b); /* a -> b, then b is served */
	assert_int_equal(srv_snap_from_db(b, &sb, &err), 0);
	assert_int_equal(changes(sb, &tok, ida), 1);
	srv_changes_record(b, c); /* the next reload, before its swap */
	assert_int_equal(changes(sb, &tok, ida), 1); /* was 410 */
	assert_int_equal(changes(sb, &tok, idb), 0);
	assert_int_equal(srv_snap_from_db(c, &sc, &err), 0);
	assert_int_equal(changes(sc, &tok, ida), 2); /* after the swap */
	assert_int_equal(changes(sc, &tok, idb), 1);
	/* a snapshot never recorded is still gone */
	assert_int_equal(srv_snap_from_db(a, &sa, &err), 0);
	assert_int_equal(changes(sa, &tok, "0123456789abcdef"), -410);
	srv_ref_put(&sa->ref);
	srv_ref_put(&sb->ref);
	srv_ref_put(&sc->ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_changes_during_reload),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	test_sh("rm -rf %s", test_tmpdir());
	return rc;
}
