#include "correlate/output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/timeutil.h"
#include "correlate/jsonl.h"
#include "correlate/line_writer.h"
#include "db/builder.h"

#define OUT_FLUSH (1u << 20) /* JSON Lines handed to the writer in blocks this big */

static uint32_t t32(int64_t t)
{
	return t <= 0 || t > (int64_t)UINT32_MAX ? 0 : (uint32_t)t;
}

/* Span [i, j) of sightings with the same client and indicator. */
static size_t group_end(const struct corr_sighting *s, size_t n, size_t i)
{
	size_t j = i + 1;
	while (j < n && s[j].ind == s[i].ind &&
	       !memcmp(&s[j].client, &s[i].client, sizeof(s[i].client)))
		j++;
	return j;
}

/* An exchange the client forwarded for someone else (a proxy's or a
 * resolver's upstream leg): not the client's own sighting. s is one
 * indicator's. */
static bool forwarded(const struct corr_output *o, const struct ind_set *set,
		      const struct corr_sighting *s)
{
	return !o->keep_proxies &&
	       corr_roles_left_out(o->roles, &s->client, (enum corr_exchange)s->exchange,
				   ind_set_at(set, s->ind));
}

/* A source id with its label, to put a line's sources in label order. */
struct labelled {
	const char *label;
	uint32_t id;
};

static int cmp_label(const void *a, const void *b)
{
	return strcmp(((const struct labelled *)a)->label,
		      ((const struct labelled *)b)->label);
}

/* Scratch space one line's sources need, kept from line to line. */
struct line_scratch {
	struct labelled *l;
	uint32_t *ids;
	size_t cap;
};

/* One client x indicator line: its sightings s[i, j) over sources and
 * exchanges, forwarded ones left out, appended to out. Returns false when
 * none is left (nothing appended) or out of memory (*oom set). */
static bool sighting_line(const struct corr_sighting *s, size_t i, size_t j,
			  const struct ind_set *set, const struct corr_output *o,
			  struct corr_jsonl *cache, struct line_scratch *x,
			  struct sd_buf *out, bool *oom)
{
	size_t first = i;
	while (first < j && forwarded(o, set, &s[first]))
		first++;
	if (first == j)
		return false;
	const struct ind_indicator *d = ind_set_at(set, s[i].ind);
	if (j - first == 1) { /* most lines: one sighting, one source at most */
		uint32_t id = s[first].source;
		corr_jsonl_line(cache, &s[first], d, &id, id < o->nsources, out);
		return true;
	}
	if (j - first > x->cap) {
		size_t nc = j - first > 2 * x->cap ? j - first : 2 * x->cap;
		struct labelled *nl = realloc(x->l, nc * sizeof(*nl));
		if (nl)
			x->l = nl;
		uint32_t *ni = nl ? realloc(x->ids, nc * sizeof(*ni)) : NULL;
		if (!ni) {
			*oom = true;
			return false;
		}
		x->ids = ni;
		x->cap = nc;
	}
	struct corr_sighting m = s[first];
	size_t nl = 0;
	for (size_t k = first; k < j; k++) {
		const struct corr_sighting *y = &s[k];
		if (forwarded(o, set, y))
			continue;
		if (k > first)
			corr_sighting_combine(&m, y);
		if (y->source < o->nsources)
			x->l[nl++] = (struct labelled){o->sources[y->source], y->source};
	}
	/* sources in label order, each once: as a merge of shards gives them */
	qsort(x->l, nl, sizeof(*x->l), cmp_label);
	size_t nu = 0;
	for (size_t k = 0; k < nl; k++)
		if (!k || strcmp(x->l[k].label, x->l[k - 1].label))
			x->ids[nu++] = x->l[k].id;
	corr_jsonl_line(cache, &m, d, x->ids, nu, out);
	return true;
}

struct group {
	size_t i, j;
	const struct ind_indicator *ind;
};

/* Lines of one client in indicator order (value, then kind), which does not
 * depend on how the indicator files were loaded. */
static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	int c = strcmp(x->ind->value, y->ind->value);
	if (c)
		return c;
	return (x->ind->kind > y->ind->kind) - (x->ind->kind < y->ind->kind);
}

/* What corr_write carries from one client to the next. */
struct writer {
	const struct ind_set *set;
	const struct corr_output *o;
	struct corr_output_stats *st;
	struct sd_atomic_file af; /* the JSON Lines, when asked for */
	bool jsonl;
	struct sd_buf out;	     /* lines not yet handed to lw */
	struct corr_line_writer *lw; /* writes them to af */
	struct corr_jsonl *cache;    /* the texts repeated from line to line */
	struct line_scratch scratch;
	struct db_builder *b; /* the snapshot, when asked for */
	uint16_t cid;
	uint32_t *sets;		       /* source id -> source-set id */
	struct corr_sighting *s, *per; /* one client's sightings */
	size_t cap;
	struct group *g;
	size_t gcap;
};

/* Counts one client's sightings s[0, n) in st. */
static void count_client(const struct corr_sighting *s, size_t n,
			 const struct ind_set *set, const struct corr_output *o,
			 struct corr_output_stats *st)
{
	uint8_t best = 0;
	bool counted = false;
	for (size_t i = 0; i < n;) {
		size_t j = group_end(s, n, i);
		bool any = false, dropped = false;
		for (size_t k = i; k < j; k++) {
			if (forwarded(o, set, &s[k])) {
				dropped = true;
				continue;
			}
			any = true;
			if (s[k].confidence > best)
				best = s[k].confidence;
		}
		st->proxy_dropped += dropped;
		if (any) {
			st->sightings++;
			counted = true;
		}
		i = j;
	}
	if (counted) {
		st->clients++;
		st->by_conf[best & 3]++;
	}
}

/* One client's lines, in indicator order. */
static int write_client_jsonl(struct writer *w, size_t n, struct sd_error *err)
{
	const struct corr_sighting *s = w->s;
	size_t ng = 0;
	for (size_t i = 0; i < n;) {
		if (ng == w->gcap) {
			size_t nc = w->gcap ? w->gcap * 2 : 64;
			struct group *ngp = realloc(w->g, nc * sizeof(*w->g));
			if (!ngp)
				return sd_error_set(err, SD_ENOMEM, "out of memory");
			w->g = ngp;
			w->gcap = nc;
		}
		size_t j = group_end(s, n, i);
		w->g[ng++] = (struct group){i, j, ind_set_at(w->set, s[i].ind)};
		i = j;
	}
	qsort(w->g, ng, sizeof(*w->g), cmp_group);
	for (size_t k = 0; k < ng; k++) {
		bool oom = false;
		sighting_line(s, w->g[k].i, w->g[k].j, w->set, w->o, w->cache,
			      &w->scratch, &w->out, &oom);
		if (oom)
			return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	if (w->out.len >= OUT_FLUSH && corr_line_writer_put(w->lw, &w->out))
		return sd_error_set(err, errno == ENOMEM ? SD_ENOMEM : SD_EIO,
				    "%s: write failed", w->o->jsonl_path);
	return 0;
}

/* One per-client sighting c to the builder, count records. */
static int add_sighting(struct writer *w, const struct corr_sighting *c, uint64_t count,
			struct sd_error *err)
{
	struct net_prefix p;
	net_prefix_host(&p, &c->client);
	struct db_sighting ds = {
	    .first_seen = t32(c->first_seen),
	    .last_seen = t32(c->last_seen),
	    .count = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count,
	    .campaign = w->cid,
	    .evidence = c->evidence,
	    .confidence = c->confidence,
	    .sources = c->source < w->o->nsources ? w->sets[c->source] : 0,
	};
	return db_builder_add(w->b, &p, &ds, err);
}

/* One client's sightings to the builder: one per source and exchange,
 * counts are records, forwarded ones left out (per indicator: a learnt
 * role leaves out only what the client was asked for). The kept ones are
 * gathered at the end of w->s, past the n read (room for 2n).
 *
 * A record counts for the client with its last indicator only; when a
 * role leaves that one out but keeps an earlier one, the kept sightings'
 * record counts for the client fall short, down to 0. A written sighting
 * counts at least the records of its most sighted kept indicator: still
 * exact when nothing is left out (the sum is then every record), never 0
 * for a sighting that has records (docs/correlate.md). */
static int add_client(struct writer *w, size_t n, struct sd_error *err)
{
	struct corr_sighting *kept = w->s + n;
	size_t nk = 0;
	for (size_t i = 0; i < n; i++)
		if (!forwarded(w->o, w->set, &w->s[i]))
			kept[nk++] = w->s[i];
	size_t nc = corr_sightings_per_client(kept, nk, w->per);
	for (size_t k = 0; k < nk && nk < n; k++)
		for (size_t i = 0; i < nc; i++)
			if (w->per[i].source == kept[k].source &&
			    w->per[i].exchange == kept[k].exchange &&
			    w->per[i].count < kept[k].count)
				w->per[i].count = kept[k].count;
	for (size_t i = 0; i < nc; i++) {
		const struct corr_sighting *c = &w->per[i];
		int rc = add_sighting(w, c, c->count, err);
		if (rc)
			return rc;
	}
	return 0;
}

/* A client with a single sighting (most of them where every record is a
 * new client): count_client and add_client without their grouping. */
static int add_single(struct writer *w, struct sd_error *err)
{
	const struct corr_sighting *c = &w->s[0];
	if (forwarded(w->o, w->set, c)) {
		w->st->proxy_dropped++;
		return 0;
	}
	w->st->sightings++;
	w->st->clients++;
	w->st->by_conf[c->confidence & 3]++;
	return w->b ? add_sighting(w, c, c->client_count, err) : 0;
}

/* Clients read and fed a batch at a time by add_v4_singles. */
#define V4_SINGLES 256

/* The clients from ci on that are IPv4 addresses with one sighting each
 * (nearly all where every record is a new client), as add_single takes
 * them, a batch at a time, without expanding each into a corr_sighting.
 * Returns how many were taken (0: ci's client is not one); *rc the
 * builder's answer. */
static size_t add_v4_singles(struct writer *w, struct corr_agg *agg, size_t ci, int *rc,
			     struct sd_error *err)
{
	struct corr_v4_single v[V4_SINGLES];
	struct db_v4_host h[V4_SINGLES];
	size_t m = corr_agg_v4_singles(agg, ci, V4_SINGLES, v), nh = 0;
	bool roles = !w->o->keep_proxies && !corr_roles_none(w->o->roles);
	/* counted here and added once: through w->st each store would reload
	 * what the stores into h might have changed */
	uint64_t dropped = 0, by_conf[4] = {0};
	const size_t nsources = w->o->nsources;
	const uint32_t *sets = w->sets;
	for (size_t k = 0; k < m; k++) {
		const struct corr_v4_single *c = &v[k];
		if (roles) {
			struct net_addr a;
			net_addr_from_v4(&a, c->addr);
			if (corr_roles_left_out(w->o->roles, &a,
						(enum corr_exchange)c->exchange,
						ind_set_at(w->set, c->ind))) {
				dropped++;
				continue;
			}
		}
		by_conf[c->confidence & 3]++;
		h[nh++] = (struct db_v4_host){
		    .addr = c->addr,
		    .first_seen = t32(c->first_seen),
		    .last_seen = t32(c->last_seen),
		    .count = c->client_count,
		    .sources = c->source < nsources ? sets[c->source] : 0,
		    .evidence = c->evidence,
		    .confidence = c->confidence,
		};
	}
	w->st->proxy_dropped += dropped;
	w->st->sightings += nh;
	w->st->clients += nh;
	for (unsigned k = 0; k < 4; k++)
		w->st->by_conf[k] += by_conf[k];
	*rc = w->b && nh ? db_builder_add_v4_hosts(w->b, w->cid, h, nh, err) : 0;
	return m;
}

static int start_builder(struct writer *w, struct sd_error *err)
{
	const struct corr_output *o = w->o;
	w->b = db_builder_new();
	w->sets = calloc(o->nsources ? o->nsources : 1, sizeof(uint32_t));
	if (!w->b || !w->sets)
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	int rc = db_builder_campaign(w->b, o->campaign, &w->cid, err);
	for (size_t k = 0; k < o->nsources && !rc; k++)
		rc = db_builder_sourceset(w->b, &o->sources[k], 1, &w->sets[k], err);
	for (size_t k = 0; k < o->ninputs && !rc; k++)
		rc = db_builder_input(w->b, o->sources[o->input_source[k]], &o->inputs[k],
				      err);
	return rc;
}

/* Every client once, in address order: counted, written as JSON Lines and
 * handed to the builder, and its memory in the aggregate given back. */
static int each_client(struct writer *w, struct corr_agg *agg, struct sd_error *err)
{
	size_t n = corr_agg_count(agg);
	for (size_t ci = 0; ci < n;) {
		if (!w->jsonl) {
			int rc = 0;
			size_t taken = add_v4_singles(w, agg, ci, &rc, err);
			if (rc)
				return rc;
			if (taken) {
				ci += taken;
				corr_agg_release(agg, ci);
				continue;
			}
		}
		size_t cj = corr_agg_client_end(agg, ci), m = cj - ci;
		if (m > w->cap) {
			size_t nc = m > 2 * w->cap ? m : 2 * w->cap;
			/* w->s: the sightings read, then those add_client keeps */
			struct corr_sighting *ns = realloc(w->s, 2 * nc * sizeof(*ns));
			if (ns)
				w->s = ns;
			struct corr_sighting *np =
			    ns ? realloc(w->per, nc * sizeof(*np)) : NULL;
			if (!np)
				return sd_error_set(err, SD_ENOMEM, "out of memory");
			w->per = np;
			w->cap = nc;
		}
		for (size_t k = 0; k < m; k++)
			corr_agg_get(agg, ci + k, &w->s[k]);
		int rc = w->jsonl ? write_client_jsonl(w, m, err) : 0;
		if (!rc && m == 1) {
			rc = add_single(w, err);
		} else if (!rc) {
			count_client(w->s, m, w->set, w->o, w->st);
			if (w->b)
				rc = add_client(w, m, err);
		}
		if (rc)
			return rc;
		ci = cj;
		corr_agg_release(agg, ci);
	}
	return 0;
}

int corr_write(struct corr_agg *agg, const struct ind_set *set,
	       const struct corr_output *o, struct corr_output_stats *st,
	       struct sd_error *err)
{
	memset(st, 0, sizeof(*st));
	if (corr_agg_sort(agg))
		return sd_error_set(err, SD_ENOMEM, "out of memory sorting %zu sightings",
				    corr_agg_count(agg));
	struct writer w = {.set = set, .o = o, .st = st};
	int rc = 0;
	if (o->jsonl_path) {
		if ((rc = sd_atomic_open(&w.af, o->jsonl_path, err)))
			return rc;
		w.jsonl = true;
		w.cache = corr_jsonl_new(o->campaign->name, ind_set_size(set), o->sources,
					 o->nsources);
		/* the temporary file, new, can be written with O_DIRECT */
		w.lw = w.cache
			   ? corr_line_writer_start(w.af.fp, w.af.tmp_path ? w.af.fd : -1,
						    sysconf(_SC_NPROCESSORS_ONLN) > 1)
			   : NULL;
		if (!w.lw)
			rc = sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	if (o->sdb_path && !rc)
		rc = start_builder(&w, err);
	if (!rc)
		rc = each_client(&w, agg, err);
	if (!rc && w.jsonl && corr_line_writer_put(w.lw, &w.out))
		rc = sd_error_set(err, errno == ENOMEM ? SD_ENOMEM : SD_EIO,
				  "%s: write failed", o->jsonl_path);
	/* every line handed over is written before the file is committed or
	 * removed */
	if (w.lw && corr_line_writer_finish(w.lw) && !rc)
		rc = sd_error_set(err, errno == ENOMEM ? SD_ENOMEM : SD_EIO,
				  "%s: write failed", o->jsonl_path);
	sd_buf_free(&w.out);
	corr_jsonl_free(w.cache);
	free(w.scratch.l);
	free(w.scratch.ids);
	free(w.s);
	free(w.per);
	free(w.g);
	/* the evidence first: a snapshot never appears without its file */
	if (w.jsonl) {
		if (!rc)
			rc = sd_atomic_commit(&w.af, err);
		else if (rc == SD_EIO &&
			 (ferror(w.af.fp) || sd_atomic_write_errno(&w.af)))
			rc = sd_atomic_commit(&w.af, err); /* says why */
		else
			sd_atomic_abort(&w.af);
	}
	if (!rc && w.b)
		rc = db_builder_write(w.b, o->sdb_path, o->build_time, err);
	free(w.sets);
	db_builder_free(w.b);
	return rc;
}
