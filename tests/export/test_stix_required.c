/* The STIX 2.1 export against the specification's requirements, checked
 * property by property (the OASIS JSON schemas are not packaged in
 * Debian): every object has the common required properties of its kind,
 * identifiers are "type--UUID" with an RFC 4122 version 5 UUID (SCOs with
 * the id the spec's deterministic rule gives), timestamps are RFC 3339 UTC
 * (created/modified to the millisecond), references resolve to objects of
 * the allowed types in the bundle, counts are in range, and the bundle is
 * the same byte for byte when exported twice. */
#include "testutil.h"

#include <jansson.h>
#include <uuid/uuid.h>

#include "export/export.h"
#include "indicators/indicators.h"
#include "snapgen.h"

static bool is_timestamp(const char *s, bool millis)
{
	/* YYYY-MM-DDTHH:MM:SS[.s+]Z */
	static const char pat[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;
	for (i = 0; pat[i]; i++) {
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
			return false;
	}
	if (s[i] == '.') {
		size_t k = 0;
		while (s[i + 1 + k] >= '0' && s[i + 1 + k] <= '9')
			k++;
		if (!k || (millis && k != 3))
			return false;
		i += 1 + k;
	} else if (millis) {
		return false;
	}
	return s[i] == 'Z' && s[i + 1] == 0;
}

/* "type--uuid" with the type matching and a version 5 UUID */
static bool is_id(const char *id, const char *type)
{
	size_t n = strlen(type);
	uuid_t u;
	if (strncmp(id, type, n) || strncmp(id + n, "--", 2) ||
	    strlen(id + n + 2) != 36 || uuid_parse(id + n + 2, u))
		return false;
	return (u[6] >> 4) == 5 && (u[8] & 0xc0) == 0x80;
}

static const char *str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void require_str(json_t *o, const char *k, const char *id)
{
	if (!str(o, k) || !*str(o, k))
		fail_msg("%s: required property %s missing or not a string", id, k);
}

static void require_time(json_t *o, const char *k, bool millis, const char *id)
{
	require_str(o, k, id);
	if (!is_timestamp(str(o, k), millis))
		fail_msg("%s: %s '%s' is not a STIX timestamp", id, k, str(o, k));
}

static const char *type_of_ref(json_t *index, const char *ref)
{
	json_t *o = json_object_get(index, ref);
	if (!o)
		fail_msg("reference %s does not resolve inside the bundle", ref);
	return str(o, "type");
}

static void check_sdo(json_t *o, const char *id)
{
	if (strcmp(str(o, "spec_version") ? str(o, "spec_version") : "", "2.1"))
		fail_msg("%s: spec_version must be \"2.1\"", id);
	require_time(o, "created", true, id);
	require_time(o, "modified", true, id);
	assert_true(strcmp(str(o, "modified"), str(o, "created")) >= 0);
	json_t *c = json_object_get(o, "confidence");
	if (c && (!json_is_integer(c) || json_integer_value(c) < 0 ||
		  json_integer_value(c) > 100))
		fail_msg("%s: confidence out of 0..100", id);
}

/* The subset of the STIX patterning grammar the writer uses:
 * obs ( " OR " obs )*, obs = "[" cmp ( " OR " cmp )* "]",
 * cmp = object ":value " ("=" | "ISSUBSET" | "LIKE") " " 'literal' with
 * \' and \\ the only escapes. */
static bool literal(const char **p)
{
	const char *s = *p;
	if (*s++ != '\'')
		return false;
	for (; *s && *s != '\''; s++)
		if (*s == '\\' && (s[1] == '\'' || s[1] == '\\'))
			s++;
		else if (*s == '\\')
			return false;
	if (*s != '\'')
		return false;
	*p = s + 1;
	return true;
}

static bool comparison(const char **p)
{
	static const char *const objs[] = {"ipv4-addr", "ipv6-addr", "domain-name",
					   "url"};
	static const char *const ops[] = {"= ", "ISSUBSET ", "LIKE "};
	const char *s = *p;
	size_t i;
	for (i = 0; i < 4; i++)
		if (!strncmp(s, objs[i], strlen(objs[i])) &&
		    !strncmp(s + strlen(objs[i]), ":value ", 7))
			break;
	if (i == 4)
		return false;
	s += strlen(objs[i]) + 7;
	for (i = 0; i < 3; i++)
		if (!strncmp(s, ops[i], strlen(ops[i])))
			break;
	if (i == 3)
		return false;
	s += strlen(ops[i]);
	*p = s;
	return literal(p);
}

static bool pattern_ok(const char *s)
{
	for (;;) {
		if (*s++ != '[' || !comparison(&s))
			return false;
		while (!strncmp(s, " OR ", 4) && s[4] != '[') {
			s += 4;
			if (!comparison(&s))
				return false;
		}
		if (*s++ != ']')
			return false;
		if (!*s)
			return true;
		if (strncmp(s, " OR ", 4))
			return false;
		s += 4;
	}
}

static size_t nind_sightings;

static void check_bundle(const char *path, size_t *nsightings)
{
	nind_sightings = 0;
	json_error_t je;
	json_t *b = json_load_file(path, 0, &je);
	if (!b)
		fail_msg("%s:%d: %s", path, je.line, je.text);
	assert_string_equal(str(b, "type"), "bundle");
	assert_true(is_id(str(b, "id"), "bundle"));
	json_t *objs = json_object_get(b, "objects");
	assert_true(json_is_array(objs));
	json_t *index = json_object();
	size_t i;
	json_t *o;
	json_array_foreach(objs, i, o)
	{
		const char *id = str(o, "id"), *type = str(o, "type");
		assert_non_null(id);
		assert_non_null(type);
		if (!is_id(id, type))
			fail_msg("%s: not a %s--UUIDv5 identifier", id, type);
		if (json_object_get(index, id))
			fail_msg("%s: identifier used twice", id);
		json_object_set(index, id, o);
	}
	*nsightings = 0;
	json_array_foreach(objs, i, o)
	{
		const char *id = str(o, "id"), *type = str(o, "type");
		if (!strcmp(type, "identity")) {
			check_sdo(o, id);
			require_str(o, "name", id);
		} else if (!strcmp(type, "campaign")) {
			check_sdo(o, id);
			require_str(o, "name", id);
			if (json_object_get(o, "first_seen"))
				require_time(o, "first_seen", false, id);
		} else if (!strcmp(type, "observed-data")) {
			check_sdo(o, id);
			require_time(o, "first_observed", false, id);
			require_time(o, "last_observed", false, id);
			assert_true(strcmp(str(o, "last_observed"),
					   str(o, "first_observed")) >= 0);
			json_int_t n =
			    json_integer_value(json_object_get(o, "number_observed"));
			if (n < 1 || n > 999999999)
				fail_msg("%s: number_observed %lld out of 1..999999999",
					 id, (long long)n);
			json_t *refs = json_object_get(o, "object_refs"), *r;
			size_t k;
			assert_true(json_array_size(refs) >= 1);
			json_array_foreach(refs, k, r)
			{
				const char *t = type_of_ref(index, json_string_value(r));
				assert_true(!strcmp(t, "ipv4-addr") ||
					    !strcmp(t, "ipv6-addr"));
			}
		} else if (!strcmp(type, "sighting")) {
			check_sdo(o, id);
			(*nsightings)++;
			require_str(o, "sighting_of_ref", id);
			const char *t = type_of_ref(index, str(o, "sighting_of_ref"));
			/* must be an SDO, never an SCO or SRO */
			assert_true(strcmp(t, "sighting") && strcmp(t, "relationship") &&
				    strcmp(t, "ipv4-addr") && strcmp(t, "ipv6-addr"));
			if (!strcmp(t, "indicator"))
				nind_sightings++;
			json_int_t n = json_integer_value(json_object_get(o, "count"));
			if (n < 0 || n > 999999999)
				fail_msg("%s: count out of range", id);
			/* optional, but both or neither */
			assert_int_equal(json_object_get(o, "first_seen") != NULL,
					 json_object_get(o, "last_seen") != NULL);
			if (json_object_get(o, "first_seen")) {
				require_time(o, "first_seen", false, id);
				require_time(o, "last_seen", false, id);
				assert_true(strcmp(str(o, "last_seen"),
						   str(o, "first_seen")) >= 0);
			}
			json_t *r;
			size_t k;
			json_array_foreach(json_object_get(o, "observed_data_refs"), k, r)
			    assert_string_equal(type_of_ref(index, json_string_value(r)),
						"observed-data");
			assert_true(json_array_size(
					json_object_get(o, "where_sighted_refs")) >= 1);
			json_array_foreach(json_object_get(o, "where_sighted_refs"), k, r)
			{
				const char *w = type_of_ref(index, json_string_value(r));
				assert_true(!strcmp(w, "identity") ||
					    !strcmp(w, "location"));
			}
		} else if (!strcmp(type, "indicator")) {
			check_sdo(o, id);
			require_str(o, "pattern", id);
			if (!pattern_ok(str(o, "pattern")))
				fail_msg("%s: pattern outside the grammar: %.200s", id,
					 str(o, "pattern"));
			assert_string_equal(str(o, "pattern_type"), "stix");
			require_time(o, "valid_from", false, id);
			if (json_object_get(o, "valid_until"))
				assert_true(strcmp(str(o, "valid_until"),
						   str(o, "valid_from")) > 0);
		} else if (!strcmp(type, "relationship")) {
			check_sdo(o, id);
			require_str(o, "relationship_type", id);
			assert_string_equal(str(o, "relationship_type"), "indicates");
			assert_string_equal(type_of_ref(index, str(o, "source_ref")),
					    "indicator");
			assert_string_equal(type_of_ref(index, str(o, "target_ref")),
					    "campaign");
		} else if (!strcmp(type, "ipv4-addr") || !strcmp(type, "ipv6-addr")) {
			require_str(o, "value", id);
			/* STIX 2.1 2.9: UUIDv5 over {"value":...} in the SCO namespace */
			char name[128], want[64], s[37];
			uuid_t ns, u;
			snprintf(name, sizeof(name), "{\"value\":\"%s\"}",
				 str(o, "value"));
			uuid_parse("00abedb4-aa42-466c-9c01-fed23315a9b7", ns);
			uuid_generate_sha1(u, ns, name, strlen(name));
			uuid_unparse_lower(u, s);
			snprintf(want, sizeof(want), "%s--%s", type, s);
			assert_string_equal(id, want);
		} else {
			fail_msg("%s: unexpected object type %s", id, type);
		}
	}
	json_decref(index);
	json_decref(b);
}

/* A list entry with no time and no confidence: the sighting leaves both
 * out (no build time as first/last seen, no confidence 0); an entry with
 * them keeps them. */
static void unknown_left_out(void **state)
{
	(void)state;
	struct sd_error err = {0};
	const char *sdb = test_tmpfile("u.sdb");
	struct db_builder *b = db_builder_new();
	struct db_campaign_meta m = {.name = "3cx-2023", .title = "T", .advisory = ""};
	uint16_t cid;
	uint32_t set;
	const char *src[] = {"published-list"};
	assert_int_equal(db_builder_campaign(b, &m, &cid, &err), 0);
	assert_int_equal(db_builder_sourceset(b, src, 1, &set, &err), 0);
	struct net_prefix p;
	const char *why;
	assert_int_equal(net_prefix_parse("192.0.2.7", 9, &p, 0, &why), 0);
	struct db_sighting s = {
	    .count = 1, .campaign = cid, .evidence = DB_EV_LIST, .sources = set};
	assert_int_equal(db_builder_add(b, &p, &s, &err), 0);
	assert_int_equal(net_prefix_parse("192.0.2.8", 9, &p, 0, &why), 0);
	s.first_seen = 1679400000u;
	s.last_seen = 1679500000u;
	s.confidence = DB_CONF_HIGH;
	assert_int_equal(db_builder_add(b, &p, &s, &err), 0);
	assert_int_equal(db_builder_write(b, sdb, 1700000000u, &err), 0);
	db_builder_free(b);
	struct db *db;
	assert_int_equal(db_open(sdb, &db, &err), 0);
	struct export_opts o = {.build_time = 1700000000u};
	export_filter_init(&o.filter);
	struct export_stats st;
	const char *out = test_tmpfile("u.json");
	assert_int_equal(export_stix(db, &o, out, &st, &err), 0);
	db_close(db);
	size_t nsight;
	check_bundle(out, &nsight);
	assert_int_equal(nsight, 2);
	json_error_t je;
	json_t *bundle = json_load_file(out, 0, &je), *obj;
	assert_non_null(bundle);
	size_t i, seen = 0;
	json_array_foreach(json_object_get(bundle, "objects"), i, obj)
	{
		if (strcmp(str(obj, "type"), "sighting"))
			continue;
		bool unknown = strstr(str(obj, "description"), "192.0.2.7 ") != NULL;
		assert_int_equal(json_object_get(obj, "first_seen") == NULL, unknown);
		assert_int_equal(json_object_get(obj, "last_seen") == NULL, unknown);
		assert_int_equal(json_object_get(obj, "confidence") == NULL, unknown);
		if (!unknown) {
			assert_string_equal(str(obj, "first_seen"),
					    "2023-03-21T12:00:00.000Z");
			assert_int_equal(
			    json_integer_value(json_object_get(obj, "confidence")), 85);
		}
		seen++;
	}
	assert_int_equal(seen, 2);
	json_decref(bundle);
}

static void bundle(void **state)
{
	(void)state;
	struct sd_error err = {0};
	const char *sdb = test_tmpfile("s.sdb");
	if (sg_build(sdb, 400, NULL, 0, &err))
		fail_msg("%s", err.msg);
	struct db *db;
	if (db_open(sdb, &db, &err))
		fail_msg("%s", err.msg);
	struct export_opts o = {.build_time = 1700000000u};
	export_filter_init(&o.filter);
	struct export_stats st;
	const char *a = test_tmpfile("a.json"), *b = test_tmpfile("b.json");
	assert_int_equal(export_stix(db, &o, a, &st, &err), 0);
	size_t nsight;
	check_bundle(a, &nsight);
	/* one sighting per entry and campaign */
	uint64_t want = 0;
	assert_int_equal(st.entries, db_entry_count(db));
	struct export_stats st2;
	assert_int_equal(export_csv(db, &o, b, &st2, &err), 0);
	FILE *fp = fopen(b, "r");
	char line[4096];
	while (fgets(line, sizeof(line), fp))
		want++;
	fclose(fp);
	assert_int_equal(nsight, want - 1); /* CSV: a row per sighting + header */
	/* deterministic: the same snapshot gives the same bytes */
	assert_int_equal(export_stix(db, &o, b, &st, &err), 0);
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", a, b);
	assert_int_equal(system(cmd), 0);
	/* a filtered bundle is valid too */
	o.filter.campaign = 0;
	o.filter.min_confidence = DB_CONF_HIGH;
	assert_int_equal(export_stix(db, &o, b, &st, &err), 0);
	check_bundle(b, &nsight);
	assert_true(nsight > 0 && nsight < want - 1);

	/* with campaign indicator sets: an indicator per campaign that has
	 * one, `indicates` the campaign, and sightings name it */
	struct ind_set *set = ind_set_new();
	static const char *const vals[] = {
	    "192.0.2.7",   "198.51.100.0/24", "2001:db8::/48",
	    "2001:db8::9", "evil.example",    "https://c2.example.net/it's/a\\path",
	};
	for (size_t k = 0; k < 6; k++) {
		bool hash;
		assert_int_equal(ind_set_add_text(set, vals[k], strlen(vals[k]),
						  "3cx-2023", "t", 0, 0, &hash, &err),
				 0);
	}
	assert_int_equal(ind_set_compile(set, &err), 0);
	const struct ind_set *sets[3] = {NULL, NULL, NULL};
	int cid = db_campaign_find(db, "3cx-2023");
	assert_true(cid >= 0);
	sets[cid] = set;
	export_filter_init(&o.filter);
	o.campaign_indicators = sets;
	assert_int_equal(export_stix(db, &o, b, &st, &err), 0);
	check_bundle(b, &nsight);
	assert_true(nind_sightings > 0 && nind_sightings < nsight);
	json_error_t je;
	json_t *bj = json_load_file(b, 0, &je), *ob;
	size_t k, nind = 0;
	json_array_foreach(json_object_get(bj, "objects"), k,
			   ob) if (!strcmp(str(ob, "type"), "indicator"))
	{
		nind++;
		assert_non_null(strstr(str(ob, "pattern"),
				       "[ipv4-addr:value ISSUBSET '198.51.100.0/24']"));
		assert_non_null(strstr(str(ob, "pattern"), "LIKE '%.evil.example'"));
		assert_non_null(strstr(str(ob, "pattern"), "it\\'s/a\\\\path"));
	}
	assert_int_equal(nind, 1);
	json_decref(bj);
	ind_set_free(set);
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(bundle),
	    cmocka_unit_test(unknown_left_out),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
