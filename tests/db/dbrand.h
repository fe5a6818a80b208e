/* Random snapshots for the differential and batch tests: a deterministic
 * generator, random prefixes that overlap on purpose, and a naive model
 * (a plain list of the distinct prefixes) to check queries against. */
#ifndef SD_TESTS_DB_DBRAND_H
#define SD_TESTS_DB_DBRAND_H

#include "testutil.h"

#include "db/builder.h"
#include "db/db.h"

static inline uint64_t rnd_next(uint64_t *s)
{
	uint64_t x = (*s += 0x9e3779b97f4a7c15ull);
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* An address near a few fixed bases, so that random prefixes nest and
 * overlap: IPv4 under 10.0.0.0/8 and 192.0.2.0/24, IPv6 under
 * 2001:db8::/32, and now and then one anywhere. */
static inline void rnd_addr(uint64_t *s, struct net_addr *a)
{
	uint64_t r = rnd_next(s), r2 = rnd_next(s);
	switch (r % 6) {
	case 0:
		net_addr_from_v4(a, 0x0a000000u | (uint32_t)(r2 & 0xffff));
		break;
	case 1:
		net_addr_from_v4(a, 0xc0000200u | (uint32_t)(r2 & 0xff));
		break;
	case 2:
		net_addr_from_v4(a, (uint32_t)r2);
		break;
	case 3:
		net_addr_from_u64(a, 0x20010db800000000ull | ((r2 >> 40) & 0xff),
				  r2 & 0xffff);
		break;
	case 4:
		net_addr_from_u64(a, 0x20010db800000000ull, r2 & 0xff);
		break;
	default:
		net_addr_from_u64(a, r2 | (1ull << 61), rnd_next(s));
		break;
	}
}

/* A random prefix around a random address; lengths favour the ends (/0,
 * /96, host routes) where off-by-one mistakes live. Without wide, /0 and
 * /96 (which cover everything, or all of IPv4) are left out, so that a
 * snapshot also has addresses it does not list. */
static inline void rnd_prefix(uint64_t *s, struct net_prefix *p, bool wide)
{
	rnd_addr(s, &p->addr);
	uint64_t r = rnd_next(s);
	bool v4 = net_addr_is_v4(&p->addr);
	unsigned len;
	switch (r % 8) {
	case 0:
		len = 128;
		break;
	case 1:
		len = v4 ? 96 + (unsigned)(r >> 8) % 33 : (unsigned)(r >> 8) % 129;
		if (!wide && len <= 96)
			len = v4 ? 100 : 97;
		break;
	case 2:
		if (wide)
			len = (unsigned)(r >> 8) % 4 == 0 ? 0 : 96;
		else
			len = v4 ? 104 : 48;
		break;
	case 3:
		len = v4 ? 120 : 64;
		break;
	default:
		len = v4 ? 112 + (unsigned)(r >> 8) % 17 : 100 + (unsigned)(r >> 8) % 29;
		break;
	}
	net_addr_mask(&p->addr, len);
	p->len = (uint8_t)len;
}

struct model_entry {
	struct net_prefix p;
	uint64_t count; /* summed over every sighting added at p */
};

struct model {
	struct model_entry *e;
	size_t n;
};

static inline void model_add(struct model *m, const struct net_prefix *p,
			     uint32_t count)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->e[i].p.len == p->len &&
		    net_addr_cmp(&m->e[i].p.addr, &p->addr) == 0) {
			m->e[i].count += count;
			return;
		}
	m->e = realloc(m->e, (m->n + 1) * sizeof(*m->e));
	assert_non_null(m->e);
	m->e[m->n].p = *p;
	m->e[m->n].count = count;
	m->n++;
}

/* Builds n random sightings (over two campaigns) into path, records them
 * in m and opens the result. */
static inline struct db *rnd_build(uint64_t *s, size_t n, bool wide,
				   const char *path, struct model *m)
{
	struct sd_error err = {0};
	struct db_builder *b = db_builder_new();
	assert_non_null(b);
	uint16_t cid[2];
	struct db_campaign_meta c0 = {.name = "3cx-2023"}, c1 = {.name = "gopuram-2023"};
	assert_int_equal(db_builder_campaign(b, &c0, &cid[0], &err), 0);
	assert_int_equal(db_builder_campaign(b, &c1, &cid[1], &err), 0);
	const char *src = "test";
	uint32_t set;
	assert_int_equal(db_builder_sourceset(b, &src, 1, &set, &err), 0);
	for (size_t i = 0; i < n; i++) {
		struct net_prefix p;
		rnd_prefix(s, &p, wide);
		uint64_t r = rnd_next(s);
		struct db_sighting sg = {.first_seen = 1672531200u + (uint32_t)(r % 1000),
					 .last_seen = 1672631200u,
					 .count = 1 + (uint32_t)(r >> 32) % 50,
					 .campaign = cid[(r >> 16) & 1],
					 .evidence = DB_EV_LIST,
					 .confidence = DB_CONF_LOW,
					 .sources = set};
		if (db_builder_add(b, &p, &sg, &err))
			fail_msg("add: %s", err.msg);
		model_add(m, &p, sg.count);
	}
	if (db_builder_write(b, path, 1700000000, &err))
		fail_msg("write %s: %s", path, err.msg);
	db_builder_free(b);
	struct db *db;
	if (db_open(path, &db, &err))
		fail_msg("open %s: %s", path, err.msg);
	return db;
}

/* Model entries containing p (p itself included), most specific first:
 * writes their indexes to out and returns how many. */
static inline size_t model_cover(const struct model *m, const struct net_prefix *p,
				 size_t *out)
{
	size_t k = 0;
	for (size_t i = 0; i < m->n; i++)
		if (m->e[i].p.len <= p->len && net_prefix_contains(&m->e[i].p, &p->addr))
			out[k++] = i;
	for (size_t i = 1; i < k; i++) { /* by length, descending */
		size_t x = out[i], j = i;
		while (j && m->e[out[j - 1]].p.len < m->e[x].p.len) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = x;
	}
	return k;
}

/* A probe address: mostly inside or next to a model entry, else random. */
static inline void rnd_probe(uint64_t *s, const struct model *m, struct net_addr *a)
{
	uint64_t r = rnd_next(s);
	if (m->n && r % 4 != 0) {
		const struct net_prefix *p = &m->e[(r >> 8) % m->n].p;
		*a = p->addr;
		uint64_t hi = net_addr_hi(a), lo = net_addr_lo(a);
		uint64_t r2 = rnd_next(s);
		switch ((r >> 4) % 4) {
		case 0: /* the first address */
			break;
		case 1: /* the one before */
			if (lo-- == 0)
				hi--;
			break;
		case 2: { /* the last address, then the one after */
			struct net_addr last;
			net_prefix_last(p, &last);
			hi = net_addr_hi(&last);
			lo = net_addr_lo(&last);
			if ((r2 & 1) && ++lo == 0)
				hi++;
			break;
		}
		default: /* somewhere inside */
			if (p->len < 64) {
				hi |= r2 & (~0ull >> p->len);
				lo = rnd_next(s);
			} else if (p->len < 128) {
				lo |= r2 & (~0ull >> (p->len - 64));
			}
			break;
		}
		net_addr_from_u64(a, hi, lo);
		return;
	}
	rnd_addr(s, a);
}

#endif
