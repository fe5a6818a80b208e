#include "correlate/match.h"

#include <string.h>

#include "correlate/roles.h"
#include "db/sighting.h"

uint8_t corr_confidence(unsigned evidence, unsigned tel_flags, enum corr_dir dir)
{
	if (dir == CORR_INBOUND)
		return DB_CONF_MEDIUM;
	switch (evidence) {
	case DB_EV_DNS:
		return DB_CONF_LOW;
	case DB_EV_FLOW:
		return (tel_flags & TEL_ANSWERED) ? DB_CONF_HIGH : DB_CONF_MEDIUM;
	case DB_EV_TLS:
	case DB_EV_HTTP:
		return DB_CONF_HIGH;
	}
	return DB_CONF_UNKNOWN;
}

struct acc {
	struct corr_hit *hits;
	size_t n, max;
	const struct tel_record *rec;
};

static inline __attribute__((always_inline)) void
add(struct acc *a, const struct ind_indicator *ind, const struct net_addr *client,
    const struct net_addr *server, uint16_t port, unsigned evidence, enum corr_dir dir)
{
	/* one hit per indicator, client and kind of evidence */
	for (size_t i = 0; i < a->n; i++)
		if (a->hits[i].ind == ind && a->hits[i].evidence == evidence &&
		    !memcmp(&a->hits[i].client, client, sizeof(*client)))
			return;
	if (a->n == a->max)
		return;
	struct corr_hit *h = &a->hits[a->n++];
	memset(h, 0, sizeof(*h));
	h->ind = ind;
	h->client = *client;
	if (server) {
		h->server = *server;
		h->server_port = port;
		h->has_server = 1;
	}
	h->evidence = (uint8_t)evidence;
	h->dir = (uint8_t)dir;
	h->confidence = corr_confidence(evidence, a->rec->flags, dir);
	if ((a->rec->flags & TEL_VIA_PROXY) || dir == CORR_INBOUND)
		h->exchange = CORR_EX_OWN;
	else
		h->exchange = a->rec->kind == TEL_DNS ? CORR_EX_DNS : CORR_EX_DIRECT;
}

static size_t by_addr(const struct corr_rules *r, const struct net_addr *a, int64_t ts,
		      const struct ind_indicator **ih, size_t max);

/* A name that is an address literal (an SNI of "203.0.113.5", a proxied
 * "CONNECT 203.0.113.5:443") is looked up as an address: through a proxy
 * it is the only place the C2 address shows. */
static size_t by_name(const struct corr_rules *r, const struct tel_record *rec,
		      const struct ind_indicator **ih, size_t max)
{
	if (!rec->name || !rec->name_len)
		return 0;
	struct net_addr a;
	const char *why;
	size_t nl = rec->name_len;
	const char *nm = rec->name;
	if (nl > 2 && nm[0] == '[' && nm[nl - 1] == ']') {
		nm++;
		nl -= 2;
	}
	if (net_addr_parse(nm, nl, &a, &why) == 0)
		return by_addr(r, &a, rec->ts, ih, max);
	size_t n = ind_match_name(r->set, rec->name, rec->name_len, rec->ts, ih, max);
	return n < max ? n : max;
}

static size_t by_addr(const struct corr_rules *r, const struct net_addr *a, int64_t ts,
		      const struct ind_indicator **ih, size_t max)
{
	size_t n = ind_match_addr(r->set, a, ts, ih, max);
	return n < max ? n : max;
}

bool corr_rules_timeless(const struct corr_rules *r)
{
	size_t n = ind_set_size(r->set);
	for (size_t i = 0; i < n; i++) {
		const struct ind_indicator *d = ind_set_at(r->set, i);
		if (d->valid_from || d->valid_until)
			return false;
	}
	return true;
}

/* The slot of the address whose 8 last bytes are lo (an IPv4 address's
 * last byte). */
static size_t seen_slot(uint64_t lo)
{
	return (size_t)(lo >> 56) & (CORR_SERVER_CACHE - 1);
}

/* Remembers the n hits of server a when the set is timeless (then nothing
 * but the address changes the answer). A slot is filled only then, so that
 * otherwise no probe finds one. */
static __attribute__((noinline)) void remember_server(struct corr_memo *m,
						      const struct net_addr *a,
						      const struct ind_indicator **ih,
						      size_t n)
{
	if (n > CORR_SERVER_CACHE_HITS || !m->timeless)
		return;
	struct corr_server_seen *c = &m->seen;
	uint64_t hi, lo;
	memcpy(&hi, a->b, 8);
	memcpy(&lo, a->b + 8, 8);
	size_t k = seen_slot(lo);
	c->lo[k] = lo;
	c->hi[k] = hi;
	c->n[k] = (uint8_t)n;
	for (size_t i = 0; i < n; i++)
		c->h[k][i] = ih[i];
}

/* The hits m's slots remember for server a, 0 when they hold none of it
 * (a remembered lookup found at least one). */
static __attribute__((noinline)) size_t seen_server(const struct corr_memo *m,
						    const struct net_addr *a,
						    const struct ind_indicator **ih)
{
	const struct corr_server_seen *c = &m->seen;
	uint64_t hi, lo;
	memcpy(&hi, a->b, 8);
	memcpy(&lo, a->b + 8, 8);
	size_t k = seen_slot(lo);
	if (c->lo[k] != lo || c->hi[k] != hi)
		return 0;
	for (size_t i = 0; i < c->n[k]; i++)
		ih[i] = c->h[k][i];
	return c->n[k];
}

/* by_addr of a flow's server, through m's slots only after a server that
 * matched (m->ns is the last flow's): where nearly nothing matches, a
 * probe would nearly always miss, and costs nearly nothing this way. */
static inline __attribute__((always_inline)) size_t
server_by_addr(struct corr_memo *m, const struct net_addr *a, int64_t ts,
	       const struct ind_indicator **ih)
{
	size_t n = m->ns ? seen_server(m, a, ih) : 0;
	if (n)
		return n;
	n = by_addr(m->rules, a, ts, ih, CORR_MAX_HITS);
	if (n)
		remember_server(m, a, ih, n);
	return n;
}

/* Whether a record is a flow the prefilter looks up (the others pass). */
static bool flow_to_look_up(const struct tel_record *rec)
{
	return rec->kind == TEL_FLOW && !(rec->flags & TEL_VIA_PROXY) &&
	       (rec->flags & (TEL_HAS_CLIENT | TEL_HAS_SERVER)) ==
		   (TEL_HAS_CLIENT | TEL_HAS_SERVER);
}

bool corr_prefilter(void *ctx, const struct tel_record *rec)
{
	const struct corr_rules *r = ctx;
	if (!flow_to_look_up(rec))
		return true;
	if (corr_outside_window(r, rec->ts))
		return false;
	const struct ind_indicator *ih[CORR_MAX_HITS];
	return by_addr(r, &rec->server, rec->ts, ih, CORR_MAX_HITS) ||
	       by_addr(r, &rec->client, rec->ts, ih, CORR_MAX_HITS);
}

bool corr_prefilter_memo(void *ctx, const struct tel_record *rec)
{
	struct corr_memo *m = ctx;
	const struct corr_rules *r = m->rules;
	m->set = false;
	if (!flow_to_look_up(rec))
		return true;
	if (corr_outside_window(r, rec->ts))
		return false;
	/* exactly the lookups corr_match makes for a flow */
	m->ns = server_by_addr(m, &rec->server, rec->ts, m->ih);
	m->nc = by_addr(r, &rec->client, rec->ts, m->ic, CORR_MAX_HITS);
	m->ts = rec->ts;
	m->server = rec->server;
	m->client = rec->client;
	m->set = true;
	return m->ns || m->nc;
}

static bool memo_for(const struct corr_memo *m, const struct tel_record *rec)
{
	return m && m->set && m->ts == rec->ts &&
	       !memcmp(&m->server, &rec->server, sizeof(rec->server)) &&
	       !memcmp(&m->client, &rec->client, sizeof(rec->client));
}

size_t corr_match(const struct corr_rules *r, const struct tel_record *rec,
		  struct corr_hit *hits, size_t max, enum corr_outcome *outcome)
{
	return corr_match_memo(r, NULL, rec, hits, max, outcome);
}

size_t corr_match_memo(const struct corr_rules *r, const struct corr_memo *m,
		       const struct tel_record *rec, struct corr_hit *hits, size_t max,
		       enum corr_outcome *outcome)
{
	*outcome = CORR_NO_MATCH;
	if (corr_outside_window(r, rec->ts)) {
		*outcome = CORR_OUTSIDE_WINDOW;
		return 0;
	}
	/* corr_prefilter already found nothing in it */
	if (rec->flags & TEL_PARTIAL)
		return 0;
	struct acc a = {hits, 0, max, rec};
	const struct ind_indicator *ih[CORR_MAX_HITS];
	bool client = rec->flags & TEL_HAS_CLIENT;
	bool server = rec->flags & TEL_HAS_SERVER;
	bool proxy = rec->flags & TEL_VIA_PROXY;
	/* the far end is the indicator's address only without a proxy */
	const struct net_addr *far = server && !proxy ? &rec->server : NULL;
	if (!client)
		return 0;
	/* An indicator address is never the client of its own traffic: a
	 * record that still names one as the requester (a reader could not
	 * tell the direction) is the indicator reaching the other end; the
	 * other end of a DNS record is a resolver, never a client. */
	const struct net_addr *who = &rec->client;
	enum corr_dir dir = CORR_OUTBOUND;
	uint16_t far_port = rec->server_port;
	if (rec->kind != TEL_FLOW && by_addr(r, &rec->client, rec->ts, ih, 1)) {
		if (!far || rec->kind == TEL_DNS || by_addr(r, far, rec->ts, ih, 1))
			return 0; /* no local side in this record */
		who = far;
		far = &rec->client;
		far_port = rec->client_port;
		dir = CORR_INBOUND;
	}
	switch (rec->kind) {
	case TEL_DNS: {
		size_t n = by_name(r, rec, ih, CORR_MAX_HITS);
		for (size_t i = 0; i < n; i++)
			add(&a, ih[i], who, NULL, 0, DB_EV_DNS, dir);
		break;
	}
	case TEL_TLS:
	case TEL_HTTP: {
		unsigned ev = rec->kind == TEL_TLS ? DB_EV_TLS : DB_EV_HTTP;
		size_t n = by_name(r, rec, ih, CORR_MAX_HITS);
		for (size_t i = 0; i < n; i++)
			add(&a, ih[i], who, far, far_port, ev, dir);
		if (rec->kind == TEL_HTTP && rec->name && rec->name_len && rec->path &&
		    rec->path_len) {
			n = ind_match_url(r->set, rec->name, rec->name_len, rec->path,
					  rec->path_len, rec->ts, ih, CORR_MAX_HITS);
			if (n > CORR_MAX_HITS)
				n = CORR_MAX_HITS;
			for (size_t i = 0; i < n; i++)
				add(&a, ih[i], who, far, far_port, ev, dir);
		}
		if (far) {
			n = by_addr(r, far, rec->ts, ih, CORR_MAX_HITS);
			for (size_t i = 0; i < n; i++)
				add(&a, ih[i], who, far, far_port, ev, dir);
		}
		break;
	}
	case TEL_FLOW: {
		if (!server || proxy)
			break;
		const struct ind_indicator *const *sh = ih, *const * ch;
		const struct ind_indicator *ic[CORR_MAX_HITS];
		size_t ns, nc;
		if (memo_for(m, rec)) {
			sh = m->ih;
			ch = m->ic;
			ns = m->ns;
			nc = m->nc;
		} else {
			ns = by_addr(r, &rec->server, rec->ts, ih, CORR_MAX_HITS);
			nc = by_addr(r, &rec->client, rec->ts, ic, CORR_MAX_HITS);
			ch = ic;
		}
		/* both ends indicators: C2 talking to C2, no victim here */
		if (ns && nc)
			break;
		for (size_t i = 0; i < ns; i++)
			add(&a, sh[i], &rec->client, &rec->server, rec->server_port,
			    DB_EV_FLOW, CORR_OUTBOUND);
		for (size_t i = 0; i < nc; i++)
			add(&a, ch[i], &rec->server, &rec->client, rec->client_port,
			    DB_EV_FLOW,
			    (rec->flags & TEL_DIR_UNKNOWN) ? CORR_OUTBOUND
							   : CORR_INBOUND);
		break;
	}
	}
	if (a.n)
		*outcome = CORR_MATCHED;
	return a.n;
}
