/* A bounded table of TCP/UDP flows keyed by 5-tuple (either direction
 * finds the same flow), with least-recently-seen eviction. Memory is fixed
 * by the limit, whatever the capture holds. */
#ifndef SD_TELEMETRY_FLOW_TABLE_H
#define SD_TELEMETRY_FLOW_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/addr.h"

/* Open flows held at once; the least recently seen is emitted to make
 * room (about 136 bytes each with the hash buckets). */
#define FLOWT_MAX_FLOWS 65536
/* A flow idle this long (capture time, seconds) is emitted. */
#define FLOWT_IDLE_SECS 300

enum flowt_state {
	FLOWT_OPEN = 0,
	/* Emitted after FIN from both sides or RST: kept so that the last
	 * ACKs do not start a new flow, dropped silently when idle. */
	FLOWT_CLOSED = 1,
};

struct flowt_flow {
	/* originator = sender of the first SYN, else of the first packet */
	struct net_addr orig, resp;
	uint16_t oport, rport;
	uint8_t proto;
	uint8_t state;
	bool dir_known; /* a SYN or SYN-ACK fixed the originator */
	bool seen_orig, seen_resp;
	bool fin_orig, fin_resp;
	bool connect_seen; /* an HTTP CONNECT went through: a proxy tunnel */
	/* A ClientHello was read: the rest of the connection is TLS records,
	 * and an encrypted one that happens to look like a hello must not be
	 * taken for one (or reported as a bad one). */
	bool tls_seen;
	int16_t reasm; /* TLS reassembly slot, -1 none */
	/* A CONNECT through this flow was answered 2xx: the proxy served
	 * the tunnel the hellos that follow go through. */
	bool connect_served;
	/* Only the connection's first request can be paired with an answer
	 * (HTTP/1.x answers in order, and the client, who may be the one
	 * lying, controls what comes after it): the client's SYN gave its
	 * initial sequence number, no client payload came before the request,
	 * and the server's first bytes (its SYN-ACK gave where they start)
	 * are the final status line that answers it, after any interim ones. */
	uint32_t orig_isn;
	uint32_t resp_next; /* where the server's next unread bytes start */
	bool orig_syn;	    /* the originator's SYN was read: orig_isn is known */
	bool resp_syn;	    /* the responder's SYN-ACK was read: resp_next is known */
	bool resp_syn_bad;  /* two SYN-ACKs with different sequence numbers */
	bool orig_data;	    /* a payload segment from the originator was read */
	/* the first request, proxied, waits for its answer: 1 + its slot in
	 * the reader's table of held requests (pcap_http.c), 0 none */
	uint16_t http_held;
	bool http_paired; /* the server's first final status line was read, or
			   * its first bytes cannot be one */
	int64_t first_ts, last_ts;
	uint64_t bytes, packets;
	uint64_t position; /* packet number of the first packet */
	/* table links (indices + 1, 0 = none) */
	uint32_t hnext, lprev, lnext;
};

struct flowt;

struct flowt *flowt_new(size_t max_flows);
void flowt_free(struct flowt *t);

/* The flow of this packet, created when new. When the table is full the
 * least recently seen flow is removed first and copied to *evicted
 * (*did_evict set). Moves the flow to the most recent end. */
struct flowt_flow *flowt_get(struct flowt *t, const struct net_addr *src, uint16_t sport,
			     const struct net_addr *dst, uint16_t dport, uint8_t proto,
			     bool *created, struct flowt_flow *evicted, bool *did_evict);

/* The flow of these endpoints (either direction), or NULL; unlike
 * flowt_get it neither creates nor moves it. */
struct flowt_flow *flowt_find(struct flowt *t, const struct net_addr *src, uint16_t sport,
			      const struct net_addr *dst, uint16_t dport, uint8_t proto);

/* The least recently seen flow, or NULL when empty. */
struct flowt_flow *flowt_oldest(struct flowt *t);
void flowt_remove(struct flowt *t, struct flowt_flow *f);
size_t flowt_count(const struct flowt *t);

#endif
