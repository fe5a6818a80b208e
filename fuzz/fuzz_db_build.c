/* Covers src/db/builder.c, src/db/builder_sort.c (the in-place radix sort
 * and combine of the compact records), src/db/builder_write.c,
 * src/db/index.c, src/db/merge.c and src/db/sighting.c: arbitrary bytes become sightings
 * (prefix, campaign, source, times, count, evidence, confidence), are built into a
 * snapshot, opened (full validation), merged into a second builder in two halves and
 * rebuilt, and built again settling after small chunks (as an import of
 * many lists does). Properties: every added prefix is found by db_cover; a
 * built snapshot always passes validation; merging the halves gives the
 * same entry count as building everything at once; settling after each
 * chunk gives the same bytes, and each settle counts the distinct prefix
 * and campaign keys so far; IPv4 hosts added in batches
 * (db_builder_add_v4_hosts) give the same bytes as added one by one. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/builder.h"
#include "db/db.h"
#include "db/merge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REC 24 /* bytes consumed per sighting */

static const char *const campaigns[] = {"a", "b", "c", "d"};
static const char *const sources[] = {"s1", "s2", "s3"};

static void rec_prefix(const uint8_t *r, struct net_prefix *p)
{
	if (r[0] & 1) {
		uint32_t v4 = (uint32_t)r[1] << 24 | (uint32_t)r[2] << 16 |
			      (uint32_t)r[3] << 8 | r[4];
		net_addr_from_v4(&p->addr, v4);
		p->len = (uint8_t)(96 + r[5] % 33);
	} else {
		uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
		memcpy(v6 + 4, r + 1, 12);
		net_addr_from_v6(&p->addr, v6);
		p->len = (uint8_t)(r[5] % 129);
	}
	net_addr_mask(&p->addr, p->len);
}

static void add_range(struct db_builder *b, const uint8_t *data, size_t from, size_t to)
{
	struct sd_error err = {0};
	for (size_t i = from; i < to; i++) {
		const uint8_t *r = data + i * REC;
		struct net_prefix p;
		rec_prefix(r, &p);
		struct db_campaign_meta m = {.name = campaigns[r[6] % 4],
					     .window_start = r[7],
					     .window_end =
						 r[7] ? (uint32_t)r[7] + r[8] : 0};
		uint16_t cid;
		uint32_t set;
		const char *src = sources[r[9] % 3];
		if (db_builder_campaign(b, &m, &cid, &err) ||
		    db_builder_sourceset(b, &src, 1, &set, &err))
			abort();
		struct db_sighting s;
		memcpy(&s.first_seen, r + 10, 4);
		memcpy(&s.last_seen, r + 14, 4);
		memcpy(&s.count, r + 18, 4);
		s.campaign = cid;
		s.evidence = r[22];
		s.confidence = r[23];
		s.sources = set;
		if (db_builder_add(b, &p, &s, &err))
			abort();
	}
}

/* As add_range, the IPv4 hosts through db_builder_add_v4_hosts, in runs
 * of one campaign (the feed of a correlate run). */
static void add_hosts(struct db_builder *b, const uint8_t *data, size_t n)
{
	struct sd_error err = {0};
	struct db_v4_host h[8];
	size_t nh = 0;
	uint16_t hcid = 0;
	for (size_t i = 0; i <= n; i++) {
		const uint8_t *r = data + i * REC;
		struct net_prefix p = {0};
		uint16_t cid = 0;
		uint32_t set = 0;
		if (i < n) {
			rec_prefix(r, &p);
			struct db_campaign_meta m = {
			    .name = campaigns[r[6] % 4],
			    .window_start = r[7],
			    .window_end = r[7] ? (uint32_t)r[7] + r[8] : 0};
			const char *src = sources[r[9] % 3];
			if (db_builder_campaign(b, &m, &cid, &err) ||
			    db_builder_sourceset(b, &src, 1, &set, &err))
				abort();
		}
		bool host = i < n && (r[0] & 1) && p.len == 128;
		if (nh && (!host || cid != hcid || nh == 8)) {
			if (db_builder_add_v4_hosts(b, hcid, h, nh, &err))
				abort();
			nh = 0;
		}
		if (i == n)
			break;
		if (!host) {
			add_range(b, data, i, i + 1);
			continue;
		}
		hcid = cid;
		h[nh] = (struct db_v4_host){.addr = (uint32_t)net_addr_lo(&p.addr),
					    .sources = set,
					    .evidence = r[22],
					    .confidence = r[23]};
		memcpy(&h[nh].first_seen, r + 10, 4);
		memcpy(&h[nh].last_seen, r + 14, 4);
		memcpy(&h[nh].count, r + 18, 4);
		nh++;
	}
}

/* Adds data in chunks of 1 to 8 sightings (the chunk's first byte says),
 * settling after each: once the held runs are 16 times a chunk, a chunk is
 * folded into them rather than merged (builder_sort.c). The distinct count
 * never falls and never exceeds what was added. */
static void add_settling(struct db_builder *b, const uint8_t *data, size_t n)
{
	struct sd_error err = {0};
	uint64_t last = 0;
	for (size_t i = 0; i < n;) {
		size_t k = 1 + data[i * REC + 1] % 8;
		if (k > n - i)
			k = n - i;
		add_range(b, data, i, i + k);
		i += k;
		uint64_t distinct = 0;
		if (db_builder_settle(b, &distinct, &err) || distinct < last ||
		    distinct > i)
			abort();
		last = distinct;
	}
}

static int same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int same = fa && fb;
	while (same) {
		int ca = getc(fa), cb = getc(fb);
		same = ca == cb;
		if (ca == EOF)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

static struct db *build(struct db_builder *b, const char *path)
{
	struct sd_error err = {0};
	struct db *db;
	if (db_builder_write(b, path, 1, &err) || db_open(path, &db, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		abort(); /* the builder must never write what the reader refuses */
	}
	return db;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = size / REC;
	if (n > 512)
		n = 512;
	char whole[64], left[64], right[64], merged[64], settled[64], hosts[64];
	snprintf(whole, sizeof(whole), "/tmp/fuzz-db-build-%d-w.sdb", (int)getpid());
	snprintf(left, sizeof(left), "/tmp/fuzz-db-build-%d-l.sdb", (int)getpid());
	snprintf(right, sizeof(right), "/tmp/fuzz-db-build-%d-r.sdb", (int)getpid());
	snprintf(merged, sizeof(merged), "/tmp/fuzz-db-build-%d-m.sdb", (int)getpid());
	snprintf(settled, sizeof(settled), "/tmp/fuzz-db-build-%d-s.sdb", (int)getpid());
	snprintf(hosts, sizeof(hosts), "/tmp/fuzz-db-build-%d-h.sdb", (int)getpid());

	struct db_builder *bw = db_builder_new(), *bl = db_builder_new(),
			  *br = db_builder_new(), *bm = db_builder_new(),
			  *bs = db_builder_new(), *bh = db_builder_new();
	if (!bw || !bl || !br || !bm || !bs || !bh)
		abort();
	add_range(bw, data, 0, n);
	add_range(bl, data, 0, n / 2);
	add_range(br, data, n / 2, n);
	add_settling(bs, data, n);
	add_hosts(bh, data, n);
	struct db *dw = build(bw, whole), *dl = build(bl, left), *dr = build(br, right);
	struct db *ds = build(bs, settled);
	if (!same_file(whole, settled))
		abort(); /* settling never changes the snapshot */
	db_close(build(bh, hosts));
	if (!same_file(whole, hosts))
		abort(); /* hosts in batches are hosts one by one */

	/* every added prefix is an entry of the snapshot */
	for (size_t i = 0; i < n; i++) {
		struct net_prefix p;
		struct db_entry e[129];
		rec_prefix(data + i * REC, &p);
		size_t k = db_cover(dw, &p, e, 129);
		if (k == 0 || k > 129 || net_prefix_cmp(&e[0].prefix, &p) != 0)
			abort(); /* the most specific cover of a key is the key */
	}
	struct sd_error err = {0};
	if (db_merge_into(bm, dl, &err) || db_merge_into(bm, dr, &err))
		abort();
	struct db *dm = build(bm, merged);
	if (db_entry_count(dm) != db_entry_count(dw))
		abort();
	struct net_prefix all;
	net_prefix_parse("::/0", 4, &all, 0, NULL);
	if (db_range_count(dw, &all) != db_entry_count(dw))
		abort();
	db_close(dw);
	db_close(dl);
	db_close(dr);
	db_close(dm);
	db_close(ds);
	db_builder_free(bs);
	db_builder_free(bh);
	db_builder_free(bw);
	db_builder_free(bl);
	db_builder_free(br);
	db_builder_free(bm);
	unlink(whole);
	unlink(left);
	unlink(right);
	unlink(merged);
	unlink(settled);
	unlink(hosts);
	return 0;
}
