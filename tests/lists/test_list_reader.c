/* The list readers: format detection, each format's fields, bad lines. */
#include "testutil.h"

#include "db/sighting.h"
#include "lists/list_reader.h"

static struct list_reader *open_text(const char *name, const char *text,
				     enum list_format fmt, unsigned flags)
{
	const char *p = test_tmpfile(name);
	FILE *f = fopen(p, "wb");
	fputs(text, f);
	fclose(f);
	struct io_source *src;
	struct list_reader *r;
	struct sd_error err = {0};
	if (io_open(p, &src, &err) || list_open(src, fmt, flags, &r, &err))
		fail_msg("%s", err.msg);
	return r;
}

static void addr_is(const struct list_entry *e, const char *want)
{
	char buf[NET_PREFIX_STRLEN];
	if (e->prefix.len == 128)
		net_addr_format(&e->prefix.addr, buf, sizeof(buf));
	else
		net_prefix_format(&e->prefix, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_sniffing(void **state)
{
	(void)state;
	struct list_reader *r = open_text("a", "# c\n\n192.0.2.1\n", LIST_AUTO, 0);
	assert_int_equal(list_format_of(r), LIST_PLAIN);
	struct list_entry e;
	struct sd_error err;
	assert_int_equal(list_next(r, &e, &err), LIST_ENTRY);
	addr_is(&e, "192.0.2.1");
	assert_int_equal(e.count, 1);
	assert_null(e.campaign);
	assert_int_equal(list_next(r, &e, &err), LIST_EOF);
	list_close(r);

	r = open_text("b", "ip,count\n192.0.2.2,5\n", LIST_AUTO, 0);
	assert_int_equal(list_format_of(r), LIST_CSV);
	assert_int_equal(list_next(r, &e, &err), LIST_ENTRY);
	assert_int_equal(e.count, 5);
	list_close(r);

	r = open_text("c", "  {\"ip\":\"2001:db8::1\"}\n", LIST_AUTO, 0);
	assert_int_equal(list_format_of(r), LIST_JSONL);
	assert_int_equal(list_next(r, &e, &err), LIST_ENTRY);
	addr_is(&e, "2001:db8::1");
	list_close(r);

	/* an address with a comma after it is still a plain list */
	r = open_text("d", "192.0.2.3, seen twice\n", LIST_AUTO, 0);
	assert_int_equal(list_format_of(r), LIST_PLAIN);
	list_close(r);
}

static void test_csv_fields(void **state)
{
	(void)state;
	struct list_reader *r = open_text(
		"csv",
		"Network;First;Last;Hits;Campaign;Source;Confidence;Evidence\n"
		"198.51.100.0/24;2023-03-01;2023-03-05T12:00:00Z;7;3cx-2023;isp;high;dns tls\n"
		"198.51.100.1;;;;;;;\n"
		"198.51.100.2;2023-03-01;x\n",
		LIST_CSV, 0);
	struct list_entry e;
	struct sd_error err;
	assert_int_equal(list_next(r, &e, &err), LIST_ENTRY);
	addr_is(&e, "198.51.100.0/24");
	assert_int_equal(e.first_seen, 1677628800);
	assert_int_equal(e.last_seen, 1678017600);
	assert_int_equal(e.count, 7);
	assert_string_equal(e.campaign, "3cx-2023");
	assert_string_equal(e.source, "isp");
	assert_int_equal(e.confidence, DB_CONF_HIGH);
	assert_int_equal(e.evidence, DB_EV_DNS | DB_EV_TLS);
	assert_int_equal(list_next(r, &e, &err), LIST_ENTRY);
	assert_null(e.campaign);
	assert_null(e.source);
	assert_int_equal(e.first_seen, 0);
	assert_int_equal(list_next(r, &e, &err), LIST_BAD_LINE);
	assert_non_null(strstr(err.msg, ":4: last_seen:"));
	assert_int_equal(list_next(r, &e, &err), LIST_EOF);
	list_close(r);
}

static void test_csv_without_address_column(void **state)
{
	(void)state;
	struct list_reader *r = open_text("noaddr", "host,count\nx,1\n", LIST_CSV, 0);
	struct list_entry e;
	struct sd_error err;
	int rc = list_next(r, &e, &err);
	assert_int_equal(rc, SD_EFORMAT);
	assert_non_null(strstr(err.msg, "no address column"));
	list_close(r);
}

static void test_hostbits_flag(void **state)
{
	(void)state;
	struct list_entry e;
	struct sd_error err;
	struct list_reader *r = open_text("hb", "192.0.2.9/24\n", LIST_PLAIN, 0);
	assert_int_equal(list_next(r, &e, &err), LIST_BAD_LINE);
	assert_non_null(strstr(err.msg, "did you mean 192.0.2.0/24"));
	list_close(r);
	r = open_text("hb2", "192.0.2.9/24\n", LIST_PLAIN, LIST_ALLOW_HOSTBITS);
	assert_int_equal(list_next(r, &e, &err), LIST_ENTRY);
	addr_is(&e, "192.0.2.0/24");
	list_close(r);
}

static void test_jsonl_members(void **state)
{
	(void)state;
	struct list_reader *r = open_text(
		"jl",
		"{\"cidr\":\"2001:db8::/32\",\"first_seen\":1680000000,\"evidence\":\"flow\"}\n"
		"[1,2]\n"
		"{\"ip\":12}\n",
		LIST_JSONL, 0);
	struct list_entry e;
	struct sd_error err;
	assert_int_equal(list_next(r, &e, &err), LIST_ENTRY);
	addr_is(&e, "2001:db8::/32");
	assert_int_equal(e.first_seen, 1680000000);
	assert_int_equal(e.evidence, DB_EV_FLOW);
	assert_int_equal(list_next(r, &e, &err), LIST_BAD_LINE);
	assert_non_null(strstr(err.msg, "not an object"));
	assert_int_equal(list_next(r, &e, &err), LIST_BAD_LINE);
	assert_non_null(strstr(err.msg, "no address member"));
	list_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniffing),
		cmocka_unit_test(test_csv_fields),
		cmocka_unit_test(test_csv_without_address_column),
		cmocka_unit_test(test_hostbits_flag),
		cmocka_unit_test(test_jsonl_members),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
