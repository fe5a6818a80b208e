/* Queries over a validated snapshot. */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "db/reader.h"

static inline const unsigned char *data(const struct db *db)
{
	return db->sec[DB_SEC_DATA];
}

/* Keys of an IPv4 bucket compared at once. The index gives buckets of 4-8
 * keys on average, so a 16-key window (64 bytes) takes all of a bucket in
 * nearly every lookup, without a data-dependent branch: consecutive
 * lookups then overlap their cache misses in the CPU's out-of-order window
 * instead of waiting on a mispredicted branch each. */
#define DB_SCAN_V4 16

/* Offset of key among k[0..len), len <= DB_SCAN_V4, or DB_SCAN_V4 if it
 * is not there. Reads all DB_SCAN_V4 keys at k: the caller makes sure they
 * are inside the table. */
static inline unsigned scan_v4(const uint32_t *k, uint64_t len, uint32_t key)
{
	unsigned m = 0;
#ifdef __SSE2__
	__m128i x = _mm_set1_epi32((int)key);
	for (unsigned i = 0; i < DB_SCAN_V4 / 4; i++) {
		__m128i v = _mm_loadu_si128((const void *)(k + 4 * i));
		m |= (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(v, x)))
		     << (4 * i);
	}
#else
	for (unsigned i = 0; i < DB_SCAN_V4; i++)
		m |= (unsigned)(k[i] == key) << i;
#endif
	m &= (1u << len) - 1;
	return (unsigned)__builtin_ctz(m | 1u << DB_SCAN_V4);
}

/* Position of key among k[lo..hi) of a table of count keys, or -1. */
static inline int64_t search_v4(const uint32_t *k, uint64_t count, uint64_t lo,
				uint64_t hi, uint32_t key)
{
	while (hi - lo > DB_SCAN_V4) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (k[mid] <= key)
			lo = mid;
		else
			hi = mid;
	}
	if (count - lo >= DB_SCAN_V4) {
		/* -1 when r is DB_SCAN_V4, computed without a branch */
		unsigned r = scan_v4(k + lo, hi - lo, key);
		return (int64_t)(lo + r) | -(int64_t)(r / DB_SCAN_V4);
	}
	for (; lo < hi; lo++) /* the last keys of the table */
		if (k[lo] == key)
			return (int64_t)lo;
	return -1;
}

/* Position of key in an IPv4 table, or -1. With values, the bucket's value
 * records are fetched along with its keys (db_cover reads them next). */
static int64_t find_v4(const struct db *db, const struct db_table_rec *t, uint32_t key,
		       bool values)
{
	const uint32_t *k = (const void *)(data(db) + t->keys);
	if (t->common && ((key ^ k[0]) >> (32 - t->common)))
		return -1;
	const uint32_t *idx = (const void *)(data(db) + t->index);
	uint32_t b = db_bucket_v4(key, t->common, t->index_bits);
	uint64_t lo = idx[b], hi = idx[b + 1];
	if (values)
		__builtin_prefetch(data(db) + t->values +
				   lo * sizeof(struct db_value_rec));
	return search_v4(k, t->count, lo, hi, key);
}

/* The same for IPv6 keys, 8 at once (128 bytes). */
#define DB_SCAN_V6 8

static inline unsigned scan_v6(const uint64_t *k, uint64_t len, db_u128 key)
{
	uint64_t hi = (uint64_t)(key >> 64), lo = (uint64_t)key;
	unsigned m = 0;
#ifdef __SSE2__
	/* a key is two words, high first: lane 0 holds hi */
	__m128i x = _mm_set_epi64x((long long)lo, (long long)hi);
	for (unsigned i = 0; i < DB_SCAN_V6; i++) {
		__m128i v = _mm_loadu_si128((const void *)(k + 2 * i));
		int eq = _mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(v, x)));
		m |= (unsigned)(eq == 0xf) << i;
	}
#else
	for (unsigned i = 0; i < DB_SCAN_V6; i++)
		m |= (unsigned)(k[2 * i] == hi && k[2 * i + 1] == lo) << i;
#endif
	m &= (1u << len) - 1;
	return (unsigned)__builtin_ctz(m | 1u << DB_SCAN_V6);
}

/* Position of key among the IPv6 keys k[lo..hi) of a table of count keys,
 * or -1. */
static inline int64_t search_v6(const uint64_t *k, uint64_t count, uint64_t lo,
				uint64_t hi, db_u128 key)
{
#define KEY(i) db_u128_make(k[2 * (i)], k[2 * (i) + 1])
	while (hi - lo > DB_SCAN_V6) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (KEY(mid) <= key)
			lo = mid;
		else
			hi = mid;
	}
	if (count - lo >= DB_SCAN_V6) {
		unsigned r = scan_v6(k + 2 * lo, hi - lo, key);
		return (int64_t)(lo + r) | -(int64_t)(r / DB_SCAN_V6);
	}
	for (; lo < hi; lo++) /* the last keys of the table */
		if (KEY(lo) == key)
			return (int64_t)lo;
	return -1;
#undef KEY
}

static int64_t find_v6(const struct db *db, const struct db_table_rec *t, db_u128 key,
		       bool values)
{
	const uint64_t *k = (const void *)(data(db) + t->keys);
	if (t->common && ((key ^ db_u128_make(k[0], k[1])) >> (128 - t->common)))
		return -1;
	const uint32_t *idx = (const void *)(data(db) + t->index);
	uint32_t b = db_bucket_v6(key, t->common, t->index_bits);
	uint64_t lo = idx[b], hi = idx[b + 1];
	if (values)
		__builtin_prefetch(data(db) + t->values +
				   lo * sizeof(struct db_value_rec));
	return search_v6(k, t->count, lo, hi, key);
}

static uint32_t v4_mask(unsigned sig)
{
	return sig == 0 ? 0 : ~0u << (32 - sig);
}

static db_u128 v6_mask(unsigned sig)
{
	return sig == 0 ? 0 : ~(db_u128)0 << (128 - sig);
}

/* Position in table t of the entry covering a (masked to t->plen), or -1. */
static int64_t find_cover(const struct db *db, const struct db_table_rec *t, bool v4,
			  uint32_t a4, db_u128 a6, bool values)
{
	if (t->kind == DB_KEY_V4) {
		if (!v4)
			return -1;
		return find_v4(db, t, a4 & v4_mask(t->plen - 96u), values);
	}
	return find_v6(db, t, a6 & v6_mask(t->plen), values);
}

bool db_contains(const struct db *db, const struct net_addr *a)
{
	bool v4 = net_addr_is_v4(a);
	uint32_t a4 = net_addr_v4(a);
	db_u128 a6 = db_u128_make(net_addr_hi(a), net_addr_lo(a));
	/* no early exit on a hit in the last table: with one table (the
	 * usual IPv4 set) the result then feeds no branch */
	bool hit = false;
	for (uint64_t i = 0; i < db->ntables && !hit; i++)
		hit = find_cover(db, &db->tables[i], v4, a4, a6, false) >= 0;
	return hit;
}

static void make_entry(const struct db *db, uint32_t ti, uint64_t i, struct db_entry *e)
{
	const struct db_table_rec *t = &db->tables[ti];
	const struct db_value_rec *v =
	    (const void *)(data(db) + t->values + i * sizeof(*v));
	if (t->kind == DB_KEY_V4) {
		net_addr_from_v4(&e->prefix.addr,
				 ((const uint32_t *)(data(db) + t->keys))[i]);
	} else {
		const uint64_t *k = (const void *)(data(db) + t->keys);
		net_addr_from_u64(&e->prefix.addr, k[2 * i], k[2 * i + 1]);
	}
	e->prefix.len = t->plen;
	e->first_seen = v->first_seen;
	e->last_seen = v->last_seen;
	e->count = v->count;
	e->nsightings = (v->ref & DB_MULTI_FLAG) ? db->multi[v->ref & ~DB_MULTI_FLAG] : 1;
	e->table = ti;
	e->index = i;
}

size_t db_cover(const struct db *db, const struct net_prefix *p, struct db_entry *out,
		size_t max)
{
	const struct net_addr *a = &p->addr;
	bool v4 = net_addr_is_v4(a);
	uint32_t a4 = net_addr_v4(a);
	db_u128 a6 = db_u128_make(net_addr_hi(a), net_addr_lo(a));
	/* Tables are grouped by kind, each most specific first; merge the two
	 * runs by plen so the answer is most specific first overall. */
	struct db_entry found[2 * 129];
	size_t n = 0;
	for (uint64_t i = 0; i < db->ntables; i++) {
		const struct db_table_rec *t = &db->tables[i];
		if (t->plen > p->len)
			continue;
		int64_t pos = find_cover(db, t, v4, a4, a6, true);
		if (pos >= 0)
			make_entry(db, (uint32_t)i, (uint64_t)pos, &found[n++]);
	}
	/* insertion sort by plen descending; n is tiny */
	for (size_t i = 1; i < n; i++) {
		struct db_entry x = found[i];
		size_t j = i;
		while (j && found[j - 1].prefix.len < x.prefix.len) {
			found[j] = found[j - 1];
			j--;
		}
		found[j] = x;
	}
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = found[i];
	return n;
}

/* First position in [0, count) whose key is >= key. */
static uint64_t lower_v4(const uint32_t *k, uint64_t count, uint32_t key)
{
	uint64_t lo = 0, hi = count;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (k[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint64_t lower_v6(const uint64_t *k, uint64_t count, db_u128 key)
{
	uint64_t lo = 0, hi = count;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (db_u128_make(k[2 * mid], k[2 * mid + 1]) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int db_range(const struct db *db, const struct net_prefix *p, db_entry_fn fn, void *ctx,
	     uint64_t *count)
{
	struct net_addr last;
	net_prefix_last(p, &last);
	db_u128 lo6 = db_u128_make(net_addr_hi(&p->addr), net_addr_lo(&p->addr));
	db_u128 hi6 = db_u128_make(net_addr_hi(&last), net_addr_lo(&last));
	uint64_t visited = 0;
	int rc = 0;
	for (uint64_t ti = 0; ti < db->ntables && !rc; ti++) {
		const struct db_table_rec *t = &db->tables[ti];
		if (t->plen < p->len)
			continue;
		uint64_t from, to;
		if (t->kind == DB_KEY_V4) {
			/* the part of p inside ::ffff:0:0/96, if any */
			struct net_prefix v4all;
			net_addr_from_v4(&v4all.addr, 0);
			v4all.len = 96;
			uint32_t lo4, hi4;
			if (net_prefix_contains_prefix(p, &v4all)) {
				lo4 = 0;
				hi4 = UINT32_MAX;
			} else if (net_prefix_contains_prefix(&v4all, p)) {
				lo4 = net_addr_v4(&p->addr);
				hi4 = net_addr_v4(&last);
			} else {
				continue;
			}
			const uint32_t *k = (const void *)(data(db) + t->keys);
			from = lower_v4(k, t->count, lo4);
			to = from;
			while (to < t->count && k[to] <= hi4)
				to++;
		} else {
			const uint64_t *k = (const void *)(data(db) + t->keys);
			from = lower_v6(k, t->count, lo6);
			to = hi6 == ~(db_u128)0 ? t->count
						: lower_v6(k, t->count, hi6 + 1);
		}
		for (uint64_t i = from; i < to; i++) {
			visited++;
			if (fn) {
				struct db_entry e;
				make_entry(db, (uint32_t)ti, i, &e);
				if ((rc = fn(&e, ctx)))
					break;
			}
		}
	}
	if (count)
		*count = visited;
	return rc;
}

uint64_t db_range_count(const struct db *db, const struct net_prefix *p)
{
	uint64_t n = 0;
	db_range(db, p, NULL, NULL, &n);
	return n;
}

int db_foreach(const struct db *db, db_entry_fn fn, void *ctx)
{
	for (uint64_t ti = 0; ti < db->ntables; ti++) {
		for (uint64_t i = 0; i < db->tables[ti].count; i++) {
			struct db_entry e;
			make_entry(db, (uint32_t)ti, i, &e);
			int rc = fn(&e, ctx);
			if (rc)
				return rc;
		}
	}
	return 0;
}

bool db_cursor_next(const struct db *db, struct db_cursor *c, struct db_entry *e)
{
	while (c->table < db->ntables && c->index >= db->tables[c->table].count) {
		c->table++;
		c->index = 0;
	}
	if (c->table >= db->ntables)
		return false;
	make_entry(db, c->table, c->index++, e);
	return true;
}

bool db_entry_get(const struct db *db, uint32_t table, uint64_t index, struct db_entry *e)
{
	if (table >= db->ntables || index >= db->tables[table].count)
		return false;
	make_entry(db, table, index, e);
	return true;
}

int db_prefix_order(const struct net_prefix *a, const struct net_prefix *b)
{
	bool a4 = net_prefix_is_v4(a), b4 = net_prefix_is_v4(b);
	if (a4 != b4)
		return a4 ? -1 : 1;
	if (a->len != b->len)
		return a->len > b->len ? -1 : 1;
	return memcmp(a->addr.b, b->addr.b, sizeof(a->addr.b));
}

void db_entry_sighting(const struct db *db, const struct db_entry *e, uint32_t i,
		       struct db_sighting *out)
{
	const struct db_table_rec *t = &db->tables[e->table];
	const struct db_value_rec *v =
	    (const void *)(data(db) + t->values + e->index * sizeof(*v));
	uint32_t attr;
	if (v->ref & DB_MULTI_FLAG) {
		const uint32_t *m = db->multi + (v->ref & ~DB_MULTI_FLAG);
		if (i >= m[0])
			i = m[0] - 1;
		const struct db_multi_rec *r = (const void *)(m + 1 + 4 * i);
		out->first_seen = r->first_seen;
		out->last_seen = r->last_seen;
		out->count = r->count;
		attr = r->attr;
	} else {
		out->first_seen = v->first_seen;
		out->last_seen = v->last_seen;
		out->count = v->count;
		attr = v->ref;
	}
	const struct db_attr_rec *a = &db->attrs[attr];
	out->campaign = a->campaign;
	out->evidence = a->evidence;
	out->confidence = a->confidence;
	out->sources = a->sources;
}

/* ---- batched membership ------------------------------------------------ */

/* Addresses of one batch handled per round: enough independent misses in
 * flight to keep the core's miss buffers full (32 measured clearly slower
 * than 64 and 128 on a 10M-entry table here), few enough that the state
 * stays in L1. */
#define DB_BATCH_ROUND 64

struct probe_state {
	uint32_t lo, hi; /* bucket bounds in the table */
	uint32_t slot;	 /* offset of the probe in the round */
};

static void batch_table_v4(const struct db *db, const struct db_table_rec *t,
			   const struct net_addr *a, size_t n, bool *out)
{
	const uint32_t *k = (const void *)(data(db) + t->keys);
	const uint32_t *idx = (const void *)(data(db) + t->index);
	uint32_t mask = v4_mask(t->plen - 96u);
	struct probe_state st[DB_BATCH_ROUND];
	uint32_t key[DB_BATCH_ROUND];
	for (size_t base = 0; base < n; base += DB_BATCH_ROUND) {
		size_t end = n - base < DB_BATCH_ROUND ? n : base + DB_BATCH_ROUND;
		size_t m = 0;
		/* 1: the bucket of each live probe; fetch its index words */
		for (size_t i = base; i < end; i++) {
			if (out[i] || !net_addr_is_v4(&a[i]))
				continue;
			uint32_t x = net_addr_v4(&a[i]) & mask;
			if (t->common && ((x ^ k[0]) >> (32 - t->common)))
				continue;
			uint32_t b = db_bucket_v4(x, t->common, t->index_bits);
			__builtin_prefetch(&idx[b]);
			st[m].lo = b;
			st[m].slot = (uint32_t)(i - base);
			key[m++] = x;
		}
		/* 2: bucket bounds; fetch the first keys of each bucket */
		for (size_t j = 0; j < m; j++) {
			uint32_t b = st[j].lo;
			st[j].lo = idx[b];
			st[j].hi = idx[b + 1];
			/* the scan window's two cache lines, within the table */
			uint64_t last = st[j].lo + DB_SCAN_V4 - 1;
			__builtin_prefetch(&k[st[j].lo]);
			__builtin_prefetch(&k[last < t->count ? last : t->count - 1]);
		}
		/* 3: search the buckets, now (mostly) in cache; a hit's value
		 * record is fetched too, as the caller of a batch (check, with
		 * half its queries listed) usually reads it next with db_cover */
		for (size_t j = 0; j < m; j++) {
			int64_t pos = search_v4(k, t->count, st[j].lo, st[j].hi, key[j]);
			if (pos >= 0)
				__builtin_prefetch(data(db) + t->values +
						   (uint64_t)pos *
						       sizeof(struct db_value_rec));
			out[base + st[j].slot] = pos >= 0;
		}
	}
}

static void batch_table_v6(const struct db *db, const struct db_table_rec *t,
			   const struct net_addr *a, size_t n, bool *out)
{
	const uint64_t *k = (const void *)(data(db) + t->keys);
	const uint32_t *idx = (const void *)(data(db) + t->index);
	db_u128 mask = v6_mask(t->plen);
	db_u128 first = db_u128_make(k[0], k[1]);
	struct probe_state st[DB_BATCH_ROUND];
	db_u128 key[DB_BATCH_ROUND];
	for (size_t base = 0; base < n; base += DB_BATCH_ROUND) {
		size_t end = n - base < DB_BATCH_ROUND ? n : base + DB_BATCH_ROUND;
		size_t m = 0;
		for (size_t i = base; i < end; i++) {
			if (out[i])
				continue;
			db_u128 x =
			    db_u128_make(net_addr_hi(&a[i]), net_addr_lo(&a[i])) & mask;
			if (t->common && ((x ^ first) >> (128 - t->common)))
				continue;
			uint32_t b = db_bucket_v6(x, t->common, t->index_bits);
			__builtin_prefetch(&idx[b]);
			st[m].lo = b;
			st[m].slot = (uint32_t)(i - base);
			key[m++] = x;
		}
		for (size_t j = 0; j < m; j++) {
			uint32_t b = st[j].lo;
			st[j].lo = idx[b];
			st[j].hi = idx[b + 1];
			/* the first two of the scan window's cache lines, within
			 * the table */
			uint64_t next = st[j].lo + 4 < t->count ? st[j].lo + 4 : st[j].lo;
			__builtin_prefetch(&k[2 * (size_t)st[j].lo]);
			__builtin_prefetch(&k[2 * (size_t)next]);
		}
		for (size_t j = 0; j < m; j++)
			out[base + st[j].slot] =
			    search_v6(k, t->count, st[j].lo, st[j].hi, key[j]) >= 0;
	}
}

void db_contains_batch(const struct db *db, const struct net_addr *a, size_t n, bool *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = false;
	/* table by table: a probe found in one table skips the rest */
	for (uint64_t ti = 0; ti < db->ntables; ti++) {
		const struct db_table_rec *t = &db->tables[ti];
		if (t->kind == DB_KEY_V4)
			batch_table_v4(db, t, a, n, out);
		else
			batch_table_v6(db, t, a, n, out);
	}
}
