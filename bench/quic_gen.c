/* Writes a capture of n QUIC connections for bench/quic.sh: each client
 * sends a ClientHello (with a 1.2 KB key share, as post-quantum hybrids
 * have) split over two Initial packets, the second first, and the server
 * answers with a 1-RTT-sized UDP datagram. With `plain`, the same packets
 * with the long-header bit cleared in every datagram (so they are UDP the
 * reader does not open): the difference between the two runs is what QUIC
 * costs.   quic_gen N OUT.pcap [plain] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/telemetry/quic_craft.h"

static void udp(struct craft_file *cf, uint32_t sec, const uint8_t *src,
		const uint8_t *dst, uint16_t sport, uint16_t dport, const uint8_t *p,
		size_t n)
{
	static struct craft_buf frame;
	struct craft_pkt k = {.proto = 17, .sport = sport, .dport = dport};
	memcpy(k.src, src, 16);
	memcpy(k.dst, dst, 16);
	frame.n = 0;
	cb_link(&frame, CL_ETH, 0);
	cb_ip(&frame, &k, p, n);
	cf_packet(cf, sec, frame.b, frame.n);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: quic_gen N OUT.pcap [plain]\n");
		return 2;
	}
	long n = atol(argv[1]);
	int plain = argc > 3 && !strcmp(argv[3], "plain");
	static const char *names[] = {"akamaicontainer.com", "github.com",
				      "www.example.org", "msstorageazure.com"};
	static struct craft_buf hello, dg[2], f;
	struct craft_file cf;
	cf_open(&cf, argv[2], 1, 0);
	for (long i = 0; i < n; i++) {
		struct qc_conn k = {.version = i % 5 ? QUICI_VERSION_1 : QUICI_VERSION_2,
				    .dcid_len = 8,
				    .scid_len = 8};
		for (int j = 0; j < 8; j++) {
			k.dcid[j] = (uint8_t)(i >> (8 * (j % 4))) ^ (uint8_t)j;
			k.scid[j] = (uint8_t)(0x55 + j);
		}
		hello.n = 0;
		cb_quic_hello(&hello, names[i % 4], 1216);
		size_t cut[3] = {0, 1000, hello.n};
		for (int j = 0; j < 2; j++) {
			f.n = 0;
			cb_crypto_frame(&f, hello.b, cut[j], cut[j + 1] - cut[j]);
			dg[j].n = 0;
			qc_seal(&dg[j], &k, (uint64_t)j, 1, f.b, f.n, 1160);
			if (plain)
				dg[j].b[0] &= 0x7f;
		}
		uint8_t c[16], s[16];
		craft_v4(c, 10, (unsigned)(i >> 16) & 0xff, (unsigned)(i >> 8) & 0xff,
			 (unsigned)i & 0xff);
		craft_v4(s, 192, 0, 2, (unsigned)(i % 200) + 1);
		uint16_t cport = (uint16_t)(20000 + i % 40000);
		uint32_t t = 1680098106u + (uint32_t)(i / 100);
		udp(&cf, t, c, s, cport, 443, dg[1].b, dg[1].n);
		udp(&cf, t, c, s, cport, 443, dg[0].b, dg[0].n);
		uint8_t reply[1200];
		memset(reply, 0x4a, sizeof(reply)); /* short header, opaque */
		udp(&cf, t, s, c, 443, cport, reply, sizeof(reply));
	}
	cf_close(&cf);
	return 0;
}
