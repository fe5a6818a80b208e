/* Change history of the served snapshots. */
#include "server/changes.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "db/diff.h"
#include "report/report.h"
#include "server/escape.h"

/* One difference, self-contained: a generation outlives its snapshots. */
struct change {
	struct net_prefix prefix;
	uint8_t change;			 /* enum db_change */
	uint32_t campaign;		 /* into the generation's names */
	struct db_sighting old_s, new_s; /* sources not kept */
};

struct generation {
	char from[DB_CONTENT_ID_STRLEN], to[DB_CONTENT_ID_STRLEN];
	bool too_large;
	struct change *v;
	size_t n, cap;
	char **names; /* campaign names met in this generation */
	uint32_t nnames;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct generation *gens[SRV_CHANGES_GENERATIONS]; /* oldest first */
static size_t ngens;

static void gen_free(struct generation *g)
{
	if (!g)
		return;
	for (uint32_t i = 0; i < g->nnames; i++)
		free(g->names[i]);
	free(g->names);
	free(g->v);
	free(g);
}

static uint32_t name_id(struct generation *g, const char *name)
{
	for (uint32_t i = 0; i < g->nnames; i++)
		if (!strcmp(g->names[i], name))
			return i;
	char **p = realloc(g->names, (g->nnames + 1) * sizeof(*p));
	if (!p)
		return UINT32_MAX;
	g->names = p;
	if (!(g->names[g->nnames] = strdup(name)))
		return UINT32_MAX;
	return g->nnames++;
}

static int collect(const struct db_diff_item *d, void *ctx)
{
	struct generation *g = ctx;
	if (g->n >= SRV_CHANGES_MAX_RECORDS) {
		g->too_large = true;
		return 1; /* stop: only the ids are kept */
	}
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 256;
		void *p = realloc(g->v, cap * sizeof(*g->v));
		if (!p)
			return SD_ENOMEM;
		g->v = p;
		g->cap = cap;
	}
	uint32_t id = name_id(g, d->campaign);
	if (id == UINT32_MAX)
		return SD_ENOMEM;
	g->v[g->n++] =
	    (struct change){d->prefix, (uint8_t)d->change, id, d->old_s, d->new_s};
	return 0;
}

void srv_changes_record(const struct db *old, const struct db *new)
{
	if (!old || !new)
		return;
	struct generation *g = calloc(1, sizeof(*g));
	if (!g)
		return;
	db_content_id(old, g->from);
	db_content_id(new, g->to);
	if (!strcmp(g->from, g->to)) {
		gen_free(g);
		return;
	}
	int rc = db_diff(old, new, collect, g, NULL);
	if (rc && !g->too_large) /* out of memory: keep the ids, answer 410 */
		g->too_large = true;
	if (g->too_large) {
		free(g->v);
		g->v = NULL;
		g->n = g->cap = 0;
	}
	pthread_mutex_lock(&mu);
	if (ngens == SRV_CHANGES_GENERATIONS) {
		gen_free(gens[0]);
		memmove(gens, gens + 1, (ngens - 1) * sizeof(*gens));
		ngens--;
	}
	gens[ngens++] = g;
	pthread_mutex_unlock(&mu);
}

/* ---- answering ---------------------------------------------------------- */

/* One record in scope; pos orders the records of one key and campaign
 * from the oldest generation to the newest. */
struct net {
	const struct change *ch;
	const char *campaign;
	size_t pos;
};

static int same_key(const struct net *x, const struct net *y)
{
	int c = db_prefix_order(&x->ch->prefix, &y->ch->prefix);
	return c ? c : strcmp(x->campaign, y->campaign);
}

static int cmp_net(const void *a, const void *b)
{
	const struct net *x = a, *y = b;
	int c = same_key(x, y);
	return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

static json_t *sighting(const struct db_sighting *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "first_seen", report_time(s->first_seen));
	json_object_set_new(o, "last_seen", report_time(s->last_seen));
	json_object_set_new(o, "count", json_integer(s->count));
	json_t *ev = json_array();
	for (unsigned bit = 1; bit <= DB_EV_ALL; bit <<= 1)
		if (s->evidence & bit)
			json_array_append_new(ev, json_string(db_evidence_name(bit)));
	json_object_set_new(o, "evidence", ev);
	json_object_set_new(o, "confidence",
			    json_string(db_confidence_name(s->confidence)));
	return o;
}

static bool same(const struct db_sighting *a, const struct db_sighting *b)
{
	return a->first_seen == b->first_seen && a->last_seen == b->last_seen &&
	       a->count == b->count && a->evidence == b->evidence &&
	       a->confidence == b->confidence;
}

static void answer(struct srv_response *r, int status, const struct srv_snap *snap,
		   const char *key, json_t *value)
{
	json_t *o = json_object();
	json_t *s =
	    snap ? json_loadb(snap->snapshot_json, snap->snapshot_len, 0, NULL) : NULL;
	json_object_set_new(o, "snapshot", s ? s : json_null());
	json_object_set_new(o, key, value);
	char *body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	static const char oom[] =
	    "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
	r->type = "application/json";
	if (!body) {
		r->status = 500;
		r->body = (char *)oom;
		r->len = sizeof(oom) - 1;
		r->body_static = true;
		return;
	}
	size_t n = strlen(body);
	r->status = status;
	r->body = body;
	r->len = n;
	r->body_static = false;
}

static json_t *error(const char *code, const char *message)
{
	json_t *e = json_object();
	json_object_set_new(e, "code", json_string(code));
	json_object_set_new(e, "message", json_string(message));
	return e;
}

static bool in_scope(const struct srv_token *tok, const struct net_prefix *p)
{
	return srv_token_covers(tok, p);
}

static void gone(struct srv_response *r, const struct srv_snap *snap,
		 const struct srv_token *tok, const char *why)
{
	json_t *e = error("gone", why);
	json_t *urls = json_array();
	for (unsigned i = 0; i < tok->nscope; i++) {
		char net[NET_PREFIX_STRLEN], url[NET_PREFIX_STRLEN + 32];
		report_format_prefix(&tok->scope[i], net, sizeof(net));
		snprintf(url, sizeof(url), "/api/v1/check/%s", net);
		json_array_append_new(urls, json_string(url));
	}
	json_object_set_new(e, "full_listing", urls);
	answer(r, 410, snap, "error", e);
}

static bool valid_id(const char *s)
{
	if (!s || strlen(s) != DB_CONTENT_ID_STRLEN - 1)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

void srv_changes_answer(const struct srv_snap *snap, const struct srv_token *tok,
			const char *since, struct srv_response *r)
{
	if (!tok) {
		r->www_authenticate = true;
		answer(r, 401, snap, "error",
		       error("token_required", "the change history needs a token"));
		return;
	}
	if (!valid_id(since)) {
		answer(r, 400, snap, "error",
		       error("bad_since", "since must be a snapshot content id: 16 "
					  "lowercase hex digits"));
		return;
	}
	if (!snap) {
		answer(r, 503, snap, "error",
		       error("no_snapshot", "no snapshot is loaded"));
		return;
	}
	char cur[DB_CONTENT_ID_STRLEN];
	db_content_id(snap->db, cur);
	pthread_mutex_lock(&mu);
	/* the chain from `since` to the snapshot served now */
	size_t start = ngens;
	for (size_t i = ngens; i-- > 0;)
		if (!strcmp(gens[i]->from, since)) {
			start = i;
			break;
		}
	bool current = !strcmp(since, cur);
	/* ... which may end before the newest generation: a reload records
	 * the next one just before it swaps the snapshot, and requests in
	 * flight finish on the one they started with */
	size_t end = start;
	bool chain = start < ngens;
	while (chain && strcmp(gens[end]->to, cur)) {
		chain = end + 1 < ngens && !strcmp(gens[end]->to, gens[end + 1]->from);
		end++;
	}
	bool large = false;
	for (size_t i = start; chain && i <= end; i++)
		large = large || gens[i]->too_large;
	if (!current && (!chain || large)) {
		pthread_mutex_unlock(&mu);
		gone(r, snap, tok,
		     large
			 ? "the changes since that snapshot are too many to keep; "
			   "fetch the full listing of your scope"
			 : "that snapshot is unknown or too old for the change history; "
			   "fetch the full listing of your scope");
		return;
	}
	/* net change per key and campaign: the earliest record's old side,
	 * the latest record's new side */
	size_t total = 0;
	for (size_t i = start; !current && i <= end; i++)
		total += gens[i]->n;
	struct net *nets = calloc(total ? total : 1, sizeof(*nets));
	size_t n = 0;
	for (size_t i = start; nets && !current && i <= end; i++)
		for (size_t k = 0; k < gens[i]->n; k++) {
			const struct change *ch = &gens[i]->v[k];
			if (in_scope(tok, &ch->prefix)) {
				nets[n] =
				    (struct net){ch, gens[i]->names[ch->campaign], n};
				n++;
			}
		}
	if (!nets) {
		pthread_mutex_unlock(&mu);
		answer(r, 500, snap, "error", error("internal", "out of memory"));
		return;
	}
	json_t *list = json_array();
	bool truncated = false;
	{
		qsort(nets, n, sizeof(*nets), cmp_net);
		size_t k = 0;
		while (k < n) {
			size_t j = k;
			while (j < n && !same_key(&nets[k], &nets[j]))
				j++;
			const struct change *a = nets[k].ch, *b = nets[j - 1].ch;
			bool had = a->change != DB_CHANGE_ADDED,
			     has = b->change != DB_CHANGE_REMOVED;
			if ((had || has) && !(had && has && same(&a->old_s, &b->new_s))) {
				if (json_array_size(list) >= SRV_CHANGES_MAX_ANSWER) {
					truncated = true;
					break;
				}
				char net[NET_PREFIX_STRLEN];
				report_format_prefix(&a->prefix, net, sizeof(net));
				json_t *o = json_object();
				json_object_set_new(o, "change",
						    json_string(!had   ? "added"
								: !has ? "removed"
								       : "changed"));
				json_object_set_new(o, "prefix", json_string(net));
				json_object_set_new(o, "campaign",
						    json_string(nets[k].campaign));
				json_object_set_new(
				    o, "old", had ? sighting(&a->old_s) : json_null());
				json_object_set_new(
				    o, "new", has ? sighting(&b->new_s) : json_null());
				json_array_append_new(list, o);
			}
			k = j;
		}
	}
	pthread_mutex_unlock(&mu);
	free(nets);
	json_t *c = json_object();
	json_object_set_new(c, "since", json_string(since));
	json_object_set_new(c, "to", json_string(cur));
	json_object_set_new(c, "truncated", json_boolean(truncated));
	json_object_set_new(c, "items", list);
	answer(r, 200, snap, "changes", c);
}
