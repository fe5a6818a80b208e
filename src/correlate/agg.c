#include "correlate/agg.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/error.h"

struct corr_agg {
	pthread_mutex_t lock;
	struct corr_sighting *s;
	size_t n, cap;
	uint32_t *slots; /* index + 1, 0 empty; open addressing */
	size_t nslots;	 /* power of two */
	struct net_addr proxies[CORR_MAX_PROXIES];
	size_t nproxies;
};

struct key {
	struct net_addr client;
	uint32_t ind, source;
};

static uint64_t hash_key(const struct net_addr *c, uint32_t ind, uint32_t src)
{
	struct key k;
	memset(&k, 0, sizeof(k));
	k.client = *c;
	k.ind = ind;
	k.source = src;
	return XXH3_64bits(&k, sizeof(k));
}

struct corr_agg *corr_agg_new(void)
{
	struct corr_agg *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	pthread_mutex_init(&g->lock, NULL);
	g->nslots = 1024;
	g->slots = calloc(g->nslots, sizeof(*g->slots));
	if (!g->slots) {
		free(g);
		return NULL;
	}
	return g;
}

void corr_agg_free(struct corr_agg *g)
{
	if (!g)
		return;
	pthread_mutex_destroy(&g->lock);
	free(g->s);
	free(g->slots);
	free(g);
}

static size_t find_slot(const struct corr_agg *g, const struct net_addr *c, uint32_t ind,
			uint32_t src)
{
	size_t mask = g->nslots - 1, i = hash_key(c, ind, src) & mask;
	for (;;) {
		uint32_t v = g->slots[i];
		if (!v)
			return i;
		const struct corr_sighting *s = &g->s[v - 1];
		if (s->ind == ind && s->source == src &&
		    !memcmp(&s->client, c, sizeof(*c)))
			return i;
		i = (i + 1) & mask;
	}
}

static int grow(struct corr_agg *g)
{
	size_t ns = g->nslots * 2;
	uint32_t *slots = calloc(ns, sizeof(*slots));
	if (!slots)
		return SD_ENOMEM;
	free(g->slots);
	g->slots = slots;
	g->nslots = ns;
	for (size_t k = 0; k < g->n; k++) {
		const struct corr_sighting *s = &g->s[k];
		g->slots[find_slot(g, &s->client, s->ind, s->source)] = (uint32_t)k + 1;
	}
	return 0;
}

int corr_agg_add(struct corr_agg *g, const struct corr_hit *h, int64_t ts,
		 uint32_t source)
{
	int rc = 0;
	pthread_mutex_lock(&g->lock);
	size_t i = find_slot(g, &h->client, h->ind->id, source);
	struct corr_sighting *s;
	if (g->slots[i]) {
		s = &g->s[g->slots[i] - 1];
	} else {
		if (g->n >= CORR_MAX_SIGHTINGS) {
			rc = SD_ELIMIT;
			goto out;
		}
		if (g->n == g->cap) {
			size_t nc = g->cap ? g->cap * 2 : 256;
			struct corr_sighting *ns = realloc(g->s, nc * sizeof(*ns));
			if (!ns) {
				rc = SD_ENOMEM;
				goto out;
			}
			g->s = ns;
			g->cap = nc;
		}
		s = &g->s[g->n];
		memset(s, 0, sizeof(*s));
		s->client = h->client;
		s->ind = h->ind->id;
		s->source = source;
		s->first_seen = s->last_seen = ts;
		g->slots[i] = (uint32_t)++g->n;
		if (g->n * 2 > g->nslots && (rc = grow(g))) {
			g->n--;
			goto out;
		}
		s = &g->s[g->n - 1];
	}
	if (ts && (!s->first_seen || ts < s->first_seen))
		s->first_seen = ts;
	if (ts > s->last_seen)
		s->last_seen = ts;
	s->count++;
	s->evidence |= h->evidence;
	if (h->confidence > s->confidence)
		s->confidence = h->confidence;
	s->dirs |= (uint8_t)(1u << h->dir);
	if (h->has_server && !s->has_server) {
		s->has_server = 1;
		s->server = h->server;
		s->server_port = h->server_port;
	}
out:
	pthread_mutex_unlock(&g->lock);
	return rc;
}

int corr_agg_add_proxy(struct corr_agg *g, const struct net_addr *a)
{
	int rc = 0;
	pthread_mutex_lock(&g->lock);
	size_t i;
	for (i = 0; i < g->nproxies; i++)
		if (!memcmp(&g->proxies[i], a, sizeof(*a)))
			break;
	if (i == g->nproxies) {
		if (g->nproxies == CORR_MAX_PROXIES)
			rc = SD_ELIMIT;
		else
			g->proxies[g->nproxies++] = *a;
	}
	pthread_mutex_unlock(&g->lock);
	return rc;
}

bool corr_agg_is_proxy(const struct corr_agg *g, const struct net_addr *a)
{
	for (size_t i = 0; i < g->nproxies; i++)
		if (!memcmp(&g->proxies[i], a, sizeof(*a)))
			return true;
	return false;
}

size_t corr_agg_nproxies(const struct corr_agg *g)
{
	return g->nproxies;
}
size_t corr_agg_count(struct corr_agg *g)
{
	pthread_mutex_lock(&g->lock);
	size_t n = g->n;
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
	return x->source < y->source ? -1 : x->source > y->source;
}

const struct corr_sighting *corr_agg_sorted(struct corr_agg *g, size_t *n)
{
	pthread_mutex_lock(&g->lock);
	if (g->n)
		qsort(g->s, g->n, sizeof(*g->s), cmp_sighting);
	/* the index points at old positions: rebuild it */
	memset(g->slots, 0, g->nslots * sizeof(*g->slots));
	for (size_t k = 0; k < g->n; k++) {
		const struct corr_sighting *s = &g->s[k];
		g->slots[find_slot(g, &s->client, s->ind, s->source)] = (uint32_t)k + 1;
	}
	*n = g->n;
	pthread_mutex_unlock(&g->lock);
	return g->s;
}
