/* Proxy and resolver roles on random records (property tests):
 *   - learning is a union: what shards learn apart is what all records
 *     teach together (their role files, joined);
 *   - a learnt role leaves out a host's sighting of an indicator only when
 *     another host asked it for that indicator, and never every host's:
 *     whoever started the asking is listed; scanners' probes, naming
 *     no indicator, change neither the roles nor the victims;
 *   - with the same roles more records give a superset of victims, and a
 *     host's own exchanges (its requests to a proxy) stay its own whatever
 *     roles it is found to have;
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
	/* mostly served; some never answered, some answered with a refusal
	 * (a 400, a REFUSED): those teach nothing */
	unsigned served = (unsigned)(rnd() % 4);
	if (served)
		r->flags |= TEL_ANSWERED;
	if (served == 1)
		r->flags |= TEL_DECLINED;
	r->name_len = r->name ? strlen(r->name) : 0;
	r->path_len = r->path ? strlen(r->path) : 0;
	return x;
}

/* What the records teach, as the correlator learns it: each record's hits
 * against the roles it may teach. */
static void learn(struct corr_roles *roles, const struct rrec *e, size_t n)
{
	struct corr_hit h[CORR_MAX_HITS];
	for (size_t i = 0; i < n; i++) {
		enum corr_outcome oc;
		size_t nh = corr_match(&rules, &e[i].r, h, CORR_MAX_HITS, &oc);
		assert_int_equal(corr_roles_learn(roles, &e[i].r, e[i].fmt, h, nh), 0);
	}
	assert_int_equal(corr_roles_settle(roles), 0);
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

#define NIND 2 /* indicators in the set */

/* Per host and indicator: records that sighted it, not counting forwarded
 * exchanges (0: not a victim of it); own = it has an exchange of its own
 * (OWN class) with it. */
struct tally {
	uint64_t count[NHOSTS][NIND];
	bool own[NHOSTS][NIND];
};

static int host_of(const struct net_addr *a)
{
	for (unsigned k = 0; k < NHOSTS; k++) {
		struct net_addr x = host(k);
		if (!memcmp(&x, a, sizeof(x)))
			return (int)k;
	}
	return -1;
}

static void victims(const struct rrec *e, size_t n, const struct corr_roles *roles,
		    struct tally *t)
{
	struct corr_agg *g = corr_agg_new();
	assert_non_null(g);
	feed(g, e, n, 0);
	memset(t, 0, sizeof(*t));
	size_t ns;
	struct corr_sighting *s = agg_all(g, &ns);
	for (size_t i = 0; i < ns; i++) {
		int k = host_of(&s[i].client);
		if (k < 0)
			continue;
		assert_true(s[i].ind < NIND);
		if (s[i].exchange == CORR_EX_OWN)
			t->own[k][s[i].ind] = true;
		if (!corr_roles_left_out(roles, &s[i].client,
					 (enum corr_exchange)s[i].exchange,
					 ind_set_at(set, s[i].ind)))
			t->count[k][s[i].ind] += s[i].count;
	}
	free(s);
	corr_agg_free(g);
}

/* Straight from the records, not through corr_roles: asked[k][x] has
 * the bit of each role in which another host asked host k for x. */
static void asked_of(const struct rrec *e, size_t n, unsigned asked[NHOSTS][NIND])
{
	memset(asked, 0, sizeof(unsigned) * NHOSTS * NIND);
	struct corr_hit h[CORR_MAX_HITS];
	for (size_t i = 0; i < n; i++) {
		struct net_addr who;
		unsigned role = corr_roles_taught(&e[i].r, e[i].fmt, &who);
		int k = host_of(&who);
		if (!role || k < 0)
			continue;
		enum corr_outcome oc;
		size_t nh = corr_match(&rules, &e[i].r, h, CORR_MAX_HITS, &oc);
		for (size_t j = 0; j < nh; j++)
			if (!memcmp(&h[j].client, &e[i].r.client, sizeof(who)) &&
			    memcmp(&h[j].client, &who, sizeof(who)))
				asked[k][h[j].ind->id] |= role;
	}
}

/* The role file of r, without its comment line. */
static char *role_text(const struct corr_roles *r)
{
	const char *p = test_tmpfile("roles-text");
	struct sd_error err = {0};
	assert_int_equal(corr_roles_write(r, p, &err), 0);
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	char *buf = calloc(1, 1 << 16);
	assert_non_null(buf);
	size_t got = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	buf[got] = '\0';
	char *body = strchr(buf, '\n');
	assert_non_null(body);
	memmove(buf, body + 1, strlen(body + 1) + 1);
	return buf;
}

/* An open-proxy or DNS scanner's probe of a host: names no indicator. */
static struct rrec scan_record(void)
{
	struct rrec x;
	memset(&x, 0, sizeof(x));
	struct tel_record *r = &x.r;
	r->ts = T0 + (int64_t)(rnd() % 1000);
	r->flags = TEL_HAS_CLIENT | TEL_HAS_SERVER;
	net_addr_from_v4(&r->client, 0xcb0071c8u); /* 203.0.113.200 */
	r->server = host((unsigned)(rnd() % NHOSTS));
	x.fmt = TEL_FMT_ZEEK_JSON;
	if (rnd() % 2) {
		r->kind = TEL_HTTP;
		r->flags |= TEL_VIA_PROXY;
		r->server_port = 80;
		r->name = "www.google.com";
		r->path = "/";
	} else {
		r->kind = TEL_DNS;
		r->server_port = 53;
		r->name = "version.bind";
	}
	r->name_len = strlen(r->name);
	r->path_len = r->path ? strlen(r->path) : 0;
	return x;
}

static void test_properties(void **state)
{
	(void)state;
	static struct rrec e[2 * NREC];
	size_t learnt_something = 0, forwarded_seen = 0, own_kept = 0;
	for (int round = 0; round < 200; round++) {
		size_t n = 1 + rnd() % NREC;
		for (size_t i = 0; i < n; i++)
			e[i] = random_record();
		/* learning is a union over shards: the role file of all the
		 * records is the union of the shards' files, loaded */
		struct corr_roles *all = corr_roles_new(), *sharded = corr_roles_new();
		assert_non_null(all);
		assert_non_null(sharded);
		learn(all, e, n);
		size_t cut1 = rnd() % (n + 1), cut2 = cut1 + rnd() % (n - cut1 + 1);
		size_t from[3] = {0, cut1, cut2}, to[3] = {cut1, cut2, n};
		for (int p = 0; p < 3; p++) {
			struct corr_roles *part = corr_roles_new();
			assert_non_null(part);
			learn(part, e + from[p], to[p] - from[p]);
			const char *path = test_tmpfile("roles-part");
			struct sd_error err = {0};
			assert_int_equal(corr_roles_write(part, path, &err), 0);
			assert_int_equal(corr_roles_load(sharded, path, &err), 0);
			corr_roles_free(part);
		}
		assert_int_equal(corr_roles_settle(sharded), 0);
		char *ta = role_text(all), *ts = role_text(sharded);
		assert_string_equal(ta, ts);
		free(ta);
		free(ts);
		learnt_something += corr_roles_count(all, CORR_ROLE_PROXY) > 0;

		/* composing: shards under the shared roles add up to the whole */
		static struct tally whole, a, b, before, nolearn, scanned;
		victims(e, n, all, &whole);
		victims(e, cut1, all, &a);
		victims(e + cut1, n - cut1, all, &b);
		for (unsigned k = 0; k < NHOSTS; k++)
			for (unsigned x = 0; x < NIND; x++)
				assert_int_equal(whole.count[k][x],
						 a.count[k][x] + b.count[k][x]);

		/* a sighting is left out only when another host asked for it */
		unsigned asked[NHOSTS][NIND];
		asked_of(e, n, asked);
		struct corr_roles *none = corr_roles_new();
		victims(e, n, none, &nolearn);
		static struct tally shards_roles;
		victims(e, n, sharded, &shards_roles);
		assert_memory_equal(shards_roles.count, whole.count, sizeof(whole.count));
		for (unsigned k = 0; k < NHOSTS; k++)
			for (unsigned x = 0; x < NIND; x++) {
				if (nolearn.count[k][x] > whole.count[k][x]) {
					assert_true(asked[k][x] != 0);
					forwarded_seen++;
				}
			}
		/* roles never hide every host sighting an indicator: the host
		 * that started the asking (nobody asked it) is listed, loops
		 * of askers or not */
		for (unsigned x = 0; x < NIND; x++) {
			uint64_t before_roles = 0, after_roles = 0;
			for (unsigned k = 0; k < NHOSTS; k++) {
				before_roles += nolearn.count[k][x];
				after_roles += whole.count[k][x];
			}
			if (before_roles)
				assert_true(after_roles > 0);
		}

		/* records that only add: the first cut1, learning only from
		 * them, against all records */
		struct corr_roles *first = corr_roles_new();
		learn(first, e, cut1);
		victims(e, cut1, first, &before);
		for (unsigned k = 0; k < NHOSTS; k++)
			for (unsigned x = 0; x < NIND; x++) {
				/* same roles: more records, never fewer victims */
				if (a.count[k][x])
					assert_true(whole.count[k][x] > 0);
				/* a host's own exchanges survive every role */
				if (before.own[k][x]) {
					assert_true(before.count[k][x] > 0);
					assert_true(whole.count[k][x] > 0);
					own_kept++;
				}
				if (whole.own[k][x])
					assert_true(whole.count[k][x] > 0);
			}

		/* scanners' probes change nothing: same victims, same roles */
		size_t m = n;
		for (size_t i = 0; i < n / 4 + 1; i++)
			e[m++] = scan_record();
		struct corr_roles *more = corr_roles_new();
		learn(more, e, m);
		victims(e, m, more, &scanned);
		assert_memory_equal(scanned.count, whole.count, sizeof(whole.count));
		char *tm = role_text(more), *tw = role_text(all);
		assert_string_equal(tm, tw);
		free(tm);
		free(tw);
		corr_roles_free(more);
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
	/* only a query the server answered, and not with a refusal */
	assert_int_equal(corr_roles_taught(r, TEL_FMT_PCAP, &who), 0);
	r->flags |= TEL_ANSWERED | TEL_DECLINED;
	assert_int_equal(corr_roles_taught(r, TEL_FMT_ZEEK_JSON, &who), 0);
	r->flags &= ~(unsigned)TEL_DECLINED;
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
	/* a request refused (a 400 to a scanner) or never answered teaches
	 * nothing (a capture too: its reader waits for the answer), except
	 * where the reader never sees answers to requests (generic CSV) */
	r->flags |= TEL_DECLINED;
	assert_int_equal(corr_roles_taught(r, TEL_FMT_ZEEK_TSV, &who), 0);
	assert_int_equal(corr_roles_taught(r, TEL_FMT_PCAP, &who), 0);
	r->flags &= ~(unsigned)(TEL_DECLINED | TEL_ANSWERED);
	assert_int_equal(corr_roles_taught(r, TEL_FMT_ZEEK_JSON, &who), 0);
	assert_int_equal(corr_roles_taught(r, TEL_FMT_EVE, &who), 0);
	assert_int_equal(corr_roles_taught(r, TEL_FMT_PCAP, &who), 0);
	assert_int_equal(corr_roles_taught(r, TEL_FMT_CSV, &who), CORR_ROLE_PROXY);
	r->flags |= TEL_ANSWERED; /* served */
	assert_int_equal(corr_roles_taught(r, TEL_FMT_PCAP, &who), CORR_ROLE_PROXY);
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
	/* format 1 (learnt roles without explanations) is refused */
	f = fopen(p, "w");
	fputs("# sighted roles 1: proxy/resolver ADDR (docs/correlate.md)\nproxy "
	      "10.0.0.9\n",
	      f);
	fclose(f);
	assert_int_equal(corr_roles_load(back, p, &err), SD_EVERSION);
	assert_non_null(strstr(err.msg, ":1: a role file of format 1"));
	corr_roles_free(r);
	corr_roles_free(back);
}

static void test_asked(void **state)
{
	(void)state;
	struct corr_roles *r = corr_roles_new(), *back = corr_roles_new();
	const struct ind_indicator *dom = ind_set_at(set, 0), *addr = ind_set_at(set, 1);
	if (dom->kind != IND_DOMAIN) {
		const struct ind_indicator *t = dom;
		dom = addr;
		addr = t;
	}
	assert_int_equal(dom->kind, IND_DOMAIN);
	assert_int_equal(addr->kind, IND_ADDR);
	struct net_addr p = host(1), q = host(2), d = host(3), c = host(0);
	assert_int_equal(
	    corr_roles_ask(r, CORR_ROLE_PROXY, &p, &c, dom->kind, dom->value), 0);
	assert_int_equal(
	    corr_roles_ask(r, CORR_ROLE_PROXY, &p, &c, dom->kind, dom->value), 0);
	assert_int_equal(
	    corr_roles_ask(r, CORR_ROLE_RESOLVER, &q, &c, dom->kind, dom->value), 0);
	assert_int_equal(corr_roles_add(r, &d, CORR_ROLE_PROXY), 0);
	/* a value no role file line could hold is not learnt */
	assert_int_equal(
	    corr_roles_ask(r, CORR_ROLE_PROXY, &p, &c, IND_URL, "http://a/b\nc"),
	    SD_EPARSE);
	assert_int_equal(
	    corr_roles_ask(r, CORR_ROLE_PROXY, &p, &c, IND_URL, "http://a/ "), SD_EPARSE);
	/* nothing learnt explains before it is settled */
	assert_false(corr_roles_left_out(r, &p, CORR_EX_DIRECT, dom));
	assert_int_equal(corr_roles_settle(r), 0);
	assert_int_equal(corr_roles_of(r, &p), CORR_ROLE_PROXY);
	assert_int_equal(corr_roles_count(r, CORR_ROLE_PROXY), 2);
	/* a learnt proxy: only what it was asked for, lookups and exchanges */
	assert_true(corr_roles_left_out(r, &p, CORR_EX_DIRECT, dom));
	assert_true(corr_roles_left_out(r, &p, CORR_EX_DNS, dom));
	assert_false(corr_roles_left_out(r, &p, CORR_EX_OWN, dom));
	assert_false(corr_roles_left_out(r, &p, CORR_EX_DIRECT, addr));
	/* a learnt resolver: only the lookups it was asked for */
	assert_true(corr_roles_left_out(r, &q, CORR_EX_DNS, dom));
	assert_false(corr_roles_left_out(r, &q, CORR_EX_DIRECT, dom));
	assert_false(corr_roles_left_out(r, &q, CORR_EX_DNS, addr));
	/* declared: everything forwarded-class */
	assert_true(corr_roles_left_out(r, &d, CORR_EX_DIRECT, addr));
	assert_true(corr_roles_left_out(r, &d, CORR_EX_DNS, dom));
	assert_false(corr_roles_left_out(r, &d, CORR_EX_OWN, dom));
	assert_false(corr_roles_left_out(NULL, &d, CORR_EX_DIRECT, dom));
	/* the file: sorted lines, read back to the same meaning */
	const char *path = test_tmpfile("asked.txt");
	struct sd_error err = {0};
	assert_int_equal(corr_roles_write(r, path, &err), 0);
	char *text = role_text(r);
	assert_string_equal(
	    text, "asked proxy 10.0.0.2 by 10.0.0.1 domain akamaicontainer.com\n"
		  "asked resolver 10.0.0.3 by 10.0.0.1 domain "
		  "akamaicontainer.com\n"
		  "proxy 10.0.0.4\n");
	free(text);
	assert_int_equal(corr_roles_load(back, path, &err), 0);
	assert_int_equal(corr_roles_settle(back), 0);
	assert_true(corr_roles_left_out(back, &p, CORR_EX_DIRECT, dom));
	assert_false(corr_roles_left_out(back, &p, CORR_EX_DIRECT, addr));
	assert_true(corr_roles_left_out(back, &q, CORR_EX_DNS, dom));
	assert_false(corr_roles_left_out(back, &q, CORR_EX_DIRECT, dom));
	assert_true(corr_roles_left_out(back, &d, CORR_EX_DIRECT, addr));
	/* malformed asked lines */
	static const char *const bad[] = {
	    "asked proxy 10.0.0.2 by 10.0.0.1 domain\n",
	    "asked proxy 10.0.0.2\n",
	    "asked router 10.0.0.2 by 10.0.0.1 domain x\n",
	    "asked proxy 10.0.0.2 by 10.0.0.1 hash x\n",
	    "asked proxy 10.0.0.300 by 10.0.0.1 domain x\n",
	    "asked proxy 10.0.0.2 by 10.0.0.300 domain x\n",
	    "asked proxy 10.0.0.2 domain x\n", /* no asker */
	    "asked proxy 10.0.0.2 of 10.0.0.1 domain x\n",
	    "asked proxy 10.0.0.2 by\n",
	    "asked\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *f = fopen(path, "w");
		fputs(bad[i], f);
		fclose(f);
		assert_int_equal(corr_roles_load(back, path, &err), SD_EPARSE);
		assert_non_null(strstr(err.msg, ":1: "));
	}
	/* learning from a record: what its own client asked for */
	struct rrec x = random_record();
	struct tel_record *rec = &x.r;
	rec->kind = TEL_HTTP;
	rec->flags = TEL_HAS_CLIENT | TEL_HAS_SERVER | TEL_VIA_PROXY | TEL_ANSWERED;
	rec->client = host(0);
	rec->server = host(5);
	rec->name = "akamaicontainer.com";
	rec->name_len = strlen(rec->name);
	struct corr_hit h[CORR_MAX_HITS];
	enum corr_outcome oc;
	size_t nh = corr_match(&rules, rec, h, CORR_MAX_HITS, &oc);
	assert_int_equal(nh, 1);
	struct corr_roles *l = corr_roles_new();
	assert_int_equal(corr_roles_learn(l, rec, TEL_FMT_ZEEK_TSV, h, nh), 0);
	assert_int_equal(corr_roles_settle(l), 0);
	struct net_addr px = host(5);
	assert_true(corr_roles_left_out(l, &px, CORR_EX_DIRECT, dom));
	/* a Squid log names no proxy: it teaches nothing */
	struct corr_roles *sq = corr_roles_new();
	assert_int_equal(corr_roles_learn(sq, rec, TEL_FMT_SQUID, h, nh), 0);
	assert_true(corr_roles_none(sq));
	/* a probe naming no indicator teaches nothing */
	rec->name = "www.google.com";
	rec->name_len = strlen(rec->name);
	nh = corr_match(&rules, rec, h, CORR_MAX_HITS, &oc);
	assert_int_equal(nh, 0);
	struct corr_roles *sc = corr_roles_new();
	assert_int_equal(corr_roles_learn(sc, rec, TEL_FMT_ZEEK_TSV, h, nh), 0);
	assert_true(corr_roles_none(sc));
	corr_roles_free(sc);
	corr_roles_free(sq);
	corr_roles_free(l);
	corr_roles_free(r);
	corr_roles_free(back);
}

/* Random DNS queries among the hosts, mostly served: loops of askers
 * abound, and whoever started asking for an indicator stays listed. */
static void test_no_loop_hides_all(void **state)
{
	(void)state;
	static struct rrec e[NREC];
	size_t hid_some = 0;
	for (int round = 0; round < 300; round++) {
		size_t n = 1 + rnd() % 40;
		for (size_t i = 0; i < n; i++) {
			do
				e[i] = random_record();
			while (e[i].r.kind != TEL_DNS);
			if (rnd() % 4)
				e[i].fmt = TEL_FMT_ZEEK_JSON;
		}
		struct corr_roles *roles = corr_roles_new(), *none = corr_roles_new();
		learn(roles, e, n);
		static struct tally with, without;
		victims(e, n, roles, &with);
		victims(e, n, none, &without);
		for (unsigned x = 0; x < NIND; x++) {
			uint64_t before_roles = 0, after_roles = 0;
			for (unsigned k = 0; k < NHOSTS; k++) {
				before_roles += without.count[k][x];
				after_roles += with.count[k][x];
			}
			if (before_roles)
				assert_true(after_roles > 0);
			hid_some += after_roles < before_roles;
		}
		corr_roles_free(roles);
		corr_roles_free(none);
	}
	assert_true(hid_some > 50);
}

/* Per indicator, a learnt role leaves out only what is reached from a root
 * (an asker nobody asked) along "A asked B" requests. */
static void test_loops(void **state)
{
	(void)state;
	const struct ind_indicator *dom = ind_set_at(set, 0), *addr = ind_set_at(set, 1);
	if (dom->kind != IND_DOMAIN) {
		const struct ind_indicator *t = dom;
		dom = addr;
		addr = t;
	}
	struct net_addr v = host(0), res = host(1), out = host(2), up = host(3),
			p = host(4);
	struct corr_roles *r = corr_roles_new();
	/* the victim asks its resolver, a forged answered record has the
	 * resolver ask the victim: a loop, nobody reached */
	assert_int_equal(
	    corr_roles_ask(r, CORR_ROLE_RESOLVER, &res, &v, dom->kind, dom->value), 0);
	assert_int_equal(
	    corr_roles_ask(r, CORR_ROLE_RESOLVER, &v, &res, dom->kind, dom->value), 0);
	assert_int_equal(corr_roles_settle(r), 0);
	assert_false(corr_roles_left_out(r, &v, CORR_EX_DNS, dom));
	assert_false(corr_roles_left_out(r, &res, CORR_EX_DNS, dom));
	/* a host from outside asks the resolver: from it the loop is reached */
	assert_int_equal(
	    corr_roles_ask(r, CORR_ROLE_RESOLVER, &res, &out, dom->kind, dom->value), 0);
	assert_false(corr_roles_left_out(r, &res, CORR_EX_DNS, dom)); /* unsettled */
	assert_int_equal(corr_roles_settle(r), 0);
	assert_true(corr_roles_left_out(r, &res, CORR_EX_DNS, dom));
	assert_true(corr_roles_left_out(r, &v, CORR_EX_DNS, dom));
	assert_false(corr_roles_left_out(r, &out, CORR_EX_DNS, dom));
	/* per indicator: the loop on the name says nothing of the address */
	assert_int_equal(
	    corr_roles_ask(r, CORR_ROLE_RESOLVER, &v, &res, addr->kind, addr->value), 0);
	assert_int_equal(
	    corr_roles_ask(r, CORR_ROLE_RESOLVER, &res, &v, addr->kind, addr->value), 0);
	assert_int_equal(corr_roles_settle(r), 0);
	assert_false(corr_roles_left_out(r, &v, CORR_EX_DNS, addr));
	assert_true(corr_roles_left_out(r, &v, CORR_EX_DNS, dom));
	corr_roles_free(r);

	/* a chain: v asks res (resolver), res asks up (proxy), up asks p: v is
	 * the root; each role as the request reaching the host has it */
	r = corr_roles_new();
	assert_int_equal(
	    corr_roles_ask(r, CORR_ROLE_RESOLVER, &res, &v, dom->kind, dom->value), 0);
	assert_int_equal(
	    corr_roles_ask(r, CORR_ROLE_PROXY, &up, &res, dom->kind, dom->value), 0);
	assert_int_equal(
	    corr_roles_ask(r, CORR_ROLE_RESOLVER, &p, &up, dom->kind, dom->value), 0);
	assert_int_equal(corr_roles_settle(r), 0);
	assert_false(corr_roles_left_out(r, &v, CORR_EX_DNS, dom));
	assert_true(corr_roles_left_out(r, &res, CORR_EX_DNS, dom));
	assert_false(corr_roles_left_out(r, &res, CORR_EX_DIRECT, dom));
	assert_true(corr_roles_left_out(r, &up, CORR_EX_DIRECT, dom));
	assert_true(corr_roles_left_out(r, &p, CORR_EX_DNS, dom));
	/* up asking v back closes a loop through the root: v is reached now,
	 * and nobody is a root any more: nothing is left out */
	assert_int_equal(
	    corr_roles_ask(r, CORR_ROLE_RESOLVER, &v, &up, dom->kind, dom->value), 0);
	assert_int_equal(corr_roles_settle(r), 0);
	assert_false(corr_roles_left_out(r, &v, CORR_EX_DNS, dom));
	assert_false(corr_roles_left_out(r, &res, CORR_EX_DNS, dom));
	assert_false(corr_roles_left_out(r, &up, CORR_EX_DIRECT, dom));
	/* declared roles need no settling and no asker */
	assert_int_equal(corr_roles_add(r, &out, CORR_ROLE_PROXY), 0);
	assert_true(corr_roles_left_out(r, &out, CORR_EX_DIRECT, addr));
	corr_roles_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_properties), cmocka_unit_test(test_exchange_classes),
	    cmocka_unit_test(test_role_file),  cmocka_unit_test(test_asked),
	    cmocka_unit_test(test_loops),      cmocka_unit_test(test_no_loop_hides_all),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
