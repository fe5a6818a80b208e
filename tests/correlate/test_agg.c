/* The compact aggregate: the combine rules (earliest first seen, latest
 * last seen, summed count, union of evidence and directions, highest
 * confidence, lowest example server), per-client counts of records that
 * matched several indicators, order (IPv4 and IPv6 clients in address
 * order), growth past many index doublings, independence from the order
 * records come in, the compact read of IPv4 clients with one sighting, and
 * its limits. */
#include "testutil.h"

#include "agg_util.h"
#include "correlate/agg.h"
#include "correlate/roles.h"
#include "db/sighting.h"

#define T0 1680098106

static struct ind_indicator inds[4];

static struct net_addr A(const char *s) {
	struct net_addr a;
	const char *why;
	assert_int_equal(net_addr_parse(s, strlen(s), &a, &why), 0);
	return a;
}

static struct corr_hit
hit(const char *client, unsigned ind)
{
	struct corr_hit h;
	memset(&h, 0, sizeof(h));
	h.ind = &inds[ind];
	h.client = A(client);
	h.evidence = DB_EV_FLOW;
	h.confidence = DB_CONF_MEDIUM;
	h.dir = CORR_OUTBOUND;
	h.exchange = CORR_EX_DIRECT;
	return h;
}

static struct corr_hit with_server(struct corr_hit h, const char *server, uint16_t port)
{
	h.server = A(server);
	h.server_port = port;
	h.has_server = 1;
	return h;
}

static int setup(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < 4; i++)
		inds[i].id = i;
	return 0;
}

static void test_combine_rules(void **state)
{
	(void)state;
	struct corr_agg *g = corr_agg_new();
	assert_non_null(g);
	struct corr_hit h = with_server(hit("192.0.2.1", 0), "198.51.100.9", 443);
	assert_int_equal(corr_agg_add(g, &h, T0 + 50, 0), 0);
	h = with_server(hit("192.0.2.1", 0), "198.51.100.7", 8443);
	h.evidence = DB_EV_DNS;
	h.confidence = DB_CONF_LOW;
	assert_int_equal(corr_agg_add(g, &h, T0 + 10, 0), 0);
	h = with_server(hit("192.0.2.1", 0), "198.51.100.7", 80);
	h.evidence = DB_EV_TLS;
	h.confidence = DB_CONF_HIGH;
	h.dir = CORR_INBOUND;
	assert_int_equal(corr_agg_add(g, &h, T0 + 90, 0), 0);
	h = hit("192.0.2.1", 0); /* no time, no server */
	assert_int_equal(corr_agg_add(g, &h, 0, 0), 0);
	h = with_server(hit("192.0.2.1", 0), "198.51.100.8", 1);
	h.confidence = DB_CONF_LOW;
	assert_int_equal(corr_agg_add(g, &h, T0 + 30, 0), 0);
	size_t n;
	struct corr_sighting *s = agg_all(g, &n);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].first_seen, T0 + 10);
	assert_int_equal(s[0].last_seen, T0 + 90);
	assert_int_equal(s[0].count, 5);
	assert_int_equal(s[0].client_count, 5);
	assert_int_equal(s[0].evidence, DB_EV_FLOW | DB_EV_DNS | DB_EV_TLS);
	assert_int_equal(s[0].confidence, DB_CONF_HIGH);
	assert_int_equal(s[0].dirs, 3);
	assert_true(s[0].has_server);
	struct net_addr low = A("198.51.100.7");
	assert_memory_equal(&s[0].server, &low, sizeof(low));
	assert_int_equal(s[0].server_port, 80);
	struct net_addr c = A("192.0.2.1");
	assert_memory_equal(&s[0].client, &c, sizeof(c));
	assert_int_equal(s[0].ind, 0);
	assert_int_equal(s[0].exchange, CORR_EX_DIRECT);
	free(s);
	corr_agg_free(g);
}

/* combine on the read side: the same rules as adding */
static void test_combine_sightings(void **state)
{
	(void)state;
	struct corr_sighting a = {.first_seen = 0,
				  .last_seen = 0,
				  .count = 2,
				  .client_count = 1,
				  .evidence = DB_EV_DNS,
				  .confidence = DB_CONF_LOW,
				  .dirs = 1};
	struct corr_sighting b = {.first_seen = T0,
				  .last_seen = T0 + 3,
				  .count = 5,
				  .client_count = 5,
				  .evidence = DB_EV_HTTP,
				  .confidence = DB_CONF_HIGH,
				  .dirs = 2,
				  .has_server = 1,
				  .server_port = 80};
	b.server = A("203.0.113.5");
	struct corr_sighting m = a;
	corr_sighting_combine(&m, &b);
	assert_int_equal(m.first_seen, T0);
	assert_int_equal(m.last_seen, T0 + 3);
	assert_int_equal(m.count, 7);
	assert_int_equal(m.client_count, 6);
	assert_int_equal(m.evidence, DB_EV_DNS | DB_EV_HTTP);
	assert_int_equal(m.confidence, DB_CONF_HIGH);
	assert_int_equal(m.dirs, 3);
	assert_true(m.has_server);
	struct corr_sighting c = b;
	c.first_seen = T0 - 7;
	c.server = A("203.0.113.4");
	c.server_port = 9999;
	corr_sighting_combine(&m, &c);
	assert_int_equal(m.first_seen, T0 - 7);
	assert_int_equal(m.server_port, 9999);
}

/* One record whose hits name two indicators for one client and one for
 * another: per indicator each counts it, per client once. */
static void test_client_counts(void **state)
{
	(void)state;
	struct corr_agg *g = corr_agg_new();
	struct corr_hit h[4] = {hit("192.0.2.1", 0), hit("192.0.2.1", 1),
				hit("192.0.2.2", 1), hit("192.0.2.1", 0)};
	h[3].evidence = DB_EV_DNS; /* same indicator again: counted once */
	for (int k = 0; k < 3; k++)
		assert_int_equal(corr_agg_add_record(g, h, 4, T0 + k, 0), 0);
	/* another source and class of exchange stay apart */
	assert_int_equal(corr_agg_add_record(g, h, 2, T0, 1), 0);
	h[0].exchange = h[1].exchange = CORR_EX_OWN;
	assert_int_equal(corr_agg_add_record(g, h, 2, T0, 0), 0);
	size_t n;
	struct corr_sighting *s = agg_all(g, &n);
	/* .1: ind 0 x (src 0 own, src 0 direct, src 1 direct), ind 1 x the
	 * same; .2: ind 1 */
	assert_int_equal(n, 7);
	assert_int_equal(s[0].ind, 0);
	assert_int_equal(s[0].exchange, CORR_EX_OWN);
	assert_int_equal(s[1].exchange, CORR_EX_DIRECT);
	assert_int_equal(s[1].count, 3);
	assert_int_equal(s[1].evidence, DB_EV_FLOW | DB_EV_DNS);
	assert_int_equal(s[2].source, 1);
	/* per client the record counts once, with its last indicator (the
	 * matcher gives the far address last: a proxy's record keeps its
	 * count when an explanation leaves out the name it was asked for) */
	assert_int_equal(s[1].client_count, 0);
	assert_int_equal(s[4].ind, 1);
	assert_int_equal(s[4].count, 3);
	assert_int_equal(s[4].client_count, 3);
	assert_int_equal(s[6].count, 3);
	free(s);
	corr_agg_free(g);

	g = corr_agg_new();
	h[0].exchange = h[1].exchange = CORR_EX_DIRECT;
	for (int k = 0; k < 3; k++)
		assert_int_equal(corr_agg_add_record(g, h, 4, T0 + k, 0), 0);
	assert_int_equal(corr_agg_add_record(g, h, 2, T0, 1), 0);
	h[0].exchange = h[1].exchange = CORR_EX_OWN;
	assert_int_equal(corr_agg_add_record(g, h, 2, T0, 0), 0);
	size_t nc;
	struct corr_sighting *c = agg_clients(g, &nc);
	/* .1 src 0 own, src 0 direct, src 1 direct; .2 src 0 direct */
	assert_int_equal(nc, 4);
	assert_int_equal(c[0].exchange, CORR_EX_OWN);
	assert_int_equal(c[0].count, 1);
	assert_int_equal(c[1].count, 3);
	assert_int_equal(c[1].ind, UINT32_MAX);
	assert_int_equal(c[1].first_seen, T0);
	assert_int_equal(c[1].last_seen, T0 + 2);
	assert_int_equal(c[2].source, 1);
	assert_int_equal(c[2].count, 1);
	assert_int_equal(c[3].count, 3);
	free(c);
	corr_agg_free(g);
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

#define NKEYS 60000

/* Key k: a client (IPv4 or IPv6 below, in or above the mapped block), an
 * indicator, a source and a class of exchange. */
static struct corr_hit key_hit(uint32_t k, uint32_t *source)
{
	struct corr_hit h = hit("192.0.2.1", k % 3);
	uint32_t c = k / 3;
	switch (c % 4) {
	case 0:
	case 1:
		net_addr_from_v4(&h.client, 0x0a000000u + c * 2654435761u % 0xffffffu);
		break;
	case 2:
		memset(&h.client, 0, sizeof(h.client));
		h.client.b[0] = 0x20;
		h.client.b[1] = 0x01;
		memcpy(h.client.b + 12, &c, 4);
		break;
	default:
		memset(&h.client, 0, sizeof(h.client));
		memcpy(h.client.b + 12, &c, 4); /* ::a.b.c.d, below ::ffff:0:0 */
		break;
	}
	h.exchange = (uint8_t)(k % 2 ? CORR_EX_DIRECT : CORR_EX_DNS);
	*source = k % 5 == 0;
	return h;
}

static int cmp_key(const struct corr_sighting *a, const struct corr_sighting *b)
{
	int c = net_addr_cmp(&a->client, &b->client);
	if (c)
		return c;
	if (a->ind != b->ind)
		return a->ind < b->ind ? -1 : 1;
	if (a->source != b->source)
		return a->source < b->source ? -1 : 1;
	return (a->exchange > b->exchange) - (a->exchange < b->exchange);
}

/* Fills g with NKEYS keys, each hit twice, in an order drawn from seed. */
static void fill(struct corr_agg *g, uint64_t seed)
{
	uint32_t *order = malloc(2 * NKEYS * sizeof(*order));
	assert_non_null(order);
	for (uint32_t k = 0; k < 2 * NKEYS; k++)
		order[k] = k % NKEYS;
	rng = seed;
	for (uint32_t k = 2 * NKEYS - 1; k > 0; k--) {
		uint32_t j = (uint32_t)(next_rand() % (k + 1)), t = order[k];
		order[k] = order[j];
		order[j] = t;
	}
	uint8_t *seen = calloc(NKEYS, 1);
	assert_non_null(seen);
	for (uint32_t k = 0; k < 2 * NKEYS; k++) {
		uint32_t src;
		struct corr_hit h = key_hit(order[k], &src);
		if (order[k] % 7 == 0)
			h = with_server(
			    h, seen[order[k]]++ ? "198.51.100.1" : "2001:db8::1", 443);
		assert_int_equal(corr_agg_add(g, &h, T0 + k, src), 0);
	}
	free(order);
	free(seen);
}

static void test_growth_and_order(void **state)
{
	(void)state;
	struct corr_agg *a = corr_agg_new(), *b = corr_agg_new();
	fill(a, 1);
	fill(b, 2);
	assert_int_equal(corr_agg_count(a), NKEYS);
	size_t na, nb;
	struct corr_sighting *sa = agg_all(a, &na), *sb = agg_all(b, &nb);
	assert_int_equal(na, NKEYS);
	assert_int_equal(nb, NKEYS);
	for (size_t i = 0; i < na; i++) {
		assert_int_equal(sa[i].count, 2);
		if (i)
			assert_true(cmp_key(&sa[i - 1], &sa[i]) < 0);
		/* the same keys, counts, servers whatever the order */
		assert_int_equal(cmp_key(&sa[i], &sb[i]), 0);
		assert_int_equal(sa[i].has_server, sb[i].has_server);
		if (sa[i].has_server) {
			/* the lower of the two servers it was seen with */
			struct net_addr v4 = A("198.51.100.1");
			assert_memory_equal(&sa[i].server, &sb[i].server, 16);
			assert_memory_equal(&sa[i].server, &v4, 16);
		}
	}
	/* clients in address order end where the next begins */
	for (size_t i = 0; i < na;) {
		size_t j = corr_agg_client_end(a, i);
		assert_true(j > i);
		for (size_t k = i + 1; k < j; k++)
			assert_memory_equal(&sa[k].client, &sa[i].client, 16);
		if (j < na)
			assert_true(net_addr_cmp(&sa[i].client, &sa[j].client) < 0);
		i = j;
	}
	free(sa);
	free(sb);
	/* reading while giving memory back */
	struct corr_sighting x;
	for (size_t i = 0; i < na; i++) {
		corr_agg_get(a, i, &x);
		assert_int_equal(x.count, 2);
		corr_agg_release(a, i);
	}
	corr_agg_free(a);
	corr_agg_free(b);
}

/* The sort goes on behind the reading: sightings read in any order (here
 * from the last) are those read in order, and an aggregate freed before
 * its sort is done (nothing read) ends cleanly. */
static void test_sort_read_any_order(void **state)
{
	(void)state;
	struct corr_agg *a = corr_agg_new(), *b = corr_agg_new(), *c = corr_agg_new();
	fill(a, 3);
	fill(b, 3);
	fill(c, 3);
	size_t n;
	struct corr_sighting *sa = agg_all(a, &n);
	assert_int_equal(n, NKEYS);
	assert_int_equal(corr_agg_sort(b), 0);
	struct corr_sighting x;
	for (size_t i = n; i-- > 0;) {
		corr_agg_get(b, i, &x);
		assert_int_equal(cmp_key(&x, &sa[i]), 0);
		assert_int_equal(x.count, sa[i].count);
		assert_int_equal(x.first_seen, sa[i].first_seen);
	}
	for (size_t i = n / 2; i < n;) {
		size_t j = corr_agg_client_end(b, i);
		assert_true(j > i && j <= n);
		for (size_t k = i; k < j; k++)
			assert_memory_equal(&sa[k].client, &sa[i].client, 16);
		if (j < n)
			assert_true(net_addr_cmp(&sa[i].client, &sa[j].client) < 0);
		i = j;
	}
	assert_int_equal(corr_agg_sort(c), 0);
	corr_agg_free(c);
	free(sa);
	corr_agg_free(a);
	corr_agg_free(b);
}

/* Batched adds (what the readers use) give what one add per record gives,
 * a record's hits counted together even when they fill a batch. */
static void test_batch(void **state)
{
	(void)state;
	struct corr_agg *a = corr_agg_new(), *b = corr_agg_new();
	struct corr_agg_batch *batch = calloc(1, sizeof(*batch));
	assert_non_null(batch);
	struct corr_hit h[3] = {hit("192.0.2.1", 0), hit("192.0.2.1", 1),
				hit("2001:db8::5", 1)};
	for (uint32_t k = 0; k < 5000; k++) {
		uint32_t src;
		struct corr_hit x = key_hit(k % 700, &src);
		h[1].client = x.client;
		size_t n = 1 + k % 3;
		assert_int_equal(corr_agg_add_record(a, h, n, T0 + k, src), 0);
		assert_int_equal(corr_agg_add_record(a, &x, 1, T0 - k, 0), 0);
		assert_int_equal(corr_agg_batch_add(b, batch, h, n, T0 + k, src), 0);
		assert_int_equal(corr_agg_batch_add(b, batch, &x, 1, T0 - k, 0), 0);
	}
	assert_int_equal(corr_agg_batch_flush(b, batch), 0);
	assert_int_equal(batch->n, 0);
	size_t na, nb;
	struct corr_sighting *sa = agg_all(a, &na), *sb = agg_all(b, &nb);
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_int_equal(cmp_key(&sa[i], &sb[i]), 0);
		assert_int_equal(sa[i].count, sb[i].count);
		assert_int_equal(sa[i].client_count, sb[i].client_count);
		assert_int_equal(sa[i].first_seen, sb[i].first_seen);
		assert_int_equal(sa[i].last_seen, sb[i].last_seen);
	}
	/* finished: a batch is refused too */
	assert_int_equal(corr_agg_batch_add(b, batch, h, 1, T0, 0), 0);
	assert_int_equal(corr_agg_batch_flush(b, batch), SD_EUSAGE);
	free(sa);
	free(sb);
	free(batch);
	corr_agg_free(a);
	corr_agg_free(b);
}

/* Clients of key k for test_v4_singles: IPv4 with one sighting, IPv4
 * with two (two indicators), IPv6 with one, in a scattered order. */
static struct corr_hit single_hit(uint32_t k, uint32_t *source)
{
	uint32_t c = k * 2654435761u % 0xffffffu;
	struct corr_hit h = hit("192.0.2.1", k % 2);
	net_addr_from_v4(&h.client, 0x0a000000u + c);
	if (k % 11 == 0)
		h.client.b[0] = 0x20; /* 2000::... */
	else if (k % 7 == 0)
		net_addr_from_v4(&h.client,
				 0x0a000000u + (k - 1) * 2654435761u % 0xffffffu);
	h.exchange = (uint8_t)(k % 3 ? CORR_EX_DIRECT : CORR_EX_DNS);
	h.evidence = (uint8_t)(1u << (k % 4));
	h.confidence = (uint8_t)(k % 3);
	*source = k % 5;
	return h;
}

/* The compact read of IPv4 clients with one sighting gives what
 * corr_agg_get gives, in the same order, and stops at every other client,
 * whatever the batch size and while the sort runs behind it. */
static void test_v4_singles(void **state)
{
	(void)state;
	enum { N = 30000 };
	struct corr_agg *a = corr_agg_new(), *b = corr_agg_new();
	for (uint32_t k = 0; k < N; k++) {
		uint32_t src;
		struct corr_hit h = single_hit(k, &src);
		assert_int_equal(corr_agg_add(a, &h, T0 + k, src), 0);
		assert_int_equal(corr_agg_add(b, &h, T0 + 2 * k, src), 0);
		assert_int_equal(corr_agg_add(b, &h, T0 + k, src), 0);
	}
	size_t n;
	struct corr_sighting *want = agg_all(a, &n);
	assert_int_equal(corr_agg_sort(b), 0);
	assert_int_equal(corr_agg_count(b), n);
	struct corr_v4_single v[300];
	size_t singles = 0, others = 0;
	rng = 18;
	for (size_t i = 0; i < n;) {
		size_t max = 1 + next_rand() % 300;
		size_t m = corr_agg_v4_singles(b, i, max, v);
		assert_true(m <= max && m <= n - i);
		for (size_t k = 0; k < m; k++) {
			const struct corr_sighting *w = &want[i + k];
			struct net_addr c;
			net_addr_from_v4(&c, v[k].addr);
			assert_memory_equal(&c, &w->client, sizeof(c));
			assert_int_equal(corr_agg_client_end(a, i + k), i + k + 1);
			assert_int_equal(v[k].source, w->source);
			assert_int_equal(v[k].exchange, w->exchange);
			assert_int_equal(v[k].first_seen, w->first_seen);
			assert_int_equal(v[k].last_seen,
					 w->last_seen + (w->last_seen - T0));
			assert_int_equal(v[k].client_count, 2 * w->client_count);
			assert_int_equal(v[k].evidence, w->evidence);
			assert_int_equal(v[k].confidence, w->confidence);
		}
		singles += m;
		if (m) {
			i += m;
			continue;
		}
		/* not one: an IPv6 client, or one with more sightings */
		size_t j = corr_agg_client_end(a, i);
		assert_true(j - i > 1 || !net_addr_is_v4(&want[i].client));
		others += j - i;
		i = j;
	}
	assert_int_equal(singles + others, n);
	assert_true(singles > n / 2 && others > n / 10);
	free(want);
	corr_agg_free(a);
	corr_agg_free(b);
}

static void test_limits(void **state)
{
	(void)state;
	struct corr_agg *g = corr_agg_new();
	struct corr_hit h = hit("192.0.2.1", 0);
	assert_int_equal(corr_agg_add(g, &h, T0, CORR_MAX_SOURCES), SD_ELIMIT);
	assert_int_equal(corr_agg_add(g, &h, T0, CORR_MAX_SOURCES - 1), 0);
	assert_int_equal(corr_agg_count(g), 1);
	/* empty is fine too */
	struct corr_agg *e = corr_agg_new();
	assert_int_equal(corr_agg_sort(e), 0);
	assert_int_equal(corr_agg_count(e), 0);
	corr_agg_free(e);
	corr_agg_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_combine_rules),
	    cmocka_unit_test(test_combine_sightings),
	    cmocka_unit_test(test_client_counts),
	    cmocka_unit_test(test_growth_and_order),
	    cmocka_unit_test(test_sort_read_any_order),
	    cmocka_unit_test(test_batch),
	    cmocka_unit_test(test_v4_singles),
	    cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
