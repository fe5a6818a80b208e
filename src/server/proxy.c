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

static bool trusted(const struct srv_trust *t, const struct net_addr *a)
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

void srv_client_addr(const struct net_addr *peer, const char *xff,
		     const struct srv_trust *trust, struct net_addr *out)
{
	*out = *peer;
	if (!xff || !trusted(trust, peer))
		return;
	size_t end = strnlen(xff, SRV_MAX_XFF);
	for (int hops = 0; end > 0 && hops < SRV_MAX_XFF_HOPS; hops++) {
		size_t b = end;
		while (b > 0 && xff[b - 1] != ',')
			b--;
		size_t s = b, e = end;
		while (s < e && is_space(xff[s]))
			s++;
		while (e > s && is_space(xff[e - 1]))
			e--;
		struct net_addr hop;
		const char *why;
		/* An unreadable hop ends the walk: the last trusted party
		 * before it (the current *out) is the best we know. */
		if (e == s || net_addr_parse(xff + s, e - s, &hop, &why) != 0)
			return;
		*out = hop;
		if (!trusted(trust, &hop))
			return;
		if (b == 0)
			return;
		end = b - 1;
	}
}
