/* Chained hash over a preallocated pool; an LRU list through the same
 * entries. Indices are stored +1 so that calloc's zero means "none". */
#include "telemetry/flow_table.h"

#include <stdlib.h>
#include <string.h>

struct flowt {
	struct flowt_flow *pool;
	uint32_t *bucket;
	size_t nbuckets; /* power of two */
	size_t max, used, count;
	uint32_t free_head;	     /* removed entries, chained through hnext */
	uint32_t lru_head, lru_tail; /* most / least recently seen */
};

struct flowt *flowt_new(size_t max_flows)
{
	struct flowt *t = calloc(1, sizeof(*t));
	if (!t || max_flows == 0)
		goto fail;
	t->max = max_flows;
	t->nbuckets = 1;
	while (t->nbuckets < max_flows * 2)
		t->nbuckets <<= 1;
	/* calloc: pages of the pool are only touched as flows arrive */
	t->pool = calloc(max_flows, sizeof(*t->pool));
	t->bucket = calloc(t->nbuckets, sizeof(*t->bucket));
	if (!t->pool || !t->bucket)
		goto fail;
	return t;
fail:
	flowt_free(t);
	return NULL;
}

void flowt_free(struct flowt *t)
{
	if (!t)
		return;
	free(t->pool);
	free(t->bucket);
	free(t);
}

size_t flowt_count(const struct flowt *t)
{
	return t->count;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h;
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* Symmetric: both directions of a flow hash alike. */
static size_t hash(const struct flowt *t, const struct net_addr *a, uint16_t pa,
		   const struct net_addr *b, uint16_t pb, uint8_t proto)
{
	uint64_t ha = mix(mix(load64(a->b), load64(a->b + 8)), pa);
	uint64_t hb = mix(mix(load64(b->b), load64(b->b + 8)), pb);
	uint64_t h = (ha ^ hb) * 0xff51afd7ed558ccdull + (ha + hb) + proto;
	h ^= h >> 33;
	return (size_t)h & (t->nbuckets - 1);
}

static bool same(const struct flowt_flow *f, const struct net_addr *a, uint16_t pa,
		 const struct net_addr *b, uint16_t pb, uint8_t proto)
{
	if (f->proto != proto)
		return false;
	if (f->oport == pa && f->rport == pb && !memcmp(&f->orig, a, sizeof(*a)) &&
	    !memcmp(&f->resp, b, sizeof(*b)))
		return true;
	return f->oport == pb && f->rport == pa && !memcmp(&f->orig, b, sizeof(*b)) &&
	       !memcmp(&f->resp, a, sizeof(*a));
}

#define IDX(t, f) ((uint32_t)((f) - (t)->pool) + 1)
#define ENT(t, i) (&(t)->pool[(i)-1])

static void lru_unlink(struct flowt *t, struct flowt_flow *f)
{
	if (f->lprev)
		ENT(t, f->lprev)->lnext = f->lnext;
	else
		t->lru_head = f->lnext;
	if (f->lnext)
		ENT(t, f->lnext)->lprev = f->lprev;
	else
		t->lru_tail = f->lprev;
	f->lprev = f->lnext = 0;
}

static void lru_push(struct flowt *t, struct flowt_flow *f)
{
	uint32_t i = IDX(t, f);
	f->lprev = 0;
	f->lnext = t->lru_head;
	if (t->lru_head)
		ENT(t, t->lru_head)->lprev = i;
	t->lru_head = i;
	if (!t->lru_tail)
		t->lru_tail = i;
}

struct flowt_flow *flowt_oldest(struct flowt *t)
{
	return t->lru_tail ? ENT(t, t->lru_tail) : NULL;
}

void flowt_remove(struct flowt *t, struct flowt_flow *f)
{
	uint32_t i = IDX(t, f);
	size_t h = hash(t, &f->orig, f->oport, &f->resp, f->rport, f->proto);
	for (uint32_t *pp = &t->bucket[h]; *pp; pp = &ENT(t, *pp)->hnext)
		if (*pp == i) {
			*pp = f->hnext;
			break;
		}
	lru_unlink(t, f);
	f->hnext = t->free_head;
	t->free_head = i;
	t->count--;
}

struct flowt_flow *flowt_find(struct flowt *t, const struct net_addr *src, uint16_t sport,
			      const struct net_addr *dst, uint16_t dport, uint8_t proto)
{
	size_t h = hash(t, src, sport, dst, dport, proto);
	for (uint32_t i = t->bucket[h]; i; i = ENT(t, i)->hnext)
		if (same(ENT(t, i), src, sport, dst, dport, proto))
			return ENT(t, i);
	return NULL;
}

struct flowt_flow *flowt_get(struct flowt *t, const struct net_addr *src, uint16_t sport,
			     const struct net_addr *dst, uint16_t dport, uint8_t proto,
			     bool *created, struct flowt_flow *evicted, bool *did_evict)
{
	*created = *did_evict = false;
	size_t h = hash(t, src, sport, dst, dport, proto);
	for (uint32_t i = t->bucket[h]; i; i = ENT(t, i)->hnext) {
		struct flowt_flow *f = ENT(t, i);
		if (same(f, src, sport, dst, dport, proto)) {
			lru_unlink(t, f);
			lru_push(t, f);
			return f;
		}
	}
	if (t->count == t->max) {
		struct flowt_flow *old = ENT(t, t->lru_tail);
		*evicted = *old;
		*did_evict = true;
		flowt_remove(t, old);
	}
	struct flowt_flow *f;
	if (t->free_head) {
		f = ENT(t, t->free_head);
		t->free_head = f->hnext;
	} else {
		f = &t->pool[t->used++];
	}
	memset(f, 0, sizeof(*f));
	f->orig = *src;
	f->resp = *dst;
	f->oport = sport;
	f->rport = dport;
	f->proto = proto;
	f->reasm = -1;
	uint32_t i = IDX(t, f);
	f->hnext = t->bucket[h];
	t->bucket[h] = i;
	lru_push(t, f);
	t->count++;
	*created = true;
	return f;
}
