#include "server/listen.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/addr.h"
#include "server/limits.h"

int srv_listen_parse(const char *s, struct sockaddr_storage *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	const char *colon = strrchr(s, ':');
	if (!colon) {
		*why = "expected ADDRESS:PORT (an IPv6 address in brackets: [::1]:8080)";
		return -1;
	}
	const char *a = s, *ae = colon;
	if (*s == '[') {
		if (colon == s || colon[-1] != ']') {
			*why = "an IPv6 address goes in brackets: [::1]:8080";
			return -1;
		}
		a = s + 1;
		ae = colon - 1;
	}
	char *end;
	if (!colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1)) {
		*why = "the port must be a number";
		return -1;
	}
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (port > 65535) {
		*why = "the port must be 0 to 65535";
		return -1;
	}
	struct net_addr addr;
	if (net_addr_parse(a, (size_t)(ae - a), &addr, why) != 0)
		return -1;
	if (net_addr_is_v4(&addr) && *s != '[') {
		struct sockaddr_in *s4 = (struct sockaddr_in *)out;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		s4->sin_addr.s_addr = htonl(net_addr_v4(&addr));
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)out;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		memcpy(s6->sin6_addr.s6_addr, addr.b, 16);
	}
	return 0;
}

bool srv_listen_port_free(const struct sockaddr *sa, bool dual_stack, int *err)
{
	bool v6 = sa->sa_family == AF_INET6;
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*err = errno;
		return false;
	}
	/* as libmicrohttpd sets its own listening sockets, so a connection
	 * left in TIME_WAIT does not count as taken */
	int on = 1, v6only = !dual_stack;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (v6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	socklen_t len = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	bool ok = bind(fd, sa, len) == 0;
	*err = ok ? 0 : errno;
	close(fd);
	return ok;
}

int srv_listen_defer_accept(int fd)
{
	int secs = SRV_DEFER_ACCEPT;
	return setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs, sizeof(secs)) == 0
		   ? 0
		   : errno;
}
