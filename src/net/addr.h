/* Addresses and prefixes: one representation for both families.
 *
 * Every address is 128 bits in network byte order. IPv4 addresses are held
 * as IPv4-mapped IPv6 (::ffff:a.b.c.d, RFC 4291 2.5.5.2) and prefix lengths
 * are counted in the 128-bit space, so 192.0.2.0/24 is ::ffff:192.0.2.0/120.
 * This is the one rule used everywhere: comparisons, containment and the
 * snapshot never need to ask which family they hold, and ::ffff:0:0/96 and
 * 0.0.0.0/0 are the same prefix. Formatting turns mapped addresses (and
 * prefixes of length >= 96 inside ::ffff:0:0/96) back into dotted IPv4. */
#ifndef SD_NET_ADDR_H
#define SD_NET_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define NET_ADDR_STRLEN 46   /* longest formatted address plus NUL */
#define NET_PREFIX_STRLEN 50 /* plus "/128" */

struct net_addr {
	uint8_t b[16];
};

struct net_prefix {
	struct net_addr addr;
	uint8_t len; /* 0..128, in the 128-bit space */
};

enum net_parse_flags {
	/* Accept a prefix with bits set past its length by clearing them;
	 * without it such a prefix is refused with SD_EHOSTBITS. */
	NET_ALLOW_HOSTBITS = 1,
	/* Refuse a bare address where a prefix is expected. */
	NET_REQUIRE_LENGTH = 2,
};

/* Parses exactly n bytes of s (no NUL needed). On failure returns an
 * sd_err code and points *why at a static sentence saying what is wrong. */
int net_addr_parse(const char *s, size_t n, struct net_addr *out, const char **why);

/* The common case of net_addr_parse alone: true (and *out set) when s is
 * a strict dotted quad, which is also exactly how net_addr_format prints
 * that address; false for anything else, which net_addr_parse then
 * accepts in another form or explains. */
bool net_addr_parse_dotted_quad(const char *s, size_t n, struct net_addr *out);

/* "a.b.c.d/n", "x::/n" or a bare address (a host prefix, /32 or /128).
 * Returns SD_EHOSTBITS (with *out masked) when host bits are set and
 * NET_ALLOW_HOSTBITS is not given. */
int net_prefix_parse(const char *s, size_t n, struct net_prefix *out, unsigned flags,
		     const char **why);

/* RFC 5952 text (dotted quad for IPv4-mapped). Returns the length written;
 * size must be at least NET_ADDR_STRLEN / NET_PREFIX_STRLEN. */
size_t net_addr_format(const struct net_addr *a, char *buf, size_t size);
size_t net_prefix_format(const struct net_prefix *p, char *buf, size_t size);

static inline bool net_addr_is_v4(const struct net_addr *a)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return memcmp(a->b, mapped, sizeof(mapped)) == 0; /* two loads, inlined */
}

static inline bool net_prefix_is_v4(const struct net_prefix *p)
{
	return p->len >= 96 && net_addr_is_v4(&p->addr);
}

/* The shortest prefixes taken without being asked (--allow-broad): a
 * shorter one covers a large part of the Internet (0.0.0.0/0 all of it),
 * and in a block list or a victim list it stands for everyone. */
#define NET_BROAD_V4 8
#define NET_BROAD_V6 16
#define NET_BROAD_WHY                                                                    \
	"prefix broader than /8 (IPv4) or /16 (IPv6) refused: it covers a large "        \
	"part of the Internet (--allow-broad takes it)"
static inline bool net_prefix_is_broad(const struct net_prefix *p)
{
	return net_prefix_is_v4(p) ? p->len - 96u < NET_BROAD_V4 : p->len < NET_BROAD_V6;
}

/* Length as the user writes it: 0..32 for IPv4, 0..128 for IPv6. */
static inline unsigned net_prefix_display_len(const struct net_prefix *p)
{
	return net_prefix_is_v4(p) ? p->len - 96u : p->len;
}

static inline uint32_t net_addr_v4(const struct net_addr *a)
{
	return (uint32_t)a->b[12] << 24 | (uint32_t)a->b[13] << 16 |
	       (uint32_t)a->b[14] << 8 | a->b[15];
}

void net_addr_from_v4(struct net_addr *a, uint32_t v4);
void net_addr_from_v6(struct net_addr *a, const uint8_t bytes[16]);

/* Big-endian halves, for fast comparison and hashing. Inline: the
 * matcher takes both halves of two addresses per flow record. */
static inline uint64_t net_addr_hi(const struct net_addr *a)
{
	uint64_t v;
	memcpy(&v, a->b, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}
static inline uint64_t net_addr_lo(const struct net_addr *a)
{
	uint64_t v;
	memcpy(&v, a->b + 8, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}
void net_addr_from_u64(struct net_addr *a, uint64_t hi, uint64_t lo);

int net_addr_cmp(const struct net_addr *a, const struct net_addr *b);
/* Orders by address, then by length (shorter, i.e. wider, first). */
int net_prefix_cmp(const struct net_prefix *a, const struct net_prefix *b);

/* Clears bits past len. */
void net_addr_mask(struct net_addr *a, unsigned len);
bool net_addr_has_hostbits(const struct net_addr *a, unsigned len);
bool net_prefix_contains(const struct net_prefix *p, const struct net_addr *a);
bool net_prefix_contains_prefix(const struct net_prefix *outer,
				const struct net_prefix *inner);
/* Last address inside p. */
void net_prefix_last(const struct net_prefix *p, struct net_addr *last);
void net_prefix_host(struct net_prefix *p, const struct net_addr *a);

#endif
