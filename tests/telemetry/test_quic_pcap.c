/* QUIC through the capture reader: the RFC 9001 and RFC 9369 example
 * Initials, and ClientHellos split over several Initials, out of order,
 * coalesced, on ports other than 443, over IPv4 and IPv6. Each becomes one
 * `tls` record whose client is the sender of the Initial.
 *
 * `test_quic_pcap --write DIR` writes the same captures into DIR and exits:
 * that is how tests/data/pcap/quic-*.pcap were made (PROVENANCE.md), and
 * tests/telemetry/quic_tshark.t checks that they are still what this
 * program writes before comparing them with tshark. */
#include "testutil.h"

#include "pcap_collect.h"
#include "quic_craft.h"
#include "telemetry/quic_reasm.h"

#define T0 1680098106u /* 2023-03-29 13:55:06 UTC */

struct ends {
	int v6;
	uint8_t client[16], server[16];
	uint16_t cport, sport;
};

static void udp_packet(struct craft_file *cf, uint32_t sec, const struct ends *e,
		       int from_client, const uint8_t *p, size_t n)
{
	static struct craft_buf frame;
	struct craft_pkt k = {.v6 = e->v6, .proto = 17};
	memcpy(k.src, from_client ? e->client : e->server, 16);
	memcpy(k.dst, from_client ? e->server : e->client, 16);
	k.sport = from_client ? e->cport : e->sport;
	k.dport = from_client ? e->sport : e->cport;
	frame.n = 0;
	cb_link(&frame, CL_ETH, e->v6);
	cb_ip(&frame, &k, p, n);
	cf_packet(cf, sec, frame.b, frame.n);
}

static void v6addr(uint8_t a[16], unsigned last)
{
	static const uint8_t pfx[] = {0x20, 0x01, 0x0d, 0xb8};
	memset(a, 0, 16);
	memcpy(a, pfx, 4);
	a[15] = (uint8_t)last;
}

static void rfc_capture(const char *path, const char *client_hex, const char *server_hex,
			int v6)
{
	static uint8_t b[1500];
	struct craft_file cf;
	cf_open(&cf, path, 1, 0);
	struct ends e = {.v6 = v6, .cport = 51000, .sport = 443};
	if (v6) {
		v6addr(e.client, 0x10);
		v6addr(e.server, 0x05);
	} else {
		craft_v4(e.client, 192, 0, 2, 10);
		craft_v4(e.server, 203, 0, 113, 5);
	}
	size_t n = qc_hex(client_hex, b, sizeof(b));
	udp_packet(&cf, T0, &e, 1, b, n);
	n = qc_hex(server_hex, b, sizeof(b));
	udp_packet(&cf, T0, &e, 0, b, n);
	cf_close(&cf);
}

/* the hello's stream bytes [cut[i], cut[i+1]) as CRYPTO frames of Initial
 * packet i, extra frames (PING, ACK) in the middle one */
static void sealed_chunk(struct craft_buf *out, const struct qc_conn *k,
			 const struct craft_buf *hello, const size_t *cut, int i)
{
	static struct craft_buf f;
	f.n = 0;
	if (i == 1) {
		cb_u8(&f, 0x01);			 /* PING */
		cb_bytes(&f, "\x02\x00\x00\x00\x00", 5); /* ACK of packet 0 */
	}
	cb_crypto_frame(&f, hello->b, cut[i], cut[i + 1] - cut[i]);
	/* clients pad datagrams carrying Initials to 1200 bytes (RFC 9000 14.1) */
	qc_seal(out, k, (uint64_t)i, i == 2 ? 2 : 1, f.b, f.n, 1160);
}

static void conn(struct qc_conn *k, uint32_t version, uint8_t tag)
{
	memset(k, 0, sizeof(*k));
	k->version = version;
	k->dcid_len = 8;
	k->scid_len = 5;
	for (int i = 0; i < 8; i++)
		k->dcid[i] = (uint8_t)(tag * 16 + i);
	for (int i = 0; i < 5; i++)
		k->scid[i] = (uint8_t)(0xc0 + tag + i);
}

static void split_capture(const char *path)
{
	static struct craft_buf hello, dg[3];
	struct craft_file cf;
	struct qc_conn k;
	struct ends e;
	uint32_t t = T0 + 10;
	cf_open(&cf, path, 1, 0);

	/* 1. v1 over IPv4, a 2.4 KB key share: three Initials sent 3, 1, 2 */
	conn(&k, QUICI_VERSION_1, 1);
	memset(&e, 0, sizeof(e));
	craft_v4(e.client, 192, 0, 2, 11);
	craft_v4(e.server, 198, 51, 100, 7);
	e.cport = 52001, e.sport = 443;
	hello.n = 0;
	cb_quic_hello(&hello, "akamaicontainer.com", 2400);
	size_t cut3[4] = {0, 1000, 2000, hello.n};
	for (int i = 0; i < 3; i++) {
		dg[i].n = 0;
		sealed_chunk(&dg[i], &k, &hello, cut3, i);
	}
	udp_packet(&cf, t, &e, 1, dg[2].b, dg[2].n);
	udp_packet(&cf, t, &e, 1, dg[0].b, dg[0].n);
	udp_packet(&cf, t + 1, &e, 1, dg[1].b, dg[1].n);

	/* 2. v2 over IPv6 to port 8443: two Initials, the second first */
	conn(&k, QUICI_VERSION_2, 2);
	memset(&e, 0, sizeof(e));
	e.v6 = 1;
	v6addr(e.client, 0x11);
	v6addr(e.server, 0x07);
	e.cport = 52002, e.sport = 8443;
	hello.n = 0;
	cb_quic_hello(&hello, "msstorageazure.com", 1216);
	size_t cut2[3] = {0, 700, hello.n};
	for (int i = 0; i < 2; i++) {
		dg[i].n = 0;
		sealed_chunk(&dg[i], &k, &hello, cut2, i);
	}
	udp_packet(&cf, t + 2, &e, 1, dg[1].b, dg[1].n);
	udp_packet(&cf, t + 2, &e, 1, dg[0].b, dg[0].n);

	/* 3. v1 to port 4433: two Initials coalesced in one datagram, then a
	 * 0-RTT packet (opaque here) coalesced behind them */
	conn(&k, QUICI_VERSION_1, 3);
	memset(&e, 0, sizeof(e));
	craft_v4(e.client, 192, 0, 2, 12);
	craft_v4(e.server, 198, 51, 100, 8);
	e.cport = 52003, e.sport = 4433;
	hello.n = 0;
	cb_quic_hello(&hello, "officestoragebox.com", 600);
	size_t cutc[3] = {0, 400, hello.n};
	dg[0].n = 0;
	static struct craft_buf f;
	for (int i = 0; i < 2; i++) {
		f.n = 0;
		cb_crypto_frame(&f, hello.b, cutc[i], cutc[i + 1] - cutc[i]);
		qc_seal(&dg[0], &k, (uint64_t)i, 1, f.b, f.n, i ? 800 : 0);
	}
	cb_u8(&dg[0], 0xd1); /* v1 0-RTT, 2-byte packet number */
	cb_u32(&dg[0], QUICI_VERSION_1);
	cb_u8(&dg[0], 8);
	cb_bytes(&dg[0], k.dcid, 8);
	cb_u8(&dg[0], 5);
	cb_bytes(&dg[0], k.scid, 5);
	cb_u16(&dg[0], 0x4000 | 40);
	for (int i = 0; i < 40; i++)
		cb_u8(&dg[0], (unsigned)(0x5a ^ i));
	udp_packet(&cf, t + 3, &e, 1, dg[0].b, dg[0].n);

	/* 4. one Initial to github.com, retransmitted: one record */
	conn(&k, QUICI_VERSION_1, 4);
	memset(&e, 0, sizeof(e));
	craft_v4(e.client, 192, 0, 2, 13);
	craft_v4(e.server, 198, 51, 100, 9);
	e.cport = 52004, e.sport = 443;
	hello.n = 0;
	cb_quic_hello(&hello, "github.com", 32);
	for (int i = 0; i < 2; i++) {
		f.n = 0;
		cb_crypto_frame(&f, hello.b, 0, hello.n);
		dg[0].n = 0;
		qc_seal(&dg[0], &k, (uint64_t)i, 1, f.b, f.n, 1160);
		udp_packet(&cf, t + 4 + (uint32_t)i, &e, 1, dg[0].b, dg[0].n);
	}
	cf_close(&cf);
}

static void write_all(const char *dir)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/quic-rfc9001-initial.pcap", dir);
	rfc_capture(p, qc_rfc9001_protected, qc_rfc9001_server, 0);
	snprintf(p, sizeof(p), "%s/quic-rfc9369-initial.pcap", dir);
	rfc_capture(p, qc_rfc9369_protected, qc_rfc9369_server, 1);
	snprintf(p, sizeof(p), "%s/quic-split-hellos.pcap", dir);
	split_capture(p);
}

static void rfc_examples(void **state)
{
	(void)state;
	write_all(test_tmpdir());
	struct collect *c = collect(test_tmpfile("quic-rfc9001-initial.pcap"));
	assert_int_equal(c->rc, 0);
	assert_int_equal(count_kind(c, TEL_TLS), 1);
	const struct crec *r = find_rec(c, TEL_TLS, "192.0.2.10", "example.com");
	assert_non_null(r);
	assert_string_equal(r->server, "203.0.113.5");
	assert_int_equal(r->proto, 17);
	assert_int_equal(r->cport, 51000);
	assert_int_equal(r->sport, 443);
	assert_int_equal(r->position, 1);
	assert_int_equal(c->stats.malformed, 0);
	assert_int_equal(c->stats.skipped, 1); /* the server's Initial */
	collect_free(c);

	c = collect(test_tmpfile("quic-rfc9369-initial.pcap"));
	assert_int_equal(c->rc, 0);
	assert_int_equal(count_kind(c, TEL_TLS), 1);
	assert_non_null(find_rec(c, TEL_TLS, "2001:db8::10", "example.com"));
	assert_int_equal(c->stats.malformed, 0);
	collect_free(c);
}

static void split_hellos(void **state)
{
	(void)state;
	write_all(test_tmpdir());
	struct collect *c = collect(test_tmpfile("quic-split-hellos.pcap"));
	assert_int_equal(c->rc, 0);
	assert_int_equal(c->nreports, 0);
	assert_int_equal(count_kind(c, TEL_TLS), 4);
	const struct crec *r = find_rec(c, TEL_TLS, "192.0.2.11", "akamaicontainer.com");
	assert_non_null(r);
	assert_int_equal(r->position, 1); /* dated by the first Initial captured */
	assert_string_equal(r->server, "198.51.100.7");
	r = find_rec(c, TEL_TLS, "2001:db8::11", "msstorageazure.com");
	assert_non_null(r);
	assert_int_equal(r->sport, 8443);
	assert_int_equal(r->position, 4);
	r = find_rec(c, TEL_TLS, "192.0.2.12", "officestoragebox.com");
	assert_non_null(r);
	assert_int_equal(r->sport, 4433);
	assert_int_equal(count_rec(c, TEL_TLS, "192.0.2.13", "github.com"), 1);
	/* the servers are never clients */
	assert_int_equal(count_rec(c, TEL_TLS, "198.51.100.7", NULL), 0);
	assert_int_equal(count_kind(c, TEL_FLOW), 4);
	collect_free(c);
}

/* Hellos whose first packet never comes: QUICR_MAX_PENDING + 1 of them.
 * The first is pushed out by the last, the rest are given up at the end of
 * the capture; every one is counted as skipped and none makes a record. */
static void pending_limit(void **state)
{
	(void)state;
	static struct craft_buf hello, dg;
	struct craft_file cf;
	struct qc_conn k;
	const char *path = test_tmpfile("quic-pending.pcap");
	cf_open(&cf, path, 1, 0);
	hello.n = 0;
	cb_quic_hello(&hello, "akamaicontainer.com", 2400);
	size_t cut[4] = {0, 1000, 2000, hello.n};
	for (unsigned i = 0; i <= QUICR_MAX_PENDING; i++) {
		conn(&k, QUICI_VERSION_1, (uint8_t)(i + 1));
		struct ends e = {.cport = (uint16_t)(40000 + i), .sport = 443};
		craft_v4(e.client, 192, 0, 2, 20 + i);
		craft_v4(e.server, 198, 51, 100, 7);
		dg.n = 0;
		sealed_chunk(&dg, &k, &hello, cut, 2);
		udp_packet(&cf, T0 + i, &e, 1, dg.b, dg.n);
	}
	cf_close(&cf);
	struct collect *c = collect(path);
	assert_int_equal(c->rc, 0);
	assert_int_equal(count_kind(c, TEL_TLS), 0);
	assert_int_equal(count_kind(c, TEL_FLOW), QUICR_MAX_PENDING + 1);
	assert_int_equal(c->stats.skipped, QUICR_MAX_PENDING + 1);
	assert_int_equal(c->stats.malformed, 0);
	collect_free(c);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write")) {
		write_all(argv[2]);
		return 0;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rfc_examples),
	    cmocka_unit_test(split_hellos),
	    cmocka_unit_test(pending_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
