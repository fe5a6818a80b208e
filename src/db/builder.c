/* The snapshot builder as sightings, campaigns, source sets and inputs are
 * added; writing the snapshot: builder_write.c. */
#include "db/builder.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/intern.h"
#include "core/limits.h"
#include "db/builder_impl.h"

struct db_builder *db_builder_new(void)
{
	struct db_builder *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->strings = sd_intern_new();
	b->names = sd_intern_new();
	b->sets = sd_intern_new();
	b->attrs = sd_intern_new();
	uint32_t empty;
	if (!b->strings || !b->names || !b->sets || !b->attrs ||
	    sd_intern_put(b->strings, "", 0, &empty) ||
	    sd_intern_put(b->sets, "", 0, &empty)) {
		db_builder_free(b);
		return NULL;
	}
	return b;
}

void db_builder_free(struct db_builder *b)
{
	if (!b)
		return;
	sd_intern_free(b->strings);
	sd_intern_free(b->names);
	sd_intern_free(b->sets);
	sd_intern_free(b->attrs);
	free(b->campaigns);
	for (size_t i = 0; i < 33; i++)
		free(b->v4[i].v);
	free(b->items);
	for (size_t i = 0; i < b->ninputs; i++)
		free(b->inputs[i].text);
	free(b->inputs);
	free(b);
}

static int put_string(struct db_builder *b, const char *s, uint32_t *id,
		      struct sd_error *err)
{
	size_t n = s ? strlen(s) : 0;
	if (n > SD_MAX_STRING)
		return sd_error_set(err, SD_ELIMIT,
				    "string of %zu bytes exceeds SD_MAX_STRING (%d)", n,
				    SD_MAX_STRING);
	if (sd_intern_put(b->strings, s ? s : "", n, id))
		return sd_error_set(err, SD_ENOMEM, "out of memory interning strings");
	return 0;
}

int db_builder_input(struct db_builder *b, const char *label, const struct io_ident *id,
		     struct sd_error *err)
{
	if (b->ninputs == b->cap_inputs) {
		size_t cap = b->cap_inputs ? b->cap_inputs * 2 : 16;
		struct binput *n = realloc(b->inputs, cap * sizeof(*n));
		if (!n)
			return sd_error_set(err, SD_ENOMEM, "out of memory");
		b->inputs = n;
		b->cap_inputs = cap;
	}
	struct binput *in = &b->inputs[b->ninputs];
	int rc = put_string(b, label, &in->label, err);
	if (rc)
		return rc;
	if (!(in->text = strdup(label ? label : "")))
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	in->id = *id;
	b->ninputs++;
	return 0;
}

static const char *string_of(const struct db_builder *b, uint32_t id, size_t *len)
{
	return sd_intern_get(b->strings, id, len);
}

/* Deterministic choice between two texts: the longer one carries more
 * information; on equal length the lexically smaller wins. */
static uint32_t pick_text(const struct db_builder *b, uint32_t x, uint32_t y)
{
	size_t lx, ly;
	const char *sx = string_of(b, x, &lx), *sy = string_of(b, y, &ly);
	if (lx != ly)
		return lx > ly ? x : y;
	int c = memcmp(sx, sy, lx);
	return c <= 0 ? x : y;
}

int db_builder_campaign(struct db_builder *b, const struct db_campaign_meta *m,
			uint16_t *id, struct sd_error *err)
{
	if (!m->name || !*m->name)
		return sd_error_set(err, SD_EPARSE, "campaign without a name");
	struct campaign c = {.window_start = m->window_start,
			     .window_end = m->window_end};
	int rc;
	if ((rc = put_string(b, m->name, &c.name, err)) ||
	    (rc = put_string(b, m->title, &c.title, err)) ||
	    (rc = put_string(b, m->advisory, &c.advisory, err)) ||
	    (rc = put_string(b, m->remediation, &c.remediation, err)))
		return rc;
	uint32_t cid;
	if (sd_intern_find(b->names, m->name, strlen(m->name), &cid) == 0) {
		struct campaign *o = &b->campaigns[cid];
		o->title = pick_text(b, o->title, c.title);
		o->advisory = pick_text(b, o->advisory, c.advisory);
		o->remediation = pick_text(b, o->remediation, c.remediation);
		/* widest window; 0 means open on that side */
		o->window_start = (!o->window_start || !c.window_start) ? 0
				  : o->window_start < c.window_start	? o->window_start
									: c.window_start;
		o->window_end = (!o->window_end || !c.window_end) ? 0
				: o->window_end > c.window_end	  ? o->window_end
								  : c.window_end;
		*id = (uint16_t)cid;
		return 0;
	}
	if (b->ncampaigns >= SD_MAX_CAMPAIGNS)
		return sd_error_set(err, SD_ELIMIT,
				    "more than SD_MAX_CAMPAIGNS (%d) campaigns",
				    SD_MAX_CAMPAIGNS);
	if (b->ncampaigns == b->cap_campaigns) {
		size_t cap = b->cap_campaigns ? b->cap_campaigns * 2 : 8;
		struct campaign *p = realloc(b->campaigns, cap * sizeof(*p));
		if (!p)
			return sd_error_set(err, SD_ENOMEM, "out of memory");
		b->campaigns = p;
		b->cap_campaigns = cap;
	}
	if (sd_intern_put(b->names, m->name, strlen(m->name), &cid))
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	b->campaigns[b->ncampaigns++] = c;
	*id = (uint16_t)cid;
	return 0;
}

/* Source sets are kept sorted by label text, not by id, so that a set
 * reads the same (and compares equal) whatever order labels were first
 * seen in: builds and merges then give the same contents for any input
 * order. */
int db_builder_cmp_string(const void *a, const void *b, void *ctx)
{
	const struct sd_intern *strings = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	if (x == y)
		return 0;
	size_t lx, ly;
	const char *sx = sd_intern_get(strings, x, &lx);
	const char *sy = sd_intern_get(strings, y, &ly);
	int c = memcmp(sx, sy, lx < ly ? lx : ly);
	if (c)
		return c;
	return (lx > ly) - (lx < ly);
}

static size_t sort_unique_labels(struct db_builder *b, uint32_t *ids, size_t n)
{
	qsort_r(ids, n, sizeof(*ids), db_builder_cmp_string, b->strings);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || ids[k - 1] != ids[i])
			ids[k++] = ids[i];
	return k;
}

static int intern_set(struct db_builder *b, uint32_t *ids, size_t n, uint32_t *set,
		      struct sd_error *err)
{
	size_t k = sort_unique_labels(b, ids, n);
	if (k > SD_MAX_SOURCES_PER_SET)
		return sd_error_set(err, SD_ELIMIT,
				    "%zu sources for one sighting exceed "
				    "SD_MAX_SOURCES_PER_SET (%d)",
				    k, SD_MAX_SOURCES_PER_SET);
	if (sd_intern_put(b->sets, ids, k * sizeof(*ids), set))
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	return 0;
}

int db_builder_sourceset(struct db_builder *b, const char *const *names, size_t n,
			 uint32_t *set, struct sd_error *err)
{
	if (n > SD_MAX_SOURCES_PER_SET)
		return sd_error_set(err, SD_ELIMIT,
				    "%zu sources for one sighting exceed "
				    "SD_MAX_SOURCES_PER_SET (%d)",
				    n, SD_MAX_SOURCES_PER_SET);
	uint32_t ids[SD_MAX_SOURCES_PER_SET];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!names[i] || !*names[i])
			continue;
		int rc = put_string(b, names[i], &ids[k++], err);
		if (rc)
			return rc;
	}
	return intern_set(b, ids, k, set, err);
}

int db_builder_sourceset_union(struct db_builder *b, uint32_t x, uint32_t y,
			       uint32_t *set)
{
	if (x == y) {
		*set = x;
		return 0;
	}
	size_t lx, ly;
	const uint32_t *sx = sd_intern_get(b->sets, x, &lx);
	const uint32_t *sy = sd_intern_get(b->sets, y, &ly);
	if (!sx || !sy)
		return SD_ENOTFOUND;
	lx /= 4;
	ly /= 4;
	uint32_t ids[2 * SD_MAX_SOURCES_PER_SET];
	size_t n = 0;
	for (size_t i = 0; i < lx; i++)
		ids[n++] = sx[i];
	for (size_t i = 0; i < ly; i++)
		ids[n++] = sy[i];
	/* a union past the limit keeps the first SD_MAX_SOURCES_PER_SET
	 * labels in text order: deterministic whatever the merge order */
	size_t k = sort_unique_labels(b, ids, n);
	if (k > SD_MAX_SOURCES_PER_SET)
		k = SD_MAX_SOURCES_PER_SET;
	return sd_intern_put(b->sets, ids, k * sizeof(*ids), set) ? SD_ENOMEM : 0;
}

int db_builder_attr(struct db_builder *b, const struct db_attr_rec *a, uint32_t *id)
{
	if (b->have_last_attr && !memcmp(a, &b->last_attr, sizeof(*a))) {
		*id = b->last_attr_id;
		return 0;
	}
	if (sd_intern_put(b->attrs, a, sizeof(*a), id))
		return SD_ENOMEM;
	b->last_attr = *a;
	b->last_attr_id = *id;
	b->have_last_attr = true;
	return 0;
}

static bool prefix_is_v4(const struct net_prefix *p)
{
	return p->len >= 96 && net_addr_hi(&p->addr) == 0 &&
	       (net_addr_lo(&p->addr) >> 32) == 0xffffu;
}

/* Asks for huge pages under the whole 2 MiB spans of a large array: a
 * build of millions of records otherwise takes a page fault every 4 KiB
 * as the array fills. A hint; refused, the pages are small. */
void db_builder_huge_pages(void *p, size_t bytes)
{
	const uintptr_t huge = (uintptr_t)2 << 20;
	uintptr_t from = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t to = ((uintptr_t)p + bytes) & ~(huge - 1);
	if (to > from)
		madvise((void *)from, to - from, MADV_HUGEPAGE);
}

/* Appends r to v, growing it when full. */
static int push_v4(struct db_builder *b, struct v4vec *v, const struct v4rec *r,
		   struct sd_error *err)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 1024;
		struct v4rec *n = realloc(v->v, cap * sizeof(*n));
		if (!n)
			return sd_error_set(err, SD_ENOMEM,
					    "out of memory holding %zu sightings",
					    b->nheld);
		db_builder_huge_pages(n, cap * sizeof(*n));
		v->v = n;
		v->cap = cap;
	}
	v->v[v->n++] = *r;
	b->nheld++;
	return 0;
}

static int add_v4(struct db_builder *b, const struct net_prefix *p,
		  const struct db_sighting *s, uint32_t first, uint32_t last,
		  struct sd_error *err)
{
	struct db_attr_rec a = {
	    .campaign = s->campaign,
	    .evidence = s->evidence & DB_EV_ALL,
	    .confidence = s->confidence > DB_CONF_HIGH ? DB_CONF_HIGH : s->confidence,
	    .sources = s->sources};
	uint32_t attr;
	if (db_builder_attr(b, &a, &attr))
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	struct v4rec r = {(uint32_t)net_addr_lo(&p->addr), first, last, s->count, attr};
	return push_v4(b, &b->v4[p->len - 96], &r, err);
}

int db_builder_add(struct db_builder *b, const struct net_prefix *p,
		   const struct db_sighting *s, struct sd_error *err)
{
	if (b->written)
		return sd_error_set(err, SD_EUSAGE, "builder already written");
	if (s->campaign >= b->ncampaigns)
		return sd_error_set(err, SD_ENOTFOUND, "unknown campaign id %u",
				    s->campaign);
	if (s->sources >= sd_intern_count(b->sets))
		return sd_error_set(err, SD_ENOTFOUND, "unknown source set %u",
				    s->sources);
	if (p->len > 128 || (p->len < 128 && net_addr_has_hostbits(&p->addr, p->len)))
		return sd_error_set(err, SD_EHOSTBITS, "prefix has host bits set");
	if (b->nheld >= SD_MAX_ENTRIES)
		return sd_error_set(err, SD_ELIMIT,
				    "more than SD_MAX_ENTRIES (%u) sightings",
				    SD_MAX_ENTRIES);
	/* One known time stands for both: a sighting seen at t was seen from
	 * t to t. With first <= last on every input, combining (min of firsts,
	 * max of lasts) can never invert a range, whatever the order. */
	uint32_t first = s->first_seen ? s->first_seen : s->last_seen;
	uint32_t last = s->last_seen ? s->last_seen : s->first_seen;
	if (last < first) {
		uint32_t t = first;
		first = last;
		last = t;
	}
	if (prefix_is_v4(p))
		return add_v4(b, p, s, first, last, err);
	if (b->nitems == b->cap_items) {
		size_t cap = b->cap_items ? b->cap_items * 2 : 1024;
		struct item *n = realloc(b->items, cap * sizeof(*n));
		if (!n)
			return sd_error_set(err, SD_ENOMEM,
					    "out of memory holding %zu sightings",
					    b->nheld);
		b->items = n;
		b->cap_items = cap;
	}
	struct item *it = &b->items[b->nitems++];
	b->nheld++;
	it->hi = net_addr_hi(&p->addr);
	it->lo = net_addr_lo(&p->addr);
	it->plen = p->len;
	it->first = first;
	it->last = last;
	it->count = s->count;
	it->set = s->sources;
	it->campaign = s->campaign;
	it->evidence = s->evidence & DB_EV_ALL;
	it->confidence = s->confidence > DB_CONF_HIGH ? DB_CONF_HIGH : s->confidence;
	return 0;
}

/* One of db_builder_add_v4_hosts's hosts through db_builder_add. */
static int add_v4_host(struct db_builder *b, uint16_t campaign,
		       const struct db_v4_host *h, struct sd_error *err)
{
	struct net_addr a;
	struct net_prefix p;
	net_addr_from_v4(&a, h->addr);
	net_prefix_host(&p, &a);
	struct db_sighting s = {.first_seen = h->first_seen,
				.last_seen = h->last_seen,
				.count = h->count,
				.campaign = campaign,
				.evidence = h->evidence,
				.confidence = h->confidence,
				.sources = h->sources};
	return db_builder_add(b, &p, &s, err);
}

int db_builder_add_v4_hosts(struct db_builder *b, uint16_t campaign,
			    const struct db_v4_host *h, size_t n, struct sd_error *err)
{
	/* where a check fails, each goes through db_builder_add, which stops
	 * at the same host with the same error */
	uint32_t nsets = sd_intern_count(b->sets);
	bool one_by_one = b->written || campaign >= b->ncampaigns ||
			  b->nheld >= SD_MAX_ENTRIES || n > SD_MAX_ENTRIES - b->nheld;
	for (size_t i = 0; i < n && !one_by_one; i++)
		one_by_one = h[i].sources >= nsets;
	if (one_by_one) {
		for (size_t i = 0; i < n; i++) {
			int rc = add_v4_host(b, campaign, &h[i], err);
			if (rc)
				return rc;
		}
		return 0;
	}
	struct v4vec *v = &b->v4[32];
	/* the attribute of the host before, without db_builder_attr's call:
	 * a feed gives the same few again and again */
	uint32_t last_ec = UINT32_MAX, last_sources = 0, last_attr = 0;
	for (size_t i = 0; i < n; i++) {
		const struct db_v4_host *x = &h[i];
		uint8_t conf =
		    x->confidence > DB_CONF_HIGH ? DB_CONF_HIGH : x->confidence;
		uint32_t ec = (uint32_t)(x->evidence & DB_EV_ALL) << 8 | conf;
		if (ec != last_ec || x->sources != last_sources) {
			struct db_attr_rec a = {.campaign = campaign,
						.evidence = x->evidence & DB_EV_ALL,
						.confidence = conf,
						.sources = x->sources};
			if (db_builder_attr(b, &a, &last_attr))
				return sd_error_set(err, SD_ENOMEM, "out of memory");
			last_ec = ec;
			last_sources = x->sources;
		}
		struct v4rec r = {.addr = x->addr,
				  .first = x->first_seen ? x->first_seen : x->last_seen,
				  .last = x->last_seen ? x->last_seen : x->first_seen,
				  .count = x->count,
				  .attr = last_attr};
		if (r.last < r.first) {
			uint32_t t = r.first;
			r.first = r.last;
			r.last = t;
		}
		if (v->n < v->cap) { /* push_v4 without its call */
			v->v[v->n++] = r;
			b->nheld++;
			continue;
		}
		int rc = push_v4(b, v, &r, err);
		if (rc)
			return rc;
	}
	return 0;
}

int db_builder_settle(struct db_builder *b, uint64_t *distinct, struct sd_error *err)
{
	if (b->written)
		return sd_error_set(err, SD_EUSAGE, "builder already written");
	size_t held = 0;
	for (size_t i = 0; i < 33; i++) {
		if (db_builder_settle_v4(b, &b->v4[i], false))
			return sd_error_set(err, SD_ENOMEM,
					    "out of memory sorting sightings");
		held += b->v4[i].n;
	}
	if (db_builder_settle_items(b))
		return sd_error_set(err, SD_ENOMEM, "out of memory sorting sightings");
	held += b->nitems;
	b->nheld = held;
	*distinct = held;
	return 0;
}
