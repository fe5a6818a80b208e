/* Writes capture files packet by packet for the pcap reader's tests: the
 * link layers, tags, protocols and damage the real samples lack. Byte
 * layouts follow the pcap and pcapng specifications (draft-ietf-opsawg-
 * pcap, draft-ietf-opsawg-pcapng) and the protocol RFCs; nothing here
 * reuses the reader's code. */
#ifndef SD_TESTS_PCAP_CRAFT_H
#define SD_TESTS_PCAP_CRAFT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PKT_FIN_ 0x01
#define PKT_SYN_ 0x02
#define PKT_RST_ 0x04
#define PKT_ACK_ 0x10

struct craft_buf {
	uint8_t b[70000];
	size_t n;
};

static inline void cb_bytes(struct craft_buf *c, const void *p, size_t n)
{
	if (c->n + n > sizeof(c->b))
		abort();
	memcpy(c->b + c->n, p, n);
	c->n += n;
}

static inline void cb_u8(struct craft_buf *c, unsigned v)
{
	uint8_t x = (uint8_t)v;
	cb_bytes(c, &x, 1);
}

static inline void cb_u16(struct craft_buf *c, unsigned v)
{
	cb_u8(c, v >> 8);
	cb_u8(c, v);
}

static inline void cb_u32(struct craft_buf *c, uint32_t v)
{
	cb_u16(c, v >> 16);
	cb_u16(c, v & 0xffff);
}

static inline void cb_put16(struct craft_buf *c, size_t at, unsigned v)
{
	c->b[at] = (uint8_t)(v >> 8);
	c->b[at + 1] = (uint8_t)v;
}

/* ---- application payloads ---- */

/* "a.b.c" as DNS labels */
static inline void cb_dns_name(struct craft_buf *c, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);
		cb_u8(c, (unsigned)l);
		cb_bytes(c, name, l);
		name += l + (dot ? 1 : 0);
	}
	cb_u8(c, 0);
}

/* A query, or a response carrying one A record (v4 != 0). */
static inline void cb_dns(struct craft_buf *c, uint16_t id, int response, const char *name,
			  uint16_t qtype, uint32_t v4)
{
	cb_u16(c, id);
	cb_u16(c, response ? 0x8180 : 0x0100);
	cb_u16(c, 1);
	cb_u16(c, response && v4 ? 1 : 0);
	cb_u16(c, 0);
	cb_u16(c, 0);
	cb_dns_name(c, name);
	cb_u16(c, qtype);
	cb_u16(c, 1);
	if (response && v4) {
		cb_u16(c, 0xc00c); /* pointer to the question name */
		cb_u16(c, 1);
		cb_u16(c, 1);
		cb_u32(c, 60);
		cb_u16(c, 4);
		cb_u32(c, v4);
	}
}

/* A TLS 1.2-style ClientHello with SNI `name` (NULL: no SNI), preceded by
 * `pad` bytes of a dummy extension so the hello can be made large. */
static inline void cb_client_hello(struct craft_buf *c, const char *name, size_t pad)
{
	size_t rec = c->n;
	cb_u8(c, 22);
	cb_u16(c, 0x0301);
	cb_u16(c, 0); /* record length, patched */
	size_t hs = c->n;
	cb_u8(c, 1);
	cb_u8(c, 0);
	cb_u16(c, 0); /* 24-bit handshake length, patched (< 64 KiB) */
	cb_u16(c, 0x0303);
	for (int i = 0; i < 32; i++)
		cb_u8(c, i);
	cb_u8(c, 0);  /* session id */
	cb_u16(c, 4); /* two cipher suites */
	cb_u16(c, 0x1301);
	cb_u16(c, 0xc02f);
	cb_u8(c, 1);
	cb_u8(c, 0);
	size_t ext = c->n;
	cb_u16(c, 0);
	if (pad) {
		cb_u16(c, 0x0015); /* padding extension */
		cb_u16(c, (unsigned)pad);
		for (size_t i = 0; i < pad; i++)
			cb_u8(c, 0);
	}
	if (name) {
		size_t n = strlen(name);
		cb_u16(c, 0);
		cb_u16(c, (unsigned)(n + 5));
		cb_u16(c, (unsigned)(n + 3));
		cb_u8(c, 0);
		cb_u16(c, (unsigned)n);
		cb_bytes(c, name, n);
	}
	cb_put16(c, ext, (unsigned)(c->n - ext - 2));
	cb_put16(c, hs + 2, (unsigned)(c->n - hs - 4));
	cb_put16(c, rec + 3, (unsigned)(c->n - rec - 5));
}

/* ---- network and transport ---- */

struct craft_pkt {
	int v6;
	uint8_t src[16], dst[16]; /* v4: first 4 bytes */
	int proto;                /* 6 or 17 */
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint32_t seq;
	uint16_t frag; /* IPv4 flags+offset field, IPv6 fragment offset|M */
	int v6_frag_hdr, v6_hop_hdr;
};

static inline void craft_v4(uint8_t a[16], unsigned x, unsigned y, unsigned z, unsigned w)
{
	memset(a, 0, 16);
	a[0] = (uint8_t)x, a[1] = (uint8_t)y, a[2] = (uint8_t)z, a[3] = (uint8_t)w;
}

/* IP + TCP/UDP + payload into c */
static inline void cb_ip(struct craft_buf *c, const struct craft_pkt *p, const void *payload,
			 size_t plen)
{
	size_t l4 = (p->proto == 6 ? 20 : 8) + plen;
	if (!p->v6) {
		cb_u8(c, 0x45);
		cb_u8(c, 0);
		cb_u16(c, (unsigned)(20 + l4));
		cb_u16(c, 1);
		cb_u16(c, p->frag);
		cb_u8(c, 64);
		cb_u8(c, (unsigned)p->proto);
		cb_u16(c, 0);
		cb_bytes(c, p->src, 4);
		cb_bytes(c, p->dst, 4);
	} else {
		size_t ext = (p->v6_hop_hdr ? 8 : 0) + (p->v6_frag_hdr ? 8 : 0);
		cb_u32(c, 0x60000000);
		cb_u16(c, (unsigned)(l4 + ext));
		cb_u8(c, p->v6_hop_hdr ? 0 : p->v6_frag_hdr ? 44 : (unsigned)p->proto);
		cb_u8(c, 64);
		cb_bytes(c, p->src, 16);
		cb_bytes(c, p->dst, 16);
		if (p->v6_hop_hdr) {
			cb_u8(c, p->v6_frag_hdr ? 44 : (unsigned)p->proto);
			cb_u8(c, 0);
			cb_u16(c, 0x0104); /* PadN */
			cb_u32(c, 0);
		}
		if (p->v6_frag_hdr) {
			cb_u8(c, (unsigned)p->proto);
			cb_u8(c, 0);
			cb_u16(c, p->frag);
			cb_u32(c, 7);
		}
	}
	if (p->proto == 6) {
		cb_u16(c, p->sport);
		cb_u16(c, p->dport);
		cb_u32(c, p->seq);
		cb_u32(c, 0);
		cb_u8(c, 0x50);
		cb_u8(c, p->tcp_flags);
		cb_u16(c, 65535);
		cb_u32(c, 0);
	} else {
		cb_u16(c, p->sport);
		cb_u16(c, p->dport);
		cb_u16(c, (unsigned)(8 + plen));
		cb_u16(c, 0);
	}
	cb_bytes(c, payload, plen);
}

/* ---- link layers ---- */

enum craft_link {
	CL_ETH, CL_VLAN, CL_QINQ, CL_QINQ_9100, CL_SLL, CL_SLL2, CL_RAW, CL_NULL,
};

static inline int craft_dlt(enum craft_link l)
{
	switch (l) {
	case CL_SLL:
		return 113;
	case CL_SLL2:
		return 276;
	case CL_RAW:
		return 101; /* LINKTYPE_RAW as written in files */
	case CL_NULL:
		return 0;
	default:
		return 1;
	}
}

static inline void cb_link(struct craft_buf *c, enum craft_link l, int v6)
{
	unsigned et = v6 ? 0x86dd : 0x0800;
	static const uint8_t mac[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
	switch (l) {
	case CL_ETH:
	case CL_VLAN:
	case CL_QINQ:
	case CL_QINQ_9100:
		cb_bytes(c, mac, 12);
		if (l == CL_QINQ || l == CL_QINQ_9100) {
			cb_u16(c, l == CL_QINQ ? 0x88a8 : 0x9100);
			cb_u16(c, 100);
		}
		if (l != CL_ETH) {
			cb_u16(c, 0x8100);
			cb_u16(c, 42);
		}
		cb_u16(c, et);
		break;
	case CL_SLL:
		cb_u16(c, 0); /* to us */
		cb_u16(c, 1); /* ARPHRD_ETHER */
		cb_u16(c, 6);
		cb_bytes(c, mac, 6);
		cb_u16(c, 0);
		cb_u16(c, et);
		break;
	case CL_SLL2:
		cb_u16(c, et);
		cb_u16(c, 0);
		cb_u32(c, 2); /* ifindex */
		cb_u16(c, 1);
		cb_u8(c, 0);
		cb_u8(c, 6);
		cb_bytes(c, mac, 6);
		cb_u16(c, 0);
		break;
	case CL_RAW:
		break;
	case CL_NULL: {
		uint32_t af = v6 ? 10 : 2; /* host order, as BSD writes it */
		cb_bytes(c, &af, 4);
		break;
	}
	}
}

/* ---- capture files ---- */

struct craft_file {
	FILE *f;
	int ng;
	uint32_t npkt;
};

static inline void cf_put(struct craft_file *cf, const void *p, size_t n)
{
	if (fwrite(p, 1, n, cf->f) != n)
		abort();
}

static inline void cf_u32le(struct craft_file *cf, uint32_t v)
{
	cf_put(cf, &v, 4); /* tests run little-endian (x86_64, aarch64) */
}

static inline void cf_open(struct craft_file *cf, const char *path, int dlt, int ng)
{
	cf->f = fopen(path, "wb");
	if (!cf->f)
		abort();
	cf->ng = ng;
	cf->npkt = 0;
	if (!ng) {
		cf_u32le(cf, 0xa1b2c3d4);
		uint16_t v[2] = {2, 4};
		cf_put(cf, v, 4);
		cf_u32le(cf, 0);
		cf_u32le(cf, 0);
		cf_u32le(cf, 65535);
		cf_u32le(cf, (uint32_t)dlt);
		return;
	}
	/* Section Header Block, then one Interface Description Block */
	cf_u32le(cf, 0x0a0d0d0a);
	cf_u32le(cf, 28);
	cf_u32le(cf, 0x1a2b3c4d);
	uint16_t v[2] = {1, 0};
	cf_put(cf, v, 4);
	uint64_t len = UINT64_MAX;
	cf_put(cf, &len, 8);
	cf_u32le(cf, 28);
	cf_u32le(cf, 1);
	cf_u32le(cf, 20);
	uint16_t lt[2] = {(uint16_t)dlt, 0};
	cf_put(cf, lt, 4);
	cf_u32le(cf, 65535);
	cf_u32le(cf, 20);
}

static inline void cf_packet(struct craft_file *cf, uint32_t sec, const void *p, size_t n)
{
	cf->npkt++;
	if (!cf->ng) {
		cf_u32le(cf, sec);
		cf_u32le(cf, 0);
		cf_u32le(cf, (uint32_t)n);
		cf_u32le(cf, (uint32_t)n);
		cf_put(cf, p, n);
		return;
	}
	/* Enhanced Packet Block, microsecond timestamps (the IDB default) */
	size_t padded = (n + 3) & ~(size_t)3;
	uint32_t total = (uint32_t)(32 + padded);
	uint64_t us = (uint64_t)sec * 1000000;
	cf_u32le(cf, 6);
	cf_u32le(cf, total);
	cf_u32le(cf, 0);
	cf_u32le(cf, (uint32_t)(us >> 32));
	cf_u32le(cf, (uint32_t)us);
	cf_u32le(cf, (uint32_t)n);
	cf_u32le(cf, (uint32_t)n);
	cf_put(cf, p, n);
	static const uint8_t zero[4];
	cf_put(cf, zero, padded - n);
	cf_u32le(cf, total);
}

static inline void cf_close(struct craft_file *cf)
{
	if (fclose(cf->f) != 0)
		abort();
}

/* One whole packet: link + IP + transport + payload. */
static inline void cf_ip(struct craft_file *cf, enum craft_link l, uint32_t sec,
			 const struct craft_pkt *p, const void *payload, size_t plen)
{
	static struct craft_buf c;
	c.n = 0;
	cb_link(&c, l, p->v6);
	cb_ip(&c, p, payload, plen);
	cf_packet(cf, sec, c.b, c.n);
}

#endif
