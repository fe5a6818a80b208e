/* The pcap reader on captures written here: every supported link layer and
 * tag stack, IPv4 and IPv6, pcapng, gzip and zstd, fragments and IPv6
 * extension headers. */
#include "testutil.h"

#include <zlib.h>
#include <zstd.h>

#include "pcap_collect.h"
#include "pcap_craft.h"

#define T0 1680098111u /* 2023-03-29 13:55:11 UTC */

static struct craft_pkt udp_pkt(int v6, int reply)
{
	struct craft_pkt p = {.v6 = v6, .proto = 17};
	if (v6) {
		p.src[0] = 0x20, p.src[1] = 0x01, p.src[2] = 0x0d, p.src[3] = 0xb8, p.src[15] = 7;
		p.dst[0] = 0x20, p.dst[1] = 0x01, p.dst[2] = 0x0d, p.dst[3] = 0xb8, p.dst[15] = 53;
	} else {
		craft_v4(p.src, 192, 0, 2, 7);
		craft_v4(p.dst, 198, 51, 100, 53);
	}
	p.sport = 40000;
	p.dport = 53;
	if (reply) {
		uint8_t t[16];
		memcpy(t, p.src, 16);
		memcpy(p.src, p.dst, 16);
		memcpy(p.dst, t, 16);
		p.sport = 53;
		p.dport = 40000;
	}
	return p;
}

/* DNS query + response, then a TCP handshake, ClientHello, FIN/FIN/ACK. */
static void write_session(struct craft_file *cf, enum craft_link l, int v6)
{
	struct craft_buf m = {.n = 0};
	struct craft_pkt q = udp_pkt(v6, 0), a = udp_pkt(v6, 1);
	cb_dns(&m, 0x1234, 0, "akamaicontainer.com", 1, 0);
	cf_ip(cf, l, T0, &q, m.b, m.n);
	m.n = 0;
	cb_dns(&m, 0x1234, 1, "akamaicontainer.com", 1, 0xcb007165); /* 203.0.113.101 */
	cf_ip(cf, l, T0, &a, m.b, m.n);

	struct craft_pkt c = q, s = a;
	c.proto = s.proto = 6;
	c.sport = s.dport = 50000;
	c.dport = s.sport = 443;
	c.tcp_flags = PKT_SYN_;
	cf_ip(cf, l, T0 + 1, &c, "", 0);
	s.tcp_flags = PKT_SYN_ | PKT_ACK_;
	cf_ip(cf, l, T0 + 1, &s, "", 0);
	c.tcp_flags = PKT_ACK_;
	c.seq = 1;
	cf_ip(cf, l, T0 + 1, &c, "", 0);
	m.n = 0;
	cb_client_hello(&m, "akamaicontainer.com", 0);
	c.tcp_flags = PKT_ACK_ | 0x08;
	cf_ip(cf, l, T0 + 1, &c, m.b, m.n);
	c.tcp_flags = PKT_ACK_ | PKT_FIN_;
	cf_ip(cf, l, T0 + 2, &c, "", 0);
	s.tcp_flags = PKT_ACK_ | PKT_FIN_;
	cf_ip(cf, l, T0 + 2, &s, "", 0);
	c.tcp_flags = PKT_ACK_;
	cf_ip(cf, l, T0 + 2, &c, "", 0);
}

static void check_session(const char *path, int v6, const char *what)
{
	struct collect *c = collect(path);
	if (c->open_rc || c->rc)
		fail_msg("%s: %s", what, c->err.msg);
	const char *cl = v6 ? "2001:db8::7" : "192.0.2.7";
	const char *sv = v6 ? "2001:db8::35" : "198.51.100.53";
	assert_int_equal(c->stats.malformed, 0);
	assert_int_equal(c->n, 4); /* dns, tls, tcp flow, udp flow */
	const struct crec *r = find_rec(c, TEL_DNS, cl, "akamaicontainer.com");
	if (!r)
		fail_msg("%s: no DNS record", what);
	assert_string_equal(r->server, sv);
	assert_int_equal(r->cport, 40000);
	assert_int_equal(r->sport, 53);
	assert_int_equal(r->ts, T0);
	assert_int_equal(r->position, 1);
	assert_true(r->flags & TEL_ANSWERED);
	assert_int_equal(r->nanswers, 1);
	assert_string_equal(r->answers[0], "203.0.113.101");
	r = find_rec(c, TEL_TLS, cl, "akamaicontainer.com");
	if (!r)
		fail_msg("%s: no TLS record", what);
	assert_string_equal(r->server, sv);
	assert_int_equal(r->sport, 443);
	assert_int_equal(r->position, 6);
	size_t flows = 0;
	for (size_t i = 0; i < c->n; i++) {
		r = &c->r[i];
		if (r->kind != TEL_FLOW)
			continue;
		flows++;
		assert_string_equal(r->client, cl);
		assert_string_equal(r->server, sv);
		assert_true(r->flags & TEL_ANSWERED);
		assert_false(r->flags & TEL_DIR_UNKNOWN);
		/* every packet, the last ACK included */
		assert_int_equal(r->packets, r->proto == 6 ? 7 : 2);
	}
	assert_int_equal(flows, 2);
	collect_free(c);
}

static void each_link(void **state)
{
	(void)state;
	static const struct {
		enum craft_link l;
		const char *name;
	} links[] = {
		{CL_ETH, "ethernet"}, {CL_VLAN, "802.1Q"},  {CL_QINQ, "QinQ 88a8"},
		{CL_QINQ_9100, "QinQ 9100"}, {CL_SLL, "SLL"}, {CL_SLL2, "SLL2"},
		{CL_RAW, "raw IP"},   {CL_NULL, "loopback"},
	};
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		for (int v6 = 0; v6 <= 1; v6++)
			for (int ng = 0; ng <= 1; ng++) {
				char what[64];
				snprintf(what, sizeof(what), "%s %s %s", links[i].name,
					 v6 ? "IPv6" : "IPv4", ng ? "pcapng" : "pcap");
				const char *path = test_tmpfile("link.cap");
				struct craft_file cf;
				cf_open(&cf, path, craft_dlt(links[i].l), ng);
				write_session(&cf, links[i].l, v6);
				cf_close(&cf);
				check_session(path, v6, what);
			}
}

static void compressed(void **state)
{
	(void)state;
	const char *plain = test_tmpfile("plain.pcap");
	struct craft_file cf;
	cf_open(&cf, plain, 1, 0);
	write_session(&cf, CL_VLAN, 0);
	cf_close(&cf);
	FILE *f = fopen(plain, "rb");
	static uint8_t buf[1 << 16], zbuf[1 << 17];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);

	const char *gz = test_tmpfile("c.pcap.gz");
	gzFile g = gzopen(gz, "wb");
	assert_int_equal(gzwrite(g, buf, (unsigned)n), (int)n);
	gzclose(g);
	check_session(gz, 0, "gzip");

	const char *zs = test_tmpfile("c.pcap.zst");
	size_t zn = ZSTD_compress(zbuf, sizeof(zbuf), buf, n, 3);
	assert_false(ZSTD_isError(zn));
	f = fopen(zs, "wb");
	assert_int_equal(fwrite(zbuf, 1, zn, f), zn);
	fclose(f);
	check_session(zs, 0, "zstd");
}

/* Only the first fragment carries ports; the others are skipped, not
 * malformed. IPv6 extension headers are walked to the transport header. */
static void fragments_and_extensions(void **state)
{
	(void)state;
	const char *path = test_tmpfile("frag.pcap");
	struct craft_file cf;
	cf_open(&cf, path, 1, 0);
	struct craft_buf m = {.n = 0};
	cb_dns(&m, 7, 0, "first.example", 1, 0);
	struct craft_pkt p = udp_pkt(0, 0);
	p.frag = 0x2000; /* more fragments, offset 0 */
	cf_ip(&cf, CL_ETH, T0, &p, m.b, m.n);
	p.frag = 0x0003; /* offset 24 bytes, last */
	cf_ip(&cf, CL_ETH, T0, &p, m.b, m.n);
	/* IPv6: hop-by-hop then fragment header (first fragment) */
	struct craft_pkt v = udp_pkt(1, 0);
	v.v6_hop_hdr = 1;
	v.v6_frag_hdr = 1;
	v.frag = 0x0001; /* offset 0, more */
	v.sport = 40001;
	m.n = 0;
	cb_dns(&m, 8, 0, "six.example", 28, 0);
	cf_ip(&cf, CL_ETH, T0, &v, m.b, m.n);
	v.frag = 0x0018; /* offset 24 bytes */
	cf_ip(&cf, CL_ETH, T0, &v, m.b, m.n);
	cf_close(&cf);

	struct collect *c = collect(path);
	assert_int_equal(c->rc, 0);
	assert_int_equal(c->stats.malformed, 0);
	assert_int_equal(c->stats.skipped, 2);
	assert_int_equal(count_kind(c, TEL_DNS), 2);
	const struct crec *r = find_rec(c, TEL_DNS, "192.0.2.7", "first.example");
	assert_non_null(r);
	assert_int_equal(r->position, 1);
	assert_false(r->flags & TEL_ANSWERED);
	r = find_rec(c, TEL_DNS, "2001:db8::7", "six.example");
	assert_non_null(r);
	assert_int_equal(r->cport, 40001);
	assert_int_equal(r->position, 3);
	collect_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_link),
		cmocka_unit_test(compressed),
		cmocka_unit_test(fragments_and_extensions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
