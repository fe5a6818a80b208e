/* MMDB writer round trip on arbitrary prefixes: the input is a list of
 * 18-byte records (16 address bytes, a length byte taken mod 129, a
 * campaign/confidence byte); they are built into a snapshot, exported, and
 * every entry's first and last address, their neighbours and the input's
 * own addresses are looked up with libmaxminddb, which must agree with
 * db_cover on listed-or-not and on the most specific network. Any
 * disagreement aborts. Addresses in ::/96 other than IPv4 are left out
 * (an MMDB reads them as IPv4: docs/export-mmdb.md). */
#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/limits.h"
#include "db/builder.h"
#include "export/export.h"
#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static bool v4compat(const struct net_addr *a)
{
	return net_addr_hi(a) == 0 && net_addr_lo(a) >> 32 == 0;
}

static void probe(MMDB_s *mm, const struct db *db, const struct net_addr *a)
{
	if (!net_addr_is_v4(a) && v4compat(a))
		return;
	struct db_entry hits[SD_MAX_CHECK_HITS];
	struct net_prefix q;
	net_prefix_host(&q, a);
	size_t nh = db_cover(db, &q, hits, SD_MAX_CHECK_HITS);
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
	struct sockaddr_in s4 = {.sin_family = AF_INET};
	const struct sockaddr *sa = (const struct sockaddr *)&s6;
	if (net_addr_is_v4(a)) {
		memcpy(&s4.sin_addr, a->b + 12, 4);
		sa = (const struct sockaddr *)&s4;
	} else {
		memcpy(&s6.sin6_addr, a->b, 16);
	}
	int e;
	MMDB_lookup_result_s r = MMDB_lookup_sockaddr(mm, sa, &e);
	if (e != MMDB_SUCCESS || r.found_entry != (nh > 0))
		abort();
	if (!nh)
		return;
	MMDB_entry_data_s d;
	char want[NET_PREFIX_STRLEN];
	size_t n = report_format_prefix(&hits[0].prefix, want, sizeof(want));
	if (MMDB_get_value(&r.entry, &d, "network", NULL) != MMDB_SUCCESS ||
	    !d.has_data || d.data_size != n || memcmp(d.utf8_string, want, n))
		abort();
}

struct walk {
	MMDB_s *mm;
	const struct db *db;
};

static int each(const struct db_entry *e, void *p)
{
	struct walk *w = p;
	struct net_addr last, x;
	net_prefix_last(&e->prefix, &last);
	probe(w->mm, w->db, &e->prefix.addr);
	probe(w->mm, w->db, &last);
	/* the neighbours just outside */
	uint64_t hi = net_addr_hi(&e->prefix.addr), lo = net_addr_lo(&e->prefix.addr);
	net_addr_from_u64(&x, lo ? hi : hi - 1, lo - 1);
	probe(w->mm, w->db, &x);
	hi = net_addr_hi(&last);
	lo = net_addr_lo(&last);
	net_addr_from_u64(&x, lo == UINT64_MAX ? hi + 1 : hi, lo + 1);
	probe(w->mm, w->db, &x);
	return 0;
}

static void cleanup(void)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/in.sdb", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/out.mmdb", dir);
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(dir, sizeof(dir), "%s/sighted-fuzz-mmdb-XXXXXX", t && strlen(t) < 32 ? t : "/tmp");
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup);
	}
	char sdb[128], mmdb[128];
	snprintf(sdb, sizeof(sdb), "%s/in.sdb", dir);
	snprintf(mmdb, sizeof(mmdb), "%s/out.mmdb", dir);
	struct sd_error err = {0};
	struct db_builder *b = db_builder_new();
	uint16_t cid[2];
	uint32_t set;
	const char *src[] = {"fuzz"};
	struct db_campaign_meta m0 = {.name = "a"}, m1 = {.name = "b"};
	if (!b || db_builder_campaign(b, &m0, &cid[0], &err) ||
	    db_builder_campaign(b, &m1, &cid[1], &err) ||
	    db_builder_sourceset(b, src, 1, &set, &err))
		abort();
	size_t n = size / 18 > 256 ? 256 : size / 18;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *r = data + 18 * i;
		struct net_prefix p;
		net_addr_from_v6(&p.addr, r);
		p.len = r[16] % 129;
		net_addr_mask(&p.addr, p.len);
		struct db_sighting s = {.first_seen = 1, .last_seen = 2, .count = 1,
					.campaign = cid[r[17] & 1], .evidence = DB_EV_LIST,
					.confidence = (uint8_t)(r[17] >> 1 & 3), .sources = set};
		if (db_builder_add(b, &p, &s, &err))
			abort();
	}
	if (db_builder_write(b, sdb, 1, &err))
		abort();
	db_builder_free(b);
	struct db *db;
	if (db_open(sdb, &db, &err))
		abort();
	struct export_opts o = {.build_time = 1};
	export_filter_init(&o.filter);
	o.filter.allow_broad = true; /* arbitrary prefixes, /0 included */
	struct export_stats st;
	if (export_mmdb(db, &o, mmdb, &st, &err))
		abort();
	MMDB_s mm;
	if (MMDB_open(mmdb, MMDB_MODE_MMAP, &mm) != MMDB_SUCCESS)
		abort();
	struct walk w = {&mm, db};
	db_foreach(db, each, &w);
	for (size_t i = 0; i < n; i++) {
		struct net_addr a;
		net_addr_from_v6(&a, data + 18 * i);
		probe(&mm, db, &a);
	}
	MMDB_close(&mm);
	db_close(db);
	return 0;
}
