#include "server/proxy.h"

#include <netinet/in.h>
#include <string.h>

#include "server/limits.h"

void srv_sockaddr_addr(const struct sockaddr *sa, struct net_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (!sa)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		net_addr_from_v4(out, ntohl(s4->sin_addr.s_addr));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		net_addr_from_v6(out, s6->sin6_addr.s6_addr);
	}
}

bool srv_trusted(const struct srv_trust *t, const struct net_addr *a)
{
	for (size_t i = 0; t && i < t->n; i++)
		if (net_prefix_contains(&t->v[i], a))
			return true;
	return false;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

int srv_client_addr(const struct net_addr *peer, const char *xff, size_t xff_len,
		    const struct srv_trust *trust, struct net_addr *out, const char **why)
{
	*out = *peer;
	if (!xff || !srv_trusted(trust, peer))
		return 0;
	if (xff_len > SRV_MAX_XFF) {
		*why = "the X-Forwarded-For header is longer than the server reads";
		return -1;
	}
	size_t end = xff_len;
	while (end > 0 && is_space(xff[end - 1]))
		end--;
	if (end == 0) /* an empty header names nobody: the peer is the client */
		return 0;
	/* hops: trusted hops walked past so far; the client itself is not one */
	for (int hops = 0;; hops++) {
		if (hops > SRV_MAX_XFF_HOPS) {
			*why = "the X-Forwarded-For header has more trusted hops than "
			       "the server walks";
			return -1;
		}
		size_t b = end;
		while (b > 0 && xff[b - 1] != ',')
			b--;
		size_t s = b, e = end;
		while (s < e && is_space(xff[s]))
			s++;
		while (e > s && is_space(xff[e - 1]))
			e--;
		struct net_addr hop;
		const char *perr;
		if (e == s || net_addr_parse(xff + s, e - s, &hop, &perr) != 0) {
			*why = "an X-Forwarded-For hop is not an IP address";
			return -1;
		}
		*out = hop;
		/* the first hop a trusted proxy did not vouch for is the
		 * client; the leftmost hop is the client even when trusted */
		if (!srv_trusted(trust, &hop) || b == 0)
			return 0;
		end = b - 1;
	}
}
