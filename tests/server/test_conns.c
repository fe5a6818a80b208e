/* The connection table on its own, with a controlled clock: per-address
 * limits per IPv4 address and IPv6 /64, a trusted proxy exempt, making
 * room from the greediest address when nearly full, and the deadlines of
 * each phase. Fake descriptors (-1): shutting one down does nothing. */
#include "testutil.h"

#include "server/conns.h"

static struct net_addr addr(const char *s)
{
	struct net_addr a;
	if (net_addr_parse(s, strlen(s), &a, NULL))
		fail_msg("bad test address %s", s);
	return a;
}

static struct net_prefix trusted_pfx;
static struct srv_trust trust = {&trusted_pfx, 1};

static struct srv_conns *table(unsigned max, unsigned per)
{
	net_prefix_parse("10.0.0.0/8", 10, &trusted_pfx, 0, NULL);
	struct srv_conn_limits l = {
	    .max_conns = max,
	    .per_addr = per,
	    .v6_prefix = 64,
	    .header_ms = 2000,
	    .request_ms = 10000,
	    .min_send_rate = 4096,
	    .trust = &trust,
	};
	struct srv_conns *t = srv_conns_new(&l);
	assert_non_null(t);
	return t;
}

static struct srv_conn *open_from(struct srv_conns *t, const char *a, uint64_t now)
{
	struct net_addr p = addr(a);
	struct srv_conn *k = srv_conns_open(t, -1, &p, now);
	assert_non_null(k);
	return k;
}

static void test_per_address(void **state)
{
	(void)state;
	struct srv_conns *t = table(1000, 4);
	struct srv_conn *k[16];
	char a[64];
	for (int i = 0; i < 4; i++) {
		snprintf(a, sizeof(a), "2001:db8:1:1::%d", i + 1);
		k[i] = open_from(t, a, 1000);
		assert_false(srv_conn_is_cut(k[i]));
	}
	/* a fifth address in the same /64 is the same client */
	k[4] = open_from(t, "2001:db8:1:1:ffff::99", 1000);
	assert_true(srv_conn_is_cut(k[4]));
	/* the next /64 is another */
	k[5] = open_from(t, "2001:db8:1:2::1", 1000);
	assert_false(srv_conn_is_cut(k[5]));
	/* IPv4: per address */
	for (int i = 0; i < 4; i++)
		k[6 + i] = open_from(t, "192.0.2.1", 1000);
	k[10] = open_from(t, "192.0.2.1", 1000);
	assert_true(srv_conn_is_cut(k[10]));
	assert_false(srv_conn_is_cut(open_from(t, "192.0.2.2", 1000)));
	/* a trusted proxy is never limited per address */
	for (int i = 0; i < 20; i++)
		assert_false(srv_conn_is_cut(open_from(t, "10.1.2.3", 1000)));
	struct srv_conns_counts c;
	srv_conns_counts(t, &c);
	assert_int_equal(c.refused_per_addr, 2);
	/* a closed connection frees its address's slot */
	srv_conns_close(t, k[6]);
	srv_conns_close(t, k[10]);
	assert_false(srv_conn_is_cut(open_from(t, "192.0.2.1", 1000)));
	srv_conns_free(t);
}

static void test_room_when_full(void **state)
{
	(void)state;
	struct srv_conns *t = table(32, 8);
	struct srv_conn *first_greedy = NULL, *k;
	/* 30 slow connections: 8 from .1 (the greediest), the rest spread */
	for (int i = 0; i < 30; i++) {
		char a[32];
		snprintf(a, sizeof(a), "192.0.2.%d", i < 8 ? 1 : 2 + i % 5);
		k = open_from(t, a, 1000 + (uint64_t)i);
		srv_conn_request_line(k, 1000 + (uint64_t)i);
		if (i == 0)
			first_greedy = k;
		assert_false(srv_conn_is_cut(k));
	}
	/* a normal client arrives at a nearly full table: the greediest
	 * address's oldest unfinished connection makes room */
	struct srv_conn *normal = open_from(t, "198.51.100.7", 1100);
	assert_false(srv_conn_is_cut(normal));
	assert_true(srv_conn_is_cut(first_greedy));
	struct srv_conns_counts c;
	srv_conns_counts(t, &c);
	assert_int_equal(c.dropped_when_full, 1);
	/* a connection sending its answer is never the one dropped */
	srv_conn_header_done(normal, 1101);
	srv_conn_sending(normal, 1101, 100);
	for (int i = 0; i < 10; i++)
		open_from(t, "203.0.113.9", 1200);
	assert_false(srv_conn_is_cut(normal));
	srv_conns_free(t);
}

static void test_deadlines(void **state)
{
	(void)state;
	struct srv_conns *t = table(1000, 100);
	/* nothing sent: the request deadline from the opening */
	struct srv_conn *idle = open_from(t, "192.0.2.1", 0);
	/* a request line, then a header that never ends: header deadline */
	struct srv_conn *loris = open_from(t, "192.0.2.2", 0);
	srv_conn_request_line(loris, 100);
	/* a slow body: the request deadline */
	struct srv_conn *body = open_from(t, "192.0.2.3", 0);
	srv_conn_request_line(body, 100);
	srv_conn_header_done(body, 200);
	/* an answer of 3 * 4096 bytes: grace + 3 s at the minimum rate */
	struct srv_conn *reader = open_from(t, "192.0.2.4", 0);
	srv_conn_request_line(reader, 0);
	srv_conn_header_done(reader, 0);
	srv_conn_sending(reader, 0, 3 * 4096);
	/* a streamed answer earns time as it is produced */
	struct srv_conn *stream = open_from(t, "192.0.2.5", 0);
	srv_conn_request_line(stream, 0);
	srv_conn_header_done(stream, 0);
	srv_conn_sending(stream, 0, 0);
	srv_conn_sent_more(stream, 8 * 4096);

	assert_int_equal(srv_conns_reap(t, 2100), 0);
	assert_int_equal(srv_conns_reap(t, 2101), 1);
	assert_true(srv_conn_is_cut(loris));
	assert_int_equal(srv_conns_reap(t, 10000), 0);
	assert_int_equal(srv_conns_reap(t, 10001), 2); /* idle, body */
	assert_true(srv_conn_is_cut(idle));
	assert_true(srv_conn_is_cut(body));
	assert_int_equal(srv_conns_reap(t, 13000), 0);
	assert_int_equal(srv_conns_reap(t, 13001), 1);
	assert_true(srv_conn_is_cut(reader));
	assert_int_equal(srv_conns_reap(t, 18000), 0);
	assert_int_equal(srv_conns_reap(t, 18001), 1);
	assert_true(srv_conn_is_cut(stream));
	srv_conns_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_per_address),
	    cmocka_unit_test(test_room_when_full),
	    cmocka_unit_test(test_deadlines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
