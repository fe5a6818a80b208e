/* Two tables of the same shape under one lock: client x indicator x source
 * (the evidence, for --sightings) and client x source (for the snapshot,
 * whose count must be records, not record x indicator pairs: one beacon that
 * matches a domain and a URL is one sighting). */
#include "correlate/agg.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/error.h"

#define ALL_INDICATORS UINT32_MAX /* the ind of client-level entries */

struct table {
	struct corr_sighting *s;
	size_t n, cap;
	uint32_t *slots; /* index + 1, 0 empty; open addressing */
	size_t nslots;	 /* power of two */
};

struct corr_agg {
	pthread_mutex_t lock;
	struct table by_ind, by_client;
};

struct key {
	struct net_addr client;
	uint32_t ind, source, exchange;
};

static uint64_t hash_key(const struct net_addr *c, uint32_t ind, uint32_t src, uint8_t ex)
{
	struct key k;
	memset(&k, 0, sizeof(k));
	k.client = *c;
	k.ind = ind;
	k.source = src;
	k.exchange = ex;
	return XXH3_64bits(&k, sizeof(k));
}

static int table_init(struct table *t)
{
	t->nslots = 1024;
	t->slots = calloc(t->nslots, sizeof(*t->slots));
	return t->slots ? 0 : SD_ENOMEM;
}

struct corr_agg *corr_agg_new(void)
{
	struct corr_agg *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	pthread_mutex_init(&g->lock, NULL);
	if (table_init(&g->by_ind) || table_init(&g->by_client)) {
		corr_agg_free(g);
		return NULL;
	}
	return g;
}

void corr_agg_free(struct corr_agg *g)
{
	if (!g)
		return;
	pthread_mutex_destroy(&g->lock);
	free(g->by_ind.s);
	free(g->by_ind.slots);
	free(g->by_client.s);
	free(g->by_client.slots);
	free(g);
}

static size_t find_slot(const struct table *t, const struct net_addr *c, uint32_t ind,
			uint32_t src, uint8_t ex)
{
	size_t mask = t->nslots - 1, i = hash_key(c, ind, src, ex) & mask;
	for (;;) {
		uint32_t v = t->slots[i];
		if (!v)
			return i;
		const struct corr_sighting *s = &t->s[v - 1];
		if (s->ind == ind && s->source == src && s->exchange == ex &&
		    !memcmp(&s->client, c, sizeof(*c)))
			return i;
		i = (i + 1) & mask;
	}
}

static void reindex(struct table *t)
{
	memset(t->slots, 0, t->nslots * sizeof(*t->slots));
	for (size_t k = 0; k < t->n; k++) {
		const struct corr_sighting *s = &t->s[k];
		t->slots[find_slot(t, &s->client, s->ind, s->source, s->exchange)] =
		    (uint32_t)k + 1;
	}
}

/* The entry for (client, ind, source), created empty when new; NULL with
 * *rc set on failure. */
static struct corr_sighting *upsert(struct table *t, const struct net_addr *client,
				    uint32_t ind, uint32_t source, uint8_t ex, int *rc)
{
	size_t i = find_slot(t, client, ind, source, ex);
	if (t->slots[i])
		return &t->s[t->slots[i] - 1];
	if (t->n >= CORR_MAX_SIGHTINGS) {
		*rc = SD_ELIMIT;
		return NULL;
	}
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 256;
		struct corr_sighting *ns = realloc(t->s, nc * sizeof(*ns));
		if (!ns) {
			*rc = SD_ENOMEM;
			return NULL;
		}
		t->s = ns;
		t->cap = nc;
	}
	if ((t->n + 1) * 2 > t->nslots) {
		uint32_t *slots = calloc(t->nslots * 2, sizeof(*slots));
		if (!slots) {
			*rc = SD_ENOMEM;
			return NULL;
		}
		free(t->slots);
		t->slots = slots;
		t->nslots *= 2;
		reindex(t);
		i = find_slot(t, client, ind, source, ex);
	}
	struct corr_sighting *s = &t->s[t->n];
	memset(s, 0, sizeof(*s));
	s->client = *client;
	s->ind = ind;
	s->source = source;
	s->exchange = ex;
	t->slots[i] = (uint32_t)++t->n;
	return s;
}

bool corr_server_before(const struct net_addr *a, uint16_t ap, const struct net_addr *b,
			uint16_t bp)
{
	int c = net_addr_cmp(a, b);
	return c < 0 || (c == 0 && ap < bp);
}

/* Folds one piece of evidence into s; counts it when count is set. */
static void apply(struct corr_sighting *s, const struct corr_hit *h, int64_t ts,
		  bool count)
{
	if (ts && (!s->first_seen || ts < s->first_seen))
		s->first_seen = ts;
	if (ts > s->last_seen)
		s->last_seen = ts;
	if (count)
		s->count++;
	s->evidence |= h->evidence;
	if (h->confidence > s->confidence)
		s->confidence = h->confidence;
	s->dirs |= (uint8_t)(1u << h->dir);
	/* the lowest far end, not the first: the same whatever order records
	 * and shards came in */
	if (h->has_server &&
	    (!s->has_server || corr_server_before(&h->server, h->server_port, &s->server,
						  s->server_port))) {
		s->has_server = 1;
		s->server = h->server;
		s->server_port = h->server_port;
	}
}

int corr_agg_add_record(struct corr_agg *g, const struct corr_hit *h, size_t n,
			int64_t ts, uint32_t source)
{
	int rc = 0;
	pthread_mutex_lock(&g->lock);
	for (size_t i = 0; i < n && !rc; i++) {
		struct corr_sighting *s = upsert(&g->by_ind, &h[i].client, h[i].ind->id,
						 source, h[i].exchange, &rc);
		if (!s)
			break;
		/* one record counts once per indicator, whatever its evidence */
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = h[k].ind == h[i].ind && h[k].exchange == h[i].exchange &&
			       !memcmp(&h[k].client, &h[i].client, sizeof(h[i].client));
		apply(s, &h[i], ts, !seen);
		/* and once per client */
		s = upsert(&g->by_client, &h[i].client, ALL_INDICATORS, source,
			   h[i].exchange, &rc);
		if (!s)
			break;
		seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = h[k].exchange == h[i].exchange &&
			       !memcmp(&h[k].client, &h[i].client, sizeof(h[i].client));
		apply(s, &h[i], ts, !seen);
	}
	pthread_mutex_unlock(&g->lock);
	return rc;
}

int corr_agg_add(struct corr_agg *g, const struct corr_hit *h, int64_t ts,
		 uint32_t source)
{
	return corr_agg_add_record(g, h, 1, ts, source);
}

size_t corr_agg_count(struct corr_agg *g)
{
	pthread_mutex_lock(&g->lock);
	size_t n = g->by_ind.n;
	pthread_mutex_unlock(&g->lock);
	return n;
}

static int cmp_sighting(const void *a, const void *b)
{
	const struct corr_sighting *x = a, *y = b;
	int c = net_addr_cmp(&x->client, &y->client);
	if (c)
		return c;
	if (x->ind != y->ind)
		return x->ind < y->ind ? -1 : 1;
	if (x->source != y->source)
		return x->source < y->source ? -1 : 1;
	return (x->exchange > y->exchange) - (x->exchange < y->exchange);
}

static const struct corr_sighting *sorted(struct corr_agg *g, struct table *t, size_t *n)
{
	pthread_mutex_lock(&g->lock);
	if (t->n)
		qsort(t->s, t->n, sizeof(*t->s), cmp_sighting);
	reindex(t); /* the index pointed at the old positions */
	*n = t->n;
	pthread_mutex_unlock(&g->lock);
	return t->s;
}

const struct corr_sighting *corr_agg_sorted(struct corr_agg *g, size_t *n)
{
	return sorted(g, &g->by_ind, n);
}

const struct corr_sighting *corr_agg_clients_sorted(struct corr_agg *g, size_t *n)
{
	return sorted(g, &g->by_client, n);
}
