/* The table of open connections, kept beside libmicrohttpd's own so the
 * server can apply what the library cannot:
 *  - per-address connection limits counted per IPv4 address and per IPv6
 *    prefix (/64 by default: one host usually holds a whole /64), never
 *    applied to a trusted reverse proxy's own address;
 *  - deadlines by phase: a short one for the header once the request line
 *    has arrived, one for the whole request (header and body), and, once
 *    the answer is queued, a minimum send rate, so a slow reader still gets
 *    a large answer while a stalled one is cut;
 *  - when the table is nearly full, the oldest connection that has not
 *    finished sending its request is dropped, so a complete request is
 *    always served even while slow clients hold many connections.
 * Times are CLOCK_MONOTONIC milliseconds (srv_now_ms). */
#ifndef SD_SERVER_CONNS_H
#define SD_SERVER_CONNS_H

#include <stdbool.h>
#include <stdint.h>

#include "net/addr.h"
#include "server/proxy.h"

struct srv_conn_limits {
	unsigned max_conns;	/* connections the table holds (all daemons) */
	unsigned per_addr;	/* connections from one address or v6 prefix */
	unsigned v6_prefix;	/* IPv6 prefix length counted as one address */
	unsigned header_ms;	/* request line to end of header */
	unsigned request_ms;	/* connection open / last answer to whole request */
	unsigned min_send_rate; /* bytes per second an answer must drain at */
	const struct srv_trust *trust;
};

struct srv_conns;
struct srv_conn;

struct srv_conns *srv_conns_new(const struct srv_conn_limits *l);
void srv_conns_free(struct srv_conns *t);

/* A new connection. Returns NULL when out of memory. A connection over
 * the per-address limit is shut down at once (libmicrohttpd then closes
 * it); one made near a full table makes room by shutting down the oldest
 * unfinished connection. */
struct srv_conn *srv_conns_open(struct srv_conns *t, int fd, const struct net_addr *peer,
				uint64_t now_ms);
void srv_conns_close(struct srv_conns *t, struct srv_conn *k);

/* Phase changes of the request on a connection. */
void srv_conn_request_line(struct srv_conn *k, uint64_t now_ms);
void srv_conn_header_done(struct srv_conn *k, uint64_t now_ms);
/* The answer is queued: bytes of it known now (0 for a streamed one). */
void srv_conn_sending(struct srv_conn *k, uint64_t now_ms, uint64_t bytes);
/* A streamed answer produced bytes more: its deadline moves by their share
 * of the minimum send rate. */
void srv_conn_sent_more(struct srv_conn *k, uint64_t bytes);
void srv_conn_answered(struct srv_conn *k, uint64_t now_ms);

/* Shuts down the connections past their deadline; returns how many. */
unsigned srv_conns_reap(struct srv_conns *t, uint64_t now_ms);

/* True once the table has shut k down (tests). */
bool srv_conn_is_cut(const struct srv_conn *k);

/* For /metrics and tests. */
struct srv_conns_counts {
	uint64_t open, refused_per_addr, dropped_when_full;
};
void srv_conns_counts(struct srv_conns *t, struct srv_conns_counts *out);

#endif
