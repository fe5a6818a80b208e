#include "telemetry/field.h"
#include "core/error.h"

#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/timeutil.h"

/* Eight ASCII digits at once (SWAR, as simdjson does): false unless all
 * eight are digits. */
static inline bool digits8(const unsigned char *p, uint64_t *val)
{
	uint64_t x;
	memcpy(&x, p, 8);
	if ((x & 0xf0f0f0f0f0f0f0f0ull) != 0x3030303030303030ull ||
	    ((x + 0x0606060606060606ull) & 0xf0f0f0f0f0f0f0f0ull) !=
		0x3030303030303030ull)
		return false;
	x = (x & 0x0f0f0f0f0f0f0f0full) * 2561 >> 8;
	x = (x & 0x00ff00ff00ff00ffull) * 6553601 >> 16;
	*val = (x & 0x0000ffff0000ffffull) * 42949672960001ull >> 32;
	return true;
}

bool tel_parse_epoch(const char *s, size_t n, int64_t *out)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	int64_t v = 0;
	unsigned d;
	uint64_t eight, frac;
	/* Zeek's own layout, ten digits, a dot and six: two 8-byte checks
	 * (the second sees the dot as a '0') instead of a loop */
	if (n == 17 && p[10] == '.' && digits8(p, &eight)) {
		uint64_t x;
		memcpy(&x, p + 9, 8);
		x = (x & ~0xff00ull) | 0x3000ull; /* byte 1 is the dot: little-endian */
		if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ &&
		    digits8((const unsigned char *)&x, &frac) &&
		    (d = (unsigned)(p[8] - '0')) <= 9) {
			*out = (int64_t)(eight * 100 + d * 10 + (unsigned)(p[9] - '0'));
			return true;
		}
	}
	if (n >= 8 && digits8(p, &eight)) {
		v = (int64_t)eight;
		p += 8;
	}
	/* integer part: 1 to 12 digits (up to the year 33658) */
	while (p < e && (d = (unsigned)(*p - '0')) <= 9 &&
	       p - (const unsigned char *)s < 12) {
		v = v * 10 + d;
		p++;
	}
	if (p == (const unsigned char *)s || (p < e && *p != '.')) {
		if (n && s[0] == 'X') {
			/* btest canonicalises every timestamp to X's: unknown */
			for (size_t i = 0; i < n; i++)
				if (s[i] != 'X' && s[i] != '.')
					return false;
			*out = 0;
			return true;
		}
		return false;
	}
	/* the fraction is only checked */
	if (p < e)
		for (p++; p < e; p++)
			if ((unsigned)(*p - '0') > 9)
				return false;
	*out = v;
	return true;
}

bool tel_parse_time(const char *s, size_t n, int64_t *out, const char **why)
{
	if (tel_parse_epoch(s, n, out))
		return true;
	return sd_time_parse(s, n, out, why) == 0;
}

static bool ieq(const char *s, size_t n, const char *lit)
{
	size_t m = strlen(lit);
	return n == m && strncasecmp(s, lit, n) == 0;
}

uint8_t tel_proto(const char *s, size_t n)
{
	if (n == 3 && (s[0] | 0x20) == 't' && (s[1] | 0x20) == 'c' &&
	    (s[2] | 0x20) == 'p')
		return 6;
	if (n == 3 && (s[0] | 0x20) == 'u' && (s[1] | 0x20) == 'd' &&
	    (s[2] | 0x20) == 'p')
		return 17;
	if (ieq(s, n, "tcp"))
		return 6;
	if (ieq(s, n, "udp"))
		return 17;
	if (ieq(s, n, "icmp"))
		return 1;
	if (ieq(s, n, "ipv6-icmp") || ieq(s, n, "icmp6") || ieq(s, n, "icmpv6"))
		return 58;
	if (ieq(s, n, "sctp"))
		return 132;
	uint64_t v;
	if (tel_parse_u64(s, n, &v) && v < 256)
		return (uint8_t)v;
	return 0;
}

void tel_split_hostport(const char *s, size_t n, const char **host, size_t *hlen,
			uint16_t *port)
{
	*port = 0;
	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (close) {
			*host = s + 1;
			*hlen = (size_t)(close - s - 1);
			size_t rest = n - (size_t)(close - s) - 1;
			if (rest > 1 && close[1] == ':')
				tel_parse_port(close + 2, rest - 1, port);
			return;
		}
	}
	const char *colon = memchr(s, ':', n);
	if (colon && !memchr(colon + 1, ':', n - (size_t)(colon - s) - 1)) {
		*host = s;
		*hlen = (size_t)(colon - s);
		tel_parse_port(colon + 1, n - *hlen - 1, port);
		return;
	}
	/* no colon, or several (a bare IPv6 literal) */
	*host = s;
	*hlen = n;
}

bool tel_split_url(const char *s, size_t n, const char **host, size_t *hlen,
		   const char **path, size_t *plen)
{
	size_t i = 0;
	while (i < n && (s[i] >= 'a' && s[i] <= 'z' ? 1
			 : s[i] >= 'A' && s[i] <= 'Z'
			     ? 1
			     : (i && ((s[i] >= '0' && s[i] <= '9') || s[i] == '+' ||
				      s[i] == '-' || s[i] == '.'))))
		i++;
	if (i == 0 || i + 3 > n || memcmp(s + i, "://", 3) != 0)
		return false;
	const char *a = s + i + 3, *end = s + n;
	const char *p = a;
	while (p < end && *p != '/' && *p != '?' && *p != '#')
		p++;
	/* authority: drop userinfo and port */
	const char *at = NULL;
	for (const char *q = a; q < p; q++)
		if (*q == '@')
			at = q;
	if (at)
		a = at + 1;
	uint16_t port;
	tel_split_hostport(a, (size_t)(p - a), host, hlen, &port);
	if (p < end) {
		*path = p;
		*plen = (size_t)(end - p);
	} else {
		*path = "/";
		*plen = 1;
	}
	return true;
}

void tel_strip_dot(const char *s, size_t *n)
{
	if (*n && s[*n - 1] == '.')
		(*n)--;
}

bool tel_addr_slow(const char *s, size_t n, struct net_addr *a)
{
	const char *why;
	return n && net_addr_parse(s, n, a, &why) == 0;
}

int tel_month(const char *s)
{
	static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	char m[3];
	for (int i = 0; i < 3; i++)
		m[i] = (char)(s[i] | 0x20);
	for (int i = 0; i < 12; i++)
		if (!memcmp(names + 3 * i, m, 3))
			return i + 1;
	return 0;
}

int tel_2digits(const char *s)
{
	unsigned a = (unsigned char)s[0] - '0', b = (unsigned char)s[1] - '0';
	return a > 9 || b > 9 ? -1 : (int)(a * 10 + b);
}

int tel_hms(const char *s)
{
	int h = tel_2digits(s), m = tel_2digits(s + 3), sec = tel_2digits(s + 6);
	if (h < 0 || m < 0 || sec < 0 || s[2] != ':' || s[5] != ':' || h > 23 || m > 59 ||
	    sec > 60)
		return SD_EPARSE;
	return h * 3600 + m * 60 + sec;
}
