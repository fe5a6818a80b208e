#include "net/addr.h"

#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/error.h"

void net_addr_from_v4(struct net_addr *a, uint32_t v4)
{
	memset(a->b, 0, 10);
	a->b[10] = 0xff;
	a->b[11] = 0xff;
	a->b[12] = (uint8_t)(v4 >> 24);
	a->b[13] = (uint8_t)(v4 >> 16);
	a->b[14] = (uint8_t)(v4 >> 8);
	a->b[15] = (uint8_t)v4;
}

void net_addr_from_v6(struct net_addr *a, const uint8_t bytes[16])
{
	memcpy(a->b, bytes, 16);
}

static void store_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

void net_addr_from_u64(struct net_addr *a, uint64_t hi, uint64_t lo)
{
	store_be64(a->b, hi);
	store_be64(a->b + 8, lo);
}

int net_addr_cmp(const struct net_addr *a, const struct net_addr *b)
{
	return memcmp(a->b, b->b, 16);
}

int net_prefix_cmp(const struct net_prefix *a, const struct net_prefix *b)
{
	int c = memcmp(a->addr.b, b->addr.b, 16);
	if (c)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

void net_addr_mask(struct net_addr *a, unsigned len)
{
	if (len >= 128)
		return;
	unsigned byte = len / 8, bits = len % 8;
	if (bits) {
		a->b[byte] &= (uint8_t)(0xff00u >> bits);
		byte++;
	}
	memset(a->b + byte, 0, 16 - byte);
}

bool net_addr_has_hostbits(const struct net_addr *a, unsigned len)
{
	struct net_addr m = *a;
	net_addr_mask(&m, len);
	return memcmp(m.b, a->b, 16) != 0;
}

bool net_prefix_contains(const struct net_prefix *p, const struct net_addr *a)
{
	struct net_addr m = *a;
	net_addr_mask(&m, p->len);
	return memcmp(m.b, p->addr.b, 16) == 0;
}

bool net_prefix_contains_prefix(const struct net_prefix *outer,
				const struct net_prefix *inner)
{
	return inner->len >= outer->len && net_prefix_contains(outer, &inner->addr);
}

void net_prefix_last(const struct net_prefix *p, struct net_addr *last)
{
	*last = p->addr;
	for (unsigned i = p->len; i < 128; i++)
		last->b[i / 8] |= (uint8_t)(0x80u >> (i % 8));
}

void net_prefix_host(struct net_prefix *p, const struct net_addr *a)
{
	p->addr = *a;
	p->len = 128;
}

/* Dotted quad, strictly: four decimal parts 0-255 without leading zeros.
 * Leading zeros are refused because inet_aton() reads them as octal, so
 * "010.0.0.1" means 8.0.0.1 to some tools and 10.0.0.1 to others. */
#ifdef __SSE2__
/* The common case, a well-formed dotted quad, without a branch on its
 * digits; false for anything else, which parse_v4 then explains. The
 * bytes are classified 16 at a time and the rules (four parts of 1 to 3
 * digits, no leading zero, at most 255) checked on bit masks: part
 * lengths come in random order in a bulk check, and a parser that
 * branches on each digit mispredicts several times a line. Never accepts
 * what parse_v4 refuses (fuzz_addr checks it against inet_pton). */
static bool parse_v4_fast(const char *s, size_t n, uint32_t *out)
{
	if (n < 7 || n > 15) /* "0.0.0.0" to "255.255.255.255" */
		return false;
	/* the n bytes into 16, zeros after them, without reading past s + n
	 * (x86: little-endian) */
	uint64_t w0, w1 = 0;
	if (n >= 8) {
		uint64_t t;
		memcpy(&w0, s, 8);
		memcpy(&t, s + n - 8, 8);
		/* s[8..n): the last 8 bytes shifted down; >> 1 >> k avoids a
		 * shift by 64 when n is 8 */
		w1 = t >> 1 >> (8 * (16 - n) - 1);
	} else {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + 3, 4);
		w0 = a | (uint64_t)(b >> 8) << 32;
	}
	__m128i v = _mm_set_epi64x((long long)w1, (long long)w0);
	__m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
	__m128i isdig = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
	unsigned digits = (unsigned)_mm_movemask_epi8(isdig);
	unsigned dots =
	    (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')));
	unsigned zeros =
	    (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('0')));
	unsigned all = (1u << n) - 1;
	unsigned d1 = dots & (dots - 1), d2 = d1 & (d1 - 1);
	unsigned bad = (unsigned)((digits | dots) != all) /* a byte past n is neither */
		       | (unsigned)(d2 == 0 || (d2 & (d2 - 1)) != 0) /* not 3 dots */
		       /* an empty part: a dot first, last or after a dot */
		       | (dots & (dots >> 1 | 1u | 1u << (n - 1)))
		       /* a part of 4 digits or more */
		       | (digits & digits >> 1 & digits >> 2 & digits >> 3)
		       /* a part starting with 0 and going on */
		       | (zeros & (dots << 1 | 1u) & digits >> 1);
	if (bad)
		return false;
	/* digit values, 0 at dots, after 3 zero bytes: part ending before
	 * position e has units at D[e + 2], tens at D[e + 1] (0 when the part
	 * has one digit: a dot or the padding) and hundreds at D[e], which
	 * are the part's only when position e - 2 is a digit */
	uint8_t D[3 + 16];
	D[0] = D[1] = D[2] = 0;
	_mm_storeu_si128((void *)(D + 3), _mm_and_si128(d, isdig));
	unsigned dg = digits << 1; /* bit e - 1: position e - 2 is a digit */
	unsigned e[4] = {(unsigned)__builtin_ctz(dots), (unsigned)__builtin_ctz(d1),
			 (unsigned)__builtin_ctz(d2), (unsigned)n};
	uint32_t v4 = 0, over = 0;
#pragma GCC unroll 4
	for (int i = 0; i < 4; i++) {
		unsigned x = e[i];
		uint32_t o =
		    D[x + 2] + 10u * D[x + 1] + 100u * D[x] * ((dg >> (x - 1)) & 1);
		over |= o;
		v4 = v4 << 8 | o;
	}
	if (over > 255)
		return false;
	*out = v4;
	return true;
}
#else
/* The common case, a well-formed dotted quad, in few branches; false for
 * anything else, which parse_v4 then explains. */
static bool parse_v4_fast(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		if (part) {
			if (i >= n || s[i] != '.')
				return false;
			i++;
		}
		unsigned o;
		if (i >= n || (o = (unsigned)(unsigned char)s[i] - '0') > 9)
			return false;
		i++;
		unsigned d;
		if (i < n && (d = (unsigned)(unsigned char)s[i] - '0') <= 9) {
			if (o == 0)
				return false; /* a leading zero */
			o = o * 10 + d;
			i++;
			if (i < n && (d = (unsigned)(unsigned char)s[i] - '0') <= 9) {
				o = o * 10 + d;
				i++;
				if (o > 255)
					return false;
			}
		}
		v = v << 8 | o;
	}
	if (i != n)
		return false;
	*out = v;
	return true;
}
#endif

static int parse_v4(const char *s, size_t n, uint32_t *out, const char **why)
{
	if (parse_v4_fast(s, n, out))
		return 0;
	uint32_t v = 0;
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		if (part > 0) {
			if (i >= n || s[i] != '.') {
				*why = i >= n ? "IPv4 address has fewer than 4 parts"
					      : "unexpected character in IPv4 address";
				return SD_EPARSE;
			}
			i++;
		}
		size_t start = i;
		unsigned octet = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			octet = octet * 10 + (unsigned)(s[i] - '0');
			if (octet > 255) {
				*why = "IPv4 octet greater than 255";
				return SD_EPARSE;
			}
			i++;
		}
		if (i == start) {
			*why = "empty or non-numeric IPv4 octet";
			return SD_EPARSE;
		}
		if (i - start > 1 && s[start] == '0') {
			*why = "IPv4 octet with a leading zero (ambiguous: octal or "
			       "decimal)";
			return SD_EPARSE;
		}
		v = v << 8 | octet;
	}
	if (i != n) {
		*why = s[i] == '.' ? "IPv4 address has more than 4 parts"
				   : "trailing characters after IPv4 address";
		return SD_EPARSE;
	}
	*out = v;
	return 0;
}

/* Without a branch on digit or letter: hex digits come in random order,
 * and the branches mispredicted on every other one. */
static inline int hexval(char c)
{
	unsigned d = (unsigned)(unsigned char)c - '0';
	unsigned l = ((unsigned)(unsigned char)c | 0x20) - 'a';
	return d <= 9 ? (int)d : l <= 5 ? (int)l + 10 : -1;
}

/* The common case, hex groups with at most one "::" and no IPv4 tail, in
 * one pass; false for anything else, which parse_v6 then decides and
 * explains. Never accepts what parse_v6 refuses. */
static bool parse_v6_fast(const char *s, size_t n, uint8_t out[16])
{
	uint16_t g[8];
	int ng = 0, gap = -1;
	size_t i = 0;
	if (n < 2)
		return false;
	if (s[0] == ':') {
		if (s[1] != ':')
			return false;
		gap = 0;
		i = 2;
	}
	while (i < n) {
		size_t start = i;
		unsigned v = 0;
		int h;
		while (i < n && i - start < 4 && (h = hexval(s[i])) >= 0) {
			v = v << 4 | (unsigned)h;
			i++;
		}
		if (i == start || ng == 8)
			return false;
		g[ng++] = (uint16_t)v;
		if (i == n)
			break;
		if (s[i] != ':') /* a fifth digit, an IPv4 tail, a zone, junk */
			return false;
		if (++i == n)
			return false; /* a single ':' at the end */
		if (s[i] == ':') {
			if (gap >= 0)
				return false;
			gap = ng;
			i++;
		}
	}
	if (gap < 0 ? ng != 8 : ng > 7)
		return false;
	int tail = gap < 0 ? 0 : ng - gap, head = ng - tail;
	memset(out, 0, 16);
	for (int k = 0; k < head; k++) {
		out[2 * k] = (uint8_t)(g[k] >> 8);
		out[2 * k + 1] = (uint8_t)g[k];
	}
	for (int k = 0; k < tail; k++) {
		int at = 8 - tail + k;
		out[2 * at] = (uint8_t)(g[head + k] >> 8);
		out[2 * at + 1] = (uint8_t)g[head + k];
	}
	return true;
}

/* RFC 4291 section 2.2: groups of 1-4 hex digits, at most one "::", and an
 * optional dotted IPv4 tail occupying the last 32 bits. */
static int parse_v6(const char *s, size_t n, uint8_t out[16], const char **why)
{
	uint16_t groups[8];
	int ngroups = 0, gap = -1;
	size_t i = 0;

	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	} else if (n >= 1 && s[0] == ':') {
		*why = "IPv6 address starts with a single ':'";
		return SD_EPARSE;
	}
	while (i < n) {
		if (ngroups == 8) {
			*why = "IPv6 address has more than 8 groups";
			return SD_EPARSE;
		}
		size_t start = i;
		unsigned g = 0;
		int h;
		while (i < n && (h = hexval(s[i])) >= 0 && i - start < 5) {
			g = g << 4 | (unsigned)h;
			i++;
		}
		if (i < n && s[i] == '.') {
			/* Embedded IPv4: must be the last 32 bits. */
			uint32_t v4;
			if (ngroups > 6) {
				*why = "embedded IPv4 address does not fit";
				return SD_EPARSE;
			}
			if (parse_v4(s + start, n - start, &v4, why))
				return SD_EPARSE;
			groups[ngroups++] = (uint16_t)(v4 >> 16);
			groups[ngroups++] = (uint16_t)v4;
			i = n;
			break;
		}
		if (i == start) {
			*why = i < n && s[i] == '%'
				   ? "IPv6 zone identifiers are not accepted"
			       : i < n && s[i] == ':'
				   ? "IPv6 address has ':::' or a misplaced '::'"
				   : "unexpected character in IPv6 address";
			return SD_EPARSE;
		}
		if (i - start > 4) {
			*why = "IPv6 group longer than 4 hex digits";
			return SD_EPARSE;
		}
		groups[ngroups++] = (uint16_t)g;
		if (i == n)
			break;
		if (s[i] == '%') {
			*why = "IPv6 zone identifiers are not accepted";
			return SD_EPARSE;
		}
		if (s[i] != ':') {
			*why = "unexpected character in IPv6 address";
			return SD_EPARSE;
		}
		i++;
		if (i < n && s[i] == ':') {
			if (gap >= 0) {
				*why = "IPv6 address has more than one '::'";
				return SD_EPARSE;
			}
			gap = ngroups;
			i++;
		} else if (i == n) {
			*why = "IPv6 address ends with a single ':'";
			return SD_EPARSE;
		}
	}
	if (gap < 0 && ngroups != 8) {
		*why = "IPv6 address has fewer than 8 groups and no '::'";
		return SD_EPARSE;
	}
	if (gap >= 0 && ngroups > 7) {
		*why = "IPv6 '::' must stand for at least one group";
		return SD_EPARSE;
	}
	uint16_t full[8] = {0};
	if (gap < 0) {
		memcpy(full, groups, sizeof(full));
	} else {
		int tail = ngroups - gap;
		memcpy(full, groups, (size_t)gap * 2);
		memcpy(full + 8 - tail, groups + gap, (size_t)tail * 2);
	}
	for (int k = 0; k < 8; k++) {
		out[2 * k] = (uint8_t)(full[k] >> 8);
		out[2 * k + 1] = (uint8_t)full[k];
	}
	return 0;
}

int net_addr_parse(const char *s, size_t n, struct net_addr *out, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	if (n == 0) {
		*why = "empty address";
		return SD_EPARSE;
	}
	if (n > 64) {
		*why = "address text too long";
		return SD_EPARSE;
	}
	uint32_t v4;
	if (parse_v4_fast(s, n, &v4)) { /* the common case first */
		net_addr_from_v4(out, v4);
		return 0;
	}
	if (memchr(s, ':', n)) {
		uint8_t b[16];
		if (parse_v6_fast(s, n, b)) {
			net_addr_from_v6(out, b);
			return 0;
		}
		if (parse_v6(s, n, b, why))
			return SD_EPARSE;
		net_addr_from_v6(out, b);
		return 0;
	}
	if (parse_v4(s, n, &v4, why))
		return SD_EPARSE;
	net_addr_from_v4(out, v4);
	return 0;
}

bool net_addr_parse_dotted_quad(const char *s, size_t n, struct net_addr *out)
{
	uint32_t v4;
	if (!parse_v4_fast(s, n, &v4))
		return false;
	net_addr_from_v4(out, v4);
	return true;
}

int net_prefix_parse(const char *s, size_t n, struct net_prefix *out, unsigned flags,
		     const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	const char *slash = memchr(s, '/', n);
	size_t alen = slash ? (size_t)(slash - s) : n;
	if (net_addr_parse(s, alen, &out->addr, why))
		return SD_EPARSE;
	if (!slash) {
		if (flags & NET_REQUIRE_LENGTH) {
			*why = "prefix length missing";
			return SD_EPARSE;
		}
		out->len = 128;
		return 0;
	}
	bool v4 = !memchr(s, ':', alen);
	unsigned max = v4 ? 32 : 128;
	const char *p = slash + 1, *end = s + n;
	if (p == end) {
		*why = "prefix length missing after '/'";
		return SD_EPARSE;
	}
	if (end - p > 1 && *p == '0') {
		*why = "prefix length with a leading zero";
		return SD_EPARSE;
	}
	unsigned len = 0;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9') {
			*why = "trailing characters after prefix length";
			return SD_EPARSE;
		}
		len = len * 10 + (unsigned)(*p - '0');
		if (len > max) {
			*why = v4 ? "IPv4 prefix length greater than 32"
				  : "IPv6 prefix length greater than 128";
			return SD_ERANGE;
		}
	}
	/* IPv4 lengths count from the mapped prefix ::ffff:0:0/96. */
	out->len = (uint8_t)(v4 ? len + 96 : len);
	if (net_addr_has_hostbits(&out->addr, out->len)) {
		net_addr_mask(&out->addr, out->len);
		if (!(flags & NET_ALLOW_HOSTBITS)) {
			*why = "prefix has host bits set past its length";
			return SD_EHOSTBITS;
		}
	}
	return 0;
}

/* Decimal digits of v (< 1000) at p; returns the end. */
static char *put_dec(char *p, unsigned v)
{
	if (v >= 100)
		*p++ = (char)('0' + v / 100);
	if (v >= 10)
		*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

/* The decimal form of every octet, its length in the last byte: an IPv4
 * address is then four table reads and four 4-byte copies, without the
 * branches on the octet's size that random addresses mispredict (bulk
 * check formats one or two addresses per query). */
#define OCT_D(v, k) ((char)('0' + (v) / (k) % 10))
#define OCT(v)                                                                           \
	{                                                                                \
		(v) >= 100  ? OCT_D(v, 100)                                              \
		: (v) >= 10 ? OCT_D(v, 10)                                               \
			    : OCT_D(v, 1),                                               \
		    (v) >= 100	? OCT_D(v, 10)                                           \
		    : (v) >= 10 ? OCT_D(v, 1)                                            \
				: 0,                                                     \
		    (v) >= 100 ? OCT_D(v, 1) : 0,                                        \
		    (v) >= 100	? 3                                                      \
		    : (v) >= 10 ? 2                                                      \
				: 1                                                      \
	}
#define OCT4(v) OCT(v), OCT((v) + 1), OCT((v) + 2), OCT((v) + 3)
#define OCT16(v) OCT4(v), OCT4((v) + 4), OCT4((v) + 8), OCT4((v) + 12)
#define OCT64(v) OCT16(v), OCT16((v) + 16), OCT16((v) + 32), OCT16((v) + 48)
static const char octet_dec[256][4] = {OCT64(0), OCT64(64), OCT64(128), OCT64(192)};

/* The octet's digits at p (writing 4 bytes: p must have room for one past
 * them); returns the end of the digits. */
static char *put_octet(char *p, uint8_t v)
{
	memcpy(p, octet_dec[v], 4);
	return p + octet_dec[v][3];
}

/* Lowercase hex of v without leading zeros, as %x writes it. */
static char *put_hex(char *p, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	int shift = 12;
	while (shift > 0 && !(v >> shift))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		*p++ = hex[v >> shift & 15];
	return p;
}

/* Copies the n formatted bytes of tmp into buf as snprintf would: NUL
 * terminated, cut to size - 1; returns n. Every writer here formats into a
 * buffer of NET_PREFIX_STRLEN first, so a short buf is safe. */
static size_t emit(char *buf, size_t size, const char *tmp, size_t n)
{
	if (size) {
		size_t k = n < size - 1 ? n : size - 1;
		memcpy(buf, tmp, k);
		buf[k] = '\0';
	}
	return n;
}

static size_t format_addr(const struct net_addr *a, char *out)
{
	char *p = out;
	if (net_addr_is_v4(a)) {
		p = put_octet(p, a->b[12]);
		*p++ = '.';
		p = put_octet(p, a->b[13]);
		*p++ = '.';
		p = put_octet(p, a->b[14]);
		*p++ = '.';
		p = put_octet(p, a->b[15]);
		return (size_t)(p - out);
	}
	uint16_t g[8];
	for (int i = 0; i < 8; i++)
		g[i] = (uint16_t)(a->b[2 * i] << 8 | a->b[2 * i + 1]);
	/* RFC 5952 4.2: compress the longest run of two or more zero groups,
	 * the first one on a tie. */
	int best = -1, best_len = 0;
	for (int i = 0; i < 8;) {
		if (g[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && !g[j])
			j++;
		if (j - i > best_len && j - i >= 2) {
			best = i;
			best_len = j - i;
		}
		i = j;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			*p++ = ':';
			*p++ = ':';
			i += best_len - 1;
			continue;
		}
		if (i > 0 && i != best + best_len)
			*p++ = ':';
		p = put_hex(p, g[i]);
	}
	return (size_t)(p - out);
}

size_t net_addr_format(const struct net_addr *a, char *buf, size_t size)
{
	if (size >= NET_ADDR_STRLEN) { /* room for any address: no copy */
		size_t n = format_addr(a, buf);
		buf[n] = '\0';
		return n;
	}
	char tmp[NET_PREFIX_STRLEN];
	size_t n = format_addr(a, tmp);
	return emit(buf, size, tmp, n);
}

size_t net_prefix_format(const struct net_prefix *p, char *buf, size_t size)
{
	char tmp[NET_PREFIX_STRLEN];
	size_t n = format_addr(&p->addr, tmp);
	tmp[n++] = '/';
	n = (size_t)(put_dec(tmp + n, net_prefix_is_v4(p) ? p->len - 96u : p->len) - tmp);
	return emit(buf, size, tmp, n);
}
