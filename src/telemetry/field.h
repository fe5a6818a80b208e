/* Small parsers shared by the text readers: numbers, epoch times, protocol
 * names, host:port and URLs. All take (pointer, length) slices of a line
 * and never allocate. */
#ifndef SD_TELEMETRY_FIELD_H
#define SD_TELEMETRY_FIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/addr.h"

/* Most answers one record carries; further answers of a record are left
 * out (they only help the matcher learn addresses, never decide a match). */
#define TEL_MAX_ANSWERS 32

/* Decimal digits only; false on empty, junk or overflow. Inline: the
 * readers call it several times per line. */
static inline bool tel_parse_u64(const char *s, size_t n, uint64_t *out)
{
	if (n == 0 || n > 20)
		return false;
	uint64_t v = 0;
	if (n < 20) { /* cannot overflow */
		for (size_t i = 0; i < n; i++) {
			unsigned d = (unsigned)((unsigned char)s[i] - '0');
			if (d > 9)
				return false;
			v = v * 10 + d;
		}
		*out = v;
		return true;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)((unsigned char)s[i] - '0');
		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}
static inline bool tel_parse_port(const char *s, size_t n, uint16_t *out)
{
	uint64_t v;
	if (n > 5 || !tel_parse_u64(s, n, &v) || v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}
/* The value of eight ASCII digits loaded as a little-endian word (SWAR, as
 * simdjson does): false unless all eight bytes are digits. */
static inline bool tel_digits8_value(uint64_t x, uint64_t *val)
{
	if ((x & 0xf0f0f0f0f0f0f0f0ull) != 0x3030303030303030ull ||
	    ((x + 0x0606060606060606ull) & 0xf0f0f0f0f0f0f0f0ull) !=
		0x3030303030303030ull)
		return false;
	x = (x & 0x0f0f0f0f0f0f0f0full) * 2561 >> 8;
	x = (x & 0x00ff00ff00ff00ffull) * 6553601 >> 16;
	*val = (x & 0x0000ffff0000ffffull) * 42949672960001ull >> 32;
	return true;
}
/* tel_parse_u64 for a slice inside a longer buffer that ends at limit:
 * up to eight digits read as one 8-byte word (SWAR), without the branch
 * per digit that mispredicts on numbers of random lengths. Accepts exactly
 * what tel_parse_u64 accepts (fuzz_zeek_fields checks it). */
static inline __attribute__((always_inline)) bool
tel_parse_u64_wide(const char *s, size_t n, const char *limit, uint64_t *out)
{
	if (n - 1 >= 8 || limit - s < 8)
		return tel_parse_u64(s, n, out);
	uint64_t x;
	memcpy(&x, s, 8);
	/* the digits to the top bytes (little-endian: the last digit in
	 * byte 7), '0's below them */
	unsigned shift = 8 * (8 - (unsigned)n);
	if (shift)
		x = x << shift | (0x3030303030303030ull >> (64 - shift));
	return tel_digits8_value(x, out);
}
/* tel_parse_port the same way (both always inlined: a reader calls them
 * for every line, from a function too large for the compiler to inline
 * them on its own) */
static inline __attribute__((always_inline)) bool
tel_parse_port_wide(const char *s, size_t n, const char *limit, uint16_t *out)
{
	uint64_t v;
	if (n - 1 >= 5 || limit - s < 8)
		return tel_parse_port(s, n, out);
	if (!tel_parse_u64_wide(s, n, limit, &v) || v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}
/* Epoch seconds with an optional fraction ("1521911720.865716"); the
 * fraction is dropped. Zeek btest's canonical "XXXXXXXXXX.XXXXXX" gives 0
 * (unknown) and true. */
bool tel_parse_epoch(const char *s, size_t n, int64_t *out);
/* Zeek's own layout of an epoch time, ten digits, a dot and six, in two
 * 8-byte checks (the second sees the dot as a '0'); false for any other
 * text, which tel_parse_epoch then decides. */
static inline bool tel_parse_epoch_zeek(const char *s, size_t n, int64_t *out)
{
	const unsigned char *p = (const unsigned char *)s;
	uint64_t x, eight, frac;
	unsigned d;
	if (__BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__ || n != 17 || p[10] != '.')
		return false;
	memcpy(&x, p, 8);
	if (!tel_digits8_value(x, &eight))
		return false;
	memcpy(&x, p + 9, 8);
	x = (x & ~0xff00ull) | 0x3000ull; /* byte 1 is the dot: little-endian */
	if (!tel_digits8_value(x, &frac) || (d = (unsigned)(p[8] - '0')) > 9)
		return false;
	*out = (int64_t)(eight * 100 + d * 10 + (unsigned)(p[9] - '0'));
	return true;
}
/* tel_parse_epoch with Zeek's layout decoded inline, for a reader's hot
 * path */
static inline bool tel_parse_epoch_inline(const char *s, size_t n, int64_t *out)
{
	return tel_parse_epoch_zeek(s, n, out) || tel_parse_epoch(s, n, out);
}
/* Epoch or any form sd_time_parse accepts. */
bool tel_parse_time(const char *s, size_t n, int64_t *out, const char **why);
/* "tcp", "UDP", "icmp", "ipv6-icmp", or a number; 0 when unknown. */
uint8_t tel_proto(const char *s, size_t n);
/* tel_proto with "tcp" and "udp" (any case) decided inline */
static inline uint8_t tel_proto_inline(const char *s, size_t n)
{
	if (n == 3 && (s[0] | 0x20) == 't' && (s[1] | 0x20) == 'c' &&
	    (s[2] | 0x20) == 'p')
		return 6;
	if (n == 3 && (s[0] | 0x20) == 'u' && (s[1] | 0x20) == 'd' &&
	    (s[2] | 0x20) == 'p')
		return 17;
	return tel_proto(s, n);
}
/* Splits "host", "host:port", "[v6]:port" or a bare IPv6 literal into host
 * and optional port (0 when absent). false when a port follows and is not
 * a number 0-65535 (the port is then 0; host is set all the same). */
bool tel_split_hostport(const char *s, size_t n, const char **host, size_t *hlen,
			uint16_t *port);
/* "scheme://[user@]host[:port]/path?q" -> host and path ("/" when absent).
 * false if s is not an absolute URL. */
bool tel_split_url(const char *s, size_t n, const char **host, size_t *hlen,
		   const char **path, size_t *plen);
/* Drops one trailing '.' (an SNI or query written as an FQDN). */
void tel_strip_dot(const char *s, size_t *n);
/* Address text, trimming nothing; false when not an address. A strict
 * dotted quad is decoded inline (the common case in every log); anything
 * else goes to net_addr_parse, which has the last word. */
bool tel_addr_slow(const char *s, size_t n, struct net_addr *a);
static inline bool tel_addr(const char *s, size_t n, struct net_addr *a)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	uint32_t v = 0;
	if (n < 7 || n > 15)
		return tel_addr_slow(s, n, a);
	for (int part = 0;; part++) {
		/* 1-3 digits, no leading zero, at most 255 */
		unsigned o = (unsigned)(*p - '0'), d;
		if (o > 9)
			return tel_addr_slow(s, n, a);
		p++;
		if (p < e && (d = (unsigned)(*p - '0')) <= 9) {
			if (o == 0)
				return tel_addr_slow(s, n, a);
			o = o * 10 + d;
			p++;
			if (p < e && (d = (unsigned)(*p - '0')) <= 9) {
				o = o * 10 + d;
				p++;
				if (o > 255)
					return tel_addr_slow(s, n, a);
			}
		}
		v = v << 8 | o;
		if (part == 3)
			break;
		if (p >= e || *p != '.' || ++p >= e)
			return tel_addr_slow(s, n, a);
	}
	if (p != e)
		return tel_addr_slow(s, n, a);
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	memcpy(a->b, mapped, 12);
	a->b[12] = (uint8_t)(v >> 24);
	a->b[13] = (uint8_t)(v >> 16);
	a->b[14] = (uint8_t)(v >> 8);
	a->b[15] = (uint8_t)v;
	return true;
}

/* Address text with SSSE3, for the readers' hot path: a dotted quad of 7
 * to 15 bytes with 16 readable from s (each part's digits shuffled into a
 * lane and multiplied-added, no branch on the lengths of the parts, which
 * random addresses mispredicted in tel_addr's byte loop), and IPv6 hex
 * groups with at most one "::" when 48 bytes are readable (the groups
 * found from bit masks of colons and hex digits). Anything else goes to
 * tel_addr. Call only where tel_have_ssse3() is true. */
bool tel_addr_ssse3(const char *s, size_t n, size_t readable, struct net_addr *a);
static inline bool tel_have_ssse3(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
	return __builtin_cpu_supports("ssse3");
#else
	return false;
#endif
}
/* tel_addr for a slice inside a longer buffer that ends at limit (a field
 * of a line): accepts exactly what tel_addr accepts (fuzz_zeek_fields
 * checks both against net_addr_parse). */
static inline bool tel_addr_wide(const char *s, size_t n, const char *limit,
				 struct net_addr *a)
{
	if (n >= 2 && n <= 39 && limit - s >= 16 && tel_have_ssse3())
		return tel_addr_ssse3(s, n, (size_t)(limit - s), a);
	return tel_addr(s, n, a);
}

/* Splits s[from..len) on sep, where from starts column first: e[k]
 * becomes the offset of the separator that ends column k (len for the
 * last column) for k = first..want, and the columns past want are only
 * counted. Returns the number of columns of the whole line. e needs room
 * for want + 33 entries: a 32-byte block may run past want. */
int tel_split_fields(const char *s, size_t len, char sep, size_t from, int first,
		     uint32_t *e, int want);

/* "Jan".."Dec" (case-insensitive) -> 1..12, 0 otherwise; reads 3 bytes. */
int tel_month(const char *s);
/* Two digits -> 0..99, -1 otherwise. */
int tel_2digits(const char *s);
/* "HH:MM:SS" at s (8 bytes available) -> seconds of the day, SD_EPARSE if bad. */
int tel_hms(const char *s);

#endif
