/* Benchmark input: a snapshot of N random entries through the real builder.
 * 90% IPv4 addresses over the whole space, 10% IPv6 /64s and /128s under
 * 2001:db8::/32-like random prefixes, one campaign, seeded.
 * usage: export_gen N OUT.sdb */
#include <stdio.h>
#include <stdlib.h>

#include "db/builder.h"

static uint64_t st = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	st ^= st << 13;
	st ^= st >> 7;
	st ^= st << 17;
	return st;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: export_gen N OUT.sdb\n");
		return 2;
	}
	uint64_t n = strtoull(argv[1], NULL, 10);
	struct sd_error err = {0};
	struct db_builder *b = db_builder_new();
	struct db_campaign_meta m = {.name = "bench-2023", .title = "benchmark"};
	uint16_t cid;
	uint32_t set;
	const char *src[] = {"bench"};
	if (!b || db_builder_campaign(b, &m, &cid, &err) ||
	    db_builder_sourceset(b, src, 1, &set, &err)) {
		fprintf(stderr, "export_gen: %s\n", err.msg);
		return 1;
	}
	for (uint64_t i = 0; i < n; i++) {
		struct net_prefix p;
		uint64_t r = rnd();
		if (r % 10) {
			net_addr_from_v4(&p.addr, (uint32_t)(r >> 32));
			p.len = 128;
		} else {
			net_addr_from_u64(&p.addr, 0x2001000000000000ull | (rnd() >> 16),
					  r % 20 ? 0 : rnd());
			p.len = r % 20 ? 64 : 128;
		}
		struct db_sighting s = {
		    .first_seen = 1679400000u + (uint32_t)(r % 1000000),
		    .count = 1 + (uint32_t)(r >> 8 & 1023),
		    .campaign = cid,
		    .evidence = (uint8_t)(1u << (r >> 20) % 5),
		    .confidence = (uint8_t)(1 + (r >> 24) % 3),
		    .sources = set,
		};
		s.last_seen = s.first_seen + (uint32_t)(r >> 40 & 0xffff);
		if (db_builder_add(b, &p, &s, &err)) {
			fprintf(stderr, "export_gen: %s\n", err.msg);
			return 1;
		}
	}
	if (db_builder_write(b, argv[2], 1700000000u, &err)) {
		fprintf(stderr, "export_gen: %s\n", err.msg);
		return 1;
	}
	db_builder_free(b);
	return 0;
}
