#include "telemetry/field.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <tmmintrin.h>
#endif

#include "core/timeutil.h"

/* Eight ASCII digits at p at once: false unless all eight are digits. */
static inline bool digits8(const unsigned char *p, uint64_t *val)
{
	uint64_t x;
	memcpy(&x, p, 8);
	return tel_digits8_value(x, val);
}

bool tel_parse_epoch(const char *s, size_t n, int64_t *out)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	int64_t v = 0;
	unsigned d;
	uint64_t eight;
	if (tel_parse_epoch_zeek(s, n, out))
		return true;
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

bool tel_split_hostport(const char *s, size_t n, const char **host, size_t *hlen,
			uint16_t *port)
{
	*port = 0;
	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (close) {
			*host = s + 1;
			*hlen = (size_t)(close - s - 1);
			size_t rest = n - (size_t)(close - s) - 1;
			if (rest > 1 && close[1] == ':' &&
			    !tel_parse_port(close + 2, rest - 1, port)) {
				*port = 0;
				return false;
			}
			return true;
		}
	}
	const char *colon = memchr(s, ':', n);
	if (colon && !memchr(colon + 1, ':', n - (size_t)(colon - s) - 1)) {
		*host = s;
		*hlen = (size_t)(colon - s);
		if (!tel_parse_port(colon + 1, n - *hlen - 1, port)) {
			*port = 0;
			return false;
		}
		return true;
	}
	/* no colon, or several (a bare IPv6 literal) */
	*host = s;
	*hlen = n;
	return true;
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

/* a 32-bit popcount without the libgcc call the baseline x86-64 target
 * makes of __builtin_popcount */
static inline int bits32(uint32_t x)
{
	x = x - ((x >> 1) & 0x55555555u);
	x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
	x = (x + (x >> 4)) & 0x0f0f0f0fu;
	return (int)((x * 0x01010101u) >> 24);
}

/* The hot loop of the TSV readers: separators are found 32 bytes at a
 * time with SSE2 (which every x86-64 has), and past the last wanted column
 * they are only counted. */
int tel_split_fields(const char *s, size_t len, char sep, size_t from, int first,
		     uint32_t *e, int want)
{
	int n = first;
	size_t i = from;
#ifdef __SSE2__
	const __m128i vs = _mm_set1_epi8(sep);
	for (; i + 32 <= len; i += 32) {
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 16));
		uint32_t m = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a, vs)) |
			     (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, vs)) << 16;
		if (n > want) {
			n += bits32(m);
			continue;
		}
		uint32_t *o = e + n;
		for (; m; m &= m - 1)
			*o++ = (uint32_t)i + (uint32_t)__builtin_ctz(m);
		n = (int)(o - e);
	}
	/* the tail: the last 32 bytes of the line again, without the ones
	 * already seen (a byte loop there mispredicts on every separator) */
	if (i < len && len >= 32) {
		size_t base = len - 32;
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + base));
		__m128i b =
		    _mm_loadu_si128((const __m128i *)(const void *)(s + base + 16));
		uint32_t m = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a, vs)) |
			     (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, vs)) << 16;
		m >>= i - base; /* 1 to 31: the loop above stopped past base */
		if (n > want) {
			n += bits32(m);
		} else {
			uint32_t *o = e + n;
			for (; m; m &= m - 1)
				*o++ = (uint32_t)i + (uint32_t)__builtin_ctz(m);
			n = (int)(o - e);
		}
		i = len;
	}
#endif
	for (; i < len; i++)
		if (s[i] == sep) {
			if (n <= want)
				e[n] = (uint32_t)i;
			n++;
		}
	if (n <= want)
		e[n] = (uint32_t)len;
	return n + 1;
}

#if defined(__x86_64__) && defined(__GNUC__)
static inline unsigned bits64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* The 81 layouts of a dotted quad (four parts of 1 to 3 digits), each
 * keyed by the mask of its dots and its length: a multiplicative hash
 * (QUAD_MAGIC, found by search) gives each its own slot of 256, which
 * holds the key and the shuffle that puts part k's digits into bytes
 * 1..3 of lane k (bytes before a short part's first digit, and byte 0 of
 * each lane, zero). One look-up replaces finding the dots one by one and
 * checking the parts' lengths. */
#define QUAD_MAGIC 0x48e772bbu
static uint32_t quad_key[256];
static uint8_t quad_shuf[256][16] __attribute__((aligned(16)));

static inline unsigned quad_slot(uint32_t key)
{
	return (key * QUAD_MAGIC) >> 24;
}

/* built before main (no reader thread can race it); a collision would be
 * a wrong QUAD_MAGIC, which the tests would show at once */
__attribute__((constructor)) static void quad_layouts(void)
{
	for (unsigned l = 0; l < 81; l++) {
		unsigned len[4] = {l / 27 % 3 + 1, l / 9 % 3 + 1, l / 3 % 3 + 1,
				   l % 3 + 1};
		unsigned first[4], at = 0;
		uint32_t dots = 0;
		for (int k = 0; k < 4; k++) {
			first[k] = at;
			at += len[k];
			if (k < 3)
				dots |= 1u << at++;
		}
		uint32_t key = dots | at << 16; /* at: the length of the text */
		unsigned slot = quad_slot(key);
		if (quad_key[slot])
			abort();
		quad_key[slot] = key;
		memset(quad_shuf[slot], 0x80, 16);
		for (unsigned k = 0; k < 4; k++)
			for (unsigned j = 0; j < len[k]; j++)
				quad_shuf[slot][4 * k + 4 - len[k] + j] =
				    (uint8_t)(first[k] + j);
	}
}

/* a dotted quad; false when the text is not one of the simple form */
__attribute__((target("ssse3"), always_inline)) static inline bool
quad_ssse3(const char *s, size_t n, struct net_addr *a)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
	uint32_t live = (1u << n) - 1;
	uint32_t dots =
	    (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.'))) & live;
	uint32_t digits = (uint32_t)_mm_movemask_epi8(
			      _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d)) &
			  live;
	uint32_t zeros =
	    (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(d, _mm_setzero_si128())) & live;
	uint32_t key = dots | (uint32_t)n << 16;
	unsigned slot = quad_slot(key);
	/* one of the 81 layouts, digits everywhere else, and no part of two
	 * or more that starts with a zero (a zero digit followed by a digit
	 * and not preceded by one) */
	if ((quad_key[slot] ^ key) | (digits ^ (live & ~dots)) |
	    (zeros & (digits >> 1) & ~(digits << 1)))
		return false;
	__m128i g = _mm_shuffle_epi8(
	    d, _mm_load_si128((const __m128i *)(const void *)quad_shuf[slot]));
	/* bytes 0, hundreds, tens, units times 0, 100, 10, 1 */
	__m128i w = _mm_maddubs_epi16(g, _mm_set1_epi32(0x010a6400));
	__m128i val = _mm_madd_epi16(w, _mm_set1_epi16(1));
	if (_mm_movemask_epi8(_mm_cmpgt_epi32(val, _mm_set1_epi32(255))))
		return false; /* an octet over 255 */
	val = _mm_packs_epi32(val, val);
	val = _mm_packus_epi16(val, val);
	uint32_t quad = (uint32_t)_mm_cvtsi128_si32(val);
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	memcpy(a->b, mapped, 12);
	memcpy(a->b + 12, &quad, 4); /* lane 0 is the first octet */
	return true;
}

/* 16 bytes: bit masks of colons and hex digits, and each digit's value */
__attribute__((target("ssse3"))) static inline void hex16(const char *s, uint8_t *nib,
							  uint64_t *colons, uint64_t *hex)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
	__m128i l =
	    _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
	__m128i isd = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
	__m128i isl = _mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(5)), l);
	__m128i val =
	    _mm_or_si128(_mm_and_si128(d, isd),
			 _mm_and_si128(_mm_add_epi8(l, _mm_set1_epi8(10)), isl));
	_mm_storeu_si128((__m128i *)(void *)nib, val);
	*colons =
	    (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(':')));
	*hex = (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_or_si128(isd, isl));
}

/* IPv6 hex groups with at most one "::"; false for anything else (an IPv4
 * tail, a zone, junk), which net_addr_parse then decides */
__attribute__((target("ssse3"))) static bool hex6_ssse3(const char *s, size_t n,
							struct net_addr *a)
{
	/* four bytes before the digits so a short group reads zeros */
	uint8_t nib[4 + 48];
	memset(nib, 0, 4);
	uint64_t c0, c1, c2, h0, h1, h2;
	hex16(s, nib + 4, &c0, &h0);
	hex16(s + 16, nib + 20, &c1, &h1);
	hex16(s + 32, nib + 36, &c2, &h2);
	uint64_t live = (1ull << n) - 1;
	uint64_t col = (c0 | c1 << 16 | c2 << 32) & live;
	uint64_t hex = (h0 | h1 << 16 | h2 << 32) & live;
	uint64_t dbl = col & (col >> 1); /* bit i: colons at i and i + 1 */
	uint64_t starts = hex & ~(hex << 1), ends = hex & ~(hex >> 1);
	unsigned ng = bits64(starts);
	/* only digits and colons; groups of 1 to 4 digits; no ":::" and at
	 * most one "::"; no single colon at either end; 8 groups, or fewer
	 * around a "::" */
	uint64_t bad =
	    ((col | hex) ^ live) | (hex & hex >> 1 & hex >> 2 & hex >> 3 & hex >> 4) |
	    (dbl & dbl >> 1) | (dbl & (dbl - 1)) | ((col & 1) && !(col & 2)) |
	    ((col >> (n - 1) & 1) && !(col >> (n - 2) & 1)) | (dbl ? ng > 7 : ng != 8);
	if (bad)
		return false;
	/* the groups before the "::" stay at the front, the rest go to
	 * the back */
	unsigned head = dbl ? bits64(starts & (dbl - 1)) : ng;
	uint16_t g[8] = {0};
	for (unsigned k = 0; k < ng; k++) {
		unsigned st = (unsigned)__builtin_ctzll(starts);
		unsigned en = (unsigned)__builtin_ctzll(ends) + 1;
		starts &= starts - 1;
		ends &= ends - 1;
		uint32_t w;
		memcpy(&w, nib + en, 4); /* nibbles en-4 .. en-1 */
		w &= ~0u << (8 * (4 - (en - st)));
		uint32_t t = ((w << 4) | (w >> 8)) & 0x00ff00ffu;
		g[k < head ? k : 8 - ng + k] = (uint16_t)((t & 0xff) << 8 | t >> 16);
	}
	for (int k = 0; k < 8; k++) {
		a->b[2 * k] = (uint8_t)(g[k] >> 8);
		a->b[2 * k + 1] = (uint8_t)g[k];
	}
	return true;
}

/* tel_addr_ssse3 past a dotted quad: kept out of line, as its stack
 * array would give the quad's path a frame and a stack canary */
__attribute__((target("ssse3"), noinline)) static bool
addr_not_quad(const char *s, size_t n, size_t readable, struct net_addr *a)
{
	if (n >= 2 && n <= 39 && readable >= 48 && hex6_ssse3(s, n, a))
		return true;
	return tel_addr(s, n, a);
}

__attribute__((target("ssse3"))) bool tel_addr_ssse3(const char *s, size_t n,
						     size_t readable, struct net_addr *a)
{
	if (n >= 7 && n <= 15 && quad_ssse3(s, n, a))
		return true;
	return addr_not_quad(s, n, readable, a);
}
#else
bool tel_addr_ssse3(const char *s, size_t n, size_t readable, struct net_addr *a)
{
	(void)readable;
	return tel_addr(s, n, a);
}
#endif
