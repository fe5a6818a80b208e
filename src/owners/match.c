/* The owner index. The trie holds one node per prefix bit; a lookup walks
 * the entry's bits from the root and collects the owners hung on the
 * nodes it passes. IPv4 lookups start at the node of ::ffff:0:0/96
 * (0.0.0.0/0): an IPv6 scope wider than that (::/0, ::/1) is about IPv6
 * and does not take every IPv4 address; an IPv4 scope, or one written as
 * IPv4-mapped (::ffff:a.b.c.d/n, n >= 96), is the same prefix and does. */
#include "owners/match.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

struct node {
	uint32_t child[2];
	uint32_t owners; /* first link, NONE */
};

struct link {
	uint32_t owner, next;
};

struct asn_owner {
	uint32_t asn, owner;
};

struct owners_index {
	struct node *nodes;
	size_t nnodes, cap_nodes;
	struct link *links;
	size_t nlinks, cap_links;
	uint32_t v4_node;	/* node of ::ffff:0:0/96, NONE if absent */
	struct asn_owner *asns; /* sorted by asn, then owner */
	size_t nasns;
};

static int bit_of(const struct net_addr *a, unsigned i)
{
	return (a->b[i / 8] >> (7 - i % 8)) & 1;
}

static uint32_t new_node(struct owners_index *ix)
{
	if (ix->nnodes == ix->cap_nodes) {
		size_t cap = ix->cap_nodes ? ix->cap_nodes * 2 : 1024;
		void *p = realloc(ix->nodes, cap * sizeof(*ix->nodes));
		if (!p)
			return NONE;
		ix->nodes = p;
		ix->cap_nodes = cap;
	}
	ix->nodes[ix->nnodes] = (struct node){{NONE, NONE}, NONE};
	return (uint32_t)ix->nnodes++;
}

/* Node of p, created as needed; NONE when memory runs out. */
static uint32_t walk_create(struct owners_index *ix, const struct net_prefix *p)
{
	uint32_t n = 0;
	for (unsigned i = 0; i < p->len; i++) {
		int b = bit_of(&p->addr, i);
		if (ix->nodes[n].child[b] == NONE) {
			uint32_t c = new_node(ix);
			if (c == NONE)
				return NONE;
			ix->nodes[n].child[b] = c;
		}
		n = ix->nodes[n].child[b];
	}
	return n;
}

static int hang(struct owners_index *ix, uint32_t node, uint32_t owner)
{
	if (ix->nlinks == ix->cap_links) {
		size_t cap = ix->cap_links ? ix->cap_links * 2 : 1024;
		void *p = realloc(ix->links, cap * sizeof(*ix->links));
		if (!p)
			return SD_ENOMEM;
		ix->links = p;
		ix->cap_links = cap;
	}
	ix->links[ix->nlinks] = (struct link){owner, ix->nodes[node].owners};
	ix->nodes[node].owners = (uint32_t)ix->nlinks++;
	return 0;
}

static int cmp_asn(const void *a, const void *b)
{
	const struct asn_owner *x = a, *y = b;
	if (x->asn != y->asn)
		return x->asn < y->asn ? -1 : 1;
	return (x->owner > y->owner) - (x->owner < y->owner);
}

static int set_push(struct owners_set *s, uint32_t v)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		void *p = realloc(s->v, cap * sizeof(*s->v));
		if (!p)
			return SD_ENOMEM;
		s->v = p;
		s->cap = cap;
	}
	s->v[s->n++] = v;
	return 0;
}

void owners_set_free(struct owners_set *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int owners_index_build(const struct owners_registry *r, struct owners_index **out)
{
	*out = NULL;
	struct owners_index *ix = calloc(1, sizeof(*ix));
	if (!ix || new_node(ix) == NONE)
		goto oom;
	size_t nasn = 0;
	for (size_t i = 0; i < r->nscope; i++)
		nasn += r->scope[i].asn != 0;
	if (nasn && !(ix->asns = malloc(nasn * sizeof(*ix->asns))))
		goto oom;
	for (size_t i = 0; i < r->nscope; i++) {
		const struct owner_scope *s = &r->scope[i];
		if (s->asn) {
			ix->asns[ix->nasns++] = (struct asn_owner){s->asn, s->owner};
			continue;
		}
		uint32_t n = walk_create(ix, &s->prefix);
		if (n == NONE || hang(ix, n, s->owner))
			goto oom;
	}
	if (ix->nasns)
		qsort(ix->asns, ix->nasns, sizeof(*ix->asns), cmp_asn);
	/* the IPv4 start node */
	struct net_prefix v4 = {.len = 96};
	v4.addr.b[10] = v4.addr.b[11] = 0xff;
	uint32_t n = 0;
	for (unsigned i = 0; i < 96 && n != NONE; i++)
		n = ix->nodes[n].child[bit_of(&v4.addr, i)];
	ix->v4_node = n;
	*out = ix;
	return 0;
oom:
	owners_index_free(ix);
	return SD_ENOMEM;
}

void owners_index_free(struct owners_index *ix)
{
	if (!ix)
		return;
	free(ix->nodes);
	free(ix->links);
	free(ix->asns);
	free(ix);
}

bool owners_index_has_asn(const struct owners_index *ix)
{
	return ix->nasns > 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

int owners_index_match(const struct owners_index *ix, const struct net_prefix *p,
		       uint32_t asn, struct owners_set *s)
{
	s->n = 0;
	uint32_t n = 0;
	unsigned i = 0;
	if (net_prefix_is_v4(p)) {
		n = ix->v4_node;
		i = 96;
	}
	for (; n != NONE; i++) {
		for (uint32_t l = ix->nodes[n].owners; l != NONE; l = ix->links[l].next)
			if (set_push(s, ix->links[l].owner))
				return SD_ENOMEM;
		if (i >= p->len)
			break;
		n = ix->nodes[n].child[bit_of(&p->addr, i)];
	}
	if (asn && ix->nasns) {
		size_t lo = 0, hi = ix->nasns;
		while (lo < hi) {
			size_t m = lo + (hi - lo) / 2;
			if (ix->asns[m].asn < asn)
				lo = m + 1;
			else
				hi = m;
		}
		for (; lo < ix->nasns && ix->asns[lo].asn == asn; lo++)
			if (set_push(s, ix->asns[lo].owner))
				return SD_ENOMEM;
	}
	if (s->n > 1) {
		qsort(s->v, s->n, sizeof(*s->v), cmp_u32);
		size_t w = 1;
		for (size_t k = 1; k < s->n; k++)
			if (s->v[k] != s->v[w - 1])
				s->v[w++] = s->v[k];
		s->n = w;
	}
	return 0;
}
