/* The normalised telemetry record: what every reader produces and what the
 * matcher consumes. Readers know nothing of indicators; the matcher knows
 * nothing of formats. Strings point into the reader's buffers and are
 * valid until the next call to the reader. */
#ifndef SD_TELEMETRY_RECORD_H
#define SD_TELEMETRY_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/addr.h"

enum tel_kind {
	TEL_FLOW = 1, /* packets exchanged (conn log, flow, netflow, packets) */
	TEL_DNS = 2,  /* a DNS query for `name` by `client` */
	TEL_TLS = 3,  /* TLS ClientHello with SNI `name` */
	TEL_HTTP = 4, /* HTTP request for `name` (Host) and `path` */
};

enum tel_flags {
	TEL_HAS_CLIENT = 1 << 0, /* client/client_port are set */
	TEL_HAS_SERVER = 1 << 1, /* server/server_port are set */
	/* The server is a proxy (Squid, HTTP CONNECT): the indicator is the
	 * requested name, not the server address, and the client is the
	 * proxy's client. */
	TEL_VIA_PROXY = 1 << 2,
	/* The exchange is known to have completed (a DNS answer, an HTTP
	 * status, a flow with data both ways). Absent means unknown. */
	TEL_ANSWERED = 1 << 3,
	/* Direction unknown (a flow from NetFlow with no originator flag):
	 * the matcher may try both ends. */
	TEL_DIR_UNKNOWN = 1 << 4,
	/* The consumer's prefilter (tel_options.prefilter) rejected the
	 * record, so the fields past the addresses and ports were not read. */
	TEL_PARTIAL = 1 << 5,
	/* The server answered but did not serve the request: an HTTP status
	 * other than 2xx/3xx (a CONNECT: other than 2xx), a DNS rcode
	 * SERVFAIL, NOTIMP or REFUSED. Set only by readers that see the
	 * status (Zeek, EVE, a capture's DNS answers); a role is never
	 * learnt from such an exchange (docs/correlate.md, "Proxies and
	 * resolvers"). */
	TEL_DECLINED = 1 << 6,
};

struct tel_record {
	int64_t ts; /* UTC epoch seconds */
	enum tel_kind kind;
	unsigned flags; /* enum tel_flags */
	/* client = the originator (querier, requester, flow initiator);
	 * server = the responder (resolver, web server, flow responder). */
	struct net_addr client, server;
	uint16_t client_port, server_port;
	uint8_t proto; /* IPPROTO_TCP/UDP/..., 0 unknown */
	/* DNS query name, TLS SNI or HTTP Host (without port); may carry a
	 * trailing dot and any case: the matcher normalises. */
	const char *name;
	size_t name_len;
	/* HTTP: path (and query) of the request, starting with '/'. For a
	 * proxy request with an absolute URI the reader splits host and path. */
	const char *path;
	size_t path_len;
	/* DNS answers: addresses the name resolved to (the matcher may use
	 * them to learn which server addresses a C2 name had). */
	const struct net_addr *answers;
	size_t nanswers;
	uint64_t bytes; /* flow bytes both ways, 0 unknown */
	uint64_t packets;
	uint64_t position; /* line number or packet number, for reports */
};

#endif
