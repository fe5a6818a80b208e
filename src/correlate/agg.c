/* One table of fixed-size records keyed by client x indicator x source x
 * exchange. The snapshot's per-client sightings (whose count must be
 * records, not record x indicator pairs: one beacon that matches a domain
 * and a URL is one sighting) are not a second table: each record also
 * counts, in cdup, the records in which a later hit sighted the client
 * too, so the per-client count is the sum of count - cdup.
 *
 * The records live in an anonymous mapping: it grows by mremap (no copy and
 * no second copy at peak, as a doubling realloc would make) and gives back
 * the pages already read while the snapshot builder fills. The sort is in
 * place (qsort would allocate a copy of the whole array). */
#include "correlate/agg.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/error.h"
#include "core/intern.h"

/* rec.bits */
#define B_V6 0x01u	/* client is an IPv6 id (a rank after the sort) */
#define B_EX_SHIFT 1	/* 2 bits: enum corr_exchange */
#define B_DIRS_SHIFT 3	/* 2 bits: 1 << enum corr_dir seen */
#define B_CONF_SHIFT 5	/* 2 bits: highest DB_CONF_* */
#define B_V6_HIGH 0x80u /* set by the sort: IPv6 above ::ffff:0:0/96 */
#define B_KEY (B_V6 | 3u << B_EX_SHIFT)

struct rec {
	int64_t first, last;
	uint32_t client; /* IPv4 address, or the IPv6 address's id */
	uint32_t ind;
	uint32_t count;	 /* records, up to CORR_MAX_COUNT */
	uint32_t cdup;	 /* of those, records that sighted the client later */
	uint32_t server; /* id + 1 of the lowest example server; 0 none */
	uint16_t source;
	uint8_t bits;
	uint8_t evidence;
};
_Static_assert(sizeof(struct rec) == 40, "a sighting is 40 bytes");

/* A slot: 5 bits of the hash (most probes of another key stop there
 * without reading its record) over the record's index + 1; 0 is empty. */
#define SLOT_INDEX_BITS 27
#define SLOT_INDEX_MASK ((1u << SLOT_INDEX_BITS) - 1)
_Static_assert(CORR_MAX_SIGHTINGS < SLOT_INDEX_MASK, "index fits a slot");
_Static_assert(CORR_MAX_SOURCES <= 65536, "source fits 16 bits");

#define HUGE_PAGE (2u << 20)
#define SERVER_LEN 18	/* address, port big-endian */
#define SERVER_CACHE 16 /* servers remembered without a lookup (a power of 2) */

/* Blocks of pending records waiting for the inserter. A reader fills a
 * block in place and hands it over whole (no copy); four queued ride out
 * a reader's uneven pace. A block is large so that the inserter, faster
 * than a parser, sleeps and is woken once per block, not per batch: a
 * wake-up costs microseconds in a VM. */
#define QUEUE_LEN 4
#define BLOCK_RECORDS 4096

struct corr_agg_block {
	struct corr_agg_block *next; /* the free list */
	struct corr_agg_block *all;  /* every block, for corr_agg_free */
	size_t n;
	struct corr_agg_pending p[BLOCK_RECORDS];
};

/* The inserter: a thread of the aggregate's own that makes the locked
 * inserts of the blocks readers hand over, so that where every record
 * matches the index's cache misses and the kernel's zeroing of new pages
 * run on a core other than the parsing. Started on the first batch when
 * there is more than one CPU; without it a reader inserts its own batch
 * when full, as corr_agg_add_record does. */
struct inserter {
	pthread_mutex_t lock;
	pthread_cond_t work, room; /* a block is queued; one is done */
	struct corr_agg_block *queue[QUEUE_LEN];
	unsigned head, count; /* queue[head] is being inserted or next */
	struct corr_agg_block *free, *all;
	int error; /* the first failed insert's code, kept */
	bool quit, tried, running;
	pthread_t thread;
};

/* The sort after the last add: one pass splits the records in place into
 * up to 256 ranges of keys (buckets), then the buckets are sorted one by
 * one in key order, by a thread of the sort's own and by the reader of
 * the sightings whenever it would otherwise wait. The reader takes each
 * client as soon as its bucket is in order, so reading the sightings out
 * (the snapshot builder's feed) overlaps the sorting of the rest. */
#define SORT_BUCKETS 256

struct sorter {
	pthread_mutex_t lock;
	pthread_cond_t done; /* a bucket is in order */
	size_t start[SORT_BUCKETS + 1];
	unsigned nb;	       /* buckets */
	unsigned next;	       /* the next bucket nobody sorts yet */
	unsigned first_undone; /* buckets below are in order */
	bool in_order[SORT_BUCKETS];
	int shift;		/* of the byte below the split's (see radix_sort) */
	unsigned depth;		/* introsort's limit */
	atomic_size_t ready;	/* records [0, ready) are in their final order */
	size_t tmp_len;		/* records of each tmp below (see lsd_sort) */
	struct rec *reader_tmp; /* the reader's, made on its first bucket */
	bool thread_running;
	pthread_t thread;
};

struct corr_agg {
	pthread_mutex_t lock;
	struct inserter ins;
	struct rec *r;	 /* mapped */
	size_t n, cap;	 /* records held, records mapped */
	size_t released; /* bytes at the start given back */
	uint32_t *slots;
	size_t nslots;		   /* power of two */
	struct sd_intern *v6;	   /* IPv6 client addresses */
	struct sd_intern *servers; /* example servers */
	uint32_t *v6_order;	   /* after the sort: rank -> id */
	bool sorted;
	/* the bits of key_hi set in any IPv4 client's record and in all of
	 * them, kept as records are made: the sort's split needs no pass to
	 * find them (IPv6 clients get their ranks only at the sort) */
	uint64_t v4_any, v4_all;
	struct sorter sort;
	/* records come in runs: the same few servers or IPv6 client again */
	uint8_t recent_server[SERVER_CACHE][SERVER_LEN];
	uint32_t recent_server_id[SERVER_CACHE]; /* id + 1; 0 none */
	struct net_addr last_v6;
	uint32_t last_v6_id; /* id + 1; 0 none */
};

/* Zeroed memory straight from the kernel, in huge pages where it is big
 * enough: the index is probed at random and the records written page after
 * page, and with 4 KiB pages both pay a TLB miss (or a fault) too often. */
static void *map_zeroed(size_t bytes)
{
	void *p =
	    mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (bytes >= HUGE_PAGE)
		madvise(p, bytes, MADV_HUGEPAGE); /* a hint: fine if refused */
	return p;
}

static void inserter_stop(struct corr_agg *g);
static void sorter_stop(struct corr_agg *g);

struct corr_agg *corr_agg_new(void)
{
	struct corr_agg *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	pthread_mutex_init(&g->lock, NULL);
	pthread_mutex_init(&g->ins.lock, NULL);
	pthread_cond_init(&g->ins.work, NULL);
	pthread_cond_init(&g->ins.room, NULL);
	pthread_mutex_init(&g->sort.lock, NULL);
	pthread_cond_init(&g->sort.done, NULL);
	atomic_init(&g->sort.ready, 0);
	g->v4_all = UINT64_MAX;
	g->nslots = 1024;
	g->slots = map_zeroed(g->nslots * sizeof(*g->slots));
	g->v6 = sd_intern_new();
	g->servers = sd_intern_new();
	if (!g->slots || !g->v6 || !g->servers) {
		corr_agg_free(g);
		return NULL;
	}
	return g;
}

void corr_agg_free(struct corr_agg *g)
{
	if (!g)
		return;
	inserter_stop(g);
	sorter_stop(g);
	free(g->sort.reader_tmp);
	pthread_cond_destroy(&g->sort.done);
	pthread_mutex_destroy(&g->sort.lock);
	for (struct corr_agg_block *k = g->ins.all, *next; k; k = next) {
		next = k->all;
		free(k);
	}
	pthread_cond_destroy(&g->ins.work);
	pthread_cond_destroy(&g->ins.room);
	pthread_mutex_destroy(&g->ins.lock);
	pthread_mutex_destroy(&g->lock);
	if (g->r)
		munmap(g->r, g->cap * sizeof(*g->r));
	if (g->slots)
		munmap(g->slots, g->nslots * sizeof(*g->slots));
	sd_intern_free(g->v6);
	sd_intern_free(g->servers);
	free(g->v6_order);
	free(g);
}

/* The key's 84 bits mixed so that the low bits (the slot) and the top
 * bits (the tag) both depend on all of them: the two words folded by
 * multiplying by odd constants, then one multiply and xor-shift (as in the
 * finaliser of MurmurHash3, one round of it: it runs for every record and
 * again for every record at each growth of the index). */
static uint64_t hash_rec(const struct rec *k)
{
	uint64_t h = ((uint64_t)k->client << 32 | k->ind) * 0x9e3779b97f4a7c15u;
	h ^= ((uint64_t)k->source << 8 | (k->bits & B_KEY)) * 0xc2b2ae3d27d4eb4fu;
	h ^= h >> 32;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 29;
	return h;
}

static bool same_key(const struct rec *a, const struct rec *b)
{
	return a->client == b->client && a->ind == b->ind && a->source == b->source &&
	       ((a->bits ^ b->bits) & B_KEY) == 0;
}

static uint32_t slot_tag(uint64_t h)
{
	return (uint32_t)(h >> (64 - (32 - SLOT_INDEX_BITS))) << SLOT_INDEX_BITS;
}

/* The slot holding key, or the empty slot where it goes (*found false). */
static size_t find_slot(const struct corr_agg *g, uint64_t h, const struct rec *key,
			bool *found)
{
	size_t mask = g->nslots - 1, i = h & mask;
	uint32_t tag = slot_tag(h);
	for (;; i = (i + 1) & mask) {
		uint32_t v = g->slots[i];
		if (!v) {
			*found = false;
			return i;
		}
		if ((v & ~SLOT_INDEX_MASK) == tag &&
		    same_key(&g->r[(v & SLOT_INDEX_MASK) - 1], key)) {
			*found = true;
			return i;
		}
	}
}

static int grow_index(struct corr_agg *g)
{
	size_t ns = g->nslots * 2, mask = ns - 1;
	uint32_t *slots = map_zeroed(ns * sizeof(*slots));
	if (!slots)
		return SD_ENOMEM;
	/* in chunks, the new slots prefetched: the stores miss the cache */
	uint64_t hs[64];
	for (size_t at = 0; at < g->n; at += 64) {
		size_t m = g->n - at < 64 ? g->n - at : 64;
		for (size_t k = 0; k < m; k++) {
			hs[k] = hash_rec(&g->r[at + k]);
			__builtin_prefetch(&slots[hs[k] & mask], 1);
		}
		for (size_t k = 0; k < m; k++) {
			size_t i = hs[k] & mask;
			while (slots[i])
				i = (i + 1) & mask;
			slots[i] = slot_tag(hs[k]) | (uint32_t)(at + k + 1);
		}
	}
	munmap(g->slots, g->nslots * sizeof(*g->slots));
	g->slots = slots;
	g->nslots = ns;
	return 0;
}

static int grow_records(struct corr_agg *g)
{
	/* 1024 records are 10 pages: every size stays whole pages */
	size_t nc = g->cap ? g->cap * 2 : 1024;
	void *p = g->r ? mremap(g->r, g->cap * sizeof(*g->r), nc * sizeof(*g->r),
				MREMAP_MAYMOVE)
		       : map_zeroed(nc * sizeof(*g->r));
	if (!p || p == MAP_FAILED)
		return SD_ENOMEM;
	if (g->r && nc * sizeof(*g->r) >= HUGE_PAGE)
		madvise(p, nc * sizeof(*g->r), MADV_HUGEPAGE);
	g->r = p;
	g->cap = nc;
	return 0;
}

/* The record for key (h: its hash), created empty when new; NULL with *rc
 * set on failure. */
static struct rec *upsert(struct corr_agg *g, const struct rec *key, uint64_t h, int *rc)
{
	bool found;
	size_t i = find_slot(g, h, key, &found);
	if (found)
		return &g->r[(g->slots[i] & SLOT_INDEX_MASK) - 1];
	if (g->n >= CORR_MAX_SIGHTINGS) {
		*rc = SD_ELIMIT;
		return NULL;
	}
	if (g->n == g->cap && (*rc = grow_records(g)))
		return NULL;
	/* at most three quarters full: a miss stops within a few slots */
	if ((g->n + 1) * 4 > g->nslots * 3) {
		if ((*rc = grow_index(g)))
			return NULL;
		i = find_slot(g, h, key, &found);
	}
	struct rec *s = &g->r[g->n];
	memset(s, 0, sizeof(*s));
	s->client = key->client;
	s->ind = key->ind;
	s->source = key->source;
	s->bits = key->bits & B_KEY;
	if (!(s->bits & B_V6)) {
		uint64_t k = (uint64_t)1 << 32 | s->client; /* key_hi */
		g->v4_any |= k;
		g->v4_all &= k;
	}
	g->slots[i] = slot_tag(h) | (uint32_t)++g->n;
	return s;
}

static void server_bytes(const struct net_addr *a, uint16_t port, uint8_t out[SERVER_LEN])
{
	memcpy(out, a->b, 16);
	out[16] = (uint8_t)(port >> 8);
	out[17] = (uint8_t)port;
}

static int server_id(struct corr_agg *g, const struct corr_hit *h, uint32_t *id)
{
	uint8_t k[SERVER_LEN];
	server_bytes(&h->server, h->server_port, k);
	/* one place per server, from its last address byte and its port's:
	 * one comparison, where a scan of them all cost more than the rest of
	 * an insert's key */
	unsigned slot = (k[15] ^ k[17] * 5u) & (SERVER_CACHE - 1);
	if (g->recent_server_id[slot] && !memcmp(k, g->recent_server[slot], SERVER_LEN)) {
		*id = g->recent_server_id[slot];
		return 0;
	}
	uint32_t v;
	int rc = sd_intern_put(g->servers, k, SERVER_LEN, &v);
	if (rc)
		return rc;
	memcpy(g->recent_server[slot], k, SERVER_LEN);
	g->recent_server_id[slot] = *id = v + 1;
	return 0;
}

static void server_of(const struct corr_agg *g, uint32_t id, struct net_addr *a,
		      uint16_t *port)
{
	const uint8_t *k = sd_intern_get(g->servers, id - 1, NULL);
	memcpy(a->b, k, 16);
	*port = (uint16_t)(k[16] << 8 | k[17]);
}

/* The client's key: an IPv4 address inline, an IPv6 one by its id. */
static int client_key(struct corr_agg *g, const struct net_addr *c, struct rec *key)
{
	if (net_addr_is_v4(c)) {
		key->client = net_addr_v4(c);
		return 0;
	}
	key->bits |= B_V6;
	if (g->last_v6_id && !memcmp(c, &g->last_v6, sizeof(*c))) {
		key->client = g->last_v6_id - 1;
		return 0;
	}
	uint32_t id;
	int rc = sd_intern_put(g->v6, c->b, 16, &id);
	if (rc)
		return rc;
	g->last_v6 = *c;
	g->last_v6_id = id + 1;
	key->client = id;
	return 0;
}

bool corr_server_before(const struct net_addr *a, uint16_t ap, const struct net_addr *b,
			uint16_t bp)
{
	int c = net_addr_cmp(a, b);
	return c < 0 || (c == 0 && ap < bp);
}

/* Folds one piece of evidence into s (sid: its server's id + 1, or 0). */
static void apply(const struct corr_agg *g, struct rec *s, const struct corr_hit *h,
		  int64_t ts, uint32_t sid)
{
	if (ts && (!s->first || ts < s->first))
		s->first = ts;
	if (ts > s->last)
		s->last = ts;
	s->evidence |= h->evidence;
	unsigned conf = (s->bits >> B_CONF_SHIFT) & 3u;
	unsigned bits = s->bits | (1u << h->dir) << B_DIRS_SHIFT;
	if ((h->confidence & 3u) > conf)
		bits = (bits & ~(3u << B_CONF_SHIFT)) | (h->confidence & 3u)
							    << B_CONF_SHIFT;
	s->bits = (uint8_t)bits;
	/* the lowest far end, not the first: the same whatever order records
	 * and shards came in */
	if (sid && s->server != sid) {
		struct net_addr a;
		uint16_t port;
		if (s->server)
			server_of(g, s->server, &a, &port);
		if (!s->server ||
		    corr_server_before(&h->server, h->server_port, &a, port))
			s->server = sid;
	}
}

/* Whether hits j and k of a record are of one client and class of
 * exchange. */
static bool same_client(const struct corr_hit *h, size_t j, size_t k)
{
	return h[j].exchange == h[k].exchange &&
	       !memcmp(&h[j].client, &h[k].client, sizeof(h[k].client));
}

/* Whether hit k is the first of its client, exchange and indicator. */
static bool first_of_ind(const struct corr_hit *h, size_t k)
{
	for (size_t j = 0; j < k; j++)
		if (h[j].ind == h[k].ind && same_client(h, j, k))
			return false;
	return true;
}

/* The pending form of hit i of the n of a record: one record counts once
 * per indicator, whatever its evidence, and once per client: for the
 * client, the last indicator of the record counts. The matcher gives an
 * exchange's far address last, so that when a role's explanation leaves
 * out what a proxy was asked for (a name), the record still counts with
 * the address it reached (docs/correlate.md). */
static inline void pend(const struct corr_hit *h, size_t n, size_t i, int64_t ts,
			uint32_t source, struct corr_agg_pending *out)
{
	bool first = first_of_ind(h, i), later = false;
	for (size_t k = i + 1; first && k < n && !later; k++)
		later = same_client(h, i, k) && first_of_ind(h, k);
	out->h = h[i];
	out->ts = ts;
	out->source = (uint16_t)source;
	out->count = first;
	out->cdup = first && later;
}

#define INSERT_CHUNK 64 /* keys hashed and their slots prefetched at once */

/* Under the lock: the keys of a chunk first, each slot prefetched, then
 * the inserts, so that the cache misses of the index overlap. */
static int insert(struct corr_agg *g, const struct corr_agg_pending *p, size_t n)
{
	if (g->sorted)
		return SD_EUSAGE;
	struct rec keys[INSERT_CHUNK];
	uint64_t hs[INSERT_CHUNK];
	uint32_t sids[INSERT_CHUNK];
	for (size_t at = 0; at < n; at += INSERT_CHUNK) {
		size_t m = n - at < INSERT_CHUNK ? n - at : INSERT_CHUNK;
		int rc;
		for (size_t i = 0; i < m; i++) {
			const struct corr_hit *h = &p[at + i].h;
			struct rec *k = &keys[i];
			/* only the key's fields: upsert copies no other */
			k->ind = h->ind->id;
			k->source = p[at + i].source;
			k->bits = (uint8_t)((h->exchange & 3u) << B_EX_SHIFT);
			sids[i] = 0;
			if ((rc = client_key(g, &h->client, k)) ||
			    (h->has_server && (rc = server_id(g, h, &sids[i]))))
				return rc;
			hs[i] = hash_rec(k);
			__builtin_prefetch(&g->slots[hs[i] & (g->nslots - 1)]);
		}
		for (size_t i = 0; i < m; i++) {
			const struct corr_agg_pending *e = &p[at + i];
			rc = 0;
			struct rec *s = upsert(g, &keys[i], hs[i], &rc);
			if (!s)
				return rc;
			apply(g, s, &e->h, e->ts, sids[i]);
			if (e->count && s->count < CORR_MAX_COUNT)
				s->count++;
			if (e->cdup && s->cdup < CORR_MAX_COUNT)
				s->cdup++;
		}
	}
	return 0;
}

int corr_agg_add_record(struct corr_agg *g, const struct corr_hit *h, size_t n,
			int64_t ts, uint32_t source)
{
	if (source >= CORR_MAX_SOURCES)
		return SD_ELIMIT;
	struct corr_agg_pending p[INSERT_CHUNK];
	int rc = 0;
	for (size_t at = 0; at < n && !rc; at += INSERT_CHUNK) {
		size_t m = n - at < INSERT_CHUNK ? n - at : INSERT_CHUNK;
		for (size_t i = 0; i < m; i++)
			pend(h, n, at + i, ts, source, &p[i]);
		pthread_mutex_lock(&g->lock);
		rc = insert(g, p, m);
		pthread_mutex_unlock(&g->lock);
	}
	if (!n) { /* nothing to add, but the same answer after the sort */
		pthread_mutex_lock(&g->lock);
		rc = g->sorted ? SD_EUSAGE : 0;
		pthread_mutex_unlock(&g->lock);
	}
	return rc;
}

int corr_agg_add(struct corr_agg *g, const struct corr_hit *h, int64_t ts,
		 uint32_t source)
{
	return corr_agg_add_record(g, h, 1, ts, source);
}

static void *inserter_main(void *arg)
{
	struct corr_agg *g = arg;
	struct inserter *q = &g->ins;
	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->count && !q->quit)
			pthread_cond_wait(&q->work, &q->lock);
		if (!q->count)
			break; /* quit, and nothing left */
		/* the block stays counted while it is read: the queue is full
		 * until it is in, which keeps a reader from running ahead */
		struct corr_agg_block *k = q->queue[q->head];
		pthread_mutex_unlock(&q->lock);
		pthread_mutex_lock(&g->lock);
		int rc = insert(g, k->p, k->n);
		pthread_mutex_unlock(&g->lock);
		pthread_mutex_lock(&q->lock);
		if (rc && !q->error)
			q->error = rc;
		k->next = q->free;
		q->free = k;
		q->head = (q->head + 1) % QUEUE_LEN;
		q->count--;
		pthread_cond_broadcast(&q->room);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

/* Starts the inserter once, where a second CPU can run it; false when
 * there is none. Under q->lock. */
static bool inserter_ready(struct corr_agg *g)
{
	struct inserter *q = &g->ins;
	if (!q->tried) {
		q->tried = true;
		q->running = sysconf(_SC_NPROCESSORS_ONLN) > 1 &&
			     pthread_create(&q->thread, NULL, inserter_main, g) == 0;
	}
	return q->running;
}

/* Waits until every block handed over is in; returns the first error of
 * any. */
static int inserter_drain(struct corr_agg *g)
{
	struct inserter *q = &g->ins;
	pthread_mutex_lock(&q->lock);
	while (q->count)
		pthread_cond_wait(&q->room, &q->lock);
	int rc = q->error;
	pthread_mutex_unlock(&q->lock);
	return rc;
}

static void inserter_stop(struct corr_agg *g)
{
	struct inserter *q = &g->ins;
	pthread_mutex_lock(&q->lock);
	bool running = q->running;
	q->quit = q->tried = true;
	q->running = false;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->lock);
	if (running)
		pthread_join(q->thread, NULL);
}

static bool is_sorted(struct corr_agg *g)
{
	pthread_mutex_lock(&g->lock);
	bool sorted = g->sorted;
	pthread_mutex_unlock(&g->lock);
	return sorted;
}

/* Inserts what b holds here, under the lock, and empties it. */
static int insert_here(struct corr_agg *g, struct corr_agg_batch *b)
{
	pthread_mutex_lock(&g->lock);
	int rc = b->n ? insert(g, b->p, b->n) : 0;
	pthread_mutex_unlock(&g->lock);
	b->n = 0;
	return rc;
}

/* Queues b's block when it holds records (waiting for room), and gives b
 * a free block when `refill` (b->block NULL if none can be had). Under
 * q->lock; returns the first error of any insert so far. */
static int queue_block(struct inserter *q, struct corr_agg_batch *b, bool refill)
{
	if (b->block && b->n) {
		while (q->count == QUEUE_LEN && !q->error)
			pthread_cond_wait(&q->room, &q->lock);
		if (q->error) { /* the run ends: what b holds is dropped */
			b->n = 0;
			return q->error;
		}
		b->block->n = b->n;
		q->queue[(q->head + q->count++) % QUEUE_LEN] = b->block;
		pthread_cond_signal(&q->work);
		b->block = NULL;
	}
	if (b->block && !refill) { /* an empty block back to the pool */
		b->block->next = q->free;
		q->free = b->block;
		b->block = NULL;
	}
	if (refill && !b->block) {
		struct corr_agg_block *k = q->free;
		if (k) {
			q->free = k->next;
		} else if ((k = malloc(sizeof(*k)))) {
			k->all = q->all;
			q->all = k;
		}
		b->block = k;
	}
	b->n = 0;
	b->p = b->block ? b->block->p : b->own;
	b->cap = b->block ? BLOCK_RECORDS : CORR_AGG_BATCH;
	return q->error;
}

/* Hands what b holds over (to the inserter, or inserts it here when there
 * is none or no block could be had) and gives b room for more (refill),
 * or none. */
static int hand_over(struct corr_agg *g, struct corr_agg_batch *b, bool refill)
{
	struct inserter *q = &g->ins;
	int rc = 0;
	pthread_mutex_lock(&q->lock);
	if (inserter_ready(g) && (b->block || !b->n))
		rc = queue_block(q, b, refill);
	pthread_mutex_unlock(&q->lock);
	if (b->n) {
		rc = insert_here(g, b);
		b->block = NULL; /* if any (the inserter stopped): freed with g */
		b->p = b->own;
		b->cap = CORR_AGG_BATCH;
	}
	if (refill && !b->p) {
		b->p = b->own;
		b->cap = CORR_AGG_BATCH;
	} else if (!refill) {
		b->p = NULL;
		b->cap = 0;
	}
	return rc;
}

int corr_agg_batch_flush(struct corr_agg *g, struct corr_agg_batch *b)
{
	if (is_sorted(g)) {
		b->n = 0;
		return SD_EUSAGE;
	}
	int rc = hand_over(g, b, false);
	int drc = inserter_drain(g);
	return rc ? rc : drc;
}

int corr_agg_batch_add(struct corr_agg *g, struct corr_agg_batch *b,
		       const struct corr_hit *h, size_t n, int64_t ts, uint32_t source)
{
	if (source >= CORR_MAX_SOURCES)
		return SD_ELIMIT;
	if (n == 1 && b->n < b->cap) {
		/* a record of one hit, nearly every one: as pend makes it, the
		 * first of its indicator and the last of its client */
		struct corr_agg_pending *out = &b->p[b->n++];
		out->h = *h;
		out->ts = ts;
		out->source = (uint16_t)source;
		out->count = 1;
		out->cdup = 0;
		return 0;
	}
	if (n > b->cap - b->n) {
		int rc = hand_over(g, b, true);
		if (rc)
			return rc;
		if (n > b->cap)
			return corr_agg_add_record(g, h, n, ts, source);
	}
	for (size_t i = 0; i < n; i++)
		pend(h, n, i, ts, source, &b->p[b->n++]);
	return 0;
}

size_t corr_agg_count(struct corr_agg *g)
{
	pthread_mutex_lock(&g->lock);
	size_t n = g->n;
	pthread_mutex_unlock(&g->lock);
	return n;
}

/* ---- the sort ---------------------------------------------------------- */

static int cmp_v6(const void *a, const void *b, void *ctx)
{
	const struct sd_intern *v6 = ctx;
	return memcmp(sd_intern_get(v6, *(const uint32_t *)a, NULL),
		      sd_intern_get(v6, *(const uint32_t *)b, NULL), 16);
}

/* IPv6 ids become ranks in address order, so that the sort compares
 * integers: an IPv6 address sorts wholly below or wholly above the
 * IPv4-mapped block (B_V6_HIGH), and by rank among its kind. */
static int rank_v6(struct corr_agg *g)
{
	uint32_t n6 = sd_intern_count(g->v6);
	if (!n6)
		return 0;
	uint32_t *order = malloc(n6 * sizeof(*order));
	uint32_t *rank = malloc(n6 * sizeof(*rank));
	if (!order || !rank) {
		free(order);
		free(rank);
		return SD_ENOMEM;
	}
	for (uint32_t k = 0; k < n6; k++)
		order[k] = k;
	qsort_r(order, n6, sizeof(*order), cmp_v6, g->v6);
	for (uint32_t k = 0; k < n6; k++)
		rank[order[k]] = k;
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	for (size_t i = 0; i < g->n; i++) {
		struct rec *s = &g->r[i];
		if (!(s->bits & B_V6))
			continue;
		if (memcmp(sd_intern_get(g->v6, s->client, NULL), mapped, 12) > 0)
			s->bits |= B_V6_HIGH;
		s->client = rank[s->client];
	}
	free(rank);
	g->v6_order = order;
	return 0;
}

static uint64_t key_hi(const struct rec *s)
{
	uint64_t cls = !(s->bits & B_V6) ? 1 : (s->bits & B_V6_HIGH) ? 2 : 0;
	return cls << 32 | s->client;
}

static uint64_t key_lo(const struct rec *s)
{
	return (uint64_t)s->ind << 32 | (uint32_t)s->source << 8 |
	       ((s->bits >> B_EX_SHIFT) & 3u);
}

static bool rec_less(const struct rec *a, const struct rec *b)
{
	uint64_t ah = key_hi(a), bh = key_hi(b);
	return ah < bh || (ah == bh && key_lo(a) < key_lo(b));
}

static void swap_rec(struct rec *a, struct rec *b)
{
	struct rec t = *a;
	*a = *b;
	*b = t;
}

static void insertion_sort(struct rec *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct rec x = v[i];
		size_t j = i;
		for (; j > 0 && rec_less(&x, &v[j - 1]); j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static void sift_down(struct rec *v, size_t i, size_t n)
{
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && rec_less(&v[c], &v[c + 1]))
			c++;
		if (!rec_less(&v[i], &v[c]))
			return;
		swap_rec(&v[i], &v[c]);
		i = c;
	}
}

static void heap_sort(struct rec *v, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (size_t e = n; e-- > 1;) {
		swap_rec(&v[0], &v[e]);
		sift_down(v, 0, e);
	}
}

/* Introsort: quicksort (median of three, Hoare partition) on the larger
 * part by loop and the smaller by recursion, heapsort past the depth
 * limit, insertion sort for short runs. No memory beyond the stack. */
static void sort_recs(struct rec *v, size_t n, unsigned depth)
{
	while (n > 16) {
		if (depth-- == 0) {
			heap_sort(v, n);
			return;
		}
		size_t m = n / 2;
		if (rec_less(&v[m], &v[0]))
			swap_rec(&v[m], &v[0]);
		if (rec_less(&v[n - 1], &v[0]))
			swap_rec(&v[n - 1], &v[0]);
		if (rec_less(&v[n - 1], &v[m]))
			swap_rec(&v[n - 1], &v[m]);
		struct rec p = v[m];
		size_t i = 0, j = n - 1;
		for (;;) {
			while (rec_less(&v[i], &p))
				i++;
			while (rec_less(&p, &v[j]))
				j--;
			if (i >= j)
				break;
			swap_rec(&v[i], &v[j]);
			i++;
			j--;
		}
		size_t left = j + 1; /* [0, left) <= p <= [left, n) */
		if (left < n - left) {
			sort_recs(v, left, depth);
			v += left;
			n -= left;
		} else {
			sort_recs(v + left, n - left, depth);
			n = left;
		}
	}
	insertion_sort(v, n);
}

/* In-place MSD radix sort (American flag sort) on the client part of the
 * key, a byte at a time from the top; runs of one client, and short
 * buckets, are left to sort_recs. A level where every record has the same
 * byte costs one counting pass and no moves. */
static void radix_sort(struct rec *v, size_t n, int shift, unsigned depth)
{
	while (n > 64 && shift >= 0) {
		size_t count[256] = {0};
		for (size_t i = 0; i < n; i++)
			count[(key_hi(&v[i]) >> shift) & 0xff]++;
		size_t next[256], end[256], at = 0;
		bool one = false;
		for (unsigned b = 0; b < 256; b++) {
			one |= count[b] == n;
			next[b] = at;
			at += count[b];
			end[b] = at;
		}
		if (!one) {
			for (unsigned b = 0; b < 256; b++)
				while (next[b] < end[b]) {
					struct rec x = v[next[b]];
					unsigned d =
					    (unsigned)(key_hi(&x) >> shift) & 0xff;
					while (d != b) {
						struct rec y = v[next[d]];
						v[next[d]++] = x;
						x = y;
						d = (unsigned)(key_hi(&x) >> shift) &
						    0xff;
					}
					v[next[b]++] = x;
				}
			for (unsigned b = 0; b < 256; b++)
				radix_sort(v + end[b] - count[b], count[b], shift - 8,
					   depth);
			return;
		}
		shift -= 8;
	}
	sort_recs(v, n, depth);
}

/* How many records ahead of a bucket's next one split_buckets fetches. */
#define SPLIT_AHEAD 8

/* Splits v[0..n) in place into buckets by the top SORT_BUCKETS' worth of
 * bits of key_hi in which the records differ (one bucket when they all
 * share it), given the bits set in any key_hi and in all: one pass to
 * count, one to move. */
static void split_buckets(struct sorter *q, struct rec *v, size_t n, uint64_t any,
			  uint64_t all)
{
	uint64_t diff = any ^ all;
	q->nb = 1;
	q->start[0] = 0;
	q->start[1] = n;
	q->shift = -1; /* one bucket: sort_recs on the whole */
	if (n <= 64 || !diff)
		return;
	int top = 63 - __builtin_clzll(diff); /* highest bit that differs */
	int shift = top >= 7 ? top - 7 : 0;
	size_t count[SORT_BUCKETS] = {0};
	for (size_t i = 0; i < n; i++)
		count[(key_hi(&v[i]) >> shift) & 0xff]++;
	size_t next[SORT_BUCKETS], end[SORT_BUCKETS], at = 0;
	for (unsigned b = 0; b < SORT_BUCKETS; b++) {
		q->start[b] = next[b] = at;
		at += count[b];
		end[b] = at;
	}
	q->start[SORT_BUCKETS] = n;
	/* each bucket is read and written front to back, 256 streams at once:
	 * more than the hardware follows, so each is fetched a little ahead */
	for (unsigned b = 0; b < SORT_BUCKETS; b++)
		while (next[b] < end[b]) {
			struct rec x = v[next[b]];
			unsigned d = (unsigned)(key_hi(&x) >> shift) & 0xff;
			while (d != b) {
				/* an address, never a pointer past the array */
				__builtin_prefetch(
				    (const void *)((uintptr_t)v +
						   (next[d] + SPLIT_AHEAD) * sizeof(*v)),
				    1);
				struct rec y = v[next[d]];
				v[next[d]++] = x;
				x = y;
				d = (unsigned)(key_hi(&x) >> shift) & 0xff;
			}
			v[next[b]++] = x;
		}
	q->nb = SORT_BUCKETS;
	q->shift = shift - 8;
}

/* A bucket of at most this many records is sorted through a buffer of
 * its size (LSD radix passes: a few reads and writes of each record, where
 * the in-place sort ends in comparison sorts of its small runs); a larger
 * one in place. Each sorting thread holds one buffer. */
#define LSD_MAX 65536

/* The byte of a client at bit p (p >= -7: the lowest digit may start
 * below bit 0, and is then shifted up), without a branch on p. */
static unsigned client_digit(const struct rec *s, int p)
{
	return (unsigned)(((uint64_t)s->client << 8) >> (p + 8)) & 0xff;
}

/* Sorts v[0..n), whose key_hi agree above bit shift + 8 (at most 32: so
 * in their class too, and a digit of key_hi is one of the client),
 * through tmp (room for n): stable passes over the client a byte at a
 * time from the lowest, then the records of one client by the rest of the
 * key. */
static void lsd_sort(struct rec *v, size_t n, int shift, unsigned depth, struct rec *tmp)
{
	struct rec *from = v, *to = tmp;
	for (int p = shift - (shift + 7) / 8 * 8; p <= shift; p += 8) {
		size_t count[256] = {0};
		for (size_t i = 0; i < n; i++)
			count[client_digit(&from[i], p)]++;
		size_t at = 0;
		for (unsigned d = 0; d < 256; d++) {
			size_t c = count[d];
			count[d] = at;
			at += c;
		}
		for (size_t i = 0; i < n; i++)
			to[count[client_digit(&from[i], p)]++] = from[i];
		struct rec *t = from;
		from = to;
		to = t;
	}
	if (from != v)
		memcpy(v, from, n * sizeof(*v));
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && v[j].client == v[i].client)
			j++;
		if (j - i > 1)
			sort_recs(v + i, j - i, depth);
		i = j;
	}
}

/* Sorts bucket b (not under the lock: nobody else touches it), through
 * tmp (room for q->tmp_len records) when it is there and large enough. */
static void sort_bucket(struct corr_agg *g, unsigned b, struct rec *tmp)
{
	struct sorter *q = &g->sort;
	size_t from = q->start[b], n = q->start[b + 1] - from;
	if (q->shift < 0)
		sort_recs(g->r + from, n, q->depth);
	else if (tmp && n <= q->tmp_len && n > 64 && q->shift + 8 <= 32)
		lsd_sort(g->r + from, n, q->shift, q->depth, tmp);
	else
		radix_sort(g->r + from, n, q->shift, q->depth);
}

/* Marks bucket b in order and moves `ready` past the buckets in order.
 * Under q->lock. */
static void bucket_done(struct sorter *q, unsigned b)
{
	q->in_order[b] = true;
	while (q->first_undone < q->nb && q->in_order[q->first_undone])
		q->first_undone++;
	atomic_store_explicit(&q->ready, q->start[q->first_undone], memory_order_release);
	pthread_cond_broadcast(&q->done);
}

/* Sorts the next bucket nobody sorts yet; false when there is none.
 * Under q->lock (released while sorting). */
static bool sort_next_bucket(struct corr_agg *g, struct rec *tmp)
{
	struct sorter *q = &g->sort;
	if (q->next >= q->nb)
		return false;
	unsigned b = q->next++;
	pthread_mutex_unlock(&q->lock);
	sort_bucket(g, b, tmp);
	pthread_mutex_lock(&q->lock);
	bucket_done(q, b);
	return true;
}

static void *sorter_main(void *arg)
{
	struct corr_agg *g = arg;
	struct rec *tmp = malloc(g->sort.tmp_len * sizeof(*tmp)); /* NULL: in place */
	pthread_mutex_lock(&g->sort.lock);
	while (sort_next_bucket(g, tmp))
		;
	pthread_mutex_unlock(&g->sort.lock);
	free(tmp);
	return NULL;
}

/* Returns once records [0, i] are in their final order, sorting buckets
 * here while they are not. */
static void wait_ready(struct corr_agg *g, size_t i)
{
	struct sorter *q = &g->sort;
	if (i < atomic_load_explicit(&q->ready, memory_order_acquire))
		return;
	pthread_mutex_lock(&q->lock);
	if (!q->reader_tmp && q->next < q->nb) /* NULL: sorts in place */
		q->reader_tmp = malloc(q->tmp_len * sizeof(*q->reader_tmp));
	while (i >= atomic_load_explicit(&q->ready, memory_order_relaxed)) {
		if (sort_next_bucket(g, q->reader_tmp))
			continue;
		if (q->first_undone >= q->nb)
			break; /* all in order (or the sort failed): past the end */
		pthread_cond_wait(&q->done, &q->lock); /* another sorts it */
	}
	if (q->next >= q->nb) { /* nothing left to sort here */
		free(q->reader_tmp);
		q->reader_tmp = NULL;
	}
	pthread_mutex_unlock(&q->lock);
}

/* No more buckets are begun; the thread's own is finished, then it ends. */
static void sorter_stop(struct corr_agg *g)
{
	struct sorter *q = &g->sort;
	pthread_mutex_lock(&q->lock);
	q->next = q->nb;
	bool running = q->thread_running;
	q->thread_running = false;
	pthread_mutex_unlock(&q->lock);
	if (running)
		pthread_join(q->thread, NULL);
}

int corr_agg_sort(struct corr_agg *g)
{
	/* batches handed over are in before the end; their errors were
	 * answered by corr_agg_batch_flush */
	(void)inserter_drain(g);
	inserter_stop(g);
	int rc = 0;
	pthread_mutex_lock(&g->lock);
	if (!g->sorted) {
		munmap(g->slots, g->nslots * sizeof(*g->slots));
		g->slots = NULL;
		g->nslots = 0;
		if (!(rc = rank_v6(g))) {
			struct sorter *q = &g->sort;
			for (size_t k = g->n; k; k >>= 1)
				q->depth += 2;
			uint64_t any = g->v4_any, all = g->v4_all;
			if (sd_intern_count(g->v6))
				for (size_t i = 0; i < g->n; i++) {
					any |= key_hi(&g->r[i]);
					all &= key_hi(&g->r[i]);
				}
			split_buckets(q, g->r, g->n, any, all);
			for (unsigned b = 0; b < q->nb; b++)
				if (q->start[b + 1] - q->start[b] > q->tmp_len)
					q->tmp_len = q->start[b + 1] - q->start[b];
			if (q->tmp_len > LSD_MAX)
				q->tmp_len = LSD_MAX;
			/* the buckets are sorted as they are read (wait_ready),
			 * here and on a thread of their own */
			q->thread_running =
			    q->nb > 1 && sysconf(_SC_NPROCESSORS_ONLN) > 1 &&
			    pthread_create(&q->thread, NULL, sorter_main, g) == 0;
		}
		g->sorted = true;
	}
	pthread_mutex_unlock(&g->lock);
	return rc;
}

static void client_of(const struct corr_agg *g, const struct rec *s, struct net_addr *a)
{
	if (s->bits & B_V6) {
		uint32_t id = g->v6_order ? g->v6_order[s->client] : s->client;
		memcpy(a->b, sd_intern_get(g->v6, id, NULL), 16);
	} else {
		net_addr_from_v4(a, s->client);
	}
}

void corr_agg_get(struct corr_agg *g, size_t i, struct corr_sighting *out)
{
	wait_ready(g, i);
	const struct rec *s = &g->r[i];
	memset(out, 0, sizeof(*out));
	client_of(g, s, &out->client);
	out->ind = s->ind;
	out->source = s->source;
	out->exchange = (uint8_t)((s->bits >> B_EX_SHIFT) & 3u);
	out->first_seen = s->first;
	out->last_seen = s->last;
	out->count = s->count;
	out->client_count = s->count - s->cdup;
	out->evidence = s->evidence;
	out->confidence = (uint8_t)((s->bits >> B_CONF_SHIFT) & 3u);
	out->dirs = (uint8_t)((s->bits >> B_DIRS_SHIFT) & 3u);
	if (s->server) {
		out->has_server = 1;
		server_of(g, s->server, &out->server, &out->server_port);
	}
}

size_t corr_agg_v4_singles(struct corr_agg *g, size_t i, size_t max,
			   struct corr_v4_single *out)
{
	wait_ready(g, i);
	/* records past `ready` may be moving, but the one at `ready` begins a
	 * bucket, so a client there is another client */
	size_t end = atomic_load_explicit(&g->sort.ready, memory_order_acquire);
	if (end - i > max)
		end = i + max + 1; /* the record after the last taken is looked at */
	size_t k = 0;
	for (; i + k < end && k < max; k++) {
		const struct rec *s = &g->r[i + k];
		if (s->bits & B_V6)
			break;
		if (i + k + 1 < end && g->r[i + k + 1].client == s->client &&
		    !(g->r[i + k + 1].bits & B_V6))
			break; /* the client has more than one sighting */
		out[k] = (struct corr_v4_single){
		    .addr = s->client,
		    .ind = s->ind,
		    .source = s->source,
		    .first_seen = s->first,
		    .last_seen = s->last,
		    .client_count = s->count - s->cdup,
		    .exchange = (uint8_t)((s->bits >> B_EX_SHIFT) & 3u),
		    .evidence = s->evidence,
		    .confidence = (uint8_t)((s->bits >> B_CONF_SHIFT) & 3u),
		};
	}
	return k;
}

size_t corr_agg_client_end(struct corr_agg *g, size_t i)
{
	wait_ready(g, i);
	/* a client's records are never split between buckets: in order up to
	 * `ready`, the rest not to be read while they may be moving */
	size_t j = i + 1, n = atomic_load_explicit(&g->sort.ready, memory_order_acquire);
	while (j < n && g->r[j].client == g->r[i].client &&
	       ((g->r[j].bits ^ g->r[i].bits) & B_V6) == 0)
		j++;
	return j;
}

void corr_agg_release(struct corr_agg *g, size_t i)
{
	/* whole huge pages at a time: fewer calls, no huge page split */
	size_t end = i * sizeof(*g->r) / HUGE_PAGE * HUGE_PAGE;
	if (end > g->released) {
		madvise((char *)g->r + g->released, end - g->released, MADV_DONTNEED);
		g->released = end;
	}
}

/* ---- combining --------------------------------------------------------- */

void corr_sighting_combine(struct corr_sighting *into, const struct corr_sighting *x)
{
	if (x->first_seen && (!into->first_seen || x->first_seen < into->first_seen))
		into->first_seen = x->first_seen;
	if (x->last_seen > into->last_seen)
		into->last_seen = x->last_seen;
	into->count += x->count;
	into->client_count += x->client_count;
	into->evidence |= x->evidence;
	into->dirs |= x->dirs;
	if (x->confidence > into->confidence)
		into->confidence = x->confidence;
	if (x->has_server &&
	    (!into->has_server || corr_server_before(&x->server, x->server_port,
						     &into->server, into->server_port))) {
		into->has_server = 1;
		into->server = x->server;
		into->server_port = x->server_port;
	}
}

static int cmp_source(const void *a, const void *b)
{
	const struct corr_sighting *x = a, *y = b;
	if (x->source != y->source)
		return x->source < y->source ? -1 : 1;
	return (x->exchange > y->exchange) - (x->exchange < y->exchange);
}

size_t corr_sightings_per_client(const struct corr_sighting *s, size_t n,
				 struct corr_sighting *out)
{
	for (size_t i = 0; i < n; i++) {
		out[i] = s[i];
		out[i].ind = UINT32_MAX;
		out[i].count = out[i].client_count;
	}
	if (n > 1)
		qsort(out, n, sizeof(*out), cmp_source);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && out[m - 1].source == out[i].source &&
		    out[m - 1].exchange == out[i].exchange)
			corr_sighting_combine(&out[m - 1], &out[i]);
		else if (m++ != i)
			out[m - 1] = out[i];
	}
	return m;
}
