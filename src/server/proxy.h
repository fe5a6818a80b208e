/* The client's address: the TCP peer, or, when the peer is a trusted
 * reverse proxy (--trust-proxy), the rightmost X-Forwarded-For hop that is
 * not itself trusted. Hops left of that one are written by the client and
 * prove nothing, so they are never believed. */
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

/* xff: all X-Forwarded-For values joined by ',' (NULL if none). */
void srv_client_addr(const struct net_addr *peer, const char *xff,
		     const struct srv_trust *trust, struct net_addr *out);

#endif
