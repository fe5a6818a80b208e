#include "correlate/jsonl.h"

#include <stdlib.h>
#include <string.h>

#include "core/evidence.h"
#include "core/json_str.h"
#include "core/timeutil.h"

bool corr_json_string(struct sd_buf *b, const char *s)
{
	return sd_json_string_utf8(b, s, strlen(s));
}

/* Where a cached text is in the cache's arena. */
struct span {
	size_t off, len;
};
#define NOT_MADE SIZE_MAX

#define NEVIDENCE 256 /* corr_sighting.evidence is a byte */

struct corr_jsonl {
	struct sd_buf arena; /* the escaped texts, one after the other */
	const char *campaign;
	const char *const *sources;
	size_t ninds, nsources;
	struct span *ind;	   /* by indicator id: the line from the campaign to
				    * the indicator's campaign, each with its comma */
	struct span *src;	   /* by source id: the label as a JSON string;
				    * empty when it is not valid UTF-8 (left out) */
	struct span ev[NEVIDENCE]; /* ,"evidence":[...] */
};

struct corr_jsonl *corr_jsonl_new(const char *campaign, size_t ninds,
				  const char *const *sources, size_t nsources)
{
	struct corr_jsonl *j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->campaign = campaign;
	j->sources = sources;
	j->ninds = ninds;
	j->nsources = nsources;
	j->ind = malloc((ninds ? ninds : 1) * sizeof(*j->ind));
	j->src = malloc((nsources ? nsources : 1) * sizeof(*j->src));
	if (!j->ind || !j->src) {
		corr_jsonl_free(j);
		return NULL;
	}
	for (size_t i = 0; i < ninds; i++)
		j->ind[i].off = NOT_MADE;
	for (size_t i = 0; i < nsources; i++)
		j->src[i].off = NOT_MADE;
	for (size_t i = 0; i < NEVIDENCE; i++)
		j->ev[i].off = NOT_MADE;
	return j;
}

void corr_jsonl_free(struct corr_jsonl *j)
{
	if (!j)
		return;
	sd_buf_free(&j->arena);
	free(j->ind);
	free(j->src);
	free(j);
}

#define PUT(b, lit) sd_buf_put(b, lit, sizeof(lit) - 1)

/* ,"key":"value"; nothing when value is not valid UTF-8, as jansson leaves
 * the key out of the object. */
static void field_str(struct sd_buf *b, const char *key, const char *value)
{
	size_t mark = b->len;
	sd_buf_put(b, ",\"", 2);
	sd_buf_puts(b, key);
	sd_buf_put(b, "\":", 2);
	if (!corr_json_string(b, value) && !b->failed)
		b->len = mark;
}

static void make_ind(struct corr_jsonl *j, const struct ind_indicator *d, struct span *sp)
{
	struct sd_buf *b = &j->arena;
	sp->off = b->len;
	field_str(b, "campaign", j->campaign);
	field_str(b, "indicator", d->value);
	field_str(b, "indicator_kind", ind_kind_name(d->kind));
	if (d->campaign)
		field_str(b, "indicator_campaign", d->campaign);
	else
		PUT(b, ",\"indicator_campaign\":null");
	sp->len = b->len - sp->off;
}

static void make_src(struct corr_jsonl *j, const char *label, struct span *sp)
{
	sp->off = j->arena.len;
	corr_json_string(&j->arena, label);
	sp->len = j->arena.len - sp->off;
}

/* the evidence: its kinds' names, each a JSON string */
static void make_ev(struct corr_jsonl *j, unsigned evidence, struct span *sp)
{
	struct sd_buf *b = &j->arena;
	sp->off = b->len;
	char ev[64];
	db_evidence_format(evidence, ev, sizeof(ev));
	PUT(b, ",\"evidence\":[");
	for (char *save = NULL, *t = strtok_r(ev, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		if (t != ev)
			sd_buf_putc(b, ',');
		corr_json_string(b, t); /* a name of ours: plain ASCII */
	}
	sd_buf_putc(b, ']');
	sp->len = b->len - sp->off;
}

static inline char *put(char *w, const void *s, size_t n)
{
	memcpy(w, s, n);
	return w + n;
}

#define PUTW(w, lit) put(w, lit, sizeof(lit) - 1)

static char *put_u64(char *w, uint64_t v)
{
	return w + sd_u64_format(v, w);
}

/* key (with its comma and colon) and the time as a JSON string, or null */
static char *put_time(char *w, const char *key, size_t klen, int64_t t)
{
	w = put(w, key, klen);
	if (!t)
		return PUTW(w, "null");
	*w++ = '"';
	w += sd_time_format(t, w, SD_TIME_STRLEN);
	*w++ = '"';
	return w;
}

#define KEY(lit) lit, sizeof(lit) - 1

/* Room for every part of a line but the cached texts: the client and the
 * server (each at most NET_ADDR_STRLEN), the times, the numbers, the
 * confidence and direction with their keys, the brackets. */
#define LINE_FIXED (2 * NET_ADDR_STRLEN + 2 * SD_TIME_STRLEN + 256)

void corr_jsonl_line(struct corr_jsonl *j, const struct corr_sighting *m,
		     const struct ind_indicator *d, const uint32_t *src, size_t n,
		     struct sd_buf *b)
{
	/* the cached texts first: making one may move the arena */
	struct span *ind = &j->ind[d->id], *ev = &j->ev[m->evidence];
	if (ind->off == NOT_MADE)
		make_ind(j, d, ind);
	if (ev->off == NOT_MADE)
		make_ev(j, m->evidence, ev);
	size_t need = LINE_FIXED + ind->len + ev->len;
	for (size_t k = 0; k < n; k++) {
		struct span *s = &j->src[src[k]];
		if (s->off == NOT_MADE)
			make_src(j, j->sources[src[k]], s);
		need += s->len + 1;
	}
	if (j->arena.failed) {
		b->failed = true;
		return;
	}
	char *w = sd_buf_room(b, need);
	if (!w)
		return;
	const char *a = j->arena.data;
	w = PUTW(w, "{\"client\":\"");
	w += net_addr_format(&m->client, w, NET_ADDR_STRLEN);
	*w++ = '"';
	w = put(w, a + ind->off, ind->len);
	w = put_time(w, KEY(",\"first_seen\":"), m->first_seen);
	w = put_time(w, KEY(",\"last_seen\":"), m->last_seen);
	w = PUTW(w, ",\"count\":");
	if ((int64_t)m->count < 0) { /* as jansson's json_integer takes it */
		*w++ = '-';
		w = put_u64(w, (uint64_t)0 - m->count);
	} else {
		w = put_u64(w, m->count);
	}
	w = put(w, a + ev->off, ev->len);
	w = PUTW(w, ",\"confidence\":\"");
	const char *conf = db_confidence_name(m->confidence);
	w = put(w, conf, strlen(conf));
	if (m->dirs == 2)
		w = PUTW(w, "\",\"direction\":\"inbound\"");
	else if (m->dirs == 3)
		w = PUTW(w, "\",\"direction\":\"both\"");
	else
		w = PUTW(w, "\",\"direction\":\"outbound\"");
	if (m->has_server) {
		w = PUTW(w, ",\"server\":\"");
		w += net_addr_format(&m->server, w, NET_ADDR_STRLEN);
		w = PUTW(w, "\",\"server_port\":");
		w = put_u64(w, m->server_port);
	}
	w = PUTW(w, ",\"sources\":[");
	bool first = true;
	for (size_t k = 0; k < n; k++) {
		const struct span *s = &j->src[src[k]];
		if (!s->len) /* not valid UTF-8: left out */
			continue;
		if (!first)
			*w++ = ',';
		w = put(w, a + s->off, s->len);
		first = false;
	}
	w = PUTW(w, "]}\n");
	sd_buf_end_at(b, w);
}

void corr_line_render(const struct corr_line *l, struct sd_buf *b)
{
	struct corr_jsonl *j =
	    corr_jsonl_new(l->campaign, (size_t)l->ind->id + 1, l->sources, l->nsources);
	uint32_t *ids = malloc((l->nsources ? l->nsources : 1) * sizeof(*ids));
	if (!j || !ids) {
		b->failed = true;
	} else {
		for (size_t k = 0; k < l->nsources; k++)
			ids[k] = (uint32_t)k;
		corr_jsonl_line(j, l->s, l->ind, ids, l->nsources, b);
	}
	free(ids);
	corr_jsonl_free(j);
}
