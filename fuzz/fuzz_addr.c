/* Address and prefix parser: never crashes, and whatever it accepts
 * formats to text that parses back to the same value. IPv6 text without an
 * IPv4 tail (the one-pass fast path and the full parser) is also checked
 * against the C library's inet_pton: both accept the same strings and read
 * the same address; text without ':' (IPv4, where the dotted-quad fast
 * path runs first) likewise against inet_pton's AF_INET, which accepts
 * exactly four decimal parts 0-255 without leading zeros. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *why;
	struct net_addr a, b;
	if (net_addr_parse(s, size, &a, &why) == 0) {
		char buf[NET_ADDR_STRLEN];
		size_t n = net_addr_format(&a, buf, sizeof(buf));
		if (n >= sizeof(buf) || net_addr_parse(buf, n, &b, &why) != 0 ||
		    net_addr_cmp(&a, &b) != 0)
			abort();
	}
	char z[128];
	if (size < sizeof(z) && !memchr(s, '.', size) && !memchr(s, '\0', size) &&
	    memchr(s, ':', size)) {
		unsigned char want[16];
		memcpy(z, s, size);
		z[size] = '\0';
		bool lib = inet_pton(AF_INET6, z, want) == 1;
		bool ours = net_addr_parse(s, size, &a, &why) == 0;
		if (lib != ours || (ours && memcmp(a.b, want, 16) != 0))
			abort();
	}
	if (size < sizeof(z) && !memchr(s, ':', size) && !memchr(s, '\0', size)) {
		unsigned char want[4];
		memcpy(z, s, size);
		z[size] = '\0';
		bool lib = inet_pton(AF_INET, z, want) == 1;
		bool ours = net_addr_parse(s, size, &a, &why) == 0;
		if (lib != ours ||
		    (ours && (!net_addr_is_v4(&a) || memcmp(a.b + 12, want, 4))))
			abort();
	}
	struct net_prefix p, q;
	for (unsigned flags = 0; flags < 2; flags++) {
		if (net_prefix_parse(s, size, &p, flags, &why) != 0)
			continue;
		if (net_addr_has_hostbits(&p.addr, p.len))
			abort();
		char buf[NET_PREFIX_STRLEN];
		size_t n = net_prefix_format(&p, buf, sizeof(buf));
		if (n >= sizeof(buf) || net_prefix_parse(buf, n, &q, 0, &why) != 0 ||
		    net_prefix_cmp(&p, &q) != 0)
			abort();
		if (!net_prefix_contains(&p, &p.addr))
			abort();
	}
	return 0;
}
