/* Random snapshots for the export tests: IPv4 and IPv6 entries of mixed
 * lengths, clustered so that prefixes overlap (a /32 inside a /24 inside a
 * /16), several campaigns per key, all through the real builder. */
#ifndef SD_TESTS_EXPORT_SNAPGEN_H
#define SD_TESTS_EXPORT_SNAPGEN_H

#include "db/builder.h"
#include "db/db.h"

static uint64_t sg_state = 88172645463325252ull;
static inline uint64_t sg_rand(void)
{
	sg_state ^= sg_state << 13;
	sg_state ^= sg_state >> 7;
	sg_state ^= sg_state << 17;
	return sg_state;
}

/* A random address near the clusters the generator uses. */
static inline void sg_addr(struct net_addr *a, int v4)
{
	if (v4) {
		/* 4 clusters of /16 so that lengths 8..32 overlap often */
		static const uint32_t base[4] = {0xc0000200u, 0xc6336400u, 0xcb007100u,
						 0x0a000000u};
		net_addr_from_v4(a, (base[sg_rand() % 4] & 0xffff0000u) |
					(uint32_t)(sg_rand() & 0xffff));
	} else {
		uint64_t hi =
		    0x20010db800000000ull | ((sg_rand() % 4) << 16) | (sg_rand() & 0xff);
		net_addr_from_u64(a, hi, sg_rand() % 3 ? sg_rand() & 0xffff : sg_rand());
	}
}

static inline void sg_prefix(struct net_prefix *p)
{
	int v4 = sg_rand() % 3 != 0;
	sg_addr(&p->addr, v4);
	static const uint8_t l4[] = {96 + 32, 96 + 32, 96 + 32, 96 + 24,
				     96 + 28, 96 + 16, 96 + 31, 96 + 8};
	static const uint8_t l6[] = {128, 128, 64, 48, 56, 127, 40, 96};
	p->len = v4 ? l4[sg_rand() % 8] : l6[sg_rand() % 8];
	net_addr_mask(&p->addr, p->len);
}

/* Builds n random entries (plus the extra prefixes given) into path. */
static inline int sg_build(const char *path, size_t n, const struct net_prefix *extra,
			   size_t nextra, struct sd_error *err)
{
	static const char *const names[] = {"3cx-2023", "gopuram-2023", "other-2024"};
	struct db_builder *b = db_builder_new();
	uint16_t cid[3];
	uint32_t set;
	const char *src[] = {"test-list"};
	int rc = 0;
	for (int i = 0; i < 3 && !rc; i++) {
		struct db_campaign_meta m = {
		    .name = names[i], .title = "T", .advisory = "https://example.org/a"};
		rc = db_builder_campaign(b, &m, &cid[i], err);
	}
	if (!rc)
		rc = db_builder_sourceset(b, src, 1, &set, err);
	for (size_t i = 0; i < n + nextra && !rc; i++) {
		struct net_prefix p;
		if (i < nextra)
			p = extra[i];
		else
			sg_prefix(&p);
		struct db_sighting s = {
		    .first_seen = 1679400000u + (uint32_t)(sg_rand() % 100000),
		    .count = 1 + (uint32_t)(sg_rand() % 50),
		    .campaign = cid[sg_rand() % 3],
		    .evidence = (uint8_t)(1u << (sg_rand() % 5)),
		    .confidence = (uint8_t)(1 + sg_rand() % 3),
		    .sources = set,
		};
		s.last_seen = s.first_seen + (uint32_t)(sg_rand() % 100000);
		rc = db_builder_add(b, &p, &s, err);
	}
	if (!rc)
		rc = db_builder_write(b, path, 1700000000u, err);
	db_builder_free(b);
	return rc;
}

#endif
