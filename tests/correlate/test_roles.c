/* Proxy and resolver roles on random records (property tests):
 *   - learning is a union: what shards learn apart is what all records
 *     teach together;
 *   - adding evidence never removes a victim: with the same roles more
 *     records give a superset of victims, and a host's own exchanges (its
 *     requests to a proxy) stay its own whatever roles it is found to have;
 *   - composing: sightings of all records at once equal the sum of the
 *     shards' sightings under the shared role set;
 * plus the role file (sorted, a union of files is their role set) and the
 * classes of exchange. */
#include "testutil.h"

#include "agg_util.h"
#include "correlate/agg.h"
#include "correlate/match.h"
#include "correlate/roles.h"
#include "telemetry/reader.h"

#define T0 1680098106 /* 2023-03-29T13:55:06Z */
#define NHOSTS 6
#define NREC 400

static struct ind_set *set;
static struct corr_rules rules;

static int setup(void **state)
{
	(void)state;
	set = ind_set_new();
	const char *v[] = {"akamaicontainer.com", "198.51.100.7", NULL};
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
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ind_set_free(set);
	return 0;
}

static uint64_t rnd_state = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static struct net_addr host(unsigned i)
{
	struct net_addr a;
	net_addr_from_v4(&a, 0x0a000001u + i); /* 10.0.0.1 + i */
	return a;
}

struct rrec {
	struct tel_record r;
	enum tel_format fmt;
};

/* A random exchange between the hosts, a C2 and a benign server. */
static struct rrec random_record(void)
{
	struct rrec x;
	memset(&x, 0, sizeof(x));
	struct tel_record *r = &x.r;
	r->ts = T0 + (int64_t)(rnd() % 1000);
	r->flags = TEL_HAS_CLIENT | TEL_HAS_SERVER;
	r->client = host((unsigned)(rnd() % NHOSTS));
	static const enum tel_format fmts[] = {TEL_FMT_PCAP, TEL_FMT_ZEEK_TSV,
					       TEL_FMT_EVE, TEL_FMT_DNSMASQ};
	x.fmt = fmts[rnd() % 4];
	const char *name = rnd() % 3 ? "akamaicontainer.com" : "www.debian.org";
	switch (rnd() % 4) {
	case 0: /* a DNS query to another host or to itself */
		r->kind = TEL_DNS;
		r->server = host((unsigned)(rnd() % NHOSTS));
		r->server_port = 53;
		r->name = name;
		break;
	case 1: /* TLS straight to the C2 */
		r->kind = TEL_TLS;
		net_addr_from_v4(&r->server, 0xc6336407u); /* 198.51.100.7 */
		r->server_port = 443;
		r->name = name;
		break;
	case 2: /* a request to a proxy (one of the hosts) */
		r->kind = TEL_HTTP;
		r->flags |= TEL_VIA_PROXY;
		r->server = host((unsigned)(rnd() % NHOSTS));
		r->server_port = 3128;
		r->name = name;
		r->path = "/x";
		if (rnd() % 2)
			x.fmt = TEL_FMT_SQUID;
		break;
	default: /* a flow to the C2 */
		r->kind = TEL_FLOW;
		net_addr_from_v4(&r->server, 0xc6336407u);
		r->server_port = 443;
		break;
	}
	r->name_len = r->name ? strlen(r->name) : 0;
	r->path_len = r->path ? strlen(r->path) : 0;
	return x;
}

static void learn(struct corr_roles *roles, const struct rrec *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct net_addr who;
		unsigned role = corr_roles_taught(&e[i].r, e[i].fmt, &who);
		assert_int_equal(corr_roles_add(roles, &who, role), 0);
	}
}

static void feed(struct corr_agg *g, const struct rrec *e, size_t n, uint32_t source)
{
	struct corr_hit h[CORR_MAX_HITS];
	for (size_t i = 0; i < n; i++) {
		enum corr_outcome oc;
		size_t nh = corr_match(&rules, &e[i].r, h, CORR_MAX_HITS, &oc);
		assert_int_equal(corr_agg_add_record(g, h, nh, e[i].r.ts, source), 0);
	}
}

/* Per host: records that sighted it, not counting forwarded exchanges
 * (0: not a victim); own[] = it has an exchange of its own (OWN class). */
static void victims(const struct rrec *e, size_t n, const struct corr_roles *roles,
		    uint64_t count[NHOSTS], bool own[NHOSTS])
{
	struct corr_agg *g = corr_agg_new();
	assert_non_null(g);
	feed(g, e, n, 0);
	memset(count, 0, NHOSTS * sizeof(count[0]));
	if (own)
		memset(own, 0, NHOSTS * sizeof(own[0]));
	size_t nc;
	struct corr_sighting *s = agg_clients(g, &nc);
	for (size_t i = 0; i < nc; i++) {
		for (unsigned k = 0; k < NHOSTS; k++) {
			struct net_addr a = host(k);
			if (memcmp(&a, &s[i].client, sizeof(a)))
				continue;
			if (own && s[i].exchange == CORR_EX_OWN)
				own[k] = true;
			if (!corr_roles_forwarded(corr_roles_of(roles, &a),
						  (enum corr_exchange)s[i].exchange))
				count[k] += s[i].count;
		}
	}
	free(s);
	corr_agg_free(g);
}

static bool same_roles(const struct corr_roles *a, const struct corr_roles *b)
{
	for (unsigned k = 0; k < NHOSTS; k++) {
		struct net_addr x = host(k);
		if (corr_roles_of(a, &x) != corr_roles_of(b, &x))
			return false;
	}
	return corr_roles_count(a, CORR_ROLE_PROXY) ==
		   corr_roles_count(b, CORR_ROLE_PROXY) &&
	       corr_roles_count(a, CORR_ROLE_RESOLVER) ==
		   corr_roles_count(b, CORR_ROLE_RESOLVER);
}

static void test_properties(void **state)
{
	(void)state;
	struct rrec e[NREC];
	size_t learnt_something = 0, forwarded_seen = 0, own_kept = 0;
	for (int round = 0; round < 200; round++) {
		size_t n = 1 + rnd() % NREC;
		for (size_t i = 0; i < n; i++)
			e[i] = random_record();
		/* learning is a union over shards */
		struct corr_roles *all = corr_roles_new(), *sharded = corr_roles_new();
		assert_non_null(all);
		assert_non_null(sharded);
		learn(all, e, n);
		size_t cut1 = rnd() % (n + 1), cut2 = cut1 + rnd() % (n - cut1 + 1);
		struct corr_roles *part[3] = {corr_roles_new(), corr_roles_new(),
					      corr_roles_new()};
		learn(part[0], e, cut1);
		learn(part[1], e + cut1, cut2 - cut1);
		learn(part[2], e + cut2, n - cut2);
		for (int p = 0; p < 3; p++) {
			for (unsigned k = 0; k < NHOSTS; k++) {
				struct net_addr x = host(k);
				corr_roles_add(sharded, &x, corr_roles_of(part[p], &x));
			}
			corr_roles_free(part[p]);
		}
		assert_true(same_roles(all, sharded));
		learnt_something += corr_roles_count(all, CORR_ROLE_PROXY) > 0;

		/* composing: shards under the shared roles add up to the whole */
		uint64_t whole[NHOSTS], a[NHOSTS], b[NHOSTS];
		bool own_whole[NHOSTS];
		victims(e, n, all, whole, own_whole);
		victims(e, cut1, all, a, NULL);
		victims(e + cut1, n - cut1, all, b, NULL);
		for (unsigned k = 0; k < NHOSTS; k++)
			assert_int_equal(whole[k], a[k] + b[k]);

		/* adding evidence never removes a victim: the first cut1
		 * records, learning only from them, against all records */
		struct corr_roles *first = corr_roles_new();
		learn(first, e, cut1);
		uint64_t before[NHOSTS], nolearn[NHOSTS];
		bool own_before[NHOSTS];
		victims(e, cut1, first, before, own_before);
		struct corr_roles *none = corr_roles_new();
		victims(e, n, none, nolearn, NULL);
		for (unsigned k = 0; k < NHOSTS; k++) {
			/* same roles: more records, never fewer victims */
			if (a[k])
				assert_true(whole[k] > 0);
			/* a host's own exchanges survive every role it gets */
			if (own_before[k]) {
				assert_true(before[k] > 0);
				assert_true(whole[k] > 0);
				own_kept++;
			}
			if (own_whole[k])
				assert_true(whole[k] > 0);
			forwarded_seen += nolearn[k] > whole[k];
		}
		corr_roles_free(first);
		corr_roles_free(none);
		corr_roles_free(all);
		corr_roles_free(sharded);
	}
	/* the random records did exercise the rules */
	assert_true(learnt_something > 100);
	assert_true(forwarded_seen > 50);
	assert_true(own_kept > 100);
}

static void test_exchange_classes(void **state)
{
	(void)state;
	struct rrec x = random_record();
	struct tel_record *r = &x.r;
	struct corr_hit h[CORR_MAX_HITS];
	enum corr_outcome oc;
	/* through a proxy: the client's own */
	r->kind = TEL_HTTP;
	r->flags = TEL_HAS_CLIENT | TEL_HAS_SERVER | TEL_VIA_PROXY;
	r->name = "akamaicontainer.com";
	r->name_len = strlen(r->name);
	assert_int_equal(corr_match(&rules, r, h, CORR_MAX_HITS, &oc), 1);
	assert_int_equal(h[0].exchange, CORR_EX_OWN);
	/* the same without a proxy: direct */
	r->flags = TEL_HAS_CLIENT | TEL_HAS_SERVER;
	assert_true(corr_match(&rules, r, h, CORR_MAX_HITS, &oc) >= 1);
	assert_int_equal(h[0].exchange, CORR_EX_DIRECT);
	r->kind = TEL_DNS;
	assert_int_equal(corr_match(&rules, r, h, CORR_MAX_HITS, &oc), 1);
	assert_int_equal(h[0].exchange, CORR_EX_DNS);
	/* the C2 connecting in: the responder's own */
	r->kind = TEL_FLOW;
	net_addr_from_v4(&r->client, 0xc6336407u);
	r->server = host(1);
	assert_int_equal(corr_match(&rules, r, h, CORR_MAX_HITS, &oc), 1);
	assert_int_equal(h[0].exchange, CORR_EX_OWN);
	assert_false(
	    corr_roles_forwarded(CORR_ROLE_PROXY | CORR_ROLE_RESOLVER, CORR_EX_OWN));
	assert_true(corr_roles_forwarded(CORR_ROLE_RESOLVER, CORR_EX_DNS));
	assert_false(corr_roles_forwarded(CORR_ROLE_RESOLVER, CORR_EX_DIRECT));
	assert_true(corr_roles_forwarded(CORR_ROLE_PROXY, CORR_EX_DIRECT));
	assert_false(corr_roles_forwarded(0, CORR_EX_DIRECT));
	/* who teaches what */
	struct net_addr who;
	r->kind = TEL_DNS;
	r->client = host(0);
	r->server = host(1);
	r->server_port = 53;
	assert_int_equal(corr_roles_taught(r, TEL_FMT_PCAP, &who), CORR_ROLE_RESOLVER);
	assert_int_equal(corr_roles_taught(r, TEL_FMT_DNSMASQ, &who), 0);
	r->server_port = 40000; /* an answer written the wrong way round */
	assert_int_equal(corr_roles_taught(r, TEL_FMT_PCAP, &who), 0);
	r->server_port = 53;
	r->server = host(0); /* asking itself */
	assert_int_equal(corr_roles_taught(r, TEL_FMT_PCAP, &who), 0);
	r->kind = TEL_HTTP;
	r->flags |= TEL_VIA_PROXY;
	r->server = host(2);
	assert_int_equal(corr_roles_taught(r, TEL_FMT_ZEEK_TSV, &who), CORR_ROLE_PROXY);
	assert_memory_equal(&who, &r->server, sizeof(who));
	assert_int_equal(corr_roles_taught(r, TEL_FMT_SQUID, &who), 0);
}

static void test_role_file(void **state)
{
	(void)state;
	struct corr_roles *r = corr_roles_new(), *back = corr_roles_new();
	struct net_addr a = host(3), b, c = host(0);
	const char *why;
	assert_int_equal(net_addr_parse("2001:db8::1", 11, &b, &why), 0);
	assert_int_equal(corr_roles_add(r, &a, CORR_ROLE_PROXY), 0);
	assert_int_equal(corr_roles_add(r, &b, CORR_ROLE_RESOLVER), 0);
	assert_int_equal(corr_roles_add(r, &c, CORR_ROLE_RESOLVER), 0);
	assert_int_equal(corr_roles_add(r, &a, CORR_ROLE_RESOLVER), 0);
	const char *p = test_tmpfile("roles.txt");
	struct sd_error err = {0};
	assert_int_equal(corr_roles_write(r, p, &err), 0);
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	char buf[512];
	size_t got = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[got] = '\0';
	const char *body = strchr(buf, '\n') + 1;
	assert_true(buf[0] == '#');
	assert_string_equal(body, "proxy 10.0.0.4\nresolver 10.0.0.1\nresolver "
				  "10.0.0.4\nresolver 2001:db8::1\n");
	assert_int_equal(corr_roles_load(back, p, &err), 0);
	assert_int_equal(corr_roles_of(back, &a), CORR_ROLE_PROXY | CORR_ROLE_RESOLVER);
	assert_int_equal(corr_roles_of(back, &b), CORR_ROLE_RESOLVER);
	assert_int_equal(corr_roles_count(back, CORR_ROLE_RESOLVER), 3);
	/* malformed lines name the file and line */
	f = fopen(p, "w");
	fputs("# x\n\nproxy 10.0.0.9\nrouter 10.0.0.1\n", f);
	fclose(f);
	assert_int_equal(corr_roles_load(back, p, &err), SD_EPARSE);
	assert_non_null(strstr(err.msg, ":4: expected"));
	f = fopen(p, "w");
	fputs("proxy 10.0.0.300\n", f);
	fclose(f);
	assert_int_equal(corr_roles_load(back, p, &err), SD_EPARSE);
	assert_non_null(strstr(err.msg, ":1: "));
	corr_roles_free(r);
	corr_roles_free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_properties),
	    cmocka_unit_test(test_exchange_classes),
	    cmocka_unit_test(test_role_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
