/* Link layers → IPv4/IPv6 → TCP/UDP, through the bounds-checked cursor. */
#include "telemetry/pkt_decode.h"

#include <string.h>

#include "core/pkt_cursor.h"

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_QINQ_OLD 0x9100

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_ESP_ 50
#define IPPROTO_AH_ 51
#define IPPROTO_NONE_ 59
#define IPPROTO_DSTOPTS_ 60
#define IPPROTO_MH_ 135

bool pkt_link_supported(int link)
{
	switch (link) {
	case PKT_LINK_NULL:
	case PKT_LINK_EN10MB:
	case PKT_LINK_RAW:
	case PKT_LINK_RAW_OBSD:
	case PKT_LINK_RAW_FILE:
	case PKT_LINK_LOOP:
	case PKT_LINK_SLL:
	case PKT_LINK_IPV4:
	case PKT_LINK_IPV6:
	case PKT_LINK_SLL2:
		return true;
	default:
		return false;
	}
}

static enum pkt_result fail(const char **why, const char *msg)
{
	*why = msg;
	return PKT_MALFORMED;
}

static enum pkt_result skip(const char **why, const char *msg)
{
	*why = msg;
	return PKT_SKIP;
}

static enum pkt_result transport(struct pkt_cursor *c, struct pkt_info *out,
				 const char **why)
{
	if (out->proto == IPPROTO_TCP_) {
		size_t start = c->off;
		out->sport = pkt_cur_u16(c);
		out->dport = pkt_cur_u16(c);
		out->tcp_seq = pkt_cur_u32(c);
		pkt_cur_skip(c, 4); /* ack */
		uint8_t doff = pkt_cur_u8(c) >> 4;
		out->tcp_flags = pkt_cur_u8(c);
		pkt_cur_skip(c, 6); /* window, checksum, urgent */
		if (c->bad)
			return fail(why, "TCP header is cut short");
		if (doff < 5)
			return fail(why, "TCP data offset is below 5 words");
		pkt_cur_seek(c, start + (size_t)doff * 4);
		if (c->bad)
			return out->truncated
				   ? skip(why, "TCP options cut off by the snap length")
				   : fail(why, "TCP data offset points past the segment");
	} else {
		out->sport = pkt_cur_u16(c);
		out->dport = pkt_cur_u16(c);
		uint16_t ulen = pkt_cur_u16(c);
		pkt_cur_skip(c, 2);
		if (c->bad)
			return fail(why, "UDP header is cut short");
		if (ulen < 8)
			return fail(why, "UDP length is below the header size");
		/* UDP length shorter than what IP carries: trust the smaller */
		if ((size_t)ulen - 8 < pkt_cur_avail(c))
			c->len = c->off + (ulen - 8u);
		else if ((size_t)ulen - 8 > pkt_cur_avail(c) && !out->truncated)
			return fail(why, "UDP length exceeds the IP payload");
	}
	out->payload = pkt_cur_ptr(c);
	out->payload_len = pkt_cur_avail(c);
	return PKT_OK;
}

static enum pkt_result ipv4(struct pkt_cursor *c, struct pkt_info *out, const char **why)
{
	size_t start = c->off;
	uint8_t vihl = pkt_cur_u8(c);
	pkt_cur_skip(c, 1);
	uint16_t total = pkt_cur_u16(c);
	pkt_cur_skip(c, 2);
	uint16_t frag = pkt_cur_u16(c);
	pkt_cur_skip(c, 1);
	uint8_t proto = pkt_cur_u8(c);
	pkt_cur_skip(c, 2);
	uint32_t s = pkt_cur_u32(c), d = pkt_cur_u32(c);
	if (c->bad)
		return fail(why, "IPv4 header is cut short");
	if (vihl >> 4 != 4)
		return fail(why, "IP version is not 4 in an IPv4 packet");
	size_t hlen = (size_t)(vihl & 15) * 4;
	if (hlen < 20)
		return fail(why, "IPv4 header length is below 20 bytes");
	size_t avail = c->len - start;
	if (total == 0) /* segmentation offload: the NIC fills it in later */
		total = avail > 0xffff ? 0xffff : (uint16_t)avail;
	if (total < hlen)
		return fail(why, "IPv4 total length is below its header length");
	if (total < avail)
		c->len = start + total; /* Ethernet padding */
	else if (total > avail)
		out->truncated = true;
	pkt_cur_seek(c, start + hlen); /* options */
	if (c->bad)
		return fail(why, "IPv4 options run past the captured bytes");
	net_addr_from_v4(&out->src, s);
	net_addr_from_v4(&out->dst, d);
	out->ip_len = total;
	out->proto = proto;
	if ((frag & 0x1fff) != 0)
		return skip(why, "IPv4 fragment other than the first carries no ports");
	if (proto != IPPROTO_TCP_ && proto != IPPROTO_UDP_)
		return skip(why, "neither TCP nor UDP");
	if (frag & 0x2000)
		out->truncated = true; /* first fragment: the rest comes later */
	return transport(c, out, why);
}

static enum pkt_result ipv6(struct pkt_cursor *c, struct pkt_info *out, const char **why)
{
	uint8_t ver = pkt_cur_u8(c) >> 4;
	pkt_cur_skip(c, 3);
	uint16_t plen = pkt_cur_u16(c);
	uint8_t nh = pkt_cur_u8(c);
	pkt_cur_skip(c, 1);
	pkt_cur_copy(c, out->src.b, 16);
	pkt_cur_copy(c, out->dst.b, 16);
	if (c->bad)
		return fail(why, "IPv6 header is cut short");
	if (ver != 6)
		return fail(why, "IP version is not 6 in an IPv6 packet");
	size_t avail = c->len - c->off;
	if (plen == 0) /* jumbogram or offload: take what was captured */
		plen = avail > 0xffff ? 0xffff : (uint16_t)avail;
	if (plen < avail)
		c->len = c->off + plen;
	else if (plen > avail)
		out->truncated = true;
	out->ip_len = 40u + plen;
	for (int n = 0;; n++) {
		out->proto = nh;
		switch (nh) {
		case IPPROTO_TCP_:
		case IPPROTO_UDP_:
			return transport(c, out, why);
		case IPPROTO_HOPOPTS_:
		case IPPROTO_ROUTING_:
		case IPPROTO_DSTOPTS_:
		case IPPROTO_MH_: {
			nh = pkt_cur_u8(c);
			size_t len = ((size_t)pkt_cur_u8(c) + 1) * 8;
			pkt_cur_skip(c, len - 2);
			break;
		}
		case IPPROTO_AH_: {
			nh = pkt_cur_u8(c);
			size_t len = ((size_t)pkt_cur_u8(c) + 2) * 4;
			pkt_cur_skip(c, len - 2);
			break;
		}
		case IPPROTO_FRAGMENT_: {
			nh = pkt_cur_u8(c);
			pkt_cur_skip(c, 1);
			uint16_t off = pkt_cur_u16(c);
			pkt_cur_skip(c, 4);
			if (!c->bad && (off & 0xfff8) != 0)
				return skip(why, "IPv6 fragment other than the first "
						 "carries no ports");
			if (off & 1)
				out->truncated = true;
			break;
		}
		case IPPROTO_ESP_:
			return skip(why, "IPv6 payload is encrypted (ESP)");
		case IPPROTO_NONE_:
			return skip(why, "IPv6 packet has no payload");
		default:
			return skip(why, "neither TCP nor UDP");
		}
		if (c->bad)
			return out->truncated
				   ? skip(why, "IPv6 extension headers cut off by the "
					       "snap length")
				   : fail(why,
					  "IPv6 extension header runs past the payload");
		if (n + 1 >= PKT_MAX_IPV6_EXT)
			return fail(why,
				    "too many IPv6 extension headers (PKT_MAX_IPV6_EXT)");
	}
}

static enum pkt_result by_version(struct pkt_cursor *c, struct pkt_info *out,
				  const char **why)
{
	if (!pkt_cur_need(c, 1))
		return fail(why, "packet is empty");
	switch (pkt_cur_ptr(c)[0] >> 4) {
	case 4:
		return ipv4(c, out, why);
	case 6:
		return ipv6(c, out, why);
	default:
		return fail(why, "raw packet is neither IPv4 nor IPv6");
	}
}

/* Ethertype after any stack of 802.1Q / 802.1ad tags. */
static enum pkt_result by_ethertype(struct pkt_cursor *c, uint16_t type,
				    struct pkt_info *out, const char **why)
{
	for (int tags = 0; type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD;
	     tags++) {
		if (tags == PKT_MAX_VLAN_TAGS)
			return fail(why, "too many VLAN tags (PKT_MAX_VLAN_TAGS)");
		pkt_cur_skip(c, 2); /* priority, DEI, VLAN id */
		type = pkt_cur_u16(c);
		if (c->bad)
			return fail(why, "VLAN tag is cut short");
	}
	switch (type) {
	case ETH_IPV4:
		return ipv4(c, out, why);
	case ETH_IPV6:
		return ipv6(c, out, why);
	default:
		return skip(why, "not an IP packet");
	}
}

/* BSD loopback: AF_INET is 2 everywhere, AF_INET6 differs by system. */
static enum pkt_result by_family(struct pkt_cursor *c, uint32_t af, struct pkt_info *out,
				 const char **why)
{
	switch (af) {
	case 2:
		return ipv4(c, out, why);
	case 10: /* Linux */
	case 24: /* NetBSD, OpenBSD */
	case 28: /* FreeBSD */
	case 30: /* macOS */
		return ipv6(c, out, why);
	default:
		return skip(why, "loopback packet of another address family");
	}
}

enum pkt_result pkt_decode(int link, const uint8_t *data, size_t caplen,
			   struct pkt_info *out, const char **why)
{
	struct pkt_cursor c;
	pkt_cur_init(&c, data, caplen);
	memset(out, 0, sizeof(*out));
	*why = "";
	switch (link) {
	case PKT_LINK_EN10MB: {
		pkt_cur_skip(&c, 12);
		uint16_t type = pkt_cur_u16(&c);
		if (c.bad)
			return fail(why, "Ethernet header is cut short");
		if (type < 0x0600)
			return skip(why, "802.3 frame without an ethertype");
		return by_ethertype(&c, type, out, why);
	}
	case PKT_LINK_SLL: {
		pkt_cur_skip(&c, 14);
		uint16_t type = pkt_cur_u16(&c);
		if (c.bad)
			return fail(why, "Linux cooked (SLL) header is cut short");
		return by_ethertype(&c, type, out, why);
	}
	case PKT_LINK_SLL2: {
		uint16_t type = pkt_cur_u16(&c);
		pkt_cur_skip(&c, 18);
		if (c.bad)
			return fail(why, "Linux cooked (SLL2) header is cut short");
		return by_ethertype(&c, type, out, why);
	}
	case PKT_LINK_RAW:
	case PKT_LINK_RAW_OBSD:
	case PKT_LINK_RAW_FILE:
		return by_version(&c, out, why);
	case PKT_LINK_IPV4:
		return ipv4(&c, out, why);
	case PKT_LINK_IPV6:
		return ipv6(&c, out, why);
	case PKT_LINK_NULL: {
		uint32_t af = pkt_cur_u32le(&c);
		if (c.bad)
			return fail(why, "loopback header is cut short");
		if (af > 0xffff) /* written on a big-endian host */
			af = __builtin_bswap32(af);
		return by_family(&c, af, out, why);
	}
	case PKT_LINK_LOOP: {
		uint32_t af = pkt_cur_u32(&c);
		if (c.bad)
			return fail(why, "loopback header is cut short");
		return by_family(&c, af, out, why);
	}
	default:
		return skip(why, "link type not supported");
	}
}
