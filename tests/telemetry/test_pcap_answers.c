/* A request made to a proxy in a capture waits for its answer: the status
 * line of the response on the same connection sets TEL_ANSWERED, and
 * TEL_DECLINED when the proxy did not serve it (not 2xx/3xx; a CONNECT:
 * not 2xx); a request never answered carries neither. The record keeps the
 * request's time and packet number. Only the first request of a
 * connection, read from its client's SYN on, is paired, with the first
 * final status line its server sends; any other is emitted at once. An
 * origin-form request is emitted at once, as before. The held requests are
 * bounded, the bound counted. */
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

/* Handshake of 192.0.2.<c>:<cport> -> 10.0.0.1:3128, client ISN 0. */
static void handshake(struct craft_file *cf, unsigned c, uint16_t cport)
{
	struct craft_pkt p = to_proxy(c, cport, 1, PKT_SYN_, 0);
	put(cf, T0, &p, "");
	struct craft_pkt b = back(to_proxy(c, cport, 1, PKT_SYN_ | PKT_ACK_, 0));
	put(cf, T0, &b, "");
}

static void client(struct craft_file *cf, unsigned c, uint16_t cport, uint32_t seq,
		   const char *payload)
{
	struct craft_pkt p = to_proxy(c, cport, 1, PKT_ACK_, seq);
	put(cf, T0 + 1, &p, payload);
}

static void server(struct craft_file *cf, unsigned c, uint16_t cport, uint32_t seq,
		   const char *payload)
{
	struct craft_pkt b = back(to_proxy(c, cport, 1, PKT_ACK_, seq));
	put(cf, T0 + 2, &b, payload);
}

static const char ABS[] = "GET http://evil.com/p HTTP/1.1\r\nHost: evil.com\r\n\r\n";
static const char OK[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
static const char NF[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";

/* The flags of the one evil.com request of 192.0.2.<c>. */
static unsigned abs_flags(const struct collect *c, unsigned who)
{
	char ip[32];
	snprintf(ip, sizeof(ip), "192.0.2.%u", who);
	assert_int_equal(count_rec(c, TEL_HTTP, ip, "evil.com"), 1);
	const struct crec *r = find_rec(c, TEL_HTTP, ip, "evil.com");
	assert_true(r->flags & TEL_VIA_PROXY);
	return r->flags & ANSWER_FLAGS;
}

/* A scanner hides behind the web server it probes if the server's answer
 * to another request is taken for the answer to its proxied one: only the
 * connection's first request is paired, with the final status line the
 * server's first bytes carry. Each case here would otherwise pair the absolute
 * request with a 200. */
static void scanner_cannot_borrow_an_answer(void **state)
{
	(void)state;
	const char *path = test_tmpfile("borrow.pcap");
	const char *r1 = "GET / HTTP/1.1\r\nHost: v\r\n\r\n";
	const char *r2 =
	    "GET / HTTP/1.1\r\nHost: v\r\n\r\nGET /a HTTP/1.1\r\nHost: v\r\n\r\n";
	uint32_t n1 = (uint32_t)strlen(r1), n2 = (uint32_t)strlen(r2);
	uint32_t nabs = (uint32_t)strlen(ABS), nok = (uint32_t)strlen(OK);
	struct craft_file cf;
	cf_open(&cf, path, 1, 0);
	/* (a) the client sends a status line of its own after the request */
	handshake(&cf, 1, 50001);
	client(&cf, 1, 50001, 1, r1);
	client(&cf, 1, 50001, 1 + n1, ABS);
	client(&cf, 1, 50001, 1 + n1 + nabs, "HTTP/1.1 200 X\r\n\r\n");
	server(&cf, 1, 50001, 1, OK);
	server(&cf, 1, 50001, 1 + nok, NF);
	/* (b) two requests in one segment before it */
	handshake(&cf, 2, 50002);
	client(&cf, 2, 50002, 1, r2);
	client(&cf, 2, 50002, 1 + n2, ABS);
	server(&cf, 2, 50002, 1, OK);
	server(&cf, 2, 50002, 1 + nok, OK);
	server(&cf, 2, 50002, 1 + 2 * nok, NF);
	/* (c) the same sequence number as the request before it: the
	 * server's TCP took it for a duplicate */
	handshake(&cf, 3, 50003);
	client(&cf, 3, 50003, 1, r1);
	client(&cf, 3, 50003, 1, ABS);
	server(&cf, 3, 50003, 1, OK);
	/* (d) the proxied request first, then other bytes at its place (one
	 * of the two never reached the server: a short TTL, a bad checksum) */
	handshake(&cf, 4, 50004);
	client(&cf, 4, 50004, 1, ABS);
	client(&cf, 4, 50004, 1, "GET / HTTP/1.1\r\nHost: v\r\n\r\n");
	server(&cf, 4, 50004, 1, OK);
	/* (e) the same, overlapping only its tail */
	handshake(&cf, 5, 50005);
	client(&cf, 5, 50005, 1, ABS);
	client(&cf, 5, 50005, nabs - 2, "XXXXXXXX");
	server(&cf, 5, 50005, 1, OK);
	/* (f) no SYN captured: nothing says the request came first */
	client(&cf, 6, 50006, 1, ABS);
	server(&cf, 6, 50006, 1, OK);
	/* (g) the SYN, but the request is not at its sequence number + 1 */
	handshake(&cf, 7, 50007);
	client(&cf, 7, 50007, 40, ABS);
	server(&cf, 7, 50007, 1, OK);
	/* (h) a second SYN with another initial sequence number */
	handshake(&cf, 8, 50008);
	struct craft_pkt p = to_proxy(8, 50008, 1, PKT_SYN_, 1000);
	put(&cf, T0, &p, "");
	client(&cf, 8, 50008, 1, ABS);
	server(&cf, 8, 50008, 1, OK);
	/* (i) an interim 100 followed by a final status in the same segment:
	 * whatever comes later is not looked at */
	handshake(&cf, 9, 50009);
	client(&cf, 9, 50009, 1, ABS);
	server(&cf, 9, 50009, 1,
	       "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\n\r\n");
	server(&cf, 9, 50009, 100, OK);
	/* (j) the server's first bytes were not captured: a status line past
	 * them may be anything (a body echoing what the client asked) */
	handshake(&cf, 10, 50010);
	client(&cf, 10, 50010, 1, ABS);
	server(&cf, 10, 50010, 50, OK);
	/* (k) no SYN-ACK: where the server's bytes start is not known */
	p = to_proxy(11, 50011, 1, PKT_SYN_, 0);
	put(&cf, T0, &p, "");
	client(&cf, 11, 50011, 1, ABS);
	server(&cf, 11, 50011, 1, OK);
	cf_close(&cf);

	struct collect *c = collect(path);
	assert_int_equal(c->rc, 0);
	assert_int_equal(c->stats.malformed, 0);
	for (unsigned i = 1; i <= 11; i++)
		assert_int_equal(abs_flags(c, i), 0);
	collect_free(c);
}

/* What stays paired: the first request answered after interim responses,
 * in a later segment; its retransmission (same bytes); a body and
 * pipelined requests after it. Every other proxied request of the
 * connection is emitted at once, unanswered; an origin-form one at once,
 * as before. */
static void first_request_only(void **state)
{
	(void)state;
	const char *path = test_tmpfile("first.pcap");
	uint32_t nabs = (uint32_t)strlen(ABS);
	const char *abs2 = "GET http://evil.org/q HTTP/1.1\r\n\r\n";
	struct craft_file cf;
	cf_open(&cf, path, 1, 0);
	handshake(&cf, 1, 50001);
	client(&cf, 1, 50001, 1, ABS);
	client(&cf, 1, 50001, 1, ABS); /* retransmitted */
	client(&cf, 1, 50001, 1 + nabs, abs2);
	client(&cf, 1, 50001, 1 + nabs + (uint32_t)strlen(abs2),
	       "GET /index.html HTTP/1.1\r\nHost: www.example\r\n\r\n");
	const char *cont = "HTTP/1.1 100 Continue\r\n\r\n";
	uint32_t ncont = (uint32_t)strlen(cont);
	server(&cf, 1, 50001, 1, cont);
	server(&cf, 1, 50001, 1, cont); /* retransmitted */
	server(&cf, 1, 50001, 1 + ncont, NF);
	server(&cf, 1, 50001, 1 + ncont + (uint32_t)strlen(NF), OK);
	/* a keep-alive connection: the proxied request after a served one */
	handshake(&cf, 2, 50002);
	client(&cf, 2, 50002, 1, "GET / HTTP/1.1\r\nHost: www.example\r\n\r\n");
	server(&cf, 2, 50002, 1, OK);
	client(&cf, 2, 50002, 100, ABS);
	server(&cf, 2, 50002, 100, OK);
	cf_close(&cf);

	struct collect *c = collect(path);
	assert_int_equal(c->rc, 0);
	assert_int_equal(c->stats.malformed, 0);
	/* the first request and its retransmission: the second copy, not
	 * first on the connection, is emitted at once, unanswered */
	assert_int_equal(count_rec(c, TEL_HTTP, "192.0.2.1", "evil.com"), 2);
	size_t answered = 0;
	for (size_t i = 0; i < c->n; i++)
		if (c->r[i].kind == TEL_HTTP && !strcmp(c->r[i].client, "192.0.2.1") &&
		    !strcmp(c->r[i].name, "evil.com")) {
			assert_string_equal(c->r[i].path, "/p");
			unsigned fl = c->r[i].flags & ANSWER_FLAGS;
			assert_true(fl == 0 || fl == (TEL_ANSWERED | TEL_DECLINED));
			answered += fl != 0;
			if (fl)
				assert_int_equal(c->r[i].position, 3);
		}
	assert_int_equal(answered, 1);
	const struct crec *r = find_rec(c, TEL_HTTP, "192.0.2.1", "evil.org");
	assert_non_null(r);
	assert_int_equal(r->flags & (ANSWER_FLAGS | TEL_VIA_PROXY), TEL_VIA_PROXY);
	r = find_rec(c, TEL_HTTP, "192.0.2.1", "www.example");
	assert_non_null(r);
	assert_int_equal(r->flags & (ANSWER_FLAGS | TEL_VIA_PROXY), 0);
	assert_int_equal(abs_flags(c, 2), 0);
	r = find_rec(c, TEL_HTTP, "192.0.2.2", "www.example");
	assert_non_null(r);
	assert_int_equal(r->flags & (ANSWER_FLAGS | TEL_VIA_PROXY), 0);
	collect_free(c);
}

/* Past PCAPR_HTTP_HELD waiting requests the oldest is emitted unanswered:
 * every request is still emitted once, each given-up answer is counted as
 * skipped, and the bound is reported by name, once. */
static void held_bounds(void **state)
{
	(void)state;
	const char *path = test_tmpfile("held.pcap");
	struct craft_file cf;
	cf_open(&cf, path, 1, 0);
	const unsigned flows = PCAPR_HTTP_HELD + 5;
	for (unsigned i = 0; i < flows; i++) {
		struct craft_pkt p =
		    to_proxy(1 + i % 200, (uint16_t)(40000 + i), 1, PKT_SYN_, 0);
		put(&cf, T0, &p, "");
		struct craft_pkt b = back(to_proxy(1 + i % 200, (uint16_t)(40000 + i), 1,
						   PKT_SYN_ | PKT_ACK_, 0));
		put(&cf, T0, &b, "");
		p = to_proxy(1 + i % 200, (uint16_t)(40000 + i), 1, PKT_ACK_, 1);
		put(&cf, T0 + 1, &p, "CONNECT evil.com:443 HTTP/1.1\r\n\r\n");
	}
	/* the last one is answered: it was held to the end */
	struct craft_pkt b = back(to_proxy(
	    1 + (flows - 1) % 200, (uint16_t)(40000 + flows - 1), 1, PKT_ACK_, 1));
	put(&cf, T0 + 2, &b, "HTTP/1.1 200 OK\r\n\r\n");
	cf_close(&cf);
	struct collect *c = collect(path);
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
	    cmocka_unit_test(answered_or_declined),
	    cmocka_unit_test(unanswered),
	    cmocka_unit_test(scanner_cannot_borrow_an_answer),
	    cmocka_unit_test(first_request_only),
	    cmocka_unit_test(held_bounds),
	    cmocka_unit_test(deterministic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
