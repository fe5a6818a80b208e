/* Lookups/s of an exported MMDB in libmaxminddb (MMDB_lookup_sockaddr)
 * against sighted's own db_contains on the snapshot it came from, over the
 * same probe addresses (half listed, half random), in the same run.
 * Prints one line per round and checks that both agree on every probe.
 * usage: export_lookup SNAPSHOT.sdb EXPORT.mmdb PROBES ROUNDS */
#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"

static uint64_t st = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
	st ^= st << 13;
	st ^= st >> 7;
	st ^= st << 17;
	return st;
}

struct pick {
	struct net_addr *a;
	uint64_t n, want, every, seen;
};

static int take(const struct db_entry *e, void *p)
{
	struct pick *k = p;
	if (k->seen++ % k->every == 0 && k->n < k->want)
		k->a[k->n++] = e->prefix.addr;
	return 0;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: export_lookup SNAPSHOT MMDB PROBES ROUNDS\n");
		return 2;
	}
	uint64_t n = strtoull(argv[3], NULL, 10);
	int rounds = atoi(argv[4]);
	struct sd_error err = {0};
	struct db *db;
	if (db_open(argv[1], &db, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	MMDB_s mm;
	if (MMDB_open(argv[2], MMDB_MODE_MMAP, &mm) != MMDB_SUCCESS) {
		fprintf(stderr, "cannot open %s\n", argv[2]);
		return 1;
	}
	struct pick k = {.a = malloc(n * sizeof(struct net_addr)), .want = n / 2};
	k.every = db_entry_count(db) / k.want + 1;
	db_foreach(db, take, &k);
	while (k.n < n) { /* the other half: random, mostly unlisted */
		uint64_t r = rnd();
		if (r % 10)
			net_addr_from_v4(&k.a[k.n], (uint32_t)(r >> 32));
		else
			net_addr_from_u64(&k.a[k.n],
					  0x2001000000000000ull | (rnd() >> 16), rnd());
		k.n++;
	}
	for (uint64_t i = n - 1; i > 0; i--) { /* shuffle */
		uint64_t j = rnd() % (i + 1);
		struct net_addr t = k.a[i];
		k.a[i] = k.a[j];
		k.a[j] = t;
	}
	/* sockaddrs prepared up front so both sides time lookups only */
	struct sockaddr_in6 *sa = calloc(n, sizeof(*sa));
	for (uint64_t i = 0; i < n; i++) {
		if (net_addr_is_v4(&k.a[i])) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&sa[i];
			s4->sin_family = AF_INET;
			memcpy(&s4->sin_addr, k.a[i].b + 12, 4);
		} else {
			sa[i].sin6_family = AF_INET6;
			memcpy(&sa[i].sin6_addr, k.a[i].b, 16);
		}
	}
	uint64_t disagree = 0, listed = 0;
	for (int r = 0; r < rounds; r++) {
		double t0 = now();
		uint64_t hits_db = 0;
		for (uint64_t i = 0; i < n; i++)
			hits_db += db_contains(db, &k.a[i]);
		double t1 = now();
		uint64_t hits_mm = 0;
		for (uint64_t i = 0; i < n; i++) {
			int e;
			MMDB_lookup_result_s res =
			    MMDB_lookup_sockaddr(&mm, (struct sockaddr *)&sa[i], &e);
			hits_mm += res.found_entry;
		}
		double t2 = now();
		if (r == 0) {
			for (uint64_t i = 0; i < n; i++) {
				int e;
				MMDB_lookup_result_s res = MMDB_lookup_sockaddr(
				    &mm, (struct sockaddr *)&sa[i], &e);
				bool d = db_contains(db, &k.a[i]);
				disagree += res.found_entry != d;
				listed += d;
			}
		}
		printf("round %d sighted %.0f libmaxminddb %.0f hits %llu %llu\n", r,
		       (double)n / (t1 - t0), (double)n / (t2 - t1),
		       (unsigned long long)hits_db, (unsigned long long)hits_mm);
	}
	printf("probes %llu listed %llu disagree %llu record_size %u nodes %u\n",
	       (unsigned long long)n, (unsigned long long)listed,
	       (unsigned long long)disagree, mm.metadata.record_size,
	       mm.metadata.node_count);
	MMDB_close(&mm);
	db_close(db);
	free(k.a);
	free(sa);
	return disagree ? 1 : 0;
}
