/* The inside of the pcap backend, shared by pcap_reader.c (packets, flows,
 * TLS, HTTP, QUIC) and pcap_dns.c (DNS transactions): the reader's state
 * and its queue of records waiting to be returned. Not for use outside
 * src/telemetry/. */
#ifndef SD_TELEMETRY_PCAP_IMPL_H
#define SD_TELEMETRY_PCAP_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "telemetry/backend.h"
#include "telemetry/dns_wire.h"
#include "telemetry/flow_table.h"
#include "telemetry/http_req.h"
#include "telemetry/pcap_limits.h"
#include "telemetry/pkt_decode.h"
#include "telemetry/quic_reasm.h"
#include "telemetry/tls_hello.h"

#define PROTO_TCP 6
#define PROTO_UDP 17
#define DNS_PORT 53
#define MDNS_PORT 5353	/* multicast DNS, RFC 6762 */
#define LLMNR_PORT 5355 /* link-local multicast name resolution, RFC 4795 */

struct out_slot {
	struct tel_record rec;
	char name[DNSW_MAX_NAME_TEXT + 1];
	struct net_addr answers[DNSW_MAX_ANSWERS];
	/* A held request's copy of its path (rec.path), owned by the reader
	 * from the moment the record is handed out until the next call. */
	char *path;
};

_Static_assert(2 * (1 + 1) + 1 + PCAPR_MAX_DNS_PER_SEGMENT + 2 <= PCAPR_OUT_QUEUE,
	       "one packet could fill the record queue");

/* A proxied HTTP request, the first of its connection, waiting for its
 * response (pcap_http.c). */
struct http_held {
	bool used;
	uint64_t order; /* when it was held, to find the oldest */
	int64_t ts;
	uint64_t position;
	struct net_addr client, server;
	uint16_t cport, sport;
	bool connect;
	char name[DNSW_MAX_NAME_TEXT + 1];
	size_t name_len;
	char *path; /* malloc'd copy: the packet buffer does not last */
	size_t path_len;
	/* its segment: a later client segment over these bytes must carry
	 * the same ones, else it is unclear which the server read */
	uint32_t seq;
	uint8_t *bytes;
	size_t len;
};

enum dns_state { DNS_EMPTY = 0, DNS_PENDING, DNS_DONE };

struct dns_pending {
	uint8_t state;
	uint8_t proto;
	uint16_t id, cport, sport;
	struct net_addr client, server;
	int64_t ts;
	uint64_t position;
	char qname[DNSW_MAX_NAME_TEXT + 1];
	size_t qname_len;
};

struct reasm_slot {
	bool used;
	struct flowt_flow *owner;
	struct net_addr sender;
	uint16_t sport;
	uint32_t next_seq;
	size_t len, need;
	int64_t ts;
	uint64_t position;
	uint8_t buf[TLSH_MAX_RECORD];
};

struct pcapr {
	struct tel_backend base; /* first: the dispatcher casts */
	FILE *fp;
	pcap_t *pc;
	int link;
	char *iobuf;
	struct sd_error ioerr; /* why the source failed under libpcap */
	bool ioerr_set;

	uint64_t npkt;
	int64_t now; /* capture time of the last packet */
	bool draining, done;
	struct sd_error fatal;

	struct flowt *flows;

	struct dns_pending *dns; /* ring of PCAPR_DNS_PENDING */
	size_t dns_head, dns_count;
	struct dnsw_msg msg; /* scratch */

	struct reasm_slot *reasm; /* PCAPR_TLS_REASM_SLOTS, allocated on first use */
	struct quicr *quic;	  /* QUIC hellos, allocated on first use */

	struct http_held *held; /* PCAPR_HTTP_HELD, allocated on first use */
	size_t held_count;
	uint64_t held_order;
	bool held_all_said; /* PCAPR_HTTP_HELD reported */
	char *handed_path;  /* the path of the record last handed out */

	struct out_slot out[PCAPR_OUT_QUEUE];
	size_t out_head, out_count;
};

/* ---- output queue ---- */

static inline struct out_slot *push(struct pcapr *r, enum tel_kind kind, int64_t ts,
				    uint64_t pos)
{
	/* Sized so that one packet can never fill it; a full queue would be a
	 * bug here, not bad input, but still must not write out of bounds. */
	if (r->out_count == PCAPR_OUT_QUEUE) {
		tel_backend_malformed(&r->base, pos,
				      "internal record queue is full "
				      "(PCAPR_OUT_QUEUE); record dropped");
		return NULL;
	}
	struct out_slot *s = &r->out[(r->out_head + r->out_count++) % PCAPR_OUT_QUEUE];
	memset(&s->rec, 0, sizeof(s->rec));
	s->rec.kind = kind;
	s->rec.ts = ts;
	s->rec.position = pos;
	s->rec.flags = TEL_HAS_CLIENT | TEL_HAS_SERVER;
	s->path = NULL;
	return s;
}

static inline void set_name(struct out_slot *s, const char *name, size_t len)
{
	if (len > DNSW_MAX_NAME_TEXT)
		len = DNSW_MAX_NAME_TEXT;
	if (len) /* an HTTP/1.0 request may have no host at all */
		memcpy(s->name, name, len);
	s->name[len] = '\0';
	s->rec.name = s->name;
	s->rec.name_len = len;
}

static inline void set_endpoints(struct out_slot *s, const struct net_addr *client,
				 uint16_t cport, const struct net_addr *server,
				 uint16_t sport, uint8_t proto)
{
	s->rec.client = *client;
	s->rec.server = *server;
	s->rec.client_port = cport;
	s->rec.server_port = sport;
	s->rec.proto = proto;
}

/* The packet's sender asked: a request or a ClientHello. */
static inline void set_ends(struct out_slot *s, const struct pkt_info *p)
{
	set_endpoints(s, &p->src, p->sport, &p->dst, p->dport, p->proto);
}

static inline void skipped(struct pcapr *r)
{
	r->base.stats.skipped++;
}

/* ---- proxied HTTP requests and their answers (pcap_http.c) ---- */

/* An HTTP request read from p on flow f: a proxied one (absolute URI or
 * CONNECT) that is the first of its connection waits for its answer, any
 * other is emitted at once (a proxied one unanswered). */
void pcapr_http_request(struct pcapr *r, struct flowt_flow *f, const struct pkt_info *p,
			const struct httpr_req *q, int64_t ts);
/* Any payload segment p on flow f, before it is read for anything else:
 * a client segment over the held request's bytes that differs from them
 * leaves it unanswered. */
void pcapr_http_client_data(struct pcapr *r, struct flowt_flow *f,
			    const struct pkt_info *p);
/* True when p is a status line the server sent while f's first request
 * could still be answered (p is then read for nothing else): the first
 * final one answers the held request, if any. */
bool pcapr_http_response(struct pcapr *r, struct flowt_flow *f, const struct pkt_info *p);
/* Flow f ends (closed, evicted, idle, end of capture; a copy will do):
 * its requests still waiting are emitted without an answer. */
void pcapr_http_flow_end(struct pcapr *r, struct flowt_flow *f);
/* Frees the held requests and the paths still owned. */
void pcapr_http_free(struct pcapr *r);

/* ---- DNS (pcap_dns.c) ---- */

/* A DNS message over UDP (multicast: mDNS or LLMNR). */
void pcapr_dns_udp(struct pcapr *r, const struct pkt_info *p, bool multicast, int64_t ts);
/* DNS messages over TCP, each behind its two-byte length. */
void pcapr_dns_tcp(struct pcapr *r, const struct pkt_info *p, int64_t ts);
/* The query that has waited longest, or NULL. */
struct dns_pending *pcapr_dns_oldest(struct pcapr *r);
/* Emits the query that has waited longest, unanswered. */
void pcapr_dns_pop(struct pcapr *r);

#endif
