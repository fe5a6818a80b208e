/* Link layer, IP and TCP/UDP headers of one captured packet: where the
 * addresses, ports and payload are. Every length comes from the packet and
 * is checked against the captured bytes before use. */
#ifndef SD_TELEMETRY_PKT_DECODE_H
#define SD_TELEMETRY_PKT_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/addr.h"

/* Link types as libpcap's pcap_datalink() gives them (DLT_*); LINKTYPE_RAW
 * (101) in a file is reported by libpcap as DLT_RAW. */
enum pkt_link {
	PKT_LINK_NULL = 0,    /* BSD loopback, host-order address family */
	PKT_LINK_EN10MB = 1,  /* Ethernet */
	PKT_LINK_RAW = 12,    /* raw IP, version from the first nibble */
	PKT_LINK_RAW_OBSD = 14,
	PKT_LINK_RAW_FILE = 101,
	PKT_LINK_LOOP = 108,  /* OpenBSD loopback, network-order family */
	PKT_LINK_SLL = 113,   /* Linux cooked capture v1 */
	PKT_LINK_IPV4 = 228,
	PKT_LINK_IPV6 = 229,
	PKT_LINK_SLL2 = 276,  /* Linux cooked capture v2 */
};

/* VLAN tags stacked in front of one packet: more is refused as malformed. */
#define PKT_MAX_VLAN_TAGS 8
/* IPv6 extension headers walked before the transport header. */
#define PKT_MAX_IPV6_EXT 16

enum pkt_result {
	PKT_OK = 0,        /* a TCP or UDP packet: every field is set */
	PKT_SKIP = 1,      /* well-formed, nothing to read (ARP, ICMP, later fragment) */
	PKT_MALFORMED = 2, /* a header contradicts itself or the capture */
};

struct pkt_info {
	struct net_addr src, dst;
	uint8_t proto; /* 6 TCP, 17 UDP */
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint32_t tcp_seq;
	/* IP datagram length from its header (or the captured length when the
	 * header says 0, as captures of offloaded segments do). */
	uint32_t ip_len;
	/* Transport payload actually captured, clipped to the IP length. */
	const uint8_t *payload;
	size_t payload_len;
	/* The capture holds less of the datagram than its header announces
	 * (snap length): a parser running out of bytes is not proof of a bad
	 * packet. */
	bool truncated;
};

#define PKT_TCP_FIN 0x01
#define PKT_TCP_SYN 0x02
#define PKT_TCP_RST 0x04
#define PKT_TCP_ACK 0x10

bool pkt_link_supported(int link);

/* *why is a static sentence for PKT_SKIP and PKT_MALFORMED. */
enum pkt_result pkt_decode(int link, const uint8_t *data, size_t caplen,
			   struct pkt_info *out, const char **why);

#endif
