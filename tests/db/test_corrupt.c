/* A damaged snapshot is refused with a clear message and never read out of
 * bounds: truncations, flipped bytes, and structural damage behind a valid
 * checksum (so that the structural checks, not just the checksum, are
 * exercised). Run under ASan by `make SANITIZE=1 check`. */
#include "db/fixture.h"
#include "db/format.h"

static unsigned char *image;
static size_t image_size;

static int setup(void **state)
{
	(void)state;
	const struct fx_row rows[] = {
	    {"192.0.2.7", "c1", "a", 100, 200, 3, DB_EV_DNS, DB_CONF_LOW},
	    {"192.0.2.7", "c2", "b", 150, 250, 1, DB_EV_TLS, DB_CONF_HIGH},
	    {"192.0.2.0/24", "c1", "a", 100, 200, 1, DB_EV_LIST, 0},
	    {"198.51.100.1", "c1", "a", 1, 2, 1, DB_EV_FLOW, 0},
	    {"198.51.100.2", "c1", "a", 1, 2, 1, DB_EV_FLOW, 0},
	    {"2001:db8::1", "c1", "a", 50, 60, 1, DB_EV_TLS, DB_CONF_HIGH},
	    {"2001:db8::/32", "c2", "b", 0, 0, 1, DB_EV_LIST, 0},
	};
	const char *path = test_tmpfile("good.sdb");
	/* with inputs, so that the INPUTS section is damaged too */
	struct db_builder *b = db_builder_new();
	assert_non_null(b);
	for (size_t i = 0; i < 7; i++)
		fx_add(b, &rows[i]);
	struct sd_error err = {0};
	const struct io_ident ids[] = {
	    {1000, 0, 400, {1, 2}, {3, 4}},
	    {1000, 400, 1000, {1, 2}, {5, 6}},
	    {77, 0, 77, {9, 9}, {8, 8}},
	};
	assert_int_equal(db_builder_input(b, "a", &ids[0], &err), 0);
	assert_int_equal(db_builder_input(b, "b", &ids[1], &err), 0);
	assert_int_equal(db_builder_input(b, "a", &ids[2], &err), 0);
	assert_int_equal(db_builder_write(b, path, 1700000000, &err), 0);
	db_builder_free(b);
	struct db *db;
	assert_int_equal(db_open(path, &db, &err), 0);
	assert_int_equal(db_input_count(db), 3);
	db_close(db);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	image_size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	image = malloc(image_size);
	assert_int_equal(fread(image, 1, image_size, f), image_size);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(image);
	return 0;
}

static void fix_checksum(unsigned char *buf, size_t size)
{
	struct db_header *h = (void *)buf;
	if (size >= sizeof(*h))
		h->checksum = db_checksum(buf, size);
}

static int visit(const struct db_entry *e, void *p)
{
	const struct db *db = p;
	for (uint32_t i = 0; i < e->nsightings; i++) {
		struct db_sighting s;
		struct db_campaign c;
		db_entry_sighting(db, e, i, &s);
		db_campaign_get(db, s.campaign, &c);
		for (uint32_t k = 0; k < db_sourceset_size(db, s.sources); k++)
			(void)strlen(db_sourceset_item(db, s.sources, k));
		(void)strlen(c.name);
	}
	return 0;
}

/* Whatever an opened snapshot holds, queries must stay in bounds. */
static void exercise(const struct db *db)
{
	static const char *const q[] = {"192.0.2.7",   "192.0.2.9", "198.51.100.2",
					"2001:db8::1", "::/0",	    "0.0.0.0/0",
					"10.0.0.0/8"};
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		struct net_prefix p;
		struct db_entry e[129];
		net_prefix_parse(q[i], strlen(q[i]), &p, 0, NULL);
		size_t n = db_cover(db, &p, e, 129);
		for (size_t k = 0; k < n && k < 129; k++)
			visit(&e[k], (void *)db);
		db_range(db, &p, visit, (void *)db, NULL);
		(void)db_contains(db, &p.addr);
	}
	db_foreach(db, visit, (void *)db);
}

static int try_open(const unsigned char *buf, size_t size, struct sd_error *err)
{
	/* a private copy so that ASan sees reads past the end */
	unsigned char *copy = malloc(size ? size : 1);
	memcpy(copy, buf, size);
	struct db *db;
	int rc = db_open_buffer(copy, size, &db, err);
	if (rc == 0) {
		exercise(db);
		db_close(db);
	}
	free(copy);
	return rc;
}

static void test_good_image_opens(void **state)
{
	(void)state;
	struct sd_error err = {0};
	assert_int_equal(try_open(image, image_size, &err), 0);
}

static void test_every_truncation_refused(void **state)
{
	(void)state;
	for (size_t n = 0; n < image_size; n++) {
		struct sd_error err = {0};
		int rc = try_open(image, n, &err);
		if (rc == 0)
			fail_msg("truncated to %zu of %zu bytes and accepted", n,
				 image_size);
		assert_true(err.msg[0] != '\0');
	}
	/* a file that grew is refused too */
	unsigned char *big = calloc(1, image_size + 64);
	memcpy(big, image, image_size);
	struct sd_error err = {0};
	assert_int_not_equal(try_open(big, image_size + 64, &err), 0);
	assert_non_null(strstr(err.msg, "bytes"));
	free(big);
}

static void test_flipped_bytes_refused(void **state)
{
	(void)state;
	unsigned char *buf = malloc(image_size);
	for (size_t i = 0; i < image_size; i++) {
		memcpy(buf, image, image_size);
		buf[i] ^= 0x5a;
		struct sd_error err = {0};
		/* the checksum covers every byte but its own field */
		int rc = try_open(buf, image_size, &err);
		bool in_checksum = i >= offsetof(struct db_header, checksum) &&
				   i < offsetof(struct db_header, checksum) + 8;
		if (rc == 0 && !in_checksum)
			fail_msg("byte %zu flipped and accepted", i);
		if (in_checksum)
			assert_int_equal(rc, SD_ECHECKSUM);
	}
	free(buf);
}

/* Structural damage with the checksum recomputed: must be refused by the
 * structural checks or, if the damaged value is still valid data, be safe
 * to query. Either way no crash and no out-of-bounds read (ASan). */
static void test_structural_damage_is_safe(void **state)
{
	(void)state;
	unsigned char *buf = malloc(image_size);
	static const unsigned char values[] = {0x00, 0x01, 0x7f, 0x80, 0xff};
	size_t refused = 0, accepted = 0;
	for (size_t i = 0; i < image_size; i++) {
		for (size_t v = 0; v < sizeof(values); v++) {
			memcpy(buf, image, image_size);
			if (buf[i] == values[v])
				continue;
			buf[i] = values[v];
			fix_checksum(buf, image_size);
			struct sd_error err = {0};
			if (try_open(buf, image_size, &err))
				refused++;
			else
				accepted++;
		}
	}
	/* damage to padding, times and counts is still valid data; damage to
	 * structure must be caught */
	assert_true(refused > 0);
	assert_true(accepted > 0);
	free(buf);
}

static void test_specific_damage(void **state)
{
	(void)state;
	unsigned char *buf = malloc(image_size);
	struct db_header *h = (void *)buf;
	struct sd_error err;

	memcpy(buf, image, image_size);
	memcpy(h->magic, "NOTADB\0\0", 8);
	assert_int_equal(try_open(buf, image_size, &err), SD_ECORRUPT);
	assert_non_null(strstr(err.msg, "magic"));

	memcpy(buf, image, image_size);
	h->version = 99;
	assert_int_equal(try_open(buf, image_size, &err), SD_EVERSION);
	assert_non_null(strstr(err.msg, "version 99"));

	memcpy(buf, image, image_size);
	h->sections[DB_SEC_DATA - 1].offset = UINT64_MAX - 8;
	fix_checksum(buf, image_size);
	assert_int_equal(try_open(buf, image_size, &err), SD_ECORRUPT);

	memcpy(buf, image, image_size);
	h->sections[DB_SEC_TABLES - 1].size = UINT64_MAX;
	fix_checksum(buf, image_size);
	assert_int_equal(try_open(buf, image_size, &err), SD_ECORRUPT);

	/* a table whose count claims more keys than the file holds */
	memcpy(buf, image, image_size);
	struct db_table_rec *t = (void *)(buf + h->sections[DB_SEC_TABLES - 1].offset);
	t->count = 1u << 30;
	fix_checksum(buf, image_size);
	assert_int_equal(try_open(buf, image_size, &err), SD_ECORRUPT);

	/* keys out of order */
	memcpy(buf, image, image_size);
	t = (void *)(buf + h->sections[DB_SEC_TABLES - 1].offset);
	unsigned char *data = buf + h->sections[DB_SEC_DATA - 1].offset;
	uint32_t *keys = (void *)(data + t->keys);
	assert_true(t->count >= 2);
	uint32_t tmp = keys[0];
	keys[0] = keys[1];
	keys[1] = tmp;
	fix_checksum(buf, image_size);
	assert_int_equal(try_open(buf, image_size, &err), SD_ECORRUPT);
	assert_non_null(strstr(err.msg, "order"));
	free(buf);
}

/* The key lines of the IPv4 host table (three keys, one line), damaged
 * behind a valid checksum: each rule of docs/db-format.md is checked. */
static void test_key_line_damage(void **state)
{
	(void)state;
	unsigned char *buf = malloc(image_size);
	assert_non_null(buf);
	struct db_header *h = (void *)buf;
	struct sd_error err;
	struct {
		const char *what, *msg;
	} cases[] = {
	    {"pad", "padding"},		 {"rank", "ranks"},	 {"buckets", "shape"},
	    {"lines", "shape"},		 {"align", "data area"}, {"reserved", "reserved"},
	    {"common", "common prefix"},
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		memcpy(buf, image, image_size);
		struct db_table_rec *t =
		    (void *)(buf + h->sections[DB_SEC_TABLES - 1].offset);
		unsigned char *data = buf + h->sections[DB_SEC_DATA - 1].offset;
		uint32_t *line = (void *)(data + t->keys);
		uint32_t *ranks = (void *)(data + t->ranks);
		assert_int_equal(t->kind, DB_KEY_V4);
		assert_int_equal(t->count, 3);
		assert_int_equal(t->lines, 1);
		assert_int_equal(line[15], line[2]);
		if (!strcmp(cases[c].what, "pad"))
			line[15] = line[2] + 1; /* looks full, yet holds 3 keys */
		else if (!strcmp(cases[c].what, "rank"))
			ranks[1] = 2;
		else if (!strcmp(cases[c].what, "buckets"))
			t->buckets = 0;
		else if (!strcmp(cases[c].what, "lines"))
			t->lines = t->buckets + t->count + 1;
		else if (!strcmp(cases[c].what, "align"))
			t->keys += 4;
		else if (!strcmp(cases[c].what, "reserved"))
			t->reserved2 = 1;
		else
			t->common = 8; /* 192.0.2.7 and 198.51.100.1 differ there */
		fix_checksum(buf, image_size);
		assert_int_equal(try_open(buf, image_size, &err), SD_ECORRUPT);
		if (!strstr(err.msg, cases[c].msg))
			fail_msg("%s: %s", cases[c].what, err.msg);
	}
	/* a format 2 snapshot (before key lines) is refused, asking to rebuild */
	memcpy(buf, image, image_size);
	h->version = 2;
	assert_int_equal(try_open(buf, image_size, &err), SD_EVERSION);
	assert_non_null(strstr(err.msg, "version 2"));
	assert_non_null(strstr(err.msg, "rebuild"));
	free(buf);
}

static void test_file_errors(void **state)
{
	(void)state;
	struct db *db;
	struct sd_error err = {0};
	assert_int_not_equal(db_open(test_tmpfile("missing.sdb"), &db, &err), 0);
	assert_non_null(strstr(err.msg, "missing.sdb"));
	assert_int_not_equal(db_open(test_tmpdir(), &db, &err), 0);
	FILE *f = fopen(test_tmpfile("empty-file.sdb"), "wb");
	fclose(f);
	assert_int_equal(db_open(test_tmpfile("empty-file.sdb"), &db, &err), SD_ETRUNC);
	assert_non_null(strstr(err.msg, "not a sighted snapshot"));
}

/* Writes the first n bytes of the good image to a file. */
static const char *image_file(const char *name, size_t n)
{
	const char *path = test_tmpfile(name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(image, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* DB_OPEN_HUGE_PAGES reads the file instead of mapping it: the same
 * validation, the same answers and the same errors as db_open. */
static void test_open_huge_pages(void **state)
{
	(void)state;
	struct db *a, *b;
	struct sd_error err = {0};
	const char *path = image_file("huge.sdb", image_size);
	assert_int_equal(db_open(path, &a, &err), 0);
	assert_int_equal(db_open_flags(path, DB_OPEN_HUGE_PAGES, &b, &err), 0);
	char ida[DB_CONTENT_ID_STRLEN], idb[DB_CONTENT_ID_STRLEN];
	db_content_id(a, ida);
	db_content_id(b, idb);
	assert_string_equal(ida, idb);
	assert_int_equal(db_entry_count(a), db_entry_count(b));
	assert_string_equal(db_path(b), path);
	static const char *const probes[] = {
	    "192.0.2.7",     "192.0.2.9",   "198.51.100.2", "2001:db8::1",
	    "2001:db8:1::5", "203.0.113.1", "::1"};
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		struct net_addr x;
		assert_int_equal(net_addr_parse(probes[i], strlen(probes[i]), &x, NULL),
				 0);
		assert_int_equal(db_contains(a, &x), db_contains(b, &x));
	}
	db_close(a);
	db_close(b);
	/* a damaged or short file is refused as db_open refuses it */
	for (size_t n = 0; n < image_size; n += image_size / 7 + 1) {
		path = image_file("huge-short.sdb", n);
		int want = db_open(path, &a, &err);
		assert_int_not_equal(want, 0);
		assert_int_equal(db_open_flags(path, DB_OPEN_HUGE_PAGES, &b, &err), want);
		assert_null(b);
		assert_true(err.msg[0] != '\0');
	}
	assert_int_not_equal(
	    db_open_flags(test_tmpfile("missing.sdb"), DB_OPEN_HUGE_PAGES, &b, &err), 0);
	assert_non_null(strstr(err.msg, "missing.sdb"));
	assert_int_not_equal(db_open_flags(test_tmpdir(), DB_OPEN_HUGE_PAGES, &b, &err),
			     0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_image_opens),
	    cmocka_unit_test(test_every_truncation_refused),
	    cmocka_unit_test(test_flipped_bytes_refused),
	    cmocka_unit_test(test_structural_damage_is_safe),
	    cmocka_unit_test(test_specific_damage),
	    cmocka_unit_test(test_key_line_damage),
	    cmocka_unit_test(test_file_errors),
	    cmocka_unit_test(test_open_huge_pages),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
