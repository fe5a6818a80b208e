/* Matching rules of the compiled indicator set. */
#include "testutil.h"

#include "core/timeutil.h"
#include "indicators/indicators.h"

static struct ind_set *make_broad(const char *const *vals, bool allow_broad)
{
	struct ind_set *s = ind_set_new();
	assert_non_null(s);
	ind_set_allow_broad(s, allow_broad);
	for (size_t i = 0; vals[i]; i++) {
		bool h;
		struct sd_error e = {0};
		int rc = ind_set_add_text(s, vals[i], strlen(vals[i]), "c", "t", 0, 0,
					  &h, &e);
		if (rc)
			fail_msg("add %s: %s", vals[i], e.msg);
	}
	struct sd_error e = {0};
	assert_int_equal(ind_set_compile(s, &e), 0);
	return s;
}

static struct ind_set *make(const char *const *vals)
{
	return make_broad(vals, false);
}

static size_t name(const struct ind_set *s, const char *n)
{
	const struct ind_indicator *h[8];
	return ind_match_name(s, n, strlen(n), 1680000000, h, 8);
}

static size_t addr(const struct ind_set *s, const char *a)
{
	struct net_addr x;
	const char *why;
	assert_int_equal(net_addr_parse(a, strlen(a), &x, &why), 0);
	const struct ind_indicator *h[8];
	return ind_match_addr(s, &x, 1680000000, h, 8);
}

static size_t url(const struct ind_set *s, const char *host, const char *path)
{
	const struct ind_indicator *h[8];
	return ind_match_url(s, host, strlen(host), path, path ? strlen(path) : 0,
			     1680000000, h, 8);
}

static void test_label_boundary(void **state)
{
	(void)state;
	const char *v[] = {"evil.com", NULL};
	struct ind_set *s = make(v);
	assert_int_equal(name(s, "evil.com"), 1);
	assert_int_equal(name(s, "x.evil.com"), 1);
	assert_int_equal(name(s, "a.b.c.evil.com"), 1);
	assert_int_equal(name(s, "notevil.com"), 0);
	assert_int_equal(name(s, "evil.com.example"), 0);
	assert_int_equal(name(s, "evil.co"), 0);
	assert_int_equal(name(s, "com"), 0);
	assert_int_equal(name(s, "xevil.com"), 0);
	ind_set_free(s);
}

static void test_case_and_trailing_dot(void **state)
{
	(void)state;
	const char *v[] = {"JournalIDE.org.", NULL};
	struct ind_set *s = make(v);
	assert_string_equal(ind_set_at(s, 0)->value, "journalide.org");
	assert_int_equal(name(s, "journalide.org"), 1);
	assert_int_equal(name(s, "JOURNALIDE.ORG."), 1);
	assert_int_equal(name(s, "www.JournalIde.Org"), 1);
	assert_int_equal(name(s, "journalide.org.."), 1);
	assert_int_equal(name(s, "journalide.or"), 0);
	ind_set_free(s);
}

static void test_addresses_and_prefixes(void **state)
{
	(void)state;
	const char *v[] = {"192.0.2.7", "198.51.100.0/24", "2001:db8::/32",
			   "2001:db8:1::5", NULL};
	struct ind_set *s = make(v);
	assert_int_equal(addr(s, "192.0.2.7"), 1);
	assert_int_equal(addr(s, "192.0.2.8"), 0);
	assert_int_equal(addr(s, "198.51.100.255"), 1);
	assert_int_equal(addr(s, "198.51.101.0"), 0);
	assert_int_equal(addr(s, "2001:db8:1::5"), 2); /* address and prefix */
	assert_int_equal(addr(s, "2001:db9::1"), 0);
	assert_int_equal(addr(s, "::ffff:192.0.2.7"), 1);
	assert_int_equal(ind_set_count(s, IND_ADDR), 2);
	assert_int_equal(ind_set_count(s, IND_PREFIX), 2);
	ind_set_free(s);
}

static void test_prefix_length_edges(void **state)
{
	(void)state;
	const char *v[] = {"2001:db8:0:1::/64", "2001:db8:0:2:8000::/65", "2001:db8::1:0/127",
			   "192.0.2.128/25", "10.0.0.0/8", NULL};
	struct ind_set *s = make(v);
	assert_int_equal(addr(s, "2001:db8:0:1:ffff::1"), 1);
	assert_int_equal(addr(s, "2001:db8:0:2::1"), 0); /* below the /65 */
	assert_int_equal(addr(s, "2001:db8:0:2:8000::1"), 1);
	assert_int_equal(addr(s, "2001:db8::1:1"), 1);
	assert_int_equal(addr(s, "2001:db8::1:2"), 0);
	assert_int_equal(addr(s, "192.0.2.200"), 1);
	assert_int_equal(addr(s, "192.0.2.127"), 0);
	assert_int_equal(addr(s, "10.255.255.255"), 1);
	assert_int_equal(addr(s, "11.0.0.0"), 0);
	ind_set_free(s);
	const char *all[] = {"::/0", NULL};
	s = make_broad(all, true);
	assert_int_equal(addr(s, "192.0.2.1"), 1);
	assert_int_equal(addr(s, "2001:db8::1"), 1);
	ind_set_free(s);
}

/* Prefixes broader than /8 (IPv4) or /16 (IPv6) are refused unless
 * allowed: in an nftables or ipset export they would block everything. */
static void test_broad_refused(void **state)
{
	(void)state;
	static const struct {
		const char *v;
		bool broad;
	} cases[] = {
	    {"0.0.0.0/0", true},  {"10.0.0.0/7", true},	 {"10.0.0.0/8", false},
	    {"::/0", true},	  {"2000::/3", true},	 {"2000::/15", true},
	    {"2001::/16", false}, {"192.0.2.1", false},	 {"::ffff:0:0/96", true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ind_set *s = ind_set_new();
		bool h;
		struct sd_error e = {0};
		const char *v = cases[i].v;
		int rc = ind_set_add_text(s, v, strlen(v), NULL, NULL, 0, 0, &h, &e);
		if (cases[i].broad) {
			assert_int_equal(rc, SD_ERANGE);
			assert_non_null(strstr(e.msg, "--allow-broad"));
			assert_int_equal(ind_set_stats(s)->broad, 1);
			ind_set_allow_broad(s, true);
			sd_error_clear(&e);
			assert_int_equal(
			    ind_set_add_text(s, v, strlen(v), NULL, NULL, 0, 0, &h, &e), 0);
		} else {
			assert_int_equal(rc, 0);
		}
		ind_set_free(s);
	}
}

static void test_hostbits_refused(void **state)
{
	(void)state;
	struct ind_set *s = ind_set_new();
	bool h;
	struct sd_error e = {0};
	assert_int_equal(ind_set_add_text(s, "192.0.2.1/24", 12, NULL, NULL, 0, 0,
					  &h, &e),
			 SD_EHOSTBITS);
	assert_int_not_equal(ind_set_add_text(s, "1.2.3.999", 9, NULL, NULL, 0, 0,
					      &h, &e),
			     0);
	assert_int_equal(ind_set_size(s), 0);
	ind_set_free(s);
}

static void test_url_normalisation(void **state)
{
	(void)state;
	const char *v[] = {"HTTPS://Evil.Example:443/v2/Storage#frag",
			   "http://evil2.example:80/a", "http://evil3.example:8080/b",
			   "tcp://23.254.211.230", NULL};
	struct ind_set *s = make(v);
	assert_string_equal(ind_set_at(s, 0)->value, "https://evil.example/v2/Storage");
	assert_string_equal(ind_set_at(s, 1)->value, "http://evil2.example/a");
	assert_string_equal(ind_set_at(s, 2)->value, "http://evil3.example:8080/b");
	assert_int_equal(ind_set_at(s, 2)->port, 8080);
	assert_string_equal(ind_set_at(s, 3)->path, "/");
	assert_int_equal(url(s, "EVIL.example.", "/v2/Storage/x?y=1"), 1);
	assert_int_equal(url(s, "evil.example", "/v2/storage"), 0); /* path case kept */
	assert_int_equal(url(s, "evil.example", "/v1"), 0);
	/* a dedicated URL host counts as the host in DNS/SNI */
	assert_int_equal(name(s, "evil.example"), 1);
	assert_int_equal(name(s, "sub.evil.example"), 0);
	/* an address URL host is matched as an address */
	assert_int_equal(addr(s, "23.254.211.230"), 1);
	ind_set_free(s);
}

static void test_shared_hosts(void **state)
{
	(void)state;
	const char *v[] = {
		"https://raw.githubusercontent.com/IconStorages/images/main/",
		"https://github.com/IconStorages/images", NULL};
	struct ind_set *s = make(v);
	assert_true(ind_set_at(s, 0)->flags & IND_SHARED);
	assert_true(ind_set_at(s, 1)->flags & IND_SHARED);
	/* DNS/SNI of the shared host: never */
	assert_int_equal(name(s, "raw.githubusercontent.com"), 0);
	assert_int_equal(name(s, "github.com"), 0);
	/* the path: yes; another repository: no */
	assert_int_equal(url(s, "raw.githubusercontent.com",
			     "/IconStorages/images/main/icon15.ico"),
			 1);
	assert_int_equal(url(s, "raw.githubusercontent.com",
			     "/octocat/Hello-World/master/README"),
			 0);
	assert_int_equal(url(s, "github.com", "/IconStorages/images"), 1);
	/* a domain indicator naming a shared host is refused and counted */
	struct ind_set *t = ind_set_new();
	bool h;
	struct sd_error e = {0};
	assert_int_equal(ind_set_add_text(t, "od.lk", 5, NULL, NULL, 0, 0, &h, &e),
			 SD_ERANGE);
	assert_int_equal(ind_set_add_shared(t, "38.108.185.79", 13), 0);
	assert_int_equal(ind_set_add_text(t, "38.108.185.79", 13, NULL, NULL, 0, 0,
					  &h, &e),
			 SD_ERANGE);
	/* ".parent" entries cover every name below the parent, not itself */
	assert_true(ind_set_is_shared_name(t, "user-images.GitHubUserContent.com.", 34));
	assert_false(ind_set_is_shared_name(t, "githubusercontent.com.evil.example", 34));
	assert_int_equal(ind_set_add_shared(t, ".evil-cdn.example", 17), 0);
	assert_true(ind_set_is_shared_name(t, "a.b.evil-cdn.example", 20));
	assert_false(ind_set_is_shared_name(t, "evil-cdn.example", 16));
	assert_false(ind_set_is_shared_name(t, "notevil-cdn.example", 19));
	const char *root = "https://github.com/";
	assert_int_equal(ind_set_add_text(t, root, strlen(root), NULL, NULL, 0, 0, &h, &e),
			 SD_ERANGE);
	assert_int_equal(ind_set_stats(t)->shared, 3);
	assert_int_equal(ind_set_size(t), 0);
	ind_set_free(t);
	ind_set_free(s);
}

/* The auditor's finding 1: /a matched /ab, and on a shared host another
 * account (github.com/evil listed github.com/evilcorp-legit/tools). */
static void test_url_path_boundary(void **state)
{
	(void)state;
	const char *v[] = {"http://dl.example.net/a", "https://github.com/evil",
			   "http://x.example/dir/", "http://y.example/gate.php?id=1",
			   "http://z.example/q.php?id=", NULL};
	struct ind_set *s = make(v);
	assert_int_equal(url(s, "dl.example.net", "/ab/c"), 0);
	assert_int_equal(url(s, "dl.example.net", "/a.exe"), 0);
	assert_int_equal(url(s, "dl.example.net", "/a"), 1);
	assert_int_equal(url(s, "dl.example.net", "/a/c"), 1);
	assert_int_equal(url(s, "dl.example.net", "/a?x=1"), 1);
	assert_int_equal(url(s, "dl.example.net", "/a;v=2"), 1);
	assert_int_equal(url(s, "dl.example.net", "/a#f"), 1);
	assert_int_equal(url(s, "github.com", "/evilcorp-legit/tools"), 0);
	assert_int_equal(url(s, "github.com", "/evil"), 1);
	assert_int_equal(url(s, "github.com", "/evil/tools"), 1);
	/* an indicator path ending in '/' carries its own boundary */
	assert_int_equal(url(s, "x.example", "/dir/file"), 1);
	assert_int_equal(url(s, "x.example", "/dir"), 0);
	/* inside a query, '&' is a boundary */
	assert_int_equal(url(s, "y.example", "/gate.php?id=1"), 1);
	assert_int_equal(url(s, "y.example", "/gate.php?id=1&k=2"), 1);
	assert_int_equal(url(s, "y.example", "/gate.php?id=12"), 0);
	assert_int_equal(url(s, "z.example", "/q.php?id=55"), 1);
	ind_set_free(s);
}

/* The auditor's finding 2: the domain githubusercontent.com (accepted: the
 * built-in entry covers only the names below it) matched
 * raw.githubusercontent.com. A shared name never matches a domain. */
static void test_shared_name_below_domain(void **state)
{
	(void)state;
	const char *v[] = {"githubusercontent.com", NULL};
	struct ind_set *s = make(v);
	assert_int_equal(ind_set_size(s), 1);
	assert_int_equal(name(s, "raw.githubusercontent.com"), 0);
	assert_int_equal(name(s, "objects.githubusercontent.com"), 0);
	assert_int_equal(name(s, "user-images.githubusercontent.com"), 0);
	assert_int_equal(name(s, "githubusercontent.com"), 1);
	ind_set_free(s);
	/* a campaign's own shared entry below its own domain */
	s = ind_set_new();
	assert_int_equal(ind_set_add_shared(s, ".cdn.evil.example", 17), 0);
	assert_int_equal(ind_set_add_shared(s, "files.evil.example", 18), 0);
	bool h;
	struct sd_error e = {0};
	assert_int_equal(ind_set_add_text(s, "evil.example", 12, NULL, NULL, 0, 0, &h,
					  &e),
			 0);
	assert_int_equal(ind_set_compile(s, &e), 0);
	assert_int_equal(name(s, "a.cdn.evil.example"), 0);
	assert_int_equal(name(s, "files.evil.example"), 0);
	assert_int_equal(name(s, "c2.evil.example"), 1);
	assert_int_equal(name(s, "cdn.evil.example"), 1);
	ind_set_free(s);
}

/* The auditor's finding 3: 192.0.2.0/24 listed the clients of the shared
 * 192.0.2.80, and a shared range could not be declared. */
static void test_shared_addresses_and_prefixes(void **state)
{
	(void)state;
	struct ind_set *s = ind_set_new();
	assert_int_equal(ind_set_add_shared(s, "192.0.2.80", 10), 0);
	assert_int_equal(ind_set_add_shared(s, "198.51.100.0/25", 15), 0);
	assert_int_equal(ind_set_add_shared(s, "2001:db8:cd::/48", 16), 0);
	assert_int_equal(ind_set_add_shared(s, "203.0.113.1/24", 14), SD_EHOSTBITS);
	assert_int_equal(ind_set_add_shared(s, "203.0.113.0/33", 14), SD_ERANGE);
	assert_int_equal(ind_set_add_shared(s, "203.0.113.0/x", 13), SD_EPARSE);
	const char *ok[] = {"192.0.2.0/24", "198.51.100.0/24", "2001:db8::/32",
			    "198.51.100.200", NULL};
	const char *refused[] = {"198.51.100.7", "198.51.100.0/26", "2001:db8:cd:1::/64",
				 "192.0.2.80", NULL};
	bool h;
	struct sd_error e = {0};
	for (size_t i = 0; ok[i]; i++)
		assert_int_equal(ind_set_add_text(s, ok[i], strlen(ok[i]), NULL, NULL, 0,
						  0, &h, &e),
				 0);
	for (size_t i = 0; refused[i]; i++)
		assert_int_equal(ind_set_add_text(s, refused[i], strlen(refused[i]), NULL,
						  NULL, 0, 0, &h, &e),
				 SD_ERANGE);
	assert_int_equal(ind_set_stats(s)->shared, 4);
	assert_int_equal(ind_set_compile(s, &e), 0);
	assert_int_equal(addr(s, "192.0.2.80"), 0);
	assert_int_equal(addr(s, "192.0.2.81"), 1);
	assert_int_equal(addr(s, "198.51.100.127"), 0);
	assert_int_equal(addr(s, "198.51.100.128"), 1);
	assert_int_equal(addr(s, "198.51.100.200"), 2);
	assert_int_equal(addr(s, "2001:db8:cd::1"), 0);
	assert_int_equal(addr(s, "2001:db8:ce::1"), 1);
	/* a URL on a shared address is path-only */
	ind_set_free(s);
	s = ind_set_new();
	assert_int_equal(ind_set_add_shared(s, "192.0.2.0/24", 12), 0);
	const char *u = "http://192.0.2.9/gate";
	assert_int_equal(ind_set_add_text(s, u, strlen(u), NULL, NULL, 0, 0, &h, &e), 0);
	assert_true(ind_set_at(s, 0)->flags & IND_SHARED);
	assert_int_equal(ind_set_compile(s, &e), 0);
	assert_int_equal(addr(s, "192.0.2.9"), 0);
	assert_int_equal(url(s, "192.0.2.9", "/gate"), 1);
	ind_set_free(s);
}

static void test_validity_window(void **state)
{
	(void)state;
	struct ind_set *s = ind_set_new();
	bool h;
	struct sd_error e = {0};
	int64_t from, until;
	const char *why;
	assert_int_equal(sd_time_parse("2023-03-01", 10, &from, &why), 0);
	assert_int_equal(sd_time_parse("2023-03-31", 10, &until, &why), 0);
	assert_int_equal(ind_set_add_text(s, "evil.com", 8, NULL, NULL, from,
					  until, &h, &e),
			 0);
	assert_int_equal(ind_set_compile(s, &e), 0);
	const struct ind_indicator *hit[2];
	assert_int_equal(ind_match_name(s, "evil.com", 8, from - 1, hit, 2), 0);
	assert_int_equal(ind_match_name(s, "evil.com", 8, from, hit, 2), 1);
	assert_int_equal(ind_match_name(s, "evil.com", 8, until, hit, 2), 1);
	assert_int_equal(ind_match_name(s, "evil.com", 8, until + 1, hit, 2), 0);
	ind_set_free(s);
}

/* The auditor's finding 6: a record without a time (ts 0, an ad-hoc run
 * with no window) matched indicators outside their validity. It cannot be
 * shown inside a bounded validity, so it matches only unbounded ones. */
static void test_no_time_bounded_validity(void **state)
{
	(void)state;
	struct ind_set *s = ind_set_new();
	bool h;
	struct sd_error e = {0};
	const char *u = "http://c2.example/gate";
	assert_int_equal(ind_set_add_text(s, "evil.com", 8, NULL, NULL, 1677628800, 0, &h,
					  &e),
			 0);
	assert_int_equal(ind_set_add_text(s, "192.0.2.7", 9, NULL, NULL, 0, 1680307199,
					  &h, &e),
			 0);
	assert_int_equal(ind_set_add_text(s, u, strlen(u), NULL, NULL, 1677628800,
					  1680307199, &h, &e),
			 0);
	assert_int_equal(ind_set_add_text(s, "open.example", 12, NULL, NULL, 0, 0, &h,
					  &e),
			 0);
	assert_int_equal(ind_set_compile(s, &e), 0);
	const struct ind_indicator *hit[2];
	struct net_addr a;
	const char *why;
	assert_int_equal(net_addr_parse("192.0.2.7", 9, &a, &why), 0);
	assert_int_equal(ind_match_name(s, "evil.com", 8, 0, hit, 2), 0);
	assert_int_equal(ind_match_addr(s, &a, 0, hit, 2), 0);
	assert_int_equal(ind_match_url(s, "c2.example", 10, "/gate", 5, 0, hit, 2), 0);
	assert_int_equal(ind_match_name(s, "open.example", 12, 0, hit, 2), 1);
	/* with a time inside the validity they do match */
	assert_int_equal(ind_match_name(s, "evil.com", 8, 1680000000, hit, 2), 1);
	assert_int_equal(ind_match_addr(s, &a, 1680000000, hit, 2), 1);
	assert_int_equal(ind_match_url(s, "c2.example", 10, "/gate", 5, 1680000000, hit,
				       2),
			 1);
	ind_set_free(s);
}

static void test_duplicates_and_hashes(void **state)
{
	(void)state;
	struct ind_set *s = ind_set_new();
	bool h;
	struct sd_error e = {0};
	assert_int_equal(ind_set_add_text(s, "evil.com", 8, "a", "x", 0, 0, &h, &e), 0);
	assert_int_equal(ind_set_add_text(s, "EVIL.com.", 9, "a", "y", 0, 0, &h, &e), 0);
	assert_int_equal(ind_set_add_text(s, "evil.com", 8, "b", "x", 0, 0, &h, &e), 0);
	assert_int_equal(ind_set_add_text(s, "sub.evil.com", 12, "a", NULL, 0, 0, &h, &e), 0);
	const char *sha = "aa124a4b4df12b34e74ee7f6c683b2ebec4ce9a8edcf9be345823b4fdcf5d868";
	assert_int_equal(ind_set_add_text(s, sha, strlen(sha), "a", NULL, 0, 0, &h, &e), 0);
	assert_true(h);
	/* one indicator per value: labels and sources joined */
	assert_int_equal(ind_set_size(s), 2);
	assert_string_equal(ind_set_at(s, 0)->campaign, "a; b");
	assert_string_equal(ind_set_at(s, 0)->source, "x; y");
	assert_int_equal(ind_set_stats(s)->duplicates, 2);
	assert_int_equal(ind_set_stats(s)->hashes, 1);
	assert_int_equal(ind_set_compile(s, &e), 0);
	const struct ind_indicator *hit[1];
	/* more hits than room: the count says so */
	assert_int_equal(ind_match_name(s, "x.sub.evil.com", 14, 0, hit, 1), 2);
	ind_set_free(s);
}

static void test_url_host_covered_by_domain(void **state)
{
	(void)state;
	const char *v[] = {"https://c2.evil.example/x", "evil.example", NULL};
	struct ind_set *s = make(v);
	const struct ind_indicator *h[4];
	/* the domain answers for the URL's host: one hit, not two */
	assert_int_equal(ind_match_name(s, "c2.evil.example", 15, 0, h, 4), 1);
	assert_int_equal(h[0]->kind, IND_DOMAIN);
	assert_int_equal(url(s, "c2.evil.example", "/x/y"), 1);
	ind_set_free(s);
}

/* The auditor's finding 4: adding domain,evil.com valid until 2023-01-31
 * removed the March sighting of url,http://evil.com/gate's host. */
static void test_url_host_domain_validity(void **state)
{
	(void)state;
	int64_t jan22, jan31, mar15;
	const char *why;
	assert_int_equal(sd_time_parse("2022-01-01", 10, &jan22, &why), 0);
	assert_int_equal(sd_time_parse("2023-01-31T23:59:59Z", 20, &jan31, &why), 0);
	assert_int_equal(sd_time_parse("2023-03-15", 10, &mar15, &why), 0);
	struct ind_set *s = ind_set_new();
	bool h;
	struct sd_error e = {0};
	const char *u = "http://evil.com/gate";
	assert_int_equal(ind_set_add_text(s, u, strlen(u), NULL, NULL, 0, 0, &h, &e), 0);
	assert_int_equal(ind_set_add_text(s, "evil.com", 8, NULL, NULL, jan22, jan31,
					  &h, &e),
			 0);
	assert_int_equal(ind_set_compile(s, &e), 0);
	const struct ind_indicator *hit[4];
	assert_int_equal(ind_match_name(s, "evil.com", 8, mar15, hit, 4), 1);
	assert_int_equal(hit[0]->kind, IND_URL);
	assert_int_equal(ind_match_name(s, "evil.com", 8, jan31, hit, 4), 2);
	ind_set_free(s);
	/* a domain valid whenever the URL is still answers for its host */
	s = ind_set_new();
	assert_int_equal(ind_set_add_text(s, u, strlen(u), NULL, NULL, jan22, jan31, &h,
					  &e),
			 0);
	assert_int_equal(ind_set_add_text(s, "evil.com", 8, NULL, NULL, jan22, 0, &h,
					  &e),
			 0);
	assert_int_equal(ind_set_compile(s, &e), 0);
	assert_int_equal(ind_match_name(s, "evil.com", 8, jan31, hit, 4), 1);
	assert_int_equal(hit[0]->kind, IND_DOMAIN);
	ind_set_free(s);
}

static int count_cb(const struct ind_indicator *d, void *ctx)
{
	(void)d;
	(*(int *)ctx)++;
	return 0;
}

static void test_foreach(void **state)
{
	(void)state;
	const char *v[] = {"a.example", "192.0.2.1", "http://b.example/x", NULL};
	struct ind_set *s = make(v);
	int n = 0;
	assert_int_equal(ind_set_foreach(s, count_cb, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(ind_set_at(s, 2)->kind, IND_URL);
	assert_int_equal(ind_set_at(s, 2)->id, 2);
	ind_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_boundary),
		cmocka_unit_test(test_case_and_trailing_dot),
		cmocka_unit_test(test_addresses_and_prefixes),
		cmocka_unit_test(test_prefix_length_edges),
		cmocka_unit_test(test_hostbits_refused),
		cmocka_unit_test(test_broad_refused),
		cmocka_unit_test(test_url_normalisation),
		cmocka_unit_test(test_shared_hosts),
		cmocka_unit_test(test_url_path_boundary),
		cmocka_unit_test(test_shared_name_below_domain),
		cmocka_unit_test(test_shared_addresses_and_prefixes),
		cmocka_unit_test(test_validity_window),
		cmocka_unit_test(test_no_time_bounded_validity),
		cmocka_unit_test(test_duplicates_and_hashes),
		cmocka_unit_test(test_url_host_covered_by_domain),
		cmocka_unit_test(test_url_host_domain_validity),
		cmocka_unit_test(test_foreach),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
