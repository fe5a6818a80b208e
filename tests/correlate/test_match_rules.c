/* Matcher and aggregator on hand-built records: who is the client, which
 * evidence, which confidence, and what must never match. */
#include "testutil.h"

#include "agg_util.h"
#include "correlate/agg.h"
#include "correlate/match.h"
#include "db/sighting.h"
#include "telemetry/reader.h"

#define T0 1680098106 /* 2023-03-29T13:55:06Z */

static struct ind_set *set;
static struct corr_rules rules;

static int setup(void **state)
{
	(void)state;
	set = ind_set_new();
	const char *v[] = {"akamaicontainer.com",
			   "198.51.100.7",
			   "2001:db8::c2",
			   "https://raw.githubusercontent.com/IconStorages/images/main/",
			   "203.0.113.0/24",
			   NULL};
	for (size_t i = 0; v[i]; i++) {
		bool h;
		struct sd_error e = {0};
		if (ind_set_add_text(set, v[i], strlen(v[i]), "c", "t", 0, 0, &h, &e))
			return -1;
	}
	struct sd_error e = {0};
	if (ind_set_compile(set, &e))
		return -1;
	rules.set = set;
	rules.window_start = 1669852800; /* 2022-12-01 */
	rules.window_end = 1682899199;	 /* 2023-04-30 end */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ind_set_free(set);
	return 0;
}

static struct net_addr A(const char *s) {
	struct net_addr a;
	const char *why;
	assert_int_equal(net_addr_parse(s, strlen(s), &a, &why), 0);
	return a;
}

static struct tel_record
rec(enum tel_kind k, const char *c, const char *s, uint16_t port, const char *name,
    const char *path)
{
	struct tel_record r;
	memset(&r, 0, sizeof(r));
	r.ts = T0;
	r.kind = k;
	r.flags = TEL_HAS_CLIENT | TEL_HAS_SERVER;
	r.client = A(c);
	r.server = A(s);
	r.server_port = port;
	r.name = name;
	r.name_len = name ? strlen(name) : 0;
	r.path = path;
	r.path_len = path ? strlen(path) : 0;
	return r;
}

static size_t run(const struct tel_record *r, struct corr_hit *h, enum corr_outcome *oc)
{
	return corr_match(&rules, r, h, CORR_MAX_HITS, oc);
}

static void test_dns_querier_low(void **state)
{
	(void)state;
	struct corr_hit h[CORR_MAX_HITS];
	enum corr_outcome oc;
	struct tel_record r = rec(TEL_DNS, "192.0.2.14", "192.0.2.53", 53,
				  "CDN.AkamaiContainer.com.", NULL);
	assert_int_equal(run(&r, h, &oc), 1);
	assert_int_equal(oc, CORR_MATCHED);
	assert_memory_equal(&h[0].client, &r.client, sizeof(r.client));
	assert_int_equal(h[0].evidence, DB_EV_DNS);
	assert_int_equal(h[0].confidence, DB_CONF_LOW);
	assert_false(h[0].has_server); /* the resolver is no C2 */
	/* label-boundary trap */
	r = rec(TEL_DNS, "192.0.2.14", "192.0.2.53", 53, "notakamaicontainer.com", NULL);
	assert_int_equal(run(&r, h, &oc), 0);
	r = rec(TEL_DNS, "192.0.2.14", "192.0.2.53", 53, "akamaicontainer.com.example",
		NULL);
	assert_int_equal(run(&r, h, &oc), 0);
}

static void test_window(void **state)
{
	(void)state;
	struct corr_hit h[CORR_MAX_HITS];
	enum corr_outcome oc;
	struct tel_record r =
	    rec(TEL_TLS, "192.0.2.11", "192.0.2.101", 443, "akamaicontainer.com", NULL);
	r.ts = 1669852799; /* a second before the window */
	assert_int_equal(run(&r, h, &oc), 0);
	assert_int_equal(oc, CORR_OUTSIDE_WINDOW);
	r.ts = 0; /* no time while the campaign has a window */
	assert_int_equal(run(&r, h, &oc), 0);
	assert_int_equal(oc, CORR_OUTSIDE_WINDOW);
	r.ts = 1682899199;
	assert_int_equal(run(&r, h, &oc), 1);
}

static void test_tls_high_with_server(void **state)
{
	(void)state;
	struct corr_hit h[CORR_MAX_HITS];
	enum corr_outcome oc;
	struct tel_record r =
	    rec(TEL_TLS, "192.0.2.11", "192.0.2.101", 443, "akamaicontainer.com", NULL);
	assert_int_equal(run(&r, h, &oc), 1);
	assert_int_equal(h[0].evidence, DB_EV_TLS);
	assert_int_equal(h[0].confidence, DB_CONF_HIGH);
	assert_true(h[0].has_server);
	assert_int_equal(h[0].server_port, 443);
	/* TLS to an indicator address without an SNI */
	r = rec(TEL_TLS, "2001:db8:1::5", "2001:db8::c2", 443, NULL, NULL);
	assert_int_equal(run(&r, h, &oc), 1);
	assert_int_equal(h[0].evidence, DB_EV_TLS);
}

static void test_shared_host(void **state)
{
	(void)state;
	struct corr_hit h[CORR_MAX_HITS];
	enum corr_outcome oc;
	/* DNS and SNI of the shared host never match */
	struct tel_record r = rec(TEL_DNS, "192.0.2.11", "192.0.2.53", 53,
				  "raw.githubusercontent.com", NULL);
	assert_int_equal(run(&r, h, &oc), 0);
	r = rec(TEL_TLS, "192.0.2.11", "192.0.2.161", 443, "raw.githubusercontent.com",
		NULL);
	assert_int_equal(run(&r, h, &oc), 0);
	/* plain HTTP with the indicator path does */
	r = rec(TEL_HTTP, "192.0.2.12", "192.0.2.161", 80, "raw.githubusercontent.com",
		"/IconStorages/images/main/icon15.ico");
	assert_int_equal(run(&r, h, &oc), 1);
	assert_int_equal(h[0].evidence, DB_EV_HTTP);
	assert_int_equal(h[0].confidence, DB_CONF_HIGH);
	/* another repository on the same host does not */
	r = rec(TEL_HTTP, "192.0.2.13", "192.0.2.161", 80, "raw.githubusercontent.com",
		"/octocat/Hello-World/master/README");
	assert_int_equal(run(&r, h, &oc), 0);
	/* a CONNECT through a proxy shows no path */
	r = rec(TEL_HTTP, "192.0.2.13", "192.0.2.1", 3128, "raw.githubusercontent.com",
		NULL);
	r.flags |= TEL_VIA_PROXY;
	assert_int_equal(run(&r, h, &oc), 0);
}

static void test_proxy_client(void **state)
{
	(void)state;
	struct corr_hit h[CORR_MAX_HITS];
	enum corr_outcome oc;
	/* the proxy's client asked for an indicator name: it is the client;
	 * the server (proxy or upstream) is not taken as the C2 address */
	struct tel_record r = rec(TEL_HTTP, "192.0.2.12", "198.51.100.7", 3128,
				  "akamaicontainer.com", NULL);
	r.flags |= TEL_VIA_PROXY;
	assert_int_equal(run(&r, h, &oc), 1);
	assert_memory_equal(&h[0].client, &r.client, sizeof(r.client));
	assert_false(h[0].has_server);
	assert_int_equal(h[0].ind->kind, IND_DOMAIN);
	/* a CONNECT to an address literal through the proxy: the literal is
	 * the C2 address */
	r = rec(TEL_HTTP, "192.0.2.12", "192.0.2.1", 3128, "198.51.100.7", NULL);
	r.flags |= TEL_VIA_PROXY;
	assert_int_equal(run(&r, h, &oc), 1);
	assert_int_equal(h[0].ind->kind, IND_ADDR);
	r = rec(TEL_HTTP, "192.0.2.12", "192.0.2.1", 3128, "[2001:db8::c2]", NULL);
	r.flags |= TEL_VIA_PROXY;
	assert_int_equal(run(&r, h, &oc), 1);
	/* an SNI that is an address literal of no indicator */
	r = rec(TEL_TLS, "192.0.2.12", "192.0.2.80", 443, "192.0.2.80", NULL);
	assert_int_equal(run(&r, h, &oc), 0);
}

static void test_flows(void **state)
{
	(void)state;
	struct corr_hit h[CORR_MAX_HITS];
	enum corr_outcome oc;
	struct tel_record r =
	    rec(TEL_FLOW, "192.0.2.20", "198.51.100.7", 443, NULL, NULL);
	assert_int_equal(run(&r, h, &oc), 1);
	assert_int_equal(h[0].confidence, DB_CONF_MEDIUM); /* not known answered */
	r.flags |= TEL_ANSWERED;
	assert_int_equal(run(&r, h, &oc), 1);
	assert_int_equal(h[0].confidence, DB_CONF_HIGH);
	assert_int_equal(h[0].dir, CORR_OUTBOUND);
	/* inside an indicator prefix */
	r = rec(TEL_FLOW, "192.0.2.20", "203.0.113.99", 80, NULL, NULL);
	assert_int_equal(run(&r, h, &oc), 1);
	assert_int_equal(h[0].ind->kind, IND_PREFIX);
	/* inbound from C2: the responder is the client */
	r = rec(TEL_FLOW, "198.51.100.7", "192.0.2.21", 22, NULL, NULL);
	r.client_port = 40000;
	assert_int_equal(run(&r, h, &oc), 1);
	assert_memory_equal(&h[0].client, &r.server, sizeof(r.server));
	assert_memory_equal(&h[0].server, &r.client, sizeof(r.client));
	assert_int_equal(h[0].server_port, 40000);
	assert_int_equal(h[0].dir, CORR_INBOUND);
	assert_int_equal(h[0].confidence, DB_CONF_MEDIUM);
	/* direction unknown: whichever end is not the indicator */
	r.flags |= TEL_DIR_UNKNOWN;
	assert_int_equal(run(&r, h, &oc), 1);
	assert_int_equal(h[0].dir, CORR_OUTBOUND);
	/* C2 to C2: nobody to flag */
	r = rec(TEL_FLOW, "198.51.100.7", "203.0.113.5", 443, NULL, NULL);
	assert_int_equal(run(&r, h, &oc), 0);
	/* a flow to an unrelated address */
	r = rec(TEL_FLOW, "192.0.2.20", "198.51.100.8", 443, NULL, NULL);
	assert_int_equal(run(&r, h, &oc), 0);
	/* no client address: nothing to attribute */
	r = rec(TEL_FLOW, "192.0.2.20", "198.51.100.7", 443, NULL, NULL);
	r.flags &= ~(unsigned)TEL_HAS_CLIENT;
	assert_int_equal(run(&r, h, &oc), 0);
}

/* Reads a conn.log without a prefilter (pre 0), with corr_prefilter (1)
 * or with corr_prefilter_memo and corr_match_memo (2): outcome, hits and
 * counts per record into out (one char per record), every hit into
 * all (up to 32), returns records. */
static size_t read_conn(const char *path, int pre, char *out, size_t max,
			struct tel_stats *st, unsigned *partial, struct corr_hit *all)
{
	struct io_source *src;
	struct sd_error e = {0};
	assert_int_equal(io_open(path, &src, &e), 0);
	struct tel_options o = {0};
	struct corr_memo memo = {.rules = &rules};
	if (pre == 1) {
		o.prefilter = corr_prefilter;
		o.prefilter_ctx = &rules;
	} else if (pre == 2) {
		o.prefilter = corr_prefilter_memo;
		o.prefilter_ctx = &memo;
	}
	size_t nall = 0;
	memset(all, 0, 32 * sizeof(*all));
	struct tel_reader *r;
	assert_int_equal(tel_open(src, &o, &r, &e), 0);
	struct tel_record tr;
	struct corr_hit h[CORR_MAX_HITS];
	enum corr_outcome oc;
	size_t n = 0;
	*partial = 0;
	while (tel_next(r, &tr, &e) == 1 && n < max) {
		size_t nh =
		    pre == 2 ? corr_match_memo(&rules, &memo, &tr, h, CORR_MAX_HITS, &oc)
			     : run(&tr, h, &oc);
		for (size_t i = 0; i < nh && nall < 32; i++)
			all[nall++] = h[i];
		if (tr.flags & TEL_PARTIAL) {
			(*partial)++;
			assert_int_equal(tr.bytes, 0); /* left unparsed */
		}
		out[n++] =
		    (char)('a' + (int)oc * 4 + (int)nh + (nh ? h[0].confidence * 8 : 0));
	}
	*st = *tel_stats(r);
	tel_close(r);
	return n;
}

/* The prefilter lets the Zeek reader skip flows that cannot match; which
 * records are read, reported malformed, matched and how sure must not
 * change. */
static void test_prefilter(void **state)
{
	(void)state;
	const char *path = test_tmpfile("prefilter-conn.log");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
	      "#unset_field\t-\n#path\tconn\n"
	      "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\t"
	      "proto\torig_bytes\tresp_bytes\tconn_state\torig_pkts\tresp_pkts\n",
	      f);
	/* to C2 (answered), from C2, unrelated, unrelated IPv6, before the
	 * window, into a C2 prefix unanswered, malformed port, bad counters */
	fputs("1680098106.1\tC1\t192.0.2.20\t50000\t198.51.100."
	      "7\t443\ttcp\t10\t20\tSF\t1\t2\n"
	      "1680098107.1\tC2\t198.51.100.7\t50001\t192.0.2."
	      "21\t22\ttcp\t10\t20\tSF\t1\t2\n"
	      "1680098108.1\tC3\t192.0.2.22\t50002\t198.51.100."
	      "8\t443\ttcp\t10\t20\tSF\t1\t2\n"
	      "1680098109.1\tC4\t2001:db8::1\t50003\t2001:db8::"
	      "c3\t443\tudp\t10\t20\tSF\t1\t2\n"
	      "1600000000.1\tC5\t192.0.2.23\t50004\t198.51.100."
	      "7\t443\ttcp\t10\t20\tSF\t1\t2\n"
	      "1680098110.1\tC6\t192.0.2.24\t50005\t203.0.113.77\t80\ttcp\t10\t-"
	      "\tS0\t1\t0\n"
	      "1680098111.1\tC7\t192.0.2.25\t99999\t198.51.100."
	      "9\t80\ttcp\t10\t0\tS0\t1\t0\n"
	      "1680098112.1\tC8\t2001:db8::5\t50006\t2001:db8::c2\t443\ttcp\tx\t(empty)"
	      "\tSF\t1\t-\n",
	      f);
	assert_int_equal(fclose(f), 0);
	char a[16], b[16], c[16];
	struct tel_stats sa, sb, sc;
	unsigned pa, pb, pc;
	struct corr_hit ha[32], hb[32], hc[32];
	size_t na = read_conn(path, 0, a, sizeof(a), &sa, &pa, ha);
	size_t nb = read_conn(path, 1, b, sizeof(b), &sb, &pb, hb);
	size_t nc = read_conn(path, 2, c, sizeof(c), &sc, &pc, hc);
	/* the memo gives what the lookups give */
	assert_int_equal(nc, na);
	assert_memory_equal(a, c, na);
	assert_memory_equal(ha, hc, sizeof(ha));
	assert_memory_equal(ha, hb, sizeof(ha));
	assert_int_equal(pc, 3);
	assert_int_equal(sc.malformed, sa.malformed);
	assert_int_equal(na, 7);
	assert_int_equal(nb, na);
	assert_memory_equal(a, b, na);
	assert_int_equal(sa.malformed, 1);
	assert_int_equal(sb.malformed, sa.malformed);
	assert_int_equal(sb.records, sa.records);
	assert_int_equal(pa, 0);
	assert_int_equal(pb, 3); /* two unrelated and the one before the window */
	/* to C2 answered: high; into the prefix unanswered: medium */
	assert_int_equal(b[0], 'a' + CORR_MATCHED * 4 + 1 + DB_CONF_HIGH * 8);
	assert_int_equal(b[5], 'a' + CORR_MATCHED * 4 + 1 + DB_CONF_MEDIUM * 8);
	assert_int_equal(b[4], 'a' + CORR_OUTSIDE_WINDOW * 4);
	assert_int_equal(b[2], 'a' + CORR_NO_MATCH * 4);
}

/* A timeless set's server lookups are remembered: the same answers as
 * looking every one up, servers coming again, across slots shared by
 * other addresses; a set with a bounded validity is not timeless. */
static void test_server_memo(void **state)
{
	(void)state;
	assert_true(corr_rules_timeless(&rules));
	struct corr_memo memo = {.rules = &rules, .timeless = true};
	const char *servers[] = {"198.51.100.7", "192.0.2.1",	 "198.51.100.7",
				 "203.0.113.5",	 "2001:db8::c2", "203.0.113.5",
				 "192.0.2.1",	 "198.51.100.7", "2001:db8::c2"};
	for (size_t k = 0; k < 3 * sizeof(servers) / sizeof(*servers); k++) {
		size_t i = k % (sizeof(servers) / sizeof(*servers));
		bool v6 = strchr(servers[i], ':') != NULL;
		char client[64];
		snprintf(client, sizeof(client), v6 ? "2001:db8:1::%zx" : "192.0.2.%zu",
			 k + 10);
		struct tel_record r = rec(TEL_FLOW, client, servers[i], 443, NULL, NULL);
		if (k % 5 == 4) /* from the indicator's side */
			r = rec(TEL_FLOW, servers[i], client, 443, NULL, NULL);
		struct corr_hit want[CORR_MAX_HITS], got[CORR_MAX_HITS];
		enum corr_outcome ow, og;
		memset(want, 0, sizeof(want));
		memset(got, 0, sizeof(got));
		assert_int_equal(corr_prefilter_memo(&memo, &r),
				 corr_prefilter(&rules, &r));
		size_t nw = run(&r, want, &ow);
		size_t ng = corr_match_memo(&rules, &memo, &r, got, CORR_MAX_HITS, &og);
		assert_int_equal(ng, nw);
		assert_int_equal(og, ow);
		assert_memory_equal(got, want, sizeof(want));
	}
	struct ind_set *bounded = ind_set_new();
	bool h;
	struct sd_error e = {0};
	assert_int_equal(ind_set_add_text(bounded, "198.51.100.7", 12, "c", "t", T0 - 10,
					  T0 + 10, &h, &e),
			 0);
	assert_int_equal(ind_set_compile(bounded, &e), 0);
	struct corr_rules br = {.set = bounded};
	assert_false(corr_rules_timeless(&br));
	ind_set_free(bounded);
}

/* Three DNS lookups and three TLS handshakes of .11 (sources 0 and 1), one
 * lookup of .9. */
static void feed_lookups(struct corr_agg *g)
{
	struct corr_hit h[CORR_MAX_HITS];
	enum corr_outcome oc;
	struct tel_record dns =
	    rec(TEL_DNS, "192.0.2.11", "192.0.2.53", 53, "akamaicontainer.com", NULL);
	struct tel_record tls =
	    rec(TEL_TLS, "192.0.2.11", "192.0.2.101", 443, "akamaicontainer.com", NULL);
	for (int i = 0; i < 3; i++) {
		dns.ts = tls.ts = T0 + 20 * i;
		assert_int_equal(run(&dns, h, &oc), 1);
		assert_int_equal(corr_agg_add(g, &h[0], dns.ts, 0), 0);
		assert_int_equal(run(&tls, h, &oc), 1);
		assert_int_equal(corr_agg_add(g, &h[0], tls.ts, 1), 0);
	}
	struct tel_record other =
	    rec(TEL_DNS, "192.0.2.9", "192.0.2.53", 53, "akamaicontainer.com", NULL);
	assert_int_equal(run(&other, h, &oc), 1);
	assert_int_equal(corr_agg_add(g, &h[0], T0 + 100, 0), 0);
}

static void test_aggregation(void **state)
{
	(void)state;
	struct corr_agg *g = corr_agg_new();
	feed_lookups(g);
	assert_int_equal(corr_agg_count(g), 3);
	size_t n;
	struct corr_sighting *s = agg_all(g, &n);
	assert_int_equal(n, 3);
	/* sorted by client: 192.0.2.9 first */
	struct net_addr nine = A("192.0.2.9");
	assert_memory_equal(&s[0].client, &nine, sizeof(nine));
	assert_int_equal(s[1].source, 0);
	assert_int_equal(s[1].count, 3);
	assert_int_equal(s[1].first_seen, T0);
	assert_int_equal(s[1].last_seen, T0 + 40);
	assert_int_equal(s[1].evidence, DB_EV_DNS);
	assert_int_equal(s[2].evidence, DB_EV_TLS);
	assert_int_equal(s[2].confidence, DB_CONF_HIGH);
	assert_true(s[2].has_server);
	free(s);
	/* finished: no more adding */
	struct corr_hit h[CORR_MAX_HITS];
	enum corr_outcome oc;
	struct tel_record both =
	    rec(TEL_TLS, "192.0.2.40", "198.51.100.7", 443, "akamaicontainer.com", NULL);
	size_t nb = run(&both, h, &oc);
	assert_int_equal(nb, 2); /* the name and the address */
	assert_int_equal(corr_agg_add_record(g, h, nb, T0, 0), SD_EUSAGE);
	corr_agg_free(g);

	/* per client: a record matching two indicators counts once */
	g = corr_agg_new();
	feed_lookups(g);
	assert_int_equal(corr_agg_add_record(g, h, nb, T0, 0), 0);
	assert_int_equal(corr_agg_add_record(g, h, nb, T0 + 5, 0), 0);
	size_t nc;
	struct corr_sighting *c = agg_clients(g, &nc);
	assert_int_equal(nc, 4); /* .9 source 0; .11 sources 0 and 1; .40 */
	assert_int_equal(c[3].count, 2);
	assert_int_equal(c[3].ind, UINT32_MAX);
	assert_int_equal(c[1].count, 3); /* .11's DNS lookups */
	free(c);
	corr_agg_free(g);
	g = corr_agg_new();
	feed_lookups(g);
	assert_int_equal(corr_agg_add_record(g, h, nb, T0, 0), 0);
	assert_int_equal(corr_agg_add_record(g, h, nb, T0 + 5, 0), 0);
	s = agg_all(g, &n);
	assert_int_equal(n, 5);
	assert_int_equal(s[3].count, 2);
	assert_int_equal(s[4].count, 2);
	free(s);
	corr_agg_free(g);

	/* many distinct sightings: the table grows and keeps them apart */
	g = corr_agg_new();
	feed_lookups(g);
	for (uint32_t i = 0; i < 5000; i++) {
		struct corr_hit x = h[0];
		net_addr_from_v4(&x.client, 0x0a000000u + i);
		assert_int_equal(corr_agg_add(g, &x, T0, 0), 0);
		assert_int_equal(corr_agg_add(g, &x, T0 + 1, 0), 0);
	}
	assert_int_equal(corr_agg_count(g), 5003);
	s = agg_all(g, &n);
	assert_int_equal(s[0].count, 2);
	free(s);
	corr_agg_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dns_querier_low),
	    cmocka_unit_test(test_window),
	    cmocka_unit_test(test_tls_high_with_server),
	    cmocka_unit_test(test_shared_host),
	    cmocka_unit_test(test_proxy_client),
	    cmocka_unit_test(test_flows),
	    cmocka_unit_test(test_prefilter),
	    cmocka_unit_test(test_server_memo),
	    cmocka_unit_test(test_aggregation),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
