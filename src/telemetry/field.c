#include "telemetry/field.h"

#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/timeutil.h"

bool tel_parse_u64(const char *s, size_t n, uint64_t *out)
{
	if (n == 0 || n > 20)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9)
			return false;
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool tel_parse_port(const char *s, size_t n, uint16_t *out)
{
	uint64_t v;
	if (!tel_parse_u64(s, n, &v) || v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

bool tel_parse_epoch(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	if (n && s[0] == 'X') {
		/* btest canonicalises every timestamp to X's: time unknown */
		for (; i < n; i++)
			if (s[i] != 'X' && s[i] != '.')
				return false;
		*out = 0;
		return true;
	}
	int64_t v = 0;
	for (; i < n && s[i] != '.'; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9 || i >= 12)
			return false;
		v = v * 10 + d;
	}
	if (i == 0)
		return false;
	if (i < n) {
		for (size_t j = i + 1; j < n; j++)
			if ((unsigned)((unsigned char)s[j] - '0') > 9)
				return false;
	}
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

void tel_split_hostport(const char *s, size_t n, const char **host,
			size_t *hlen, uint16_t *port)
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
	while (i < n && (s[i] >= 'a' && s[i] <= 'z' ? 1 : s[i] >= 'A' && s[i] <= 'Z' ? 1 :
			 (i && ((s[i] >= '0' && s[i] <= '9') || s[i] == '+' ||
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

bool tel_addr(const char *s, size_t n, struct net_addr *a)
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
		return -1;
	return h * 3600 + m * 60 + sec;
}

size_t tel_syslog_time(const char *s, size_t n, int year, int64_t *out, int *month)
{
	if (n < 15 || s[3] != ' ' || s[6] != ' ')
		return 0;
	int mon = tel_month(s);
	int d = s[4] == ' ' ? tel_2digits((const char[]){'0', s[5]}) : tel_2digits(s + 4);
	int hms = tel_hms(s + 7);
	if (!mon || d < 1 || d > 31 || hms < 0)
		return 0;
	*out = sd_days_from_civil(year, (unsigned)mon, (unsigned)d) * 86400 + hms;
	*month = mon;
	return 15;
}

int tel_default_year(int opt_year, const char *path)
{
	if (opt_year)
		return opt_year;
	struct stat st;
	time_t t = time(NULL);
	if (path && stat(path, &st) == 0 && S_ISREG(st.st_mode))
		t = st.st_mtime;
	struct tm tm;
	gmtime_r(&t, &tm);
	return tm.tm_year + 1900;
}

int tel_year_roll(int *year, int *last_month, int month)
{
	/* a month earlier than the last one (by more than clock skew between
	 * syslog sources): the log went past New Year */
	if (*last_month && month + 1 < *last_month)
		(*year)++;
	*last_month = month;
	return *year;
}
