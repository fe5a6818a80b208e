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

static inline const uint32_t *ranks_of(const struct db *db, const struct db_table_rec *t)
{
	return (const void *)(data(db) + t->ranks);
}

/* db_line_key in this snapshot's DATA: key slot s of line l of table t,
 * for the walks, where speed matters less than in the lookups. */
static db_u128 key_at(const struct db *db, const struct db_table_rec *t, uint64_t l,
		      unsigned s)
{
	return db_line_key(t, data(db) + t->keys, l, s);
}

/* The line holding rank i: ranks[l] <= i < ranks[l + 1]. */
static uint64_t line_of_rank(const uint32_t *ranks, uint64_t lines, uint64_t i)
{
	uint64_t lo = 0, hi = lines; /* the first l with ranks[l] > i is in (lo, hi] */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (ranks[mid] <= i)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* The first line in [lo, hi) whose last slot (its greatest key, as lines
 * are sorted and padded with the key before) is >= key, or hi. */
static uint64_t seek_line(const struct db *db, const struct db_table_rec *t, uint64_t lo,
			  uint64_t hi, db_u128 key)
{
	unsigned last = db_line_slots(t->kind) - 1;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (key_at(db, t, mid, last) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* seek_line for a key just past line `from`, as a lookup whose line
 * overflowed: it is nearly always in the next line, so gallop from there
 * instead of halving the whole rest of the table. */
static uint64_t seek_line_near(const struct db *db, const struct db_table_rec *t,
			       uint64_t from, db_u128 key)
{
	unsigned last = db_line_slots(t->kind) - 1;
	uint64_t lo = from, step = 1;
	while (lo < t->lines && key_at(db, t, lo, last) < key) {
		uint64_t next = lo + step;
		if (next >= t->lines || key_at(db, t, next, last) >= key)
			return seek_line(db, t, lo + 1, next < t->lines ? next : t->lines,
					 key);
		lo = next + 1;
		step *= 2;
	}
	return lo;
}

/* Whether key lies outside the prefix every key of table t shares (first:
 * the table's first key): then no line of t can hold it, and a lookup
 * misses without touching the table. */
static inline bool outside_common_v4(const struct db_table_rec *t, uint32_t first,
				     uint32_t key)
{
	return t->common && ((key ^ first) >> (32 - t->common));
}

static inline bool outside_common_v6(const struct db_table_rec *t, db_u128 first,
				     db_u128 key)
{
	return t->common && ((key ^ first) >> (128 - t->common));
}

/* Slots of an IPv4 key line equal to key, as a bit mask. The 16 slots are
 * compared at once, without a data-dependent branch: consecutive lookups
 * then overlap their cache misses in the CPU's out-of-order window
 * instead of waiting on a mispredicted branch each. aligned: k is on a
 * 16-byte boundary (always so in a mapped snapshot, whose lines are
 * 64-aligned; not always in a buffer), so the compares read memory
 * themselves. */
static inline __attribute__((always_inline)) unsigned eq_v4_at(const uint32_t *k,
							       uint32_t key, bool aligned)
{
#ifdef __SSE2__
	/* four compares narrowed to one byte a slot by saturating packs, so
	 * one movemask gives the 16 bits */
	__m128i x = _mm_set1_epi32((int)key);
	const __m128i *v = (const void *)k;
#define LD(i) (aligned ? _mm_load_si128(v + (i)) : _mm_loadu_si128(v + (i)))
	__m128i a = _mm_packs_epi32(_mm_cmpeq_epi32(LD(0), x), _mm_cmpeq_epi32(LD(1), x));
	__m128i b = _mm_packs_epi32(_mm_cmpeq_epi32(LD(2), x), _mm_cmpeq_epi32(LD(3), x));
#undef LD
	_Static_assert(DB_LINE_SLOTS_V4 == 16, "four 4-key compares a line");
	return (unsigned)_mm_movemask_epi8(_mm_packs_epi16(a, b));
#else
	(void)aligned;
	unsigned m = 0;
	for (unsigned i = 0; i < DB_LINE_SLOTS_V4; i++)
		m |= (unsigned)(k[i] == key) << i;
	return m;
#endif
}

static inline __attribute__((always_inline)) unsigned eq_v4(const uint32_t *k,
							    uint32_t key)
{
	return eq_v4_at(k, key, false);
}

static inline unsigned eq_v6(const uint64_t *k, db_u128 key)
{
	uint64_t hi = (uint64_t)(key >> 64), lo = (uint64_t)key;
	unsigned m = 0;
#ifdef __SSE2__
	/* a key is two words, high first: lane 0 holds hi */
	__m128i x = _mm_set_epi64x((long long)lo, (long long)hi);
	for (unsigned i = 0; i < DB_LINE_SLOTS_V6; i++) {
		__m128i v = _mm_loadu_si128((const void *)(k + 2 * i));
		int eq = _mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(v, x)));
		m |= (unsigned)(eq == 0xf) << i;
	}
#else
	for (unsigned i = 0; i < DB_LINE_SLOTS_V6; i++)
		m |= (unsigned)(k[2 * i] == hi && k[2 * i + 1] == lo) << i;
#endif
	return m;
}

/* Whether a key can only be in a later line than its bucket's line k: the
 * line is full (its last two slots differ, so the last is no pad) and the
 * key is past its last slot, its greatest key (so the key matched none).
 * Evaluated without branches: nearly always false, and whether a key is
 * found is a coin toss the CPU cannot predict. */
static inline unsigned past_line_v4(const uint32_t *k, uint32_t key)
{
	return (unsigned)(k[DB_LINE_SLOTS_V4 - 1] != k[DB_LINE_SLOTS_V4 - 2]) &
	       (unsigned)(key > k[DB_LINE_SLOTS_V4 - 1]);
}

/* Where key is in an IPv4 table: *line and the mask of matching slots of
 * that line (0: not listed). The line of the key's bucket answers unless
 * it is full and the key is past its last slot, which a good spread of
 * keys makes rare; then the key can only be in a later line. The first
 * matching slot is the key's own (a pad repeats a key of the same line
 * or of one before, which a lookup of that key never passes). */
static inline __attribute__((always_inline)) unsigned
locate_v4(const struct db *db, const struct db_table_rec *t, uint32_t key, uint64_t *line)
{
	const uint32_t *lines = (const void *)(data(db) + t->keys);
	if (outside_common_v4(t, lines[0], key))
		return 0;
	uint64_t l = db_bucket_v4(key, t->common, t->buckets);
	const uint32_t *k = lines + (size_t)l * DB_LINE_SLOTS_V4;
	unsigned m = eq_v4(k, key);
	if (__builtin_expect(past_line_v4(k, key), 0)) {
		l = seek_line_near(db, t, l + 1, key);
		if (l == t->lines)
			return 0;
		m = eq_v4(lines + (size_t)l * DB_LINE_SLOTS_V4, key);
	}
	*line = l;
	return m;
}

static inline __attribute__((always_inline)) unsigned
locate_v6(const struct db *db, const struct db_table_rec *t, db_u128 key, uint64_t *line)
{
	const uint64_t *lines = (const void *)(data(db) + t->keys);
	if (outside_common_v6(t, db_u128_make(lines[0], lines[1]), key))
		return 0;
	uint64_t l = db_bucket_v6(key, t->common, t->buckets);
	const uint64_t *k = lines + (size_t)l * 2 * DB_LINE_SLOTS_V6;
	unsigned m = eq_v6(k, key);
	db_u128 last =
	    db_u128_make(k[2 * DB_LINE_SLOTS_V6 - 2], k[2 * DB_LINE_SLOTS_V6 - 1]);
	db_u128 before =
	    db_u128_make(k[2 * DB_LINE_SLOTS_V6 - 4], k[2 * DB_LINE_SLOTS_V6 - 3]);
	unsigned more =
	    (unsigned)(m == 0) & (unsigned)(last != before) & (unsigned)(key > last);
	if (__builtin_expect(more, 0)) {
		l = seek_line_near(db, t, l + 1, key);
		if (l == t->lines)
			return 0;
		m = eq_v6(lines + (size_t)l * 2 * DB_LINE_SLOTS_V6, key);
	}
	*line = l;
	return m;
}

static uint32_t v4_mask(unsigned sig)
{
	return sig == 0 ? 0 : ~0u << (32 - sig);
}

static db_u128 v6_mask(unsigned sig)
{
	return sig == 0 ? 0 : ~(db_u128)0 << (128 - sig);
}

/* Whether table t has the entry covering a (masked to t->plen): then its
 * rank, line and slot. Its value record is fetched too (db_cover reads it
 * next). */
static bool find_cover(const struct db *db, const struct db_table_rec *t, bool v4,
		       uint32_t a4, db_u128 a6, uint64_t *rank, uint64_t *line,
		       unsigned *slot)
{
	unsigned m;
	/* the rank of the bucket's line, fetched along with the line */
	if (t->kind == DB_KEY_V4) {
		if (!v4)
			return false;
		uint32_t x = a4 & v4_mask(t->plen - 96u);
		__builtin_prefetch(ranks_of(db, t) +
				   db_bucket_v4(x, t->common, t->buckets));
		m = locate_v4(db, t, x, line);
	} else {
		db_u128 x = a6 & v6_mask(t->plen);
		__builtin_prefetch(ranks_of(db, t) +
				   db_bucket_v6(x, t->common, t->buckets));
		m = locate_v6(db, t, x, line);
	}
	if (!m)
		return false;
	*slot = (unsigned)__builtin_ctz(m);
	*rank = ranks_of(db, t)[*line] + *slot;
	__builtin_prefetch(data(db) + t->values + *rank * sizeof(struct db_value_rec));
	return true;
}

/* Out of line, so that the IPv4 path of db_contains stays small: a
 * single lookup's cost is its cache miss, and the fewer instructions
 * surround it, the more lookups the CPU's out-of-order window holds and
 * overlaps (the window, not the memory, limits a loop of lookups). */
static __attribute__((noinline)) bool
contains_v6(const struct db *db, const struct db_table_rec *t, db_u128 a6)
{
	uint64_t line;
	return locate_v6(db, t, a6 & v6_mask(t->plen), &line) != 0;
}

/* contains_v4's rare case, out of line and cold: the key is past its
 * bucket's full line. */
static __attribute__((noinline, cold)) bool contains_v4_past(const struct db *db,
							     const struct db_table_rec *t,
							     uint32_t key, uint64_t l)
{
	const uint32_t *lines = (const void *)(data(db) + t->keys);
	l = seek_line_near(db, t, l + 1, key);
	return l < t->lines && eq_v4(lines + (size_t)l * DB_LINE_SLOTS_V4, key) != 0;
}

/* locate_v4 for db_contains, which needs no line, from the descriptor
 * gathered at open: with the rare case out of line, the common one holds
 * nothing across a call, so db_contains on one IPv4 table is a leaf that
 * saves no registers. */
static inline __attribute__((always_inline)) bool contains_v4(const struct db *db,
							      uint32_t key)
{
	const struct db_v4_probe *f = &db->v4;
	if ((key & f->common_mask) != f->common_bits)
		return false;
	uint32_t x = (key << f->bucket_shift) & f->bucket_mask;
	uint64_t l = (uint64_t)x * f->buckets >> 32;
	const uint32_t *k = f->lines + (size_t)l * DB_LINE_SLOTS_V4;
	unsigned m = eq_v4_at(k, key, true);
	if (__builtin_expect(past_line_v4(k, key), 0))
		return contains_v4_past(db, db->tables, key, l);
	return m != 0;
}

void db_v4_probe_init(struct db *db)
{
	struct db_v4_probe *f = &db->v4;
	memset(f, 0, sizeof(*f));
	const struct db_table_rec *t = db->tables;
	if (db->ntables != 1 || t->kind != DB_KEY_V4)
		return;
	const uint32_t *lines = (const void *)(data(db) + t->keys);
	if ((uintptr_t)lines % 16) /* a buffer: contains_tables reads it */
		return;
	f->lines = lines;
	f->buckets = t->buckets;
	f->plen_mask = v4_mask(t->plen - 96u);
	/* outside_common_v4 and db_bucket_v4, with their shifts made masks */
	f->common_mask = v4_mask(t->common < 32 ? t->common : 32);
	f->common_bits = f->lines[0] & f->common_mask;
	f->bucket_mask = t->common < 32 ? UINT32_MAX : 0;
	f->bucket_shift = (uint8_t)(t->common < 32 ? t->common : 0);
}

static __attribute__((noinline)) bool contains_tables(const struct db *db,
						      const struct net_addr *a);

bool db_contains(const struct db *db, const struct net_addr *a)
{
	/* the usual IPv4 set: one table */
	if (db->v4.lines) {
		if (!net_addr_is_v4(a))
			return false;
		return contains_v4(db, net_addr_v4(a) & db->v4.plen_mask);
	}
	return contains_tables(db, a);
}

/* db_contains over every table, most specific first. */
static bool contains_tables(const struct db *db, const struct net_addr *a)
{
	uint64_t hi = net_addr_hi(a), lo = net_addr_lo(a);
	bool v4 = !hi && lo >> 32 == 0xffff; /* ::ffff:0:0/96, from two words */
	const struct db_table_rec *t = db->tables, *end = t + db->ntables;
	/* no early exit on a hit in the last table: with one table (the
	 * usual IPv4 set) the result then feeds no branch */
	bool hit = false;
	for (; t < end && !hit; t++) {
		if (t->kind != DB_KEY_V4) {
			hit = contains_v6(db, t, db_u128_make(hi, lo));
		} else if (v4) {
			uint64_t line;
			hit = locate_v4(db, t, (uint32_t)lo & v4_mask(t->plen - 96u),
					&line) != 0;
		}
	}
	return hit;
}

/* The entry at rank i of table ti, whose key is slot s of line l. */
static void make_entry(const struct db *db, uint32_t ti, uint64_t i, uint64_t l,
		       unsigned s, struct db_entry *e)
{
	const struct db_table_rec *t = &db->tables[ti];
	const struct db_value_rec *v =
	    (const void *)(data(db) + t->values + i * sizeof(*v));
	db_u128 k = key_at(db, t, l, s);
	if (t->kind == DB_KEY_V4)
		net_addr_from_v4(&e->prefix.addr, (uint32_t)k);
	else
		net_addr_from_u64(&e->prefix.addr, (uint64_t)(k >> 64), (uint64_t)k);
	e->prefix.len = t->plen;
	e->first_seen = v->first_seen;
	e->last_seen = v->last_seen;
	e->count = v->count;
	e->nsightings = (v->ref & DB_MULTI_FLAG) ? db->multi[v->ref & ~DB_MULTI_FLAG] : 1;
	e->table = ti;
	e->index = i;
}

/* make_entry for rank i, wherever its line is. */
static void make_entry_at(const struct db *db, uint32_t ti, uint64_t i,
			  struct db_entry *e)
{
	const struct db_table_rec *t = &db->tables[ti];
	const uint32_t *ranks = ranks_of(db, t);
	uint64_t l = line_of_rank(ranks, t->lines, i);
	make_entry(db, ti, i, l, (unsigned)(i - ranks[l]), e);
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
		uint64_t rank, line;
		unsigned slot;
		if (find_cover(db, t, v4, a4, a6, &rank, &line, &slot))
			make_entry(db, (uint32_t)i, rank, line, slot, &found[n++]);
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

/* Calls fn (if any) for the entries of table ti whose keys are in
 * [lo, hi], in key order; counts them in *visited. */
static int walk_table(const struct db *db, uint32_t ti, db_u128 lo, db_u128 hi,
		      db_entry_fn fn, void *ctx, uint64_t *visited)
{
	const struct db_table_rec *t = &db->tables[ti];
	const uint32_t *ranks = ranks_of(db, t);
	unsigned slots = db_line_slots(t->kind);
	for (uint64_t l = seek_line(db, t, 0, t->lines, lo); l < t->lines; l++) {
		unsigned used = ranks[l + 1] - ranks[l];
		for (unsigned s = 0; s < used && s < slots; s++) {
			db_u128 k = key_at(db, t, l, s);
			if (k < lo)
				continue;
			if (k > hi)
				return 0;
			(*visited)++;
			if (fn) {
				struct db_entry e;
				make_entry(db, ti, ranks[l] + s, l, s, &e);
				int rc = fn(&e, ctx);
				if (rc)
					return rc;
			}
		}
	}
	return 0;
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
			rc = walk_table(db, (uint32_t)ti, lo4, hi4, fn, ctx, &visited);
		} else {
			rc = walk_table(db, (uint32_t)ti, lo6, hi6, fn, ctx, &visited);
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
		const struct db_table_rec *t = &db->tables[ti];
		const uint32_t *ranks = ranks_of(db, t);
		for (uint64_t l = 0; l < t->lines; l++) {
			for (uint64_t i = ranks[l]; i < ranks[l + 1]; i++) {
				struct db_entry e;
				make_entry(db, (uint32_t)ti, i, l,
					   (unsigned)(i - ranks[l]), &e);
				int rc = fn(&e, ctx);
				if (rc)
					return rc;
			}
		}
	}
	return 0;
}

bool db_cursor_next(const struct db *db, struct db_cursor *c, struct db_entry *e)
{
	while (c->table < db->ntables && c->index >= db->tables[c->table].count) {
		c->table++;
		c->index = 0;
		c->line = 0;
	}
	if (c->table >= db->ntables)
		return false;
	const struct db_table_rec *t = &db->tables[c->table];
	const uint32_t *ranks = ranks_of(db, t);
	/* the hint is the line of the previous entry: walk on from it */
	if (c->line >= t->lines || ranks[c->line] > c->index)
		c->line = line_of_rank(ranks, t->lines, c->index);
	while (ranks[c->line + 1] <= c->index)
		c->line++;
	make_entry(db, c->table, c->index, c->line, (unsigned)(c->index - ranks[c->line]),
		   e);
	c->index++;
	return true;
}

bool db_entry_get(const struct db *db, uint32_t table, uint64_t index, struct db_entry *e)
{
	if (table >= db->ntables || index >= db->tables[table].count)
		return false;
	make_entry_at(db, table, index, e);
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

/* Looks the addresses of a[0..n) not yet found (out[i] false) up in
 * IPv4 table t: out[i] true for those it holds, and, when line is not
 * NULL, line[i] and slot[i] say where the key is. */
static inline __attribute__((always_inline)) void
batch_table_v4(const struct db *db, const struct db_table_rec *t,
	       const struct net_addr *a, size_t n, bool *out, uint64_t *line,
	       uint8_t *slot)
{
	const uint32_t *lines = (const void *)(data(db) + t->keys);
	uint32_t mask = v4_mask(t->plen - 96u);
	uint32_t key[DB_BATCH_ROUND], probe[DB_BATCH_ROUND];
	for (size_t base = 0; base < n; base += DB_BATCH_ROUND) {
		size_t end = n - base < DB_BATCH_ROUND ? n : base + DB_BATCH_ROUND;
		size_t m = 0;
		/* 1: the key line of each live probe: fetch it */
		for (size_t i = base; i < end; i++) {
			/* ::ffff:0:0/96 from two words, not a loop over 12 bytes */
			uint64_t lo = net_addr_lo(&a[i]);
			if (out[i] || net_addr_hi(&a[i]) || lo >> 32 != 0xffff)
				continue;
			uint32_t x = (uint32_t)lo & mask;
			if (outside_common_v4(t, lines[0], x))
				continue;
			uint64_t l = db_bucket_v4(x, t->common, t->buckets);
			__builtin_prefetch(lines + (size_t)l * DB_LINE_SLOTS_V4);
			probe[m] = (uint32_t)(i - base);
			key[m++] = x;
		}
		/* 2: look each up, its line now (mostly) in cache */
		for (size_t j = 0; j < m; j++) {
			uint64_t l;
			unsigned found = locate_v4(db, t, key[j], &l);
			size_t i = base + probe[j];
			out[i] = found != 0;
			if (line && found) {
				line[i] = l;
				slot[i] = (uint8_t)__builtin_ctz(found);
			}
		}
	}
}

/* batch_table_v4 for an IPv6 table. */
static inline __attribute__((always_inline)) void
batch_table_v6(const struct db *db, const struct db_table_rec *t,
	       const struct net_addr *a, size_t n, bool *out, uint64_t *line,
	       uint8_t *slot)
{
	const uint64_t *lines = (const void *)(data(db) + t->keys);
	db_u128 mask = v6_mask(t->plen);
	db_u128 first = db_u128_make(lines[0], lines[1]);
	uint32_t probe[DB_BATCH_ROUND];
	db_u128 key[DB_BATCH_ROUND];
	for (size_t base = 0; base < n; base += DB_BATCH_ROUND) {
		size_t end = n - base < DB_BATCH_ROUND ? n : base + DB_BATCH_ROUND;
		size_t m = 0;
		for (size_t i = base; i < end; i++) {
			if (out[i])
				continue;
			db_u128 x =
			    db_u128_make(net_addr_hi(&a[i]), net_addr_lo(&a[i])) & mask;
			if (outside_common_v6(t, first, x))
				continue;
			uint64_t l = db_bucket_v6(x, t->common, t->buckets);
			const uint64_t *k = lines + (size_t)l * 2 * DB_LINE_SLOTS_V6;
			/* a line is two cache lines */
			__builtin_prefetch(k);
			__builtin_prefetch(k + DB_LINE_SLOTS_V6);
			probe[m] = (uint32_t)(i - base);
			key[m++] = x;
		}
		for (size_t j = 0; j < m; j++) {
			uint64_t l;
			unsigned found = locate_v6(db, t, key[j], &l);
			size_t i = base + probe[j];
			out[i] = found != 0;
			if (line && found) {
				line[i] = l;
				slot[i] = (uint8_t)__builtin_ctz(found);
			}
		}
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
			batch_table_v4(db, t, a, n, out, NULL, NULL);
		else
			batch_table_v6(db, t, a, n, out, NULL, NULL);
	}
}

/* Whether table t may hold an entry covering a: false when a lookup of a
 * in t would miss without reading its lines (another address family, or
 * outside the prefix every key of t shares), as locate_v4/locate_v6
 * decide it. An address found in one table has more covering entries
 * only if a later table may hold one. */
static bool may_cover(const struct db *db, const struct db_table_rec *t,
		      const struct net_addr *a)
{
	if (t->kind == DB_KEY_V4) {
		if (!net_addr_is_v4(a))
			return false;
		const uint32_t *lines = (const void *)(data(db) + t->keys);
		uint32_t x = net_addr_v4(a) & v4_mask(t->plen - 96u);
		return !outside_common_v4(t, lines[0], x);
	}
	const uint64_t *lines = (const void *)(data(db) + t->keys);
	db_u128 x = db_u128_make(net_addr_hi(a), net_addr_lo(a)) & v6_mask(t->plen);
	return !outside_common_v6(t, db_u128_make(lines[0], lines[1]), x);
}

void db_cover_batch(const struct db *db, const struct net_addr *a, size_t n,
		    struct db_entry *out, uint8_t *found)
{
	bool hit[DB_BATCH_ROUND];
	uint64_t line[DB_BATCH_ROUND];
	uint8_t slot[DB_BATCH_ROUND];
	uint32_t table[DB_BATCH_ROUND];
	for (size_t base = 0; base < n; base += DB_BATCH_ROUND) {
		size_t m = n - base < DB_BATCH_ROUND ? n - base : DB_BATCH_ROUND;
		const struct net_addr *b = a + base;
		for (size_t i = 0; i < m; i++) {
			hit[i] = false;
			table[i] = UINT32_MAX;
		}
		for (uint64_t ti = 0; ti < db->ntables; ti++) {
			const struct db_table_rec *t = &db->tables[ti];
			if (t->kind == DB_KEY_V4)
				batch_table_v4(db, t, b, m, hit, line, slot);
			else
				batch_table_v6(db, t, b, m, hit, line, slot);
			/* found in this table (a hit is not looked up again):
			 * the most specific entry of its kind, as tables of a
			 * kind are most specific first */
			for (size_t i = 0; i < m; i++)
				if (hit[i] && table[i] == UINT32_MAX)
					table[i] = (uint32_t)ti;
		}
		/* the value records of the hits, fetched together */
		for (size_t i = 0; i < m; i++) {
			if (!hit[i])
				continue;
			const struct db_table_rec *t = &db->tables[table[i]];
			uint64_t rank = ranks_of(db, t)[line[i]] + slot[i];
			__builtin_prefetch(data(db) + t->values +
					   rank * sizeof(struct db_value_rec));
		}
		for (size_t i = 0; i < m; i++) {
			if (!hit[i]) {
				found[base + i] = 0;
				continue;
			}
			uint32_t ti = table[i];
			const struct db_table_rec *t = &db->tables[ti];
			uint64_t rank = ranks_of(db, t)[line[i]] + slot[i];
			make_entry(db, ti, rank, line[i], slot[i], &out[base + i]);
			bool more = false;
			for (uint64_t tj = ti + 1; tj < db->ntables && !more; tj++)
				more = may_cover(db, &db->tables[tj], &b[i]);
			found[base + i] = more ? 2 : 1;
		}
	}
}
