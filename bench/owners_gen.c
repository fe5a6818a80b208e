/* Inputs of the owners benchmark (bench/owners.sh), seeded and synthetic:
 *   owners_gen snap N VARIANT OUT.sdb   N random entries (90% IPv4 hosts,
 *       10% IPv6); VARIANT b is a (1% of entries removed, 1% changed,
 *       1% added), for diff and --since
 *   owners_gen asn RANGES OUT.tsv       an ip2asn table of RANGES ranges
 *       cutting the IPv4 space (one in ten not routed) plus IPv6 /32s
 *   owners_gen asnnets RANGES OUT.tsv   the same as network/len, AS, name
 *       lines for tests/owners/mkasn.pl (a GeoLite2-ASN layout MMDB)
 *   owners_gen owners N ASES OUT.csv    an owner registry: N owners with
 *       two IPv4 prefixes (/18 to /24) and one IPv6 /32 each, one in ten
 *       also an AS, plus 8 national owners holding a /8 each that overlap
 *       them: about a tenth of the address space has an owner */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/builder.h"

static uint64_t st = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	st ^= st << 13;
	st ^= st >> 7;
	st ^= st << 17;
	return st;
}

static int snap(uint64_t n, bool b_variant, const char *out)
{
	struct sd_error err = {0};
	struct db_builder *b = db_builder_new();
	struct db_campaign_meta m = {.name = "bench-2023", .title = "benchmark"};
	uint16_t cid;
	uint32_t set;
	const char *src[] = {"bench"};
	if (!b || db_builder_campaign(b, &m, &cid, &err) ||
	    db_builder_sourceset(b, src, 1, &set, &err)) {
		fprintf(stderr, "owners_gen: %s\n", err.msg);
		return 1;
	}
	uint64_t total = b_variant ? n + n / 100 : n;
	for (uint64_t i = 0; i < total; i++) {
		struct net_prefix p;
		uint64_t r = rnd(), r2 = rnd(), r3 = rnd();
		if (b_variant && i < n && i % 100 == 7)
			continue; /* removed */
		if (r % 10) {
			net_addr_from_v4(&p.addr, (uint32_t)(r >> 32));
			p.len = 128;
		} else {
			net_addr_from_u64(&p.addr, 0x2001000000000000ull | (r2 >> 16),
					  r % 20 ? 0 : r3);
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
		if (b_variant && i % 100 == 3) { /* seen again */
			s.count++;
			s.last_seen += 86400;
		}
		if (db_builder_add(b, &p, &s, &err)) {
			fprintf(stderr, "owners_gen: %s\n", err.msg);
			return 1;
		}
	}
	if (db_builder_write(b, out, 1700000000u, &err)) {
		fprintf(stderr, "owners_gen: %s\n", err.msg);
		return 1;
	}
	db_builder_free(b);
	return 0;
}

static int asn(uint64_t ranges, bool nets, const char *out)
{
	FILE *fp = fopen(out, "w");
	if (!fp)
		return perror(out), 1;
	/* power-of-two blocks so each range is also one network */
	unsigned bits = 0;
	while ((1ull << bits) < ranges)
		bits++;
	uint64_t size = 1ull << (32 - bits);
	for (uint64_t i = 0; i < (1ull << bits); i++) {
		uint32_t lo = (uint32_t)(i * size), hi = (uint32_t)(lo + size - 1);
		uint32_t as = 1 + (uint32_t)(rnd() % 100000);
		if (i % 10 == 9)
			as = 0;
		if (nets) {
			if (as)
				fprintf(fp, "%u.%u.%u.%u/%u\t%u\tAS%u Example Networks\n",
					lo >> 24, lo >> 16 & 255, lo >> 8 & 255, lo & 255,
					bits, as, as);
		} else {
			fprintf(fp, "%u.%u.%u.%u\t%u.%u.%u.%u\t%u\tXX\t%s\n", lo >> 24,
				lo >> 16 & 255, lo >> 8 & 255, lo & 255, hi >> 24,
				hi >> 16 & 255, hi >> 8 & 255, hi & 255, as,
				as ? "Example Networks" : "Not routed");
		}
	}
	for (unsigned i = 0; i < 4096; i++) { /* IPv6: 2001:1000::/32 upwards (2001::/32,
						 Teredo, is aliased to IPv4 in an MMDB) */
		uint32_t as = 1 + (uint32_t)(rnd() % 100000);
		if (nets)
			fprintf(fp, "2001:%x::/32\t%u\tAS%u Example Networks v6\n",
				0x1000 + i, as, as);
		else
			fprintf(
			    fp,
			    "2001:%x::\t2001:%x:ffff:ffff:ffff:ffff:ffff:ffff\t%u\tXX\t"
			    "Example Networks v6\n",
			    0x1000 + i, 0x1000 + i, as);
	}
	return fclose(fp) ? 1 : 0;
}

static int owners(uint64_t n, uint64_t ases, const char *out)
{
	FILE *fp = fopen(out, "w");
	if (!fp)
		return perror(out), 1;
	fputs("owner,name,contacts,scope,country\n", fp);
	for (unsigned i = 0; i < 8; i++) /* national CERTs over whole /8s */
		fprintf(fp,
			"cert-%u,National CERT %u,cert@cert%u.example,%u.0.0.0/8,X%u\n",
			i, i, i, i * 32 + 1, i);
	for (uint64_t i = 0; i < n; i++) {
		unsigned l1 = 18 + (unsigned)(rnd() % 7), l2 = 18 + (unsigned)(rnd() % 7);
		uint32_t a1 = (uint32_t)rnd() & ~((1u << (32 - l1)) - 1);
		uint32_t a2 = (uint32_t)rnd() & ~((1u << (32 - l2)) - 1);
		fprintf(fp,
			"isp-%llu,ISP %llu,noc@isp%llu.example abuse@isp%llu.example,"
			"%u.%u.%u.%u/%u %u.%u.%u.%u/%u 2001:%x::/32%s%.0llu,XX\n",
			(unsigned long long)i, (unsigned long long)i,
			(unsigned long long)i, (unsigned long long)i, a1 >> 24,
			a1 >> 16 & 255, a1 >> 8 & 255, a1 & 255, l1, a2 >> 24,
			a2 >> 16 & 255, a2 >> 8 & 255, a2 & 255, l2,
			0x1000 + (unsigned)(rnd() % 4096), i % 10 ? "" : " AS",
			i % 10 ? 0ull : (unsigned long long)(1 + rnd() % ases));
	}
	return fclose(fp) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "snap"))
		return snap(strtoull(argv[2], NULL, 10), !strcmp(argv[3], "b"), argv[4]);
	if (argc == 4 && !strcmp(argv[1], "asn"))
		return asn(strtoull(argv[2], NULL, 10), false, argv[3]);
	if (argc == 4 && !strcmp(argv[1], "asnnets"))
		return asn(strtoull(argv[2], NULL, 10), true, argv[3]);
	if (argc == 5 && !strcmp(argv[1], "owners"))
		return owners(strtoull(argv[2], NULL, 10), strtoull(argv[3], NULL, 10),
			      argv[4]);
	fprintf(stderr, "usage: owners_gen snap N a|b OUT.sdb | asn RANGES OUT.tsv | "
			"asnnets RANGES OUT.tsv | owners N ASES OUT.csv\n");
	return 2;
}
