/* The pcap reader's protocol parsers on their own: DNS names and pointers,
 * ClientHello prefixes, HTTP request forms, and the flow table's bound. */
#include "testutil.h"

#include "pcap_craft.h"
#include "telemetry/dns_wire.h"
#include "telemetry/flow_table.h"
#include "telemetry/http_req.h"
#include "telemetry/tls_hello.h"

static void dns_names(void **state)
{
	(void)state;
	static struct dnsw_msg msg;
	const char *why;
	struct craft_buf m = {.n = 0};

	/* a response whose answer name is a pointer; two A and one AAAA */
	cb_dns_header(&m, 77, 0x8180, 1, 3);
	cb_dns_name(&m, "Cdn.PbxSources.com");
	cb_u32(&m, 0x00010001);
	for (int i = 0; i < 2; i++) {
		cb_u16(&m, 0xc00c);
		cb_u32(&m, 0x00010001);
		cb_u32(&m, 60);
		cb_u16(&m, 4);
		cb_u32(&m, 0xcb007100u + (unsigned)i);
	}
	cb_u16(&m, 0xc010); /* "PbxSources.com", inside the question */
	cb_u32(&m, 0x001c0001);
	cb_u32(&m, 60);
	cb_u16(&m, 16);
	cb_u32(&m, 0x20010db8);
	cb_u32(&m, 0);
	cb_u32(&m, 0);
	cb_u32(&m, 1);
	assert_int_equal(dnsw_parse(m.b, m.n, &msg, &why), DNSW_OK);
	assert_true(msg.response);
	assert_int_equal(msg.id, 77);
	assert_string_equal(msg.qname, "Cdn.PbxSources.com");
	assert_int_equal(msg.qtype, 1);
	assert_int_equal(msg.nanswers, 3);
	assert_null(msg.answer_error);
	char a[NET_ADDR_STRLEN];
	net_addr_format(&msg.answers[1], a, sizeof(a));
	assert_string_equal(a, "203.0.113.1");
	net_addr_format(&msg.answers[2], a, sizeof(a));
	assert_string_equal(a, "2001:db8::1");

	/* the same message cut inside its answers: question kept, error said */
	assert_int_equal(dnsw_parse(m.b, m.n - 3, &msg, &why), DNSW_OK);
	assert_non_null(msg.answer_error);
	assert_int_equal(msg.nanswers, 2);
	/* cut inside the question */
	assert_int_equal(dnsw_parse(m.b, 20, &msg, &why), DNSW_TRUNCATED);

	/* a dot or a control byte inside a label cannot pose as a separator */
	m.n = 0;
	cb_dns(&m, 1, 0, "x", 1, 0);
	m.n -= 7; /* drop the name "x" and the question's type and class */
	cb_u8(&m, 8);
	cb_bytes(&m, "evil.com", 8);
	cb_u8(&m, 2);
	cb_bytes(&m, "a\n", 2);
	cb_u8(&m, 0);
	cb_u32(&m, 0x00010001);
	assert_int_equal(dnsw_parse(m.b, m.n, &msg, &why), DNSW_OK);
	assert_string_equal(msg.qname, "evil\\046com.a\\010");

	/* pointer loops: to itself, and two pointing at each other */
	m.n = 0;
	cb_dns_header(&m, 1, 0, 1, 0);
	cb_u16(&m, 0xc00e); /* at 12, to 14 */
	cb_u16(&m, 0xc00c); /* at 14, to 12 */
	cb_u32(&m, 0x00010001);
	assert_int_equal(dnsw_parse(m.b, m.n, &msg, &why), DNSW_MALFORMED);
	assert_string_equal(why, "DNS name has a compression pointer loop");
	/* a pointer past the end */
	m.b[12] = 0xcf;
	assert_int_equal(dnsw_parse(m.b, m.n, &msg, &why), DNSW_MALFORMED);
	assert_string_equal(why, "DNS compression pointer points past the message");

	/* a name over 255 bytes, spelled with pointers back to a long label */
	m.n = 0;
	cb_dns_header(&m, 1, 0, 1, 0);
	cb_u8(&m, 63);
	for (int i = 0; i < 63; i++)
		cb_u8(&m, 'a');
	cb_u16(&m, 0xc00c); /* the label again, and again... */
	cb_u32(&m, 0x00010001);
	assert_int_equal(dnsw_parse(m.b, m.n, &msg, &why), DNSW_MALFORMED);
	assert_string_equal(why, "DNS name is longer than 255 bytes");

	/* no question at all */
	m.n = 0;
	cb_u16(&m, 1);
	cb_u16(&m, 0);
	cb_u32(&m, 0);
	cb_u32(&m, 0);
	assert_int_equal(dnsw_parse(m.b, m.n, &msg, &why), DNSW_NO_QUESTION);
}

static void tls_prefixes(void **state)
{
	(void)state;
	static struct craft_buf m;
	char name[TLSH_MAX_NAME + 1];
	size_t len, need;
	const char *why;
	m.n = 0;
	cb_client_hello(&m, "raw.githubusercontent.com", 1000);
	assert_int_equal(tlsh_parse(m.b, m.n, name, &len, &need, &why), TLSH_SNI);
	assert_string_equal(name, "raw.githubusercontent.com");
	assert_int_equal(len, 25);
	/* every cut before the name's end asks for the whole record */
	for (size_t cut = 6; cut < m.n; cut++) {
		enum tlsh_result rc = tlsh_parse(m.b, cut, name, &len, &need, &why);
		assert_int_equal(rc, TLSH_NEED_MORE);
		assert_int_equal(need, m.n);
	}
	/* with the name before the padding, a prefix is enough */
	m.n = 0;
	cb_client_hello(&m, "a.example", 0);
	size_t small = m.n;
	assert_int_equal(tlsh_parse(m.b, small, name, &len, &need, &why), TLSH_SNI);
	/* no SNI */
	m.n = 0;
	cb_client_hello(&m, NULL, 10);
	assert_int_equal(tlsh_parse(m.b, m.n, name, &len, &need, &why), TLSH_NO_SNI);
	/* not a hello: application data, a ServerHello, plain text */
	static const uint8_t appdata[] = {23, 3, 3, 0, 5, 1, 2, 3, 4, 5};
	assert_int_equal(tlsh_parse(appdata, sizeof(appdata), name, &len, &need, &why),
			 TLSH_NOT_HELLO);
	static const uint8_t shello[] = {22, 3, 3, 0, 4, 2, 0, 0, 0};
	assert_int_equal(tlsh_parse(shello, sizeof(shello), name, &len, &need, &why),
			 TLSH_NOT_HELLO);
	/* a record longer than TLS allows */
	static const uint8_t huge[] = {22, 3, 1, 0xff, 0xff, 1, 0, 0, 0};
	assert_int_equal(tlsh_parse(huge, sizeof(huge), name, &len, &need, &why),
			 TLSH_MALFORMED);
	/* a name with a NUL inside */
	m.n = 0;
	cb_client_hello(&m, "bad.example", 0);
	m.b[m.n - 4] = 0;
	assert_int_equal(tlsh_parse(m.b, m.n, name, &len, &need, &why), TLSH_MALFORMED);
	/* extensions longer than the hello */
	m.n = 0;
	cb_client_hello(&m, "x.example", 0);
	m.b[5 + 4 + 2 + 32 + 1 + 2 + 4 + 2] = 0x7f; /* extensions length high byte */
	assert_int_equal(tlsh_parse(m.b, m.n, name, &len, &need, &why), TLSH_MALFORMED);
}

static enum httpr_result http(const char *s, struct httpr_req *q)
{
	const char *why;
	return httpr_parse((const uint8_t *)s, strlen(s), q, &why);
}

static void assert_slice(const char *p, size_t n, const char *want)
{
	assert_int_equal(n, strlen(want));
	assert_memory_equal(p, want, n);
}

static void http_forms(void **state)
{
	(void)state;
	struct httpr_req q;
	assert_int_equal(
	    http("GET /a?b HTTP/1.1\r\nX: y\r\nHost: Example.COM:8080\r\n\r\n", &q),
	    HTTPR_OK);
	assert_slice(q.host, q.host_len, "Example.COM");
	assert_slice(q.path, q.path_len, "/a?b");
	assert_false(q.via_proxy);
	assert_int_equal(http("GET http://[2001:db8::5]:81/p HTTP/1.1\r\n\r\n", &q),
			 HTTPR_OK);
	assert_slice(q.host, q.host_len, "2001:db8::5");
	assert_slice(q.path, q.path_len, "/p");
	assert_true(q.via_proxy);
	assert_int_equal(http("CONNECT officestoragebox.com:443 HTTP/1.1\r\n\r\n", &q),
			 HTTPR_OK);
	assert_slice(q.host, q.host_len, "officestoragebox.com");
	assert_int_equal(q.path_len, 0);
	assert_true(q.is_connect && q.via_proxy);
	/* HTTP/1.0 without Host: a record with an empty host */
	assert_int_equal(http("HEAD / HTTP/1.0\n\n", &q), HTTPR_OK);
	assert_int_equal(q.host_len, 0);
	/* a Host line cut by the segment end is not trusted */
	assert_int_equal(http("GET / HTTP/1.1\r\nHost: journal", &q), HTTPR_OK);
	assert_int_equal(q.host_len, 0);
	assert_int_equal(http("GET / HTTP/1.1", &q), HTTPR_NEED_MORE);
	assert_int_equal(http("HTTP/1.1 200 OK\r\n\r\n", &q), HTTPR_NOT_HTTP);
	assert_int_equal(http("FETCH / HTTP/1.1\r\n\r\n", &q), HTTPR_NOT_HTTP);
	assert_int_equal(http("GET  HTTP/1.1\r\n\r\n", &q), HTTPR_MALFORMED);
	assert_int_equal(http("GET /a\x01 HTTP/1.1\r\n\r\n", &q), HTTPR_MALFORMED);
	assert_int_equal(http("GET example.com/x HTTP/1.1\r\n\r\n", &q), HTTPR_MALFORMED);
}

static void flow_bound(void **state)
{
	(void)state;
	struct flowt *t = flowt_new(2);
	assert_non_null(t);
	struct net_addr a, b, c;
	net_addr_from_v4(&a, 0xc0000201);
	net_addr_from_v4(&b, 0xc0000202);
	net_addr_from_v4(&c, 0xcb007165);
	bool created, evicted;
	struct flowt_flow old;
	struct flowt_flow *f1 =
	    flowt_get(t, &a, 1000, &c, 443, 6, &created, &old, &evicted);
	assert_true(created && !evicted);
	f1->packets = 5;
	flowt_get(t, &b, 1000, &c, 443, 6, &created, &old, &evicted);
	assert_true(created && !evicted);
	/* the reverse direction finds the first flow and makes it recent */
	struct flowt_flow *r =
	    flowt_get(t, &c, 443, &a, 1000, 6, &created, &old, &evicted);
	assert_ptr_equal(r, f1);
	assert_false(created);
	/* a third flow pushes out the least recently seen: b's */
	flowt_get(t, &a, 2000, &c, 443, 6, &created, &old, &evicted);
	assert_true(created && evicted);
	assert_memory_equal(&old.orig, &b, sizeof(b));
	assert_int_equal(flowt_count(t), 2);
	/* same ports, other protocol: another flow */
	flowt_get(t, &a, 1000, &c, 443, 17, &created, &old, &evicted);
	assert_true(created && evicted);
	assert_memory_equal(&old.orig, &a, sizeof(a));
	assert_int_equal(old.packets, 5);
	while (flowt_oldest(t))
		flowt_remove(t, flowt_oldest(t));
	assert_int_equal(flowt_count(t), 0);
	flowt_free(t);
}

static bool status_of(const char *s, unsigned *st)
{
	return httpr_status((const uint8_t *)s, strlen(s), st);
}

static void http_status_lines(void **state)
{
	(void)state;
	unsigned st = 0;
	assert_true(status_of("HTTP/1.1 200 OK\r\n", &st));
	assert_int_equal(st, 200);
	assert_true(status_of("HTTP/1.0 503 Service Unavailable\r\n", &st));
	assert_int_equal(st, 503);
	assert_true(status_of("HTTP/1.1 204\r\n", &st)); /* the reason is optional */
	assert_int_equal(st, 204);
	assert_true(status_of("HTTP/1.1 407", &st)); /* cut after the code */
	assert_int_equal(st, 407);
	st = 0;
	assert_false(status_of("HTTP/1.1 20", &st)); /* cut inside it */
	assert_false(status_of("HTTP/2 200 OK\r\n", &st));
	assert_false(status_of("HTTP/1.1 2000 OK\r\n", &st));
	assert_false(status_of("HTTP/1.1 099 x\r\n", &st));
	assert_false(status_of("HTTP/1.1  200 OK\r\n", &st));
	assert_false(status_of("http/1.1 200 OK\r\n", &st));
	assert_false(status_of("GET / HTTP/1.1\r\n", &st));
	assert_false(status_of("<html>HTTP/1.1 200 OK", &st));
	assert_int_equal(st, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(dns_names),	 cmocka_unit_test(tls_prefixes),
	    cmocka_unit_test(http_forms),	 cmocka_unit_test(flow_bound),
	    cmocka_unit_test(http_status_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
