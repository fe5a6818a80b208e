/* The client's address: the TCP peer, or, when the peer is a trusted
 * reverse proxy (--trust-proxy), the rightmost X-Forwarded-For hop that is
 * not itself trusted. Hops left of that one are written by the client and
 * prove nothing, so they are never believed nor even read. The walk starts
 * at the right-hand end, where each proxy appended what it saw, so a
 * header the client padded can never push those hops out of reach: a
 * header longer than SRV_MAX_XFF, or a walked hop that is not an address,
 * refuses the request instead of being cut. `Forwarded:` (RFC 7239) is not
 * read at all; the proxy must send X-Forwarded-For (dist/nginx). */
#ifndef SD_SERVER_PROXY_H
#define SD_SERVER_PROXY_H

#include <stddef.h>
#include <sys/socket.h>

#include "net/addr.h"

struct srv_trust {
	const struct net_prefix *v;
	size_t n;
};

/* AF_INET and AF_INET6 peers; anything else becomes ::. */
void srv_sockaddr_addr(const struct sockaddr *sa, struct net_addr *out);

bool srv_trusted(const struct srv_trust *t, const struct net_addr *a);

/* xff: all X-Forwarded-For values joined by ',' in the order received
 * (NULL if none), xff_len bytes. Returns 0 with *out set, or -1 with *why
 * set when the header must be refused (400 bad_forwarded). */
int srv_client_addr(const struct net_addr *peer, const char *xff, size_t xff_len,
		    const struct srv_trust *trust, struct net_addr *out,
		    const char **why);

#endif
