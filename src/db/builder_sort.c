/* Sorting and combining the sightings a builder holds: the IPv4 records by
 * an in-place radix sort, the other items by comparison. Combining follows
 * the rule of builder.h, which is associative and commutative, so it may
 * run any number of times on any part (after each input, and at write)
 * and give the same result. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/intern.h"
#include "db/builder_impl.h"

/* Records of one bucket below this are sorted by LSD passes through a
 * buffer of this size (1.3 MB, cache-resident); larger buckets are split
 * in place first, so sorting never holds the records twice. */
#define SORT_BUCKET_MAX 65536
#define SORT_SMALL 24
#define SORT_MSD_BITS 8

static void insertion_sort(struct v4rec *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct v4rec x = v[i];
		size_t j = i;
		while (j > 0 && v[j - 1].addr > x.addr) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

/* Sorts v[0..n) whose addresses agree above the low `bits` bits: 8-bit
 * LSD passes through tmp, skipping digits every record shares. */
static void lsd_sort(struct v4rec *v, size_t n, unsigned bits, struct v4rec *tmp)
{
	struct v4rec *src = v, *dst = tmp;
	for (unsigned shift = 0; shift < bits; shift += 8) {
		size_t count[256] = {0};
		for (size_t i = 0; i < n; i++)
			count[(src[i].addr >> shift) & 255]++;
		if (count[(src[0].addr >> shift) & 255] == n)
			continue;
		size_t sum = 0;
		for (size_t d = 0; d < 256; d++) {
			size_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i].addr >> shift) & 255]++] = src[i];
		struct v4rec *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
}

/* Sorts v[0..n) whose addresses agree above the low `bits` bits. Large
 * runs are split in place (American flag sort) on the highest bits in
 * which they differ, so that clustered addresses (all under one /8, say)
 * split as well as random ones. */
static void msd_sort(struct v4rec *v, size_t n, unsigned bits, struct v4rec *tmp)
{
	if (n <= SORT_SMALL) {
		insertion_sort(v, n);
		return;
	}
	uint32_t any = 0, all = UINT32_MAX;
	for (size_t i = 0; i < n; i++) {
		any |= v[i].addr;
		all &= v[i].addr;
	}
	uint32_t diff = (any ^ all) & (bits >= 32 ? UINT32_MAX : ((1u << bits) - 1));
	if (!diff)
		return;
	unsigned top = 32 - (unsigned)__builtin_clz(diff);
	if (n <= SORT_BUCKET_MAX) {
		lsd_sort(v, n, top, tmp);
		return;
	}
	unsigned d = top < SORT_MSD_BITS ? top : SORT_MSD_BITS;
	unsigned shift = top - d;
	uint32_t mask = (1u << d) - 1;
	size_t nb = (size_t)1 << d;
	size_t head[1 << SORT_MSD_BITS], tail[1 << SORT_MSD_BITS];
	memset(tail, 0, nb * sizeof(*tail));
	for (size_t i = 0; i < n; i++)
		tail[(v[i].addr >> shift) & mask]++;
	size_t sum = 0;
	for (size_t k = 0; k < nb; k++) {
		head[k] = sum;
		sum += tail[k];
		tail[k] = sum;
	}
	for (size_t k = 0; k < nb; k++) {
		while (head[k] < tail[k]) {
			struct v4rec x = v[head[k]];
			size_t dk = (x.addr >> shift) & mask;
			while (dk != k) {
				struct v4rec y = v[head[dk]];
				v[head[dk]++] = x;
				x = y;
				dk = (x.addr >> shift) & mask;
			}
			v[head[k]++] = x;
		}
	}
	size_t start = 0;
	for (size_t k = 0; k < nb; k++) {
		msd_sort(v + start, tail[k] - start, shift, tmp);
		start = tail[k];
	}
}

/* Whether v[0..n) is in address order already: records fed in order (a
 * correlate run hands them over client by client) then cost one reading
 * pass instead of a sort, and anything else stops at its first descent. */
static bool in_order_v4(const struct v4rec *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i - 1].addr > v[i].addr)
			return false;
	return true;
}

static int sort_v4(struct v4rec *v, size_t n)
{
	if (in_order_v4(v, n))
		return 0;
	if (n <= SORT_SMALL) {
		insertion_sort(v, n);
		return 0;
	}
	struct v4rec *tmp =
	    malloc((n < SORT_BUCKET_MAX ? n : SORT_BUCKET_MAX) * sizeof(*tmp));
	if (!tmp)
		return SD_ENOMEM;
	msd_sort(v, n, 32, tmp);
	free(tmp);
	return 0;
}

static uint16_t attr_campaign(const struct db_builder *b, uint32_t attr)
{
	return ((const struct db_attr_rec *)sd_intern_get(b->attrs, attr, NULL))
	    ->campaign;
}

/* Whether x goes after y: by address, then campaign. */
static bool after(const struct db_builder *b, const struct v4rec *x,
		  const struct v4rec *y)
{
	if (x->addr != y->addr)
		return x->addr > y->addr;
	return attr_campaign(b, x->attr) > attr_campaign(b, y->attr);
}

/* Merges the sorted runs v[0..s) and v[s..n) through a copy of the second,
 * filled from the back so that the first is never copied. Records of one
 * address and campaign keep their order, the first run's first. */
static int merge_v4(const struct db_builder *b, struct v4rec *v, size_t s, size_t n)
{
	size_t nt = n - s;
	if (!s || !nt || !after(b, &v[s - 1], &v[s]))
		return 0;
	struct v4rec *t = malloc(nt * sizeof(*t));
	if (!t)
		return SD_ENOMEM;
	memcpy(t, v + s, nt * sizeof(*t));
	size_t i = s, j = nt, k = n;
	while (j > 0) {
		if (i > 0 && after(b, &v[i - 1], &t[j - 1]))
			v[--k] = v[--i];
		else
			v[--k] = t[--j];
	}
	free(t);
	return 0;
}

/* Folds y into x, both of one address and campaign. */
static int combine_v4(struct db_builder *b, struct v4rec *x, const struct v4rec *y)
{
	struct db_attr_rec ax =
	    *(const struct db_attr_rec *)sd_intern_get(b->attrs, x->attr, NULL);
	const struct db_attr_rec *ay = sd_intern_get(b->attrs, y->attr, NULL);
	struct db_sighting sx = {.first_seen = x->first,
				 .last_seen = x->last,
				 .count = x->count,
				 .evidence = ax.evidence,
				 .confidence = ax.confidence};
	struct db_sighting sy = {.first_seen = y->first,
				 .last_seen = y->last,
				 .count = y->count,
				 .evidence = ay->evidence,
				 .confidence = ay->confidence};
	db_sighting_combine(&sx, &sy);
	if (db_builder_sourceset_union(b, ax.sources, ay->sources, &ax.sources))
		return SD_ENOMEM;
	ax.evidence = sx.evidence;
	ax.confidence = sx.confidence;
	x->first = sx.first_seen;
	x->last = sx.last_seen;
	x->count = sx.count;
	return db_builder_attr(b, &ax, &x->attr);
}

/* r[0..*n) sorted by address: keeps one record per address and campaign.
 * A run of one address (rare: several campaigns, or a repeated line) is
 * put in campaign order first. */
static int combine_runs(struct db_builder *b, struct v4rec *r, size_t *n)
{
	size_t k = 0;
	for (size_t i = 0; i < *n;) {
		size_t j = i + 1;
		while (j < *n && r[j].addr == r[i].addr)
			j++;
		if (j - i == 1) {
			r[k++] = r[i];
			i = j;
			continue;
		}
		for (size_t x = i + 1; x < j; x++) {
			struct v4rec t = r[x];
			uint16_t c = attr_campaign(b, t.attr);
			size_t y = x;
			while (y > i && attr_campaign(b, r[y - 1].attr) > c) {
				r[y] = r[y - 1];
				y--;
			}
			r[y] = t;
		}
		r[k++] = r[i];
		for (size_t x = i + 1; x < j; x++) {
			if (attr_campaign(b, r[k - 1].attr) ==
			    attr_campaign(b, r[x].attr)) {
				if (combine_v4(b, &r[k - 1], &r[x]))
					return SD_ENOMEM;
			} else {
				r[k++] = r[x];
			}
		}
		i = j;
	}
	*n = k;
	return 0;
}

/* The first index in r[lo..hi) whose address is not below addr, searched
 * from lo by doubling steps: the new records come in address order, so
 * each search starts where the last ended and costs the log of the gap. */
static size_t gallop_v4(const struct v4rec *r, size_t lo, size_t hi, uint32_t addr)
{
	size_t step = 1, top = lo;
	while (top < hi && r[top].addr < addr) {
		lo = top + 1;
		top += step;
		step *= 2;
	}
	if (top > hi)
		top = hi;
	while (lo < top) {
		size_t mid = lo + (top - lo) / 2;
		if (r[mid].addr < addr)
			lo = mid + 1;
		else
			top = mid;
	}
	return lo;
}

static size_t run_start(const struct sorted_runs *r, unsigned k)
{
	return k ? r->end[k - 1] : 0;
}

static size_t run_size(const struct sorted_runs *r, unsigned k)
{
	return r->end[k] - run_start(r, k);
}

/* How settling treats one kind of record, in the array `arr` (a v4vec, or
 * NULL for the builder's items). Only the order of the steps is shared. */
struct run_kind {
	/* sorts records [from..from+*m) and combines what they hold twice */
	int (*sort_combine)(struct db_builder *b, void *arr, size_t from, size_t *m);
	/* folds records [from..from+*m) into the runs, keeping the rest */
	int (*fold)(struct db_builder *b, void *arr, const struct sorted_runs *r,
		    size_t from, size_t *m);
	/* merges the sorted [s..mid) and [mid..e) */
	int (*merge)(struct db_builder *b, void *arr, size_t s, size_t mid, size_t e);
	/* combines the sorted records [0..*n) */
	int (*combine)(struct db_builder *b, void *arr, size_t *n);
};

static int merge_last_runs(struct db_builder *b, const struct run_kind *k, void *arr,
			   struct sorted_runs *r)
{
	unsigned last = r->n - 1;
	if (k->merge(b, arr, run_start(r, last - 1), r->end[last - 1], r->end[last]))
		return SD_ENOMEM;
	r->end[last - 1] = r->end[last];
	r->n--;
	return 0;
}

/* A settle folds the new records into the runs by search when they are
 * fewer than the held ones by this factor; otherwise one merge pass over
 * everything is cheaper than the searches. */
#define SETTLE_FOLD_RATIO 16

/* Settles records [*sorted..*n): sorted and combined, then folded into the
 * runs and kept as a run of their own, or merged with everything held.
 * Runs are merged while the older is at most twice the newer. */
static int settle_runs(struct db_builder *b, const struct run_kind *k, void *arr,
		       struct sorted_runs *r, size_t *sorted, size_t *n, bool whole)
{
	size_t held = *sorted, m = *n - *sorted;
	if (m) {
		if (k->sort_combine(b, arr, held, &m))
			return SD_ENOMEM;
		if (m * SETTLE_FOLD_RATIO < held) {
			if (k->fold(b, arr, r, held, &m))
				return SD_ENOMEM;
		} else if (held) {
			while (r->n > 1)
				if (merge_last_runs(b, k, arr, r))
					return SD_ENOMEM;
			size_t all = held + m;
			if (k->merge(b, arr, 0, held, all) || k->combine(b, arr, &all))
				return SD_ENOMEM;
			r->n = 0;
			held = 0;
			m = all;
		}
		if (m) {
			if (r->n == SORTED_RUNS_MAX && merge_last_runs(b, k, arr, r))
				return SD_ENOMEM;
			r->end[r->n++] = held + m;
		}
		*n = *sorted = held + m;
		while (r->n > 1 && run_size(r, r->n - 2) <= 2 * run_size(r, r->n - 1))
			if (merge_last_runs(b, k, arr, r))
				return SD_ENOMEM;
	}
	while (whole && r->n > 1)
		if (merge_last_runs(b, k, arr, r))
			return SD_ENOMEM;
	return 0;
}

/* Moves the records of t[0..m) (each `size` bytes) not folded to its
 * front, in order; returns how many there are. */
static size_t keep_unfolded(void *t, size_t size, const bool *folded, size_t m)
{
	char *p = t;
	size_t kept = 0;
	for (size_t i = 0; i < m; i++)
		if (!folded[i])
			memmove(p + kept++ * size, p + i * size, size);
	return kept;
}

/* Whether each address of v[0..n) is above the one before: records fed
 * in order, one per address (a correlate run where each client has one
 * sighting), then have nothing to sort nor to combine. */
static bool ascending_v4(const struct v4rec *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i - 1].addr >= v[i].addr)
			return false;
	return true;
}

static int v4_sort_combine(struct db_builder *b, void *arr, size_t from, size_t *m)
{
	struct v4rec *t = ((struct v4vec *)arr)->v + from;
	if (ascending_v4(t, *m))
		return 0;
	return sort_v4(t, *m) || combine_runs(b, t, m) ? SD_ENOMEM : 0;
}

/* Folds each record of the sorted, combined t that the runs already hold
 * into the run's record, and keeps the others, so that t shares no
 * address and campaign with any run. */
static int v4_fold(struct db_builder *b, void *arr, const struct sorted_runs *r,
		   size_t from, size_t *m)
{
	struct v4rec *v = ((struct v4vec *)arr)->v, *t = v + from;
	bool *folded = calloc(*m, sizeof(*folded));
	if (!folded)
		return SD_ENOMEM;
	for (unsigned k = 0; k < r->n; k++) {
		size_t at = run_start(r, k), end = r->end[k];
		for (size_t i = 0; i < *m && at < end; i++) {
			if (folded[i])
				continue;
			at = gallop_v4(v, at, end, t[i].addr);
			for (size_t x = at; x < end && v[x].addr == t[i].addr; x++) {
				if (attr_campaign(b, v[x].attr) !=
				    attr_campaign(b, t[i].attr))
					continue;
				if (combine_v4(b, &v[x], &t[i])) {
					free(folded);
					return SD_ENOMEM;
				}
				folded[i] = true;
				break;
			}
		}
	}
	*m = keep_unfolded(t, sizeof(*t), folded, *m);
	free(folded);
	return 0;
}

static int v4_merge(struct db_builder *b, void *arr, size_t s, size_t mid, size_t e)
{
	return merge_v4(b, ((struct v4vec *)arr)->v + s, mid - s, e - s);
}

static int v4_combine(struct db_builder *b, void *arr, size_t *n)
{
	return combine_runs(b, ((struct v4vec *)arr)->v, n);
}

static const struct run_kind v4_kind = {v4_sort_combine, v4_fold, v4_merge, v4_combine};

int db_builder_settle_v4(struct db_builder *b, struct v4vec *v, bool whole)
{
	return settle_runs(b, &v4_kind, v, &v->runs, &v->sorted, &v->n, whole);
}

static int cmp_item(const void *x, const void *y)
{
	const struct item *a = x, *c = y;
	int by_prefix = db_item_cmp_prefix(a, c);
	if (by_prefix)
		return by_prefix;
	return (a->campaign > c->campaign) - (a->campaign < c->campaign);
}

int db_builder_combine_item(struct db_builder *b, struct item *into,
			    const struct item *it)
{
	struct db_sighting x = {.first_seen = into->first,
				.last_seen = into->last,
				.count = into->count,
				.evidence = into->evidence,
				.confidence = into->confidence};
	struct db_sighting y = {.first_seen = it->first,
				.last_seen = it->last,
				.count = it->count,
				.evidence = it->evidence,
				.confidence = it->confidence};
	db_sighting_combine(&x, &y);
	into->first = x.first_seen;
	into->last = x.last_seen;
	into->count = x.count;
	into->evidence = x.evidence;
	into->confidence = x.confidence;
	return db_builder_sourceset_union(b, into->set, it->set, &into->set);
}

/* v[0..*n) sorted: keeps one item per prefix and campaign. */
static int combine_items(struct db_builder *b, struct item *v, size_t *n)
{
	size_t k = 0;
	for (size_t i = 0; i < *n; i++) {
		if (!k || cmp_item(&v[k - 1], &v[i]))
			v[k++] = v[i];
		else if (db_builder_combine_item(b, &v[k - 1], &v[i]))
			return SD_ENOMEM;
	}
	*n = k;
	return 0;
}

static int items_sort_combine(struct db_builder *b, void *arr, size_t from, size_t *m)
{
	(void)arr;
	qsort(b->items + from, *m, sizeof(*b->items), cmp_item);
	return combine_items(b, b->items + from, m);
}

/* The first index in v[lo..hi) not before x, searched from lo by doubling
 * steps, as gallop_v4. */
static size_t gallop_item(const struct item *v, size_t lo, size_t hi,
			  const struct item *x)
{
	size_t step = 1, top = lo;
	while (top < hi && cmp_item(&v[top], x) < 0) {
		lo = top + 1;
		top += step;
		step *= 2;
	}
	if (top > hi)
		top = hi;
	while (lo < top) {
		size_t mid = lo + (top - lo) / 2;
		if (cmp_item(&v[mid], x) < 0)
			lo = mid + 1;
		else
			top = mid;
	}
	return lo;
}

static int items_fold(struct db_builder *b, void *arr, const struct sorted_runs *r,
		      size_t from, size_t *m)
{
	(void)arr;
	struct item *v = b->items, *t = v + from;
	bool *folded = calloc(*m, sizeof(*folded));
	if (!folded)
		return SD_ENOMEM;
	for (unsigned k = 0; k < r->n; k++) {
		size_t at = run_start(r, k), end = r->end[k];
		for (size_t i = 0; i < *m && at < end; i++) {
			if (folded[i])
				continue;
			at = gallop_item(v, at, end, &t[i]);
			if (at == end || cmp_item(&v[at], &t[i]))
				continue;
			if (db_builder_combine_item(b, &v[at], &t[i])) {
				free(folded);
				return SD_ENOMEM;
			}
			folded[i] = true;
		}
	}
	*m = keep_unfolded(t, sizeof(*t), folded, *m);
	free(folded);
	return 0;
}

/* Merges v[s..mid) and v[mid..e) through a copy of the second, from the
 * back; equal items keep their order, the first run's first. */
static int items_merge(struct db_builder *b, void *arr, size_t s, size_t mid, size_t e)
{
	(void)arr;
	struct item *v = b->items;
	size_t nt = e - mid;
	if (mid == s || !nt || cmp_item(&v[mid - 1], &v[mid]) <= 0)
		return 0;
	struct item *t = malloc(nt * sizeof(*t));
	if (!t)
		return SD_ENOMEM;
	memcpy(t, v + mid, nt * sizeof(*t));
	size_t i = mid, j = nt, k = e;
	while (j > 0) {
		if (i > s && cmp_item(&v[i - 1], &t[j - 1]) > 0)
			v[--k] = v[--i];
		else
			v[--k] = t[--j];
	}
	free(t);
	return 0;
}

static int items_combine(struct db_builder *b, void *arr, size_t *n)
{
	(void)arr;
	return combine_items(b, b->items, n);
}

static const struct run_kind items_kind = {items_sort_combine, items_fold, items_merge,
					   items_combine};

int db_builder_settle_items(struct db_builder *b)
{
	return settle_runs(b, &items_kind, NULL, &b->item_runs, &b->sorted_items,
			   &b->nitems, false);
}
