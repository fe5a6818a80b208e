/* The pcap reader on damaged and awkward captures: truncated files (plain
 * and gzip), malformed DNS, TLS, IP and HTTP, a ClientHello split over two
 * segments, DNS retransmissions and lone responses, flow direction. */
#include "testutil.h"

#include <zlib.h>

#include "core/error.h"
#include "pcap_collect.h"
#include "pcap_craft.h"
#include "telemetry/flow_table.h"

#define T0 1680098111u

static struct craft_pkt tcp_pkt(uint8_t flags, uint32_t seq)
{
	struct craft_pkt p = {
	    .proto = 6, .sport = 50000, .dport = 443, .tcp_flags = flags, .seq = seq};
	craft_v4(p.src, 192, 0, 2, 7);
	craft_v4(p.dst, 203, 0, 113, 101);
	return p;
}

static struct craft_pkt reverse(struct craft_pkt p)
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

static struct craft_pkt dns_pkt(void)
{
	struct craft_pkt p = {.proto = 17, .sport = 40000, .dport = 53};
	craft_v4(p.src, 192, 0, 2, 7);
	craft_v4(p.dst, 198, 51, 100, 53);
	return p;
}

static bool reported(const struct collect *c, const char *needle)
{
	for (size_t i = 0; i < c->nreports; i++)
		if (strstr(c->reports[i], needle))
			return true;
	return false;
}

static void write_packets(const char *path, int n)
{
	struct craft_file cf;
	cf_open(&cf, path, 1, 0);
	struct craft_buf m = {.n = 0};
	for (int i = 0; i < n; i++) {
		struct craft_pkt q = dns_pkt();
		q.sport = (uint16_t)(40000 + i);
		m.n = 0;
		char name[32];
		snprintf(name, sizeof(name), "q%d.example", i);
		cb_dns(&m, (uint16_t)i, 0, name, 1, 0);
		cf_ip(&cf, CL_ETH, T0 + (unsigned)i, &q, m.b, m.n);
	}
	cf_close(&cf);
}

/* A capture cut in its last packet: an error naming the file and the
 * packets read, after every record found so far has been handed out. */
static void truncated_pcap(void **state)
{
	(void)state;
	const char *path = test_tmpfile("trunc.pcap");
	write_packets(path, 10);
	FILE *f = fopen(path, "rb");
	static uint8_t buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	f = fopen(path, "wb");
	fwrite(buf, 1, n - 10, f);
	fclose(f);

	struct collect *c = collect(path);
	assert_int_equal(c->open_rc, 0);
	assert_int_equal(c->rc, SD_ETRUNC);
	assert_non_null(strstr(c->err.msg, path));
	assert_non_null(strstr(c->err.msg, "after 9 packets"));
	/* nine queries (never answered) and their nine flows were kept */
	assert_int_equal(count_kind(c, TEL_DNS), 9);
	assert_int_equal(count_kind(c, TEL_FLOW), 9);
	assert_non_null(find_rec(c, TEL_DNS, "192.0.2.7", "q8.example"));
	collect_free(c);

	/* a cut inside a gzip stream (long enough that its first half
	 * decompresses to whole packets) */
	write_packets(path, 300);
	f = fopen(path, "rb");
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	const char *gz = test_tmpfile("trunc.pcap.gz");
	static uint8_t z[1 << 16];
	uLongf zn = sizeof(z);
	z_stream s = {0};
	assert_int_equal(deflateInit2(&s, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	s.next_in = buf;
	s.avail_in = (uInt)n;
	s.next_out = z;
	s.avail_out = (uInt)zn;
	assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
	zn = s.total_out;
	deflateEnd(&s);
	f = fopen(gz, "wb");
	fwrite(z, 1, zn / 2, f);
	fclose(f);
	c = collect(gz);
	assert_int_equal(c->open_rc, 0);
	assert_true(c->rc < 0);
	assert_non_null(strstr(c->err.msg, gz));
	assert_non_null(strstr(c->err.msg, "packets: gzip stream ends early"));
	assert_true(count_kind(c, TEL_DNS) >= 10);
	collect_free(c);
}

static void not_a_capture(void **state)
{
	(void)state;
	/* pcap magic, then an unsupported link type (802.11) */
	const char *path = test_tmpfile("wifi.pcap");
	struct craft_file cf;
	cf_open(&cf, path, 105, 0);
	cf_close(&cf);
	struct collect *c = collect(path);
	assert_int_equal(c->open_rc, SD_EFORMAT);
	assert_non_null(strstr(c->err.msg, "link type 105"));
	collect_free(c);

	/* pcap magic with a header cut short */
	path = test_tmpfile("short.pcap");
	FILE *f = fopen(path, "wb");
	fwrite("\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 1, 8, f);
	fclose(f);
	c = collect(path);
	assert_true(c->open_rc < 0);
	assert_non_null(strstr(c->err.msg, path));
	collect_free(c);
}

/* Bad packets are reported as file:packet N: why, and reading goes on. */
static void malformed_packets(void **state)
{
	(void)state;
	const char *path = test_tmpfile("bad.pcap");
	struct craft_file cf;
	cf_open(&cf, path, 1, 0);
	struct craft_buf m = {.n = 0};
	struct craft_pkt q = dns_pkt();

	/* 1: DNS response whose question name points at itself */
	cb_dns_header(&m, 9, 0x8180, 1, 0);
	cb_u16(&m, 0xc00c);
	cb_u32(&m, 0x00010001);
	struct craft_pkt a = reverse(q);
	cf_ip(&cf, CL_ETH, T0, &a, m.b, m.n);

	/* 2: ClientHello whose server name is longer than its list */
	m.n = 0;
	cb_client_hello(&m, "akamaicontainer.com", 0);
	m.b[m.n - 19 - 2] = 0x40; /* name length 0x40xx */
	struct craft_pkt t = tcp_pkt(PKT_ACK_, 1);
	cf_ip(&cf, CL_ETH, T0, &t, m.b, m.n);

	/* 3: IPv4 header length below 20 bytes */
	static struct craft_buf raw;
	raw.n = 0;
	cb_link(&raw, CL_ETH, 0);
	size_t ip = raw.n;
	cb_ip(&raw, &q, "", 0);
	raw.b[ip] = 0x44;
	cf_packet(&cf, T0, raw.b, raw.n);

	/* 4: HTTP request line with an unknown version */
	const char *bad_http = "GET /x HTTP/9.1\r\nHost: a.example\r\n\r\n";
	struct craft_pkt h = tcp_pkt(PKT_ACK_, 1);
	h.sport = 50001;
	h.dport = 80;
	cf_ip(&cf, CL_ETH, T0, &h, bad_http, strlen(bad_http));

	/* 5: a DNS label with the reserved 0x40 type */
	m.n = 0;
	cb_dns_header(&m, 10, 0x0100, 1, 0);
	cb_u8(&m, 0x41);
	cb_u8(&m, 'x');
	cb_u8(&m, 0);
	cb_u32(&m, 0x00010001);
	cf_ip(&cf, CL_ETH, T0, &q, m.b, m.n);

	/* 6: and a good query after all that */
	m.n = 0;
	cb_dns(&m, 11, 0, "after.example", 1, 0);
	q.sport = 40001;
	cf_ip(&cf, CL_ETH, T0, &q, m.b, m.n);
	cf_close(&cf);

	struct collect *c = collect(path);
	assert_int_equal(c->rc, 0);
	assert_int_equal(c->stats.malformed, 5);
	assert_true(
	    reported(c, "bad.pcap:packet 1: DNS name has a compression pointer loop"));
	assert_true(
	    reported(c, "bad.pcap:packet 2: TLS server name is longer than its list"));
	assert_true(
	    reported(c, "bad.pcap:packet 3: IPv4 header length is below 20 bytes"));
	assert_true(reported(c, "bad.pcap:packet 4: HTTP request line"));
	assert_true(reported(c, "bad.pcap:packet 5: DNS label type is reserved"));
	assert_int_equal(count_kind(c, TEL_DNS), 1);
	assert_non_null(find_rec(c, TEL_DNS, "192.0.2.7", "after.example"));
	assert_int_equal(count_kind(c, TEL_TLS), 0);
	assert_int_equal(count_kind(c, TEL_HTTP), 0);
	collect_free(c);
}

/* A ClientHello larger than one segment (as post-quantum key shares make
 * them) is put together from its two segments. */
static void split_client_hello(void **state)
{
	(void)state;
	const char *path = test_tmpfile("split.pcap");
	struct craft_file cf;
	cf_open(&cf, path, 1, 0);
	static struct craft_buf m;
	m.n = 0;
	cb_client_hello(&m, "msstorageazure.com", 2500); /* SNI after the padding */
	struct craft_pkt c1 = tcp_pkt(PKT_SYN_, 0);
	cf_ip(&cf, CL_ETH, T0, &c1, "", 0);
	struct craft_pkt s1 = reverse(tcp_pkt(PKT_SYN_ | PKT_ACK_, 0));
	cf_ip(&cf, CL_ETH, T0, &s1, "", 0);
	c1 = tcp_pkt(PKT_ACK_, 1);
	cf_ip(&cf, CL_ETH, T0, &c1, m.b, 1400);
	cf_ip(&cf, CL_ETH, T0, &c1, m.b, 1400); /* a retransmission */
	c1.seq = 1401;
	cf_ip(&cf, CL_ETH, T0 + 1, &c1, m.b + 1400, m.n - 1400);
	/* later, an encrypted handshake record whose first byte happens to be
	 * 1: not a second ClientHello, and not a malformed one either */
	uint8_t enc[45] = {22, 3, 3, 0, 40, 1, 0, 0, 36};
	memset(enc + 9, 0xff, sizeof(enc) - 9);
	c1.seq = 1 + (uint32_t)m.n;
	cf_ip(&cf, CL_ETH, T0 + 1, &c1, enc, sizeof(enc));
	cf_close(&cf);

	struct collect *c = collect(path);
	assert_int_equal(c->rc, 0);
	assert_int_equal(c->stats.malformed, 0);
	assert_int_equal(count_kind(c, TEL_TLS), 1);
	const struct crec *r = find_rec(c, TEL_TLS, "192.0.2.7", "msstorageazure.com");
	assert_non_null(r);
	assert_string_equal(r->server, "203.0.113.101");
	assert_int_equal(r->position, 3); /* dated by the first segment */
	assert_int_equal(r->ts, T0);
	collect_free(c);
}

/* One record per DNS transaction: a retransmitted query and a duplicate
 * response add nothing; a response whose query was not captured names its
 * receiver as the client. */
static void dns_transactions(void **state)
{
	(void)state;
	const char *path = test_tmpfile("dns.pcap");
	struct craft_file cf;
	cf_open(&cf, path, 1, 0);
	struct craft_buf m = {.n = 0};
	struct craft_pkt q = dns_pkt(), a = reverse(dns_pkt());
	cb_dns(&m, 1, 0, "officestoragebox.com", 1, 0);
	cf_ip(&cf, CL_ETH, T0, &q, m.b, m.n);
	cf_ip(&cf, CL_ETH, T0 + 1, &q, m.b, m.n); /* retransmitted */
	m.n = 0;
	cb_dns(&m, 1, 1, "officestoragebox.com", 1, 0xcb007167);
	cf_ip(&cf, CL_ETH, T0 + 1, &a, m.b, m.n);
	cf_ip(&cf, CL_ETH, T0 + 1, &a, m.b, m.n); /* duplicate */
	/* a lone response to another client */
	struct craft_pkt lone = a;
	craft_v4(lone.dst, 192, 0, 2, 99);
	lone.dport = 41000;
	m.n = 0;
	cb_dns(&m, 2, 1, "pbxsources.com", 1, 0xcb007169);
	cf_ip(&cf, CL_ETH, T0 + 2, &lone, m.b, m.n);
	/* a query left unanswered, then one long after it (past the timeout) */
	q.sport = 40002;
	m.n = 0;
	cb_dns(&m, 3, 0, "unanswered.example", 1, 0);
	cf_ip(&cf, CL_ETH, T0 + 3, &q, m.b, m.n);
	q.sport = 40003;
	m.n = 0;
	cb_dns(&m, 4, 0, "later.example", 1, 0);
	cf_ip(&cf, CL_ETH, T0 + 100, &q, m.b, m.n);
	cf_close(&cf);

	struct collect *c = collect(path);
	assert_int_equal(c->rc, 0);
	assert_int_equal(c->stats.malformed, 0);
	assert_int_equal(count_kind(c, TEL_DNS), 4);
	const struct crec *r = find_rec(c, TEL_DNS, "192.0.2.7", "officestoragebox.com");
	assert_non_null(r);
	assert_int_equal(r->ts, T0); /* the query's time */
	assert_true(r->flags & TEL_ANSWERED);
	assert_string_equal(r->answers[0], "203.0.113.103");
	r = find_rec(c, TEL_DNS, NULL, "pbxsources.com");
	assert_non_null(r);
	assert_string_equal(r->client, "192.0.2.99");
	assert_int_equal(r->cport, 41000);
	assert_string_equal(r->server, "198.51.100.53");
	assert_true(r->flags & TEL_ANSWERED);
	r = find_rec(c, TEL_DNS, "192.0.2.7", "unanswered.example");
	assert_non_null(r);
	assert_false(r->flags & TEL_ANSWERED);
	assert_int_equal(r->nanswers, 0);
	/* timed out before the next query was even read */
	size_t i_un = (size_t)(r - c->r);
	const struct crec *later = find_rec(c, TEL_DNS, "192.0.2.7", "later.example");
	assert_non_null(later);
	assert_true(i_un < (size_t)(later - c->r));
	collect_free(c);
}

/* The originator is the SYN's sender, or the SYN-ACK's receiver; a flow
 * seen only mid-stream says its direction is unknown. */
static void flow_direction(void **state)
{
	(void)state;
	const char *path = test_tmpfile("dir.pcap");
	struct craft_file cf;
	cf_open(&cf, path, 1, 0);
	struct craft_pkt s = reverse(tcp_pkt(PKT_SYN_ | PKT_ACK_, 0));
	cf_ip(&cf, CL_ETH, T0, &s, "", 0);
	struct craft_pkt c1 = tcp_pkt(PKT_ACK_, 1);
	cf_ip(&cf, CL_ETH, T0, &c1, "", 0);
	struct craft_pkt mid = tcp_pkt(PKT_ACK_, 5);
	mid.sport = 50009;
	mid = reverse(mid);
	cf_ip(&cf, CL_ETH, T0, &mid, "xyz", 3);
	/* RST ends a flow at once; a new SYN on the same ports is a new one */
	struct craft_pkt r1 = tcp_pkt(PKT_SYN_, 0);
	r1.sport = 50010;
	cf_ip(&cf, CL_ETH, T0, &r1, "", 0);
	struct craft_pkt r2 = reverse(r1);
	r2.tcp_flags = PKT_RST_ | PKT_ACK_;
	cf_ip(&cf, CL_ETH, T0, &r2, "", 0);
	cf_ip(&cf, CL_ETH, T0 + 1, &r1, "", 0);
	cf_close(&cf);

	struct collect *c = collect(path);
	assert_int_equal(c->rc, 0);
	assert_int_equal(count_kind(c, TEL_FLOW), 4);
	for (size_t i = 0; i < c->n; i++) {
		const struct crec *r = &c->r[i];
		if (r->cport == 50000 || r->sport == 50000) {
			assert_string_equal(r->client, "192.0.2.7");
			assert_int_equal(r->cport, 50000);
			assert_false(r->flags & TEL_DIR_UNKNOWN);
			assert_int_equal(r->packets, 2);
		} else if (r->cport == 50009 || r->sport == 50009) {
			assert_true(r->flags & TEL_DIR_UNKNOWN);
			assert_false(r->flags & TEL_ANSWERED);
		} else {
			assert_string_equal(r->client, "192.0.2.7");
			assert_int_equal(r->cport, 50010);
		}
	}
	collect_free(c);
}

/* More flows than FLOWT_MAX_FLOWS: the least recently seen is emitted to
 * make room, so a late packet of the first flow starts a second record. */
static void flow_table_full(void **state)
{
	(void)state;
	const char *path = test_tmpfile("many.pcap");
	struct craft_file cf;
	cf_open(&cf, path, craft_dlt(CL_RAW), 0); /* raw IP keeps the file small */
	struct craft_pkt p = dns_pkt();
	p.dport = 9999;
	const unsigned n = FLOWT_MAX_FLOWS + 10;
	for (unsigned i = 0; i < n; i++) {
		craft_v4(p.src, 10, (i >> 16) & 255, (i >> 8) & 255, i & 255);
		cf_ip(&cf, CL_RAW, T0, &p, "x", 1);
	}
	craft_v4(p.src, 10, 0, 0, 0);
	cf_ip(&cf, CL_RAW, T0 + 1, &p, "y", 1);
	cf_close(&cf);

	struct collect *c = collect(path);
	assert_int_equal(c->rc, 0);
	assert_int_equal(count_kind(c, TEL_FLOW), n + 1);
	assert_int_equal(count_rec(c, TEL_FLOW, "10.0.0.0", NULL), 2);
	for (size_t i = 0; i < c->n; i++)
		assert_int_equal(c->r[i].packets, 1);
	/* the evicted one came out while the file was still being read */
	assert_string_equal(c->r[0].client, "10.0.0.0");
	assert_int_equal(c->r[0].position, 1);
	collect_free(c);
}

/* HTTP through a proxy: CONNECT to an IPv6 literal, an absolute URI with a
 * port and userinfo, and TLS inside the tunnel marked as proxied. */
static void http_proxy_forms(void **state)
{
	(void)state;
	const char *path = test_tmpfile("proxy.pcap");
	struct craft_file cf;
	cf_open(&cf, path, 1, 0);
	struct craft_pkt p = tcp_pkt(PKT_ACK_, 1);
	p.dport = 3128;
	const char *connect =
	    "CONNECT [2001:db8::1]:443 HTTP/1.1\r\nHost: [2001:db8::1]:443\r\n\r\n";
	cf_ip(&cf, CL_ETH, T0, &p, connect, strlen(connect));
	static struct craft_buf m;
	m.n = 0;
	cb_client_hello(&m, "tunnel.example", 0);
	p.seq = 100;
	cf_ip(&cf, CL_ETH, T0, &p, m.b, m.n);
	p.sport = 50001;
	const char *abs = "GET http://user@JournalIDE.org:8080/djour.php?x=1 HTTP/1.0\r\n"
			  "Host: other.example\r\n\r\n";
	cf_ip(&cf, CL_ETH, T0, &p, abs, strlen(abs));
	p.sport = 50002;
	p.dport = 80;
	const char *plain =
	    "POST /up HTTP/1.1\r\nUser-Agent: x\r\nhOsT:  journalide.org:80 \r\n\r\n";
	cf_ip(&cf, CL_ETH, T0, &p, plain, strlen(plain));
	p.sport = 50003;
	const char *nohost = "HEAD /old HTTP/1.0\r\n\r\n"; /* found by fuzzing */
	cf_ip(&cf, CL_ETH, T0, &p, nohost, strlen(nohost));
	cf_close(&cf);

	struct collect *c = collect(path);
	assert_int_equal(c->rc, 0);
	assert_int_equal(c->stats.malformed, 0);
	const struct crec *r = find_rec(c, TEL_HTTP, "192.0.2.7", "2001:db8::1");
	assert_non_null(r);
	assert_true(r->flags & TEL_VIA_PROXY);
	assert_string_equal(r->path, "");
	r = find_rec(c, TEL_TLS, "192.0.2.7", "tunnel.example");
	assert_non_null(r);
	assert_true(r->flags & TEL_VIA_PROXY);
	r = find_rec(c, TEL_HTTP, "192.0.2.7", "JournalIDE.org");
	assert_non_null(r);
	assert_string_equal(r->path, "/djour.php?x=1");
	assert_true(r->flags & TEL_VIA_PROXY);
	assert_int_equal(r->cport, 50001);
	r = find_rec(c, TEL_HTTP, "192.0.2.7", "journalide.org");
	assert_non_null(r);
	assert_string_equal(r->path, "/up");
	assert_false(r->flags & TEL_VIA_PROXY);
	r = find_rec(c, TEL_HTTP, "192.0.2.7", "");
	assert_non_null(r);
	assert_string_equal(r->path, "/old");
	assert_int_equal(r->cport, 50003);
	assert_int_equal(count_kind(c, TEL_HTTP), 4);
	collect_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(truncated_pcap),	 cmocka_unit_test(not_a_capture),
	    cmocka_unit_test(malformed_packets), cmocka_unit_test(split_client_hello),
	    cmocka_unit_test(dns_transactions),	 cmocka_unit_test(flow_direction),
	    cmocka_unit_test(flow_table_full),	 cmocka_unit_test(http_proxy_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
