/* A request made to a proxy in a capture waits for its answer: the status
 * line of the response on the same connection sets TEL_ANSWERED, and
 * TEL_DECLINED when the proxy did not serve it (not 2xx/3xx; a CONNECT:
 * not 2xx); a request never answered carries neither. The record keeps the
 * request's time and packet number. An origin-form request is emitted at
 * once, as before. The held requests are bounded, each bound counted. */
#include "testutil.h"

#include "pcap_collect.h"
#include "pcap_craft.h"
#include "telemetry/pcap_limits.h"

#define T0 1680098111u

/* 192.0.2.<c>:<cport> -> 10.0.0.<s>:3128 */
static struct craft_pkt to_proxy(unsigned c, uint16_t cport, unsigned s, uint8_t flags,
				 uint32_t seq)
{
	struct craft_pkt p = {
	    .proto = 6, .sport = cport, .dport = 3128, .tcp_flags = flags, .seq = seq};
	craft_v4(p.src, 192, 0, 2, c);
	craft_v4(p.dst, 10, 0, 0, s);
	return p;
}

static struct craft_pkt back(struct craft_pkt p)
{
	uint8_t t[16];
	memcpy(t, p.src, 16);
	memcpy(p.src, p.dst, 16);
	memcpy(p.dst, t, 16);
	uint16_t x = p.sport;
	p.sport = p.dport;
	p.dport = x;
	return p;
}

static void put(struct craft_file *cf, uint32_t sec, const struct craft_pkt *p,
		const char *payload)
{
	cf_ip(cf, CL_ETH, sec, p, payload, strlen(payload));
}

/* A handshake, the request at T0 + 1 (packet 3 of the exchange), and the
 * response at T0 + 2 unless resp is NULL; no FIN. */
static void exchange(struct craft_file *cf, unsigned c, uint16_t cport, const char *req,
		     const char *resp)
{
	struct craft_pkt p = to_proxy(c, cport, 1, PKT_SYN_, 0);
	put(cf, T0, &p, "");
	struct craft_pkt b = back(to_proxy(c, cport, 1, PKT_SYN_ | PKT_ACK_, 0));
	put(cf, T0, &b, "");
	p = to_proxy(c, cport, 1, PKT_ACK_, 1);
	put(cf, T0 + 1, &p, req);
	if (resp) {
		b = back(to_proxy(c, cport, 1, PKT_ACK_, 1));
		put(cf, T0 + 2, &b, resp);
	}
}

static bool reported(const struct collect *c, const char *needle)
{
	for (size_t i = 0; i < c->nreports; i++)
		if (strstr(c->reports[i], needle))
			return true;
	return false;
}

static const unsigned ANSWER_FLAGS = TEL_ANSWERED | TEL_DECLINED;

static void answered_or_declined(void **state)
{
	(void)state;
	const char *path = test_tmpfile("answers.pcap");
	struct craft_file cf;
	cf_open(&cf, path, 1, 0);
	exchange(&cf, 1, 50001,
		 "GET http://evil.com/a?b HTTP/1.1\r\nHost: evil.com\r\n\r\n",
		 "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	exchange(&cf, 2, 50002, "GET http://evil.com/ HTTP/1.1\r\n\r\n",
		 "HTTP/1.1 400 Bad Request\r\n\r\n");
	exchange(&cf, 3, 50003, "CONNECT evil.com:443 HTTP/1.1\r\n\r\n",
		 "HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");
	exchange(&cf, 4, 50004, "CONNECT evil.com:443 HTTP/1.1\r\n\r\n",
		 "HTTP/1.1 200 Connection established\r\n\r\n");
	/* the hello through the served tunnel */
	static struct craft_buf m;
	m.n = 0;
	cb_client_hello(&m, "evil.com", 0);
	struct craft_pkt p = to_proxy(4, 50004, 1, PKT_ACK_, 100);
	cf_ip(&cf, CL_ETH, T0 + 3, &p, m.b, m.n);
	/* a 3xx is served; a 302 to a CONNECT is not */
	exchange(&cf, 5, 50005, "GET http://evil.com/r HTTP/1.0\r\n\r\n",
		 "HTTP/1.0 302 Found\r\n\r\n");
	exchange(&cf, 6, 50006, "CONNECT evil.com:443 HTTP/1.1\r\n\r\n",
		 "HTTP/1.1 302 Found\r\n\r\n");
	cf_close(&cf);

	struct collect *c = collect(path);
	assert_int_equal(c->rc, 0);
	assert_int_equal(c->stats.malformed, 0);
	assert_int_equal(count_kind(c, TEL_HTTP), 6);
	const struct crec *r = find_rec(c, TEL_HTTP, "192.0.2.1", "evil.com");
	assert_non_null(r);
	assert_int_equal(r->flags & ANSWER_FLAGS, TEL_ANSWERED);
	assert_true(r->flags & TEL_VIA_PROXY);
	assert_string_equal(r->path, "/a?b"); /* copied: the packet is gone */
	assert_string_equal(r->server, "10.0.0.1");
	assert_int_equal(r->sport, 3128);
	assert_int_equal(r->cport, 50001);
	assert_int_equal(r->ts, T0 + 1); /* dated by the request */
	assert_int_equal(r->position, 3);
	r = find_rec(c, TEL_HTTP, "192.0.2.2", "evil.com");
	assert_non_null(r);
	assert_int_equal(r->flags & ANSWER_FLAGS, TEL_ANSWERED | TEL_DECLINED);
	assert_int_equal(r->position, 7);
	r = find_rec(c, TEL_HTTP, "192.0.2.3", "evil.com");
	assert_non_null(r);
	assert_int_equal(r->flags & ANSWER_FLAGS, TEL_ANSWERED | TEL_DECLINED);
	assert_string_equal(r->path, "");
	r = find_rec(c, TEL_HTTP, "192.0.2.4", "evil.com");
	assert_non_null(r);
	assert_int_equal(r->flags & ANSWER_FLAGS, TEL_ANSWERED);
	r = find_rec(c, TEL_TLS, "192.0.2.4", "evil.com");
	assert_non_null(r);
	assert_int_equal(r->flags & (ANSWER_FLAGS | TEL_VIA_PROXY),
			 TEL_VIA_PROXY | TEL_ANSWERED);
	r = find_rec(c, TEL_HTTP, "192.0.2.5", "evil.com");
	assert_non_null(r);
	assert_int_equal(r->flags & ANSWER_FLAGS, TEL_ANSWERED);
	r = find_rec(c, TEL_HTTP, "192.0.2.6", "evil.com");
	assert_non_null(r);
	assert_int_equal(r->flags & ANSWER_FLAGS, TEL_ANSWERED | TEL_DECLINED);
	collect_free(c);
}

/* No answer: the connection's end (FIN both ways, RST) or the capture's
 * end emits the request once, with neither flag; a tunnel whose CONNECT
 * was declined or never answered carries hellos without TEL_ANSWERED. */
static void unanswered(void **state)
{
	(void)state;
	const char *path = test_tmpfile("unanswered.pcap");
	struct craft_file cf;
	cf_open(&cf, path, 1, 0);
	exchange(&cf, 1, 50001, "GET http://evil.com/fin HTTP/1.1\r\n\r\n", NULL);
	struct craft_pkt p = to_proxy(1, 50001, 1, PKT_FIN_ | PKT_ACK_, 40);
	put(&cf, T0 + 5, &p, "");
	struct craft_pkt b = back(to_proxy(1, 50001, 1, PKT_FIN_ | PKT_ACK_, 1));
	put(&cf, T0 + 5, &b, "");
	p = to_proxy(1, 50001, 1, PKT_ACK_, 41);
	put(&cf, T0 + 5, &p, "");
	/* a late response after the close answers nothing */
	b = back(to_proxy(1, 50001, 1, PKT_ACK_, 2));
	put(&cf, T0 + 6, &b, "HTTP/1.1 200 OK\r\n\r\n");
	exchange(&cf, 2, 50002, "CONNECT evil.com:443 HTTP/1.1\r\n\r\n", NULL);
	b = back(to_proxy(2, 50002, 1, PKT_RST_, 1));
	put(&cf, T0 + 7, &b, "");
	exchange(&cf, 3, 50003, "CONNECT evil.com:443 HTTP/1.1\r\n\r\n",
		 "HTTP/1.1 403 Forbidden\r\n\r\n");
	static struct craft_buf m;
	m.n = 0;
	cb_client_hello(&m, "evil.com", 0);
	p = to_proxy(3, 50003, 1, PKT_ACK_, 100);
	cf_ip(&cf, CL_ETH, T0 + 8, &p, m.b, m.n);
	exchange(&cf, 4, 50004, "GET http://evil.com/end HTTP/1.1\r\n\r\n", NULL);
	cf_close(&cf);

	struct collect *c = collect(path);
	assert_int_equal(c->rc, 0);
	assert_int_equal(c->stats.malformed, 0);
	assert_int_equal(count_kind(c, TEL_HTTP), 4);
	for (unsigned i = 1; i <= 4; i++) {
		char who[32];
		snprintf(who, sizeof(who), "192.0.2.%u", i);
		assert_int_equal(count_rec(c, TEL_HTTP, who, "evil.com"), 1);
		const struct crec *r = find_rec(c, TEL_HTTP, who, "evil.com");
		assert_true(r->flags & TEL_VIA_PROXY);
		assert_int_equal(r->flags & ANSWER_FLAGS,
				 i == 3 ? TEL_ANSWERED | TEL_DECLINED : 0);
		assert_int_equal(r->ts, T0 + 1);
	}
	assert_string_equal(find_rec(c, TEL_HTTP, "192.0.2.1", NULL)->path, "/fin");
	assert_string_equal(find_rec(c, TEL_HTTP, "192.0.2.4", NULL)->path, "/end");
	const struct crec *r = find_rec(c, TEL_TLS, "192.0.2.3", "evil.com");
	assert_non_null(r);
	assert_int_equal(r->flags & (ANSWER_FLAGS | TEL_VIA_PROXY), TEL_VIA_PROXY);
	/* the first request ends before its flow's record */
	size_t req = c->n, flow = c->n;
	for (size_t i = 0; i < c->n; i++) {
		if (!strcmp(c->r[i].client, "192.0.2.1") && c->r[i].kind == TEL_HTTP)
			req = i;
		if (!strcmp(c->r[i].client, "192.0.2.1") && c->r[i].kind == TEL_FLOW)
			flow = i;
	}
	assert_true(req < flow && flow < c->n);
	collect_free(c);
}

/* An origin-form request is emitted as soon as it is read, answered or
 * not; on a connection carrying both, the n-th final response answers the
 * n-th request (an interim 100 is no answer), and a retransmitted request
 * waits for the same answer. */
static void origin_and_pipelined(void **state)
{
	(void)state;
	const char *path = test_tmpfile("pipelined.pcap");
	struct craft_file cf;
	cf_open(&cf, path, 1, 0);
	exchange(&cf, 1, 50001, "GET /index.html HTTP/1.1\r\nHost: www.example\r\n\r\n",
		 NULL);
	struct craft_pkt p = to_proxy(1, 50001, 1, PKT_ACK_, 60);
	put(&cf, T0 + 1, &p, "GET http://evil.com/p HTTP/1.1\r\n\r\n");
	put(&cf, T0 + 1, &p, "GET http://evil.com/p HTTP/1.1\r\n\r\n"); /* again */
	struct craft_pkt b = back(to_proxy(1, 50001, 1, PKT_ACK_, 1));
	put(&cf, T0 + 2, &b, "HTTP/1.1 100 Continue\r\n\r\n");
	b.seq = 30;
	put(&cf, T0 + 2, &b, "HTTP/1.1 404 Not Found\r\n\r\n");
	b.seq = 60;
	put(&cf, T0 + 2, &b, "HTTP/1.1 200 OK\r\n\r\n");
	cf_close(&cf);

	struct collect *c = collect(path);
	assert_int_equal(c->rc, 0);
	assert_int_equal(count_kind(c, TEL_HTTP), 3);
	/* the origin-form request first, as before: nothing waits for it */
	assert_int_equal(c->r[0].kind, TEL_HTTP);
	assert_string_equal(c->r[0].name, "www.example");
	assert_string_equal(c->r[0].path, "/index.html");
	assert_int_equal(c->r[0].flags & (ANSWER_FLAGS | TEL_VIA_PROXY), 0);
	assert_int_equal(count_rec(c, TEL_HTTP, "192.0.2.1", "evil.com"), 2);
	for (size_t i = 0; i < c->n; i++)
		if (c->r[i].kind == TEL_HTTP && !strcmp(c->r[i].name, "evil.com")) {
			assert_int_equal(c->r[i].flags & ANSWER_FLAGS, TEL_ANSWERED);
			assert_string_equal(c->r[i].path, "/p");
		}
	collect_free(c);
}

/* Past PCAPR_HTTP_HELD_PER_FLOW on one connection, and past PCAPR_HTTP_HELD
 * in all, the oldest waiting request is emitted unanswered: every request
 * is still emitted once, each given-up answer is counted as skipped, and
 * each bound is reported by name. */
static void held_bounds(void **state)
{
	(void)state;
	const char *path = test_tmpfile("perflow.pcap");
	struct craft_file cf;
	cf_open(&cf, path, 1, 0);
	const unsigned n = PCAPR_HTTP_HELD_PER_FLOW + 3;
	for (unsigned i = 0; i < n; i++) {
		struct craft_pkt p = to_proxy(1, 50001, 1, PKT_ACK_, 1 + 100 * i);
		put(&cf, T0 + 1, &p, "GET http://evil.com/x HTTP/1.1\r\n\r\n");
	}
	cf_close(&cf);
	struct collect *c = collect(path);
	assert_int_equal(c->rc, 0);
	assert_int_equal(count_rec(c, TEL_HTTP, "192.0.2.1", "evil.com"), n);
	assert_int_equal(c->stats.skipped, 3);
	assert_true(reported(c, "PCAPR_HTTP_HELD_PER_FLOW"));
	collect_free(c);

	path = test_tmpfile("held.pcap");
	cf_open(&cf, path, 1, 0);
	const unsigned flows = PCAPR_HTTP_HELD + 5;
	for (unsigned i = 0; i < flows; i++) {
		struct craft_pkt p =
		    to_proxy(1 + i % 200, (uint16_t)(40000 + i), 1, PKT_ACK_, 1);
		put(&cf, T0 + 1, &p, "CONNECT evil.com:443 HTTP/1.1\r\n\r\n");
	}
	/* the last one is answered: it was held to the end */
	struct craft_pkt b = back(to_proxy(
	    1 + (flows - 1) % 200, (uint16_t)(40000 + flows - 1), 1, PKT_ACK_, 1));
	put(&cf, T0 + 2, &b, "HTTP/1.1 200 OK\r\n\r\n");
	cf_close(&cf);
	c = collect(path);
	assert_int_equal(c->rc, 0);
	assert_int_equal(count_kind(c, TEL_HTTP), flows);
	assert_int_equal(c->stats.skipped, 5);
	assert_true(reported(c, "PCAPR_HTTP_HELD "));
	assert_int_equal(c->nreports, 1); /* said once */
	size_t answered = 0;
	for (size_t i = 0; i < c->n; i++)
		answered += c->r[i].kind == TEL_HTTP && (c->r[i].flags & TEL_ANSWERED);
	assert_int_equal(answered, 1);
	collect_free(c);
}

/* The same capture read twice gives the same records in the same order. */
static void deterministic(void **state)
{
	(void)state;
	const char *path = test_tmpfile("twice.pcap");
	struct craft_file cf;
	cf_open(&cf, path, 1, 0);
	for (unsigned i = 0; i < 40; i++)
		exchange(&cf, 1 + i, (uint16_t)(50000 + i),
			 i % 2 ? "GET http://evil.com/ HTTP/1.1\r\n\r\n"
			       : "GET / HTTP/1.1\r\nHost: ok.example\r\n\r\n",
			 i % 3 ? "HTTP/1.1 200 OK\r\n\r\n" : NULL);
	cf_close(&cf);
	struct collect *a = collect(path), *b = collect(path);
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		assert_memory_equal(&a->r[i], &b->r[i], sizeof(a->r[i]));
	collect_free(a);
	collect_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(answered_or_declined), cmocka_unit_test(unanswered),
	    cmocka_unit_test(origin_and_pipelined), cmocka_unit_test(held_bounds),
	    cmocka_unit_test(deterministic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
