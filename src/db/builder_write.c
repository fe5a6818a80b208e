/* Writing the snapshot: items sorted by key, folded per campaign, assembled
 * into tables and written in content order (docs/db-format.md). */
#include "db/builder.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "core/atomic_file.h"
#include "core/intern.h"
#include "core/limits.h"
#include "db/builder_impl.h"
#include "db/format.h"
#include "db/index.h"
#include "db/inputs.h"

struct sortpair {
	uint64_t idx; /* into the builder's items */
};

/* ctx: the builder's items, which the sort pairs index. */
static int cmp_v6(const void *x, const void *y, void *ctx)
{
	const struct item *items = ctx;
	return db_item_cmp_prefix(&items[((const struct sortpair *)x)->idx],
				  &items[((const struct sortpair *)y)->idx]);
}

/* ---- output assembly -------------------------------------------------- */

struct u32vec {
	uint32_t *v;
	size_t n, cap;
};

static int u32_push(struct u32vec *v, uint32_t x)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 1024;
		uint32_t *p = realloc(v->v, cap * sizeof(*p));
		if (!p)
			return SD_ENOMEM;
		v->v = p;
		v->cap = cap;
	}
	v->v[v->n++] = x;
	return 0;
}

struct out_table {
	struct db_table_rec rec;
	void *keys; /* uint32_t[] or uint64_t[2][] */
	struct db_value_rec *values;
	void *index; /* key lines and ranks, as written (db/index.h) */
	size_t n;
};

struct assembly {
	struct out_table tables[2 * 129];
	size_t ntables;
	struct sd_intern *attrs;
	struct u32vec multi;
	uint64_t entries;
	uint32_t *campaign_rank; /* campaign id -> position by name */
};

static int attr_id(struct assembly *as, const struct item *it, uint32_t *id)
{
	struct db_attr_rec a = {.campaign = it->campaign,
				.evidence = it->evidence,
				.confidence = it->confidence,
				.sources = it->set};
	return sd_intern_put(as->attrs, &a, sizeof(a), id) ? SD_ENOMEM : 0;
}

/* Sightings of one entry are stored in campaign-name order (rank), not in
 * order of first appearance, for the same reason as source sets. */
static int cmp_item_campaign(const void *x, const void *y, void *ctx)
{
	const uint32_t *rank = ctx;
	const struct item *a = x, *b = y;
	uint32_t ra = rank[a->campaign], rb = rank[b->campaign];
	return (ra > rb) - (ra < rb);
}

/* Folds the items of one key (group[0..n), all same plen and address) into
 * one value record, combining per campaign. */
static int fold_group(struct db_builder *b, struct assembly *as, struct item *group,
		      size_t n, struct db_value_rec *out)
{
	if (n > 1)
		qsort_r(group, n, sizeof(*group), cmp_item_campaign, as->campaign_rank);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (k && group[k - 1].campaign == group[i].campaign) {
			if (db_builder_combine_item(b, &group[k - 1], &group[i]))
				return SD_ENOMEM;
		} else {
			group[k++] = group[i];
		}
	}
	struct db_sighting agg = {0};
	for (size_t i = 0; i < k; i++) {
		struct db_sighting y = {
		    group[i].first, group[i].last, group[i].count, 0, 0, 0, 0};
		db_sighting_combine(&agg, &y);
	}
	out->first_seen = agg.first_seen;
	out->last_seen = agg.last_seen;
	out->count = agg.count;
	if (k == 1)
		return attr_id(as, &group[0], &out->ref);
	if (k > SD_MAX_SIGHTINGS_PER_ENTRY)
		return SD_ELIMIT;
	if (as->multi.n + 1 + 4 * k >= DB_MULTI_FLAG)
		return SD_ELIMIT;
	out->ref = DB_MULTI_FLAG | (uint32_t)as->multi.n;
	if (u32_push(&as->multi, (uint32_t)k))
		return SD_ENOMEM;
	for (size_t i = 0; i < k; i++) {
		uint32_t a;
		if (attr_id(as, &group[i], &a) || u32_push(&as->multi, group[i].first) ||
		    u32_push(&as->multi, group[i].last) ||
		    u32_push(&as->multi, group[i].count) || u32_push(&as->multi, a))
			return SD_ENOMEM;
	}
	return 0;
}

static int table_begin(struct assembly *as, uint8_t kind, uint8_t plen, size_t max)
{
	struct out_table *t = &as->tables[as->ntables];
	memset(t, 0, sizeof(*t));
	t->rec.kind = kind;
	t->rec.plen = plen;
	t->keys = malloc(max ? max * (kind == DB_KEY_V4 ? 4 : 16) : 1);
	t->values = malloc(max ? max * sizeof(*t->values) : 1);
	if (!t->keys || !t->values) {
		free(t->keys);
		free(t->values);
		return SD_ENOMEM;
	}
	as->ntables++;
	return 0;
}

static bool same_key(const struct item *a, const struct item *c)
{
	return a->hi == c->hi && a->lo == c->lo;
}

/* How far ahead of the item being folded its successors are fetched: the
 * misses of a few dozen items overlap instead of following one another. */
#define ASSEMBLE_PREFETCH 24

/* Emits the IPv6 tables from the sorted items[order[0..n)] (every IPv4
 * prefix is a compact record: assemble_v4). */
static int assemble_v6(struct db_builder *b, struct assembly *as,
		       const struct sortpair *order, size_t n)
{
	struct item *group = NULL;
	size_t gcap = 0;
	int rc = 0;
	size_t i = 0;
	while (i < n) {
		uint8_t plen = b->items[order[i].idx].plen;
		size_t end = i;
		/* one table per length; the sort put lengths in runs */
		while (end < n && b->items[order[end].idx].plen == plen)
			end++;
		if ((rc = table_begin(as, DB_KEY_V6, plen, end - i)))
			break;
		struct out_table *t = &as->tables[as->ntables - 1];
		while (i < end) {
			if (i + ASSEMBLE_PREFETCH < n) {
				const char *ahead =
				    (const char *)&b
					->items[order[i + ASSEMBLE_PREFETCH].idx];
				__builtin_prefetch(ahead);
				__builtin_prefetch(ahead + sizeof(struct item) - 1);
			}
			size_t j = i + 1;
			while (j < end &&
			       same_key(&b->items[order[i].idx], &b->items[order[j].idx]))
				j++;
			if (j - i > gcap) {
				gcap = (j - i) * 2;
				struct item *g = realloc(group, gcap * sizeof(*g));
				if (!g) {
					rc = SD_ENOMEM;
					goto out;
				}
				group = g;
			}
			for (size_t k = i; k < j; k++)
				group[k - i] = b->items[order[k].idx];
			((uint64_t *)t->keys)[2 * t->n] = group[0].hi;
			((uint64_t *)t->keys)[2 * t->n + 1] = group[0].lo;
			if ((rc = fold_group(b, as, group, j - i, &t->values[t->n])))
				goto out;
			t->n++;
			i = j;
		}
		t->rec.count = t->n;
		as->entries += t->n;
		rc = db_index_build(&t->rec, t->keys, &t->index);
		if (rc)
			goto out;
	}
out:
	free(group);
	return rc;
}

/* Builder attribute id -> assembly attribute id, filled as met, so the
 * common case (one sighting at a key) costs no hashing; the assembly ids
 * are still given in the order the tables are walked. */
struct attr_map {
	uint32_t *id; /* UINT32_MAX: not yet met */
	size_t n;
};

static int map_attr(struct db_builder *b, struct assembly *as, struct attr_map *m,
		    uint32_t battr, uint32_t *id)
{
	if (m->id[battr] != UINT32_MAX) {
		*id = m->id[battr];
		return 0;
	}
	const struct db_attr_rec *a = sd_intern_get(b->attrs, battr, NULL);
	if (sd_intern_put(as->attrs, a, sizeof(*a), id))
		return SD_ENOMEM;
	m->id[battr] = *id;
	return 0;
}

/* The value of the records r[0..n) of one address (several campaigns). */
static int fold_v4_group(struct db_builder *b, struct assembly *as, uint8_t plen,
			 const struct v4rec *r, size_t n, struct item **group,
			 size_t *gcap, struct db_value_rec *out)
{
	if (n > *gcap) {
		struct item *g = realloc(*group, n * 2 * sizeof(*g));
		if (!g)
			return SD_ENOMEM;
		*group = g;
		*gcap = n * 2;
	}
	for (size_t i = 0; i < n; i++) {
		struct v4rec x;
		memcpy(&x, &r[i], sizeof(x));
		const struct db_attr_rec *a = sd_intern_get(b->attrs, x.attr, NULL);
		(*group)[i] = (struct item){.hi = 0,
					    .lo = 0xffff00000000u | x.addr,
					    .first = x.first,
					    .last = x.last,
					    .count = x.count,
					    .set = a->sources,
					    .campaign = a->campaign,
					    .plen = plen,
					    .evidence = a->evidence,
					    .confidence = a->confidence};
	}
	return fold_group(b, as, *group, n, out);
}

/* A table of at least this many keys has its index built on a thread of
 * its own while its values are made (where a second CPU is there). */
#define INDEX_THREAD_MIN 65536

struct index_job {
	struct db_table_rec *rec;
	const uint32_t *keys;
	void *area;
	int rc;
	pthread_t thread;
};

static void *index_main(void *arg)
{
	struct index_job *j = arg;
	j->rc = db_index_build(j->rec, j->keys, &j->area);
	return NULL;
}

/* Emits the IPv4 tables, most specific length first. Each length's records
 * become its value array in place (16 bytes written where 20 were read, so
 * a write never reaches a record not yet read), so the table costs only
 * its key array on top of what was held. The builder gives them up. */
static int assemble_v4(struct db_builder *b, struct assembly *as)
{
	struct attr_map m = {.n = sd_intern_count(b->attrs)};
	struct item *group = NULL;
	size_t gcap = 0;
	int rc = 0;
	m.id = malloc((m.n ? m.n : 1) * sizeof(*m.id));
	if (!m.id)
		return SD_ENOMEM;
	memset(m.id, 0xff, m.n * sizeof(*m.id));
	for (int len = 32; len >= 0 && !rc; len--) {
		struct v4vec *v = &b->v4[len];
		if (!v->n)
			continue;
		if ((rc = db_builder_settle_v4(b, v, true)))
			break;
		/* the settle may have interned attributes */
		if (sd_intern_count(b->attrs) > m.n) {
			size_t n = sd_intern_count(b->attrs);
			uint32_t *id = realloc(m.id, n * sizeof(*id));
			if (!id) {
				rc = SD_ENOMEM;
				break;
			}
			memset(id + m.n, 0xff, (n - m.n) * sizeof(*id));
			m.id = id;
			m.n = n;
		}
		uint32_t *keys = malloc(v->n * sizeof(*keys));
		if (!keys) {
			rc = SD_ENOMEM;
			break;
		}
		db_builder_huge_pages(keys, v->n * sizeof(*keys));
		struct out_table *t = &as->tables[as->ntables++];
		memset(t, 0, sizeof(*t));
		t->rec.kind = DB_KEY_V4;
		t->rec.plen = (uint8_t)(96 + len);
		t->keys = keys;
		t->values = (struct db_value_rec *)(void *)v->v;
		const struct v4rec *r = v->v;
		size_t n = v->n, out = 0;
		uint8_t plen = t->rec.plen;
		v->v = NULL;
		v->n = v->cap = v->sorted = 0;
		v->runs.n = 0;
		/* the keys first (the values are then written over the records),
		 * so that the index is built on a thread while the values are
		 * made here */
		size_t nkeys = 0;
		for (size_t i = 0; i < n; i++)
			if (!nkeys || keys[nkeys - 1] != r[i].addr)
				keys[nkeys++] = r[i].addr;
		t->rec.count = nkeys;
		struct index_job job = {.rec = &t->rec, .keys = keys};
		bool threaded = nkeys >= INDEX_THREAD_MIN &&
				sysconf(_SC_NPROCESSORS_ONLN) > 1 &&
				pthread_create(&job.thread, NULL, index_main, &job) == 0;
		for (size_t i = 0; i < n && !rc;) {
			size_t j = i + 1;
			while (j < n && r[j].addr == r[i].addr)
				j++;
			struct db_value_rec val;
			struct v4rec x;
			memcpy(&x, &r[i], sizeof(x));
			if (j - i == 1) {
				val = (struct db_value_rec){x.first, x.last, x.count, 0};
				rc = map_attr(b, as, &m, x.attr, &val.ref);
			} else {
				rc = fold_v4_group(b, as, plen, &r[i], j - i, &group,
						   &gcap, &val);
			}
			memcpy(&t->values[out], &val, sizeof(val));
			out++;
			i = j;
		}
		int irc = 0;
		if (threaded) {
			pthread_join(job.thread, NULL);
			irc = job.rc;
			t->index = job.area;
		}
		if (rc || (rc = irc))
			break;
		struct db_value_rec *shrunk =
		    realloc(t->values, (out ? out : 1) * sizeof(*shrunk));
		if (shrunk)
			t->values = shrunk;
		t->n = out; /* == nkeys */
		as->entries += t->n;
		if (!threaded)
			rc = db_index_build(&t->rec, t->keys, &t->index);
	}
	free(m.id);
	free(group);
	return rc;
}

/* ---- writing ---------------------------------------------------------- */

/* Bytes hashed and handed to the file at a time: the hash brings them
 * into the cache and the write copies them from there. */
#define WRITE_CHUNK (1u << 20)
/* Bytes written between two requests to the kernel to start writing them
 * back, so that the disk works while the rest is written and the final
 * fsync waits for the last part only. */
#define WRITEBACK_CHUNK (8u << 20)

struct writer {
	FILE *fp;
	int fd; /* the file under fp (a cookie stream has no fileno); -1: none */
	XXH3_state_t *hash;
	uint64_t pos;
	uint64_t flushed; /* file bytes below this have been sent on to disk */
	int failed;
};

/* Starts the write-back of what was written since the last time, once it
 * is WRITEBACK_CHUNK or more. A hint: the commit's fsync makes it sure. */
static void w_writeback(struct writer *w)
{
	if (w->fd < 0 || w->pos - w->flushed < WRITEBACK_CHUNK)
		return;
	if (fflush(w->fp) != 0) {
		w->failed = 1;
		return;
	}
	(void)sync_file_range(w->fd, (off_t)w->flushed, (off_t)(w->pos - w->flushed),
			      SYNC_FILE_RANGE_WRITE);
	w->flushed = w->pos;
}

static void w_bytes(struct writer *w, const void *p, size_t n)
{
	const char *c = p;
	while (n && !w->failed) {
		size_t k = n < WRITE_CHUNK ? n : WRITE_CHUNK;
		XXH3_64bits_update(w->hash, c, k);
		if (fwrite(c, 1, k, w->fp) != k)
			w->failed = 1;
		w->pos += k;
		c += k;
		n -= k;
		w_writeback(w);
	}
}

static void w_align(struct writer *w)
{
	static const unsigned char zeros[DB_ALIGN];
	size_t pad = (DB_ALIGN - w->pos % DB_ALIGN) % DB_ALIGN;
	w_bytes(w, zeros, pad);
}

static void begin_section(struct writer *w, struct db_header *h, enum db_section type)
{
	w_align(w);
	h->sections[type - 1].type = type;
	h->sections[type - 1].offset = w->pos;
}

static void end_section(struct writer *w, struct db_header *h, enum db_section type)
{
	h->sections[type - 1].size = w->pos - h->sections[type - 1].offset;
}

/* ---- canonical order -------------------------------------------------- */

/* What is written and in which order, decided from content only, so that a
 * snapshot does not depend on the order its sightings, campaigns and
 * inputs were added (merge in any order gives the same bytes) nor on what
 * was interned on the way (sets made while joining shards). */
struct canon {
	uint32_t *str_order, *str_new; /* new -> old, old -> new */
	uint32_t nstr;
	uint32_t *set_order, *set_new;
	uint32_t nset;
	uint32_t *camp_order; /* rank -> campaign id */
	struct db_input *inputs;
	size_t ninputs;
};

static void canon_free(struct canon *c)
{
	free(c->str_order);
	free(c->str_new);
	free(c->set_order);
	free(c->set_new);
	free(c->camp_order);
	free(c->inputs);
}

static int cmp_set_id(const void *x, const void *y, void *ctx)
{
	const struct db_builder *b = ctx;
	size_t lx, ly;
	const uint32_t *sx = sd_intern_get(b->sets, *(const uint32_t *)x, &lx);
	const uint32_t *sy = sd_intern_get(b->sets, *(const uint32_t *)y, &ly);
	lx /= 4;
	ly /= 4;
	for (size_t i = 0; i < lx && i < ly; i++) {
		int c = db_builder_cmp_string(&sx[i], &sy[i], b->strings);
		if (c)
			return c;
	}
	return (lx > ly) - (lx < ly);
}

static int canonicalize(struct db_builder *b, struct assembly *as, struct canon *c)
{
	uint32_t nstrings = sd_intern_count(b->strings), nsets = sd_intern_count(b->sets);
	uint32_t nattrs = sd_intern_count(as->attrs);
	c->str_new = calloc(nstrings, sizeof(uint32_t));
	c->str_order = malloc(nstrings * sizeof(uint32_t));
	c->set_new = calloc(nsets, sizeof(uint32_t));
	c->set_order = malloc(nsets * sizeof(uint32_t));
	c->camp_order = malloc((b->ncampaigns + 1) * sizeof(uint32_t));
	c->inputs = malloc((b->ninputs + 1) * sizeof(*c->inputs));
	if (!c->str_new || !c->str_order || !c->set_new || !c->set_order ||
	    !c->camp_order || !c->inputs)
		return SD_ENOMEM;
	/* sets in use: set 0 (empty) and those the attributes name */
	c->set_new[0] = 1;
	for (uint32_t i = 0; i < nattrs; i++) {
		const struct db_attr_rec *a = sd_intern_get(as->attrs, i, NULL);
		c->set_new[a->sources] = 1;
	}
	/* strings in use: "", campaign texts, labels of sets in use, inputs */
	c->str_new[0] = 1;
	for (size_t i = 0; i < b->ncampaigns; i++) {
		const struct campaign *k = &b->campaigns[i];
		c->str_new[k->name] = c->str_new[k->title] = 1;
		c->str_new[k->advisory] = c->str_new[k->remediation] = 1;
		c->camp_order[as->campaign_rank[i]] = (uint32_t)i;
	}
	c->nset = 0;
	for (uint32_t i = 0; i < nsets; i++) {
		if (!c->set_new[i])
			continue;
		c->set_order[c->nset++] = i;
		size_t len;
		const uint32_t *ids = sd_intern_get(b->sets, i, &len);
		for (size_t k = 0; k < len / 4; k++)
			c->str_new[ids[k]] = 1;
	}
	for (size_t i = 0; i < b->ninputs; i++) {
		c->str_new[b->inputs[i].label] = 1;
		c->inputs[i].label = b->inputs[i].text;
		c->inputs[i].id = b->inputs[i].id;
	}
	c->ninputs = db_inputs_canonical(c->inputs, b->ninputs);
	c->nstr = 0;
	for (uint32_t i = 0; i < nstrings; i++)
		if (c->str_new[i])
			c->str_order[c->nstr++] = i;
	qsort_r(c->str_order, c->nstr, sizeof(uint32_t), db_builder_cmp_string,
		b->strings);
	for (uint32_t i = 0; i < c->nstr; i++)
		c->str_new[c->str_order[i]] = i;
	qsort_r(c->set_order, c->nset, sizeof(uint32_t), cmp_set_id, b);
	for (uint32_t i = 0; i < c->nset; i++)
		c->set_new[c->set_order[i]] = i;
	return 0;
}

/* The string id of an input's label (labels were interned as strings). */
static uint32_t input_label(const struct db_builder *b, const struct canon *c,
			    const char *label)
{
	uint32_t id = 0;
	sd_intern_find(b->strings, label, strlen(label), &id);
	return c->str_new[id];
}

static void write_sections(struct db_builder *b, struct assembly *as,
			   const struct canon *cn, struct writer *w, struct db_header *h)
{
	begin_section(w, h, DB_SEC_STRINGS);
	uint32_t off = 0;
	for (uint32_t i = 0; i < cn->nstr; i++) {
		size_t len;
		sd_intern_get(b->strings, cn->str_order[i], &len);
		struct db_string_rec r = {off, (uint32_t)len};
		w_bytes(w, &r, sizeof(r));
		off += (uint32_t)len + 1;
	}
	end_section(w, h, DB_SEC_STRINGS);

	begin_section(w, h, DB_SEC_BLOB);
	for (uint32_t i = 0; i < cn->nstr; i++) {
		size_t len;
		const void *s = sd_intern_get(b->strings, cn->str_order[i], &len);
		w_bytes(w, s, len);
		w_bytes(w, "", 1);
	}
	end_section(w, h, DB_SEC_BLOB);

	begin_section(w, h, DB_SEC_CAMPAIGNS);
	for (size_t i = 0; i < b->ncampaigns; i++) {
		const struct campaign *c = &b->campaigns[cn->camp_order[i]];
		struct db_campaign_rec r = {cn->str_new[c->name],
					    cn->str_new[c->title],
					    cn->str_new[c->advisory],
					    cn->str_new[c->remediation],
					    c->window_start,
					    c->window_end,
					    {0, 0}};
		w_bytes(w, &r, sizeof(r));
	}
	end_section(w, h, DB_SEC_CAMPAIGNS);

	begin_section(w, h, DB_SEC_SETS);
	off = 0;
	for (uint32_t i = 0; i < cn->nset; i++) {
		size_t len;
		sd_intern_get(b->sets, cn->set_order[i], &len);
		w_bytes(w, &off, 4);
		off += 1 + (uint32_t)(len / 4);
	}
	end_section(w, h, DB_SEC_SETS);

	begin_section(w, h, DB_SEC_SETDATA);
	for (uint32_t i = 0; i < cn->nset; i++) {
		size_t len;
		const uint32_t *ids = sd_intern_get(b->sets, cn->set_order[i], &len);
		uint32_t n = (uint32_t)(len / 4);
		w_bytes(w, &n, 4);
		for (uint32_t k = 0; k < n; k++)
			w_bytes(w, &cn->str_new[ids[k]], 4);
	}
	end_section(w, h, DB_SEC_SETDATA);

	begin_section(w, h, DB_SEC_ATTRS);
	for (uint32_t i = 0; i < sd_intern_count(as->attrs); i++) {
		struct db_attr_rec a =
		    *(const struct db_attr_rec *)sd_intern_get(as->attrs, i, NULL);
		a.campaign = (uint16_t)as->campaign_rank[a.campaign];
		a.sources = cn->set_new[a.sources];
		w_bytes(w, &a, sizeof(a));
	}
	end_section(w, h, DB_SEC_ATTRS);

	begin_section(w, h, DB_SEC_MULTI);
	w_bytes(w, as->multi.v, as->multi.n * 4);
	end_section(w, h, DB_SEC_MULTI);

	/* Table records carry offsets relative to DATA, which comes next; work
	 * them out first so that the records can be written before the data. */
	uint64_t rel = 0;
	for (size_t i = 0; i < as->ntables; i++) {
		struct out_table *t = &as->tables[i];
		t->rec.keys = rel;
		t->rec.ranks = rel + t->rec.lines * db_line_bytes(t->rec.kind);
		rel =
		    (rel + db_index_bytes(&t->rec) + DB_ALIGN - 1) / DB_ALIGN * DB_ALIGN;
		t->rec.values = rel;
		rel = (rel + t->n * sizeof(struct db_value_rec) + DB_ALIGN - 1) /
		      DB_ALIGN * DB_ALIGN;
	}
	begin_section(w, h, DB_SEC_TABLES);
	for (size_t i = 0; i < as->ntables; i++)
		w_bytes(w, &as->tables[i].rec, sizeof(as->tables[i].rec));
	end_section(w, h, DB_SEC_TABLES);

	begin_section(w, h, DB_SEC_DATA);
	for (size_t i = 0; i < as->ntables; i++) {
		struct out_table *t = &as->tables[i];
		w_bytes(w, t->index, db_index_bytes(&t->rec));
		w_align(w);
		w_bytes(w, t->values, t->n * sizeof(*t->values));
		w_align(w);
	}
	end_section(w, h, DB_SEC_DATA);

	begin_section(w, h, DB_SEC_INPUTS);
	for (size_t i = 0; i < cn->ninputs; i++) {
		const struct io_ident *id = &cn->inputs[i].id;
		struct db_input_rec r = {
		    .label = input_label(b, cn, cn->inputs[i].label),
		    .size = id->size,
		    .start = id->start,
		    .end = id->end,
		    .head_lo = id->head.lo,
		    .head_hi = id->head.hi,
		    .content_lo = id->content.lo,
		    .content_hi = id->content.hi,
		};
		w_bytes(w, &r, sizeof(r));
	}
	end_section(w, h, DB_SEC_INPUTS);
}

static void assembly_free(struct assembly *as)
{
	for (size_t i = 0; i < as->ntables; i++) {
		free(as->tables[i].keys);
		free(as->tables[i].values);
		free(as->tables[i].index);
	}
	sd_intern_free(as->attrs);
	free(as->multi.v);
	free(as->campaign_rank);
}

static int cmp_campaign_name(const void *x, const void *y, void *ctx)
{
	const struct db_builder *b = ctx;
	uint32_t a = *(const uint32_t *)x, c = *(const uint32_t *)y;
	return db_builder_cmp_string(&b->campaigns[a].name, &b->campaigns[c].name,
				     b->strings);
}

static int rank_campaigns(const struct db_builder *b, struct assembly *as)
{
	size_t n = b->ncampaigns ? b->ncampaigns : 1;
	uint32_t *order = malloc(n * sizeof(*order));
	as->campaign_rank = malloc(n * sizeof(*as->campaign_rank));
	if (!order || !as->campaign_rank) {
		free(order);
		return SD_ENOMEM;
	}
	for (uint32_t i = 0; i < b->ncampaigns; i++)
		order[i] = i;
	qsort_r(order, b->ncampaigns, sizeof(*order), cmp_campaign_name, (void *)b);
	for (uint32_t i = 0; i < b->ncampaigns; i++)
		as->campaign_rank[order[i]] = i;
	free(order);
	return 0;
}

int db_builder_write(struct db_builder *b, const char *path, uint64_t build_time,
		     struct sd_error *err)
{
	struct assembly as = {0};
	struct sortpair *v6 = NULL;
	struct sd_atomic_file af = {0};
	struct canon cn = {0};
	int rc = 0;
	size_t n6 = 0;

	if (b->written) {
		rc = sd_error_set(err, SD_EUSAGE, "%s: builder already written", path);
		goto out;
	}
	b->written = true;
	/* the file first: a path that cannot be written fails before the work */
	if ((rc = sd_atomic_open(&af, path, err)))
		goto out;
	as.attrs = sd_intern_new();
	v6 = malloc((b->nitems ? b->nitems : 1) * sizeof(*v6));
	if (!as.attrs || !v6 || rank_campaigns(b, &as)) {
		rc = sd_error_set(err, SD_ENOMEM, "out of memory building %s", path);
		goto out;
	}
	for (size_t i = 0; i < b->nitems; i++)
		v6[n6++] = (struct sortpair){i};
	qsort_r(v6, n6, sizeof(*v6), cmp_v6, b->items);
	if ((rc = assemble_v4(b, &as)) || (rc = assemble_v6(b, &as, v6, n6))) {
		rc =
		    sd_error_set(err, rc, "%s: assembling tables: %s", path,
				 rc == SD_ELIMIT ? "more than SD_MAX_SIGHTINGS_PER_ENTRY "
						   "campaigns at one key, or sighting "
						   "area over 2^31 words"
						 : sd_strerror(rc));
		goto out;
	}

	if (canonicalize(b, &as, &cn)) {
		rc = sd_error_set(err, SD_ENOMEM, "out of memory building %s", path);
		goto out;
	}
	struct writer w = {
	    .fp = af.fp, .fd = af.is_stdout ? -1 : af.fd, .hash = XXH3_createState()};
	if (!w.hash) {
		rc = sd_error_set(err, SD_ENOMEM, "out of memory");
		goto out;
	}
	XXH3_64bits_reset(w.hash);
	struct db_header h;
	memset(&h, 0, sizeof(h));
	/* the header is written last, once offsets and checksum are known;
	 * reserve its bytes without hashing them */
	if (fwrite(&h, 1, sizeof(h), af.fp) != sizeof(h))
		w.failed = 1;
	w.pos = sizeof(h);
	write_sections(b, &as, &cn, &w, &h);
	w_align(&w);
	memcpy(h.magic, DB_MAGIC, 8);
	h.version = DB_VERSION;
	h.header_size = sizeof(h);
	h.file_size = w.pos;
	h.build_time = build_time;
	h.nsections = DB_SEC_MAX;
	h.entries = as.entries;
	h.checksum = db_checksum_parts(&h, XXH3_64bits_digest(w.hash));
	XXH3_freeState(w.hash);
	if (!w.failed && (fseek(af.fp, 0, SEEK_SET) != 0 ||
			  fwrite(&h, 1, sizeof(h), af.fp) != sizeof(h)))
		w.failed = 1;
	if (w.failed) {
		rc = sd_error_errno(err, errno ? errno : EIO, "%s: write failed", path);
		goto out;
	}
	rc = sd_atomic_commit(&af, err);
out:
	if (rc)
		sd_atomic_abort(&af);
	assembly_free(&as);
	canon_free(&cn);
	free(v6);
	return rc;
}
