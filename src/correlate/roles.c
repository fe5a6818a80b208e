#include "correlate/roles.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/atomic_file.h"
#include "core/intern.h"
#include "core/limits.h"
#include "io/source.h"

/* slot.roles: the declared roles, and above them the learnt ones */
#define LEARNT_SHIFT 2
#define DECLARED_MASK ((1u << LEARNT_SHIFT) - 1)

struct slot {
	struct net_addr a;
	unsigned roles; /* 0: empty */
};

struct corr_roles {
	pthread_mutex_t lock;
	struct slot *slots;
	size_t nslots, n; /* power of two; used */
	/* the requests learnt, each a key (see ask_key) */
	struct sd_intern *asked;
	/* the requests that explain forwarding (corr_roles_settle), each an
	 * explained key (see explained_key); NULL: not settled */
	struct sd_intern *explained;
};

#define ADDR_LEN sizeof(((struct net_addr *)0)->b)
/* A request's key: role, address asked, address asking, indicator kind,
 * indicator value. */
#define KEY_ASKED 1
#define KEY_ASKER (KEY_ASKED + ADDR_LEN)
#define KEY_KIND (KEY_ASKER + ADDR_LEN)
#define KEY_HEAD (KEY_KIND + 1)
#define KEY_MAX (KEY_HEAD + IND_MAX_VALUE)
/* An explained key: role, address asked, indicator kind, indicator value. */
#define EX_HEAD (1 + ADDR_LEN + 1)
#define EX_MAX (EX_HEAD + IND_MAX_VALUE)

static const struct {
	unsigned role;
	const char *name;
} role_names[] = {{CORR_ROLE_PROXY, "proxy"}, {CORR_ROLE_RESOLVER, "resolver"}};

struct corr_roles *corr_roles_new(void)
{
	struct corr_roles *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->nslots = 64;
	r->slots = calloc(r->nslots, sizeof(*r->slots));
	r->asked = sd_intern_new();
	if (!r->slots || !r->asked) {
		free(r->slots);
		sd_intern_free(r->asked);
		free(r);
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	return r;
}

void corr_roles_free(struct corr_roles *r)
{
	if (!r)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r->slots);
	sd_intern_free(r->asked);
	sd_intern_free(r->explained);
	free(r);
}

static size_t find(const struct slot *slots, size_t nslots, const struct net_addr *a)
{
	size_t mask = nslots - 1, i = XXH3_64bits(a, sizeof(*a)) & mask;
	while (slots[i].roles && memcmp(&slots[i].a, a, sizeof(*a)))
		i = (i + 1) & mask;
	return i;
}

static int grow(struct corr_roles *r)
{
	size_t ns = r->nslots * 2;
	struct slot *s = calloc(ns, sizeof(*s));
	if (!s)
		return SD_ENOMEM;
	for (size_t i = 0; i < r->nslots; i++)
		if (r->slots[i].roles)
			s[find(s, ns, &r->slots[i].a)] = r->slots[i];
	free(r->slots);
	r->slots = s;
	r->nslots = ns;
	return 0;
}

/* Adds role bits (declared or learnt, as slot.roles holds them) to a.
 * Under r->lock. */
static int add_locked(struct corr_roles *r, const struct net_addr *a, unsigned bits)
{
	size_t i = find(r->slots, r->nslots, a);
	if (r->slots[i].roles) {
		r->slots[i].roles |= bits;
		return 0;
	}
	if (r->n >= CORR_MAX_ROLES)
		return SD_ELIMIT;
	int rc;
	if ((r->n + 1) * 2 > r->nslots && (rc = grow(r)))
		return rc;
	i = find(r->slots, r->nslots, a);
	r->slots[i].a = *a;
	r->slots[i].roles = bits;
	r->n++;
	return 0;
}

int corr_roles_add(struct corr_roles *r, const struct net_addr *a, unsigned roles)
{
	roles &= DECLARED_MASK;
	if (!roles)
		return 0;
	pthread_mutex_lock(&r->lock);
	int rc = add_locked(r, a, roles);
	pthread_mutex_unlock(&r->lock);
	return rc;
}

/* A value a role file line holds as its last field: not empty, no control
 * byte (a line break would split the line), no blank at the end (readers
 * trim it), not longer than an indicator may be. */
static bool writable_value(const char *v, size_t len)
{
	if (!len || len > IND_MAX_VALUE || v[len - 1] == ' ' || v[len - 1] == '\t')
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return false;
	return true;
}

/* The key of (role, a asked by asker, kind, value) into key (KEY_MAX
 * bytes); its length, 0 when the value is not writable. */
static size_t ask_key(unsigned role, const struct net_addr *a,
		      const struct net_addr *asker, enum ind_kind kind, const char *value,
		      size_t len, uint8_t *key)
{
	if (!writable_value(value, len))
		return 0;
	key[0] = (uint8_t)role;
	memcpy(key + KEY_ASKED, a->b, ADDR_LEN);
	memcpy(key + KEY_ASKER, asker->b, ADDR_LEN);
	key[KEY_KIND] = (uint8_t)kind;
	memcpy(key + KEY_HEAD, value, len);
	return KEY_HEAD + len;
}

/* The explained key of (role, a, kind, value) into key (EX_MAX bytes); its
 * length, 0 when the value is not writable. */
static size_t explained_key(unsigned role, const struct net_addr *a, enum ind_kind kind,
			    const char *value, size_t len, uint8_t *key)
{
	if (!writable_value(value, len))
		return 0;
	key[0] = (uint8_t)role;
	memcpy(key + 1, a->b, ADDR_LEN);
	key[1 + ADDR_LEN] = (uint8_t)kind;
	memcpy(key + EX_HEAD, value, len);
	return EX_HEAD + len;
}

int corr_roles_ask(struct corr_roles *r, unsigned role, const struct net_addr *a,
		   const struct net_addr *asker, enum ind_kind kind, const char *value)
{
	if (role != CORR_ROLE_PROXY && role != CORR_ROLE_RESOLVER)
		return SD_EUSAGE;
	uint8_t key[KEY_MAX];
	size_t klen = ask_key(role, a, asker, kind, value, strlen(value), key);
	if (!klen)
		return SD_EPARSE;
	uint32_t id;
	int rc = 0;
	pthread_mutex_lock(&r->lock);
	if (sd_intern_find(r->asked, key, klen, &id) == 0) {
		/* learnt before */
	} else if (sd_intern_count(r->asked) >= CORR_MAX_ASKED) {
		rc = SD_ELIMIT;
	} else if (!(rc = add_locked(r, a, role << LEARNT_SHIFT))) {
		rc = sd_intern_put(r->asked, key, klen, &id);
		/* what explains what is to be settled again */
		sd_intern_free(r->explained);
		r->explained = NULL;
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

/* A request learnt, as corr_roles_settle sorts them. */
struct edge {
	const uint8_t *key;
	size_t len;
};

/* Byte order of the indicator (kind, value), then of the asker, the host
 * asked and the role: a run of edges of one indicator, by asker. */
static int cmp_edge(const void *pa, const void *pb)
{
	const struct edge *a = pa, *b = pb;
	size_t la = a->len - KEY_KIND, lb = b->len - KEY_KIND;
	int c = memcmp(a->key + KEY_KIND, b->key + KEY_KIND, la < lb ? la : lb);
	if (!c && la != lb)
		c = la < lb ? -1 : 1;
	if (!c)
		c = memcmp(a->key + KEY_ASKER, b->key + KEY_ASKER, ADDR_LEN);
	if (!c)
		c = memcmp(a->key + KEY_ASKED, b->key + KEY_ASKED, ADDR_LEN);
	if (!c)
		c = (int)a->key[0] - (int)b->key[0];
	return c;
}

static bool same_indicator(const struct edge *a, const struct edge *b)
{
	return a->len == b->len &&
	       !memcmp(a->key + KEY_KIND, b->key + KEY_KIND, a->len - KEY_KIND);
}

static int cmp_addr(const void *a, const void *b)
{
	return memcmp(*(const uint8_t *const *)a, *(const uint8_t *const *)b, ADDR_LEN);
}

/* The index of addr among the n sorted addresses of nodes (it is there). */
static uint32_t node_of(const uint8_t *const *nodes, uint32_t n, const uint8_t *addr)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (memcmp(nodes[mid], addr, ADDR_LEN) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

#define NODE_ASKED 1u
#define NODE_REACHED 2u

/* Scratch room for settle_group, for up to 2 * (edges of a group) hosts. */
struct settle_room {
	const uint8_t **nodes; /* the group's hosts, sorted, distinct */
	uint8_t *flags;	       /* NODE_* per host */
	uint32_t *queue;       /* hosts reached, to visit */
	uint32_t *first;       /* per host: its first request in the group */
};

/* Explains the requests of the group e[g0, g1) (one indicator, sorted by
 * asker) made by a root or a host reached from one. */
static int settle_group(struct corr_roles *r, const struct edge *e, uint32_t g0,
			uint32_t g1, struct settle_room *m)
{
	uint32_t nn = 0;
	for (uint32_t i = g0; i < g1; i++) {
		m->nodes[nn++] = e[i].key + KEY_ASKER;
		m->nodes[nn++] = e[i].key + KEY_ASKED;
	}
	qsort(m->nodes, nn, sizeof(*m->nodes), cmp_addr);
	uint32_t u = 0;
	for (uint32_t i = 0; i < nn; i++)
		if (!u || memcmp(m->nodes[u - 1], m->nodes[i], ADDR_LEN))
			m->nodes[u++] = m->nodes[i];
	nn = u;
	memset(m->flags, 0, nn);
	for (uint32_t i = g0; i < g1; i++)
		m->flags[node_of(m->nodes, nn, e[i].key + KEY_ASKED)] |= NODE_ASKED;
	/* both sorted by address: each host's first request, g1 for none */
	for (uint32_t k = 0, i = g0; k < nn; k++) {
		while (i < g1 && memcmp(e[i].key + KEY_ASKER, m->nodes[k], ADDR_LEN) < 0)
			i++;
		m->first[k] =
		    i < g1 && !memcmp(e[i].key + KEY_ASKER, m->nodes[k], ADDR_LEN) ? i
										   : g1;
	}
	/* the roots: askers nobody asked for the indicator (every host of the
	 * group asked or was asked) */
	uint32_t head = 0, tail = 0;
	for (uint32_t k = 0; k < nn; k++)
		if (!(m->flags[k] & NODE_ASKED)) {
			m->flags[k] |= NODE_REACHED;
			m->queue[tail++] = k;
		}
	while (head < tail) {
		uint32_t k = m->queue[head++];
		for (uint32_t i = m->first[k];
		     i < g1 && !memcmp(e[i].key + KEY_ASKER, m->nodes[k], ADDR_LEN);
		     i++) {
			const uint8_t *key = e[i].key;
			uint8_t x[EX_MAX];
			x[0] = key[0];
			memcpy(x + 1, key + KEY_ASKED, ADDR_LEN);
			memcpy(x + 1 + ADDR_LEN, key + KEY_KIND, e[i].len - KEY_KIND);
			uint32_t id;
			int rc = sd_intern_put(r->explained, x,
					       1 + ADDR_LEN + (e[i].len - KEY_KIND), &id);
			if (rc)
				return rc;
			uint32_t v = node_of(m->nodes, nn, key + KEY_ASKED);
			if (!(m->flags[v] & NODE_REACHED)) {
				m->flags[v] |= NODE_REACHED;
				m->queue[tail++] = v;
			}
		}
	}
	return 0;
}

int corr_roles_settle(struct corr_roles *r)
{
	uint32_t n = sd_intern_count(r->asked);
	size_t room = 2 * (size_t)n + 1;
	sd_intern_free(r->explained);
	r->explained = sd_intern_new();
	struct edge *e = calloc(n ? n : 1, sizeof(*e));
	struct settle_room m = {
	    .nodes = calloc(room, sizeof(*m.nodes)),
	    .flags = calloc(room, sizeof(*m.flags)),
	    .queue = calloc(room, sizeof(*m.queue)),
	    .first = calloc(room, sizeof(*m.first)),
	};
	int rc = 0;
	if (!r->explained || !e || !m.nodes || !m.flags || !m.queue || !m.first) {
		rc = SD_ENOMEM;
		goto out;
	}
	for (uint32_t id = 0; id < n; id++)
		e[id].key = sd_intern_get(r->asked, id, &e[id].len);
	qsort(e, n, sizeof(*e), cmp_edge);
	for (uint32_t g0 = 0, g1; g0 < n && !rc; g0 = g1) {
		for (g1 = g0 + 1; g1 < n && same_indicator(&e[g0], &e[g1]); g1++)
			;
		rc = settle_group(r, e, g0, g1, &m);
	}
out:
	if (rc) {
		sd_intern_free(r->explained);
		r->explained = NULL;
	}
	free(m.nodes);
	free(m.flags);
	free(m.queue);
	free(m.first);
	free(e);
	return rc;
}

unsigned corr_roles_of(const struct corr_roles *r, const struct net_addr *a)
{
	if (!r || !r->n)
		return 0;
	unsigned bits = r->slots[find(r->slots, r->nslots, a)].roles;
	return (bits & DECLARED_MASK) | bits >> LEARNT_SHIFT;
}

bool corr_roles_none(const struct corr_roles *r)
{
	return !r || !r->n;
}

size_t corr_roles_count(const struct corr_roles *r, unsigned role)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nslots; i++)
		n +=
		    ((r->slots[i].roles | r->slots[i].roles >> LEARNT_SHIFT) & role) != 0;
	return n;
}

unsigned corr_roles_taught(const struct tel_record *rec, enum tel_format fmt,
			   struct net_addr *who)
{
	if (!(rec->flags & TEL_HAS_SERVER) || !(rec->flags & TEL_HAS_CLIENT))
		return 0;
	/* a proxy's or a resolver's own log names the upstream server, not
	 * itself: only records seen from outside the server teach a role */
	if (fmt == TEL_FMT_SQUID || fmt == TEL_FMT_BIND || fmt == TEL_FMT_DNSMASQ)
		return 0;
	/* a host asking itself forwards for nobody (::1 querying ::1) */
	if (!memcmp(&rec->client, &rec->server, sizeof(rec->client)))
		return 0;
	/* only an exchange the asked host served: a forged query nobody
	 * answered, or a scanner's request answered 400, must not make its
	 * target a proxy or a resolver */
	if (rec->flags & TEL_DECLINED)
		return 0;
	*who = rec->server;
	/* a proxied request teaches once answered (a capture waits for the
	 * response's status line); a packet export (generic CSV) has no
	 * answer column, so there the request alone still teaches
	 * (docs/correlate.md says what remains) */
	if ((rec->flags & TEL_VIA_PROXY) &&
	    ((rec->flags & TEL_ANSWERED) || fmt == TEL_FMT_CSV))
		return CORR_ROLE_PROXY;
	/* only an answered query to the DNS port: a record written the wrong
	 * way round (an answer event with the resolver as "client") must not
	 * make the querier a resolver */
	if (rec->kind == TEL_DNS && rec->server_port == 53 && (rec->flags & TEL_ANSWERED))
		return CORR_ROLE_RESOLVER;
	return 0;
}

bool corr_roles_forwarded(unsigned roles, enum corr_exchange ex)
{
	switch (ex) {
	case CORR_EX_OWN:
		return false;
	case CORR_EX_DNS:
		return (roles & (CORR_ROLE_PROXY | CORR_ROLE_RESOLVER)) != 0;
	case CORR_EX_DIRECT:
		return (roles & CORR_ROLE_PROXY) != 0;
	}
	return false;
}

int corr_roles_learn(struct corr_roles *r, const struct tel_record *rec,
		     enum tel_format fmt, const struct corr_hit *hits, size_t n)
{
	struct net_addr who;
	unsigned role = n ? corr_roles_taught(rec, fmt, &who) : 0;
	if (!role)
		return 0;
	for (size_t i = 0; i < n; i++) {
		/* what the record's own client asked for, not the far end of
		 * an inbound exchange */
		if (hits[i].dir != CORR_OUTBOUND ||
		    memcmp(&hits[i].client, &rec->client, sizeof(rec->client)))
			continue;
		int rc = corr_roles_ask(r, role, &who, &rec->client, hits[i].ind->kind,
					hits[i].ind->value);
		/* a value no role file could hold is not learnt, here as in
		 * any shard: it explains nothing */
		if (rc && rc != SD_EPARSE)
			return rc;
	}
	return 0;
}

static bool was_asked(const struct corr_roles *r, unsigned role, const struct net_addr *a,
		      const struct ind_indicator *ind)
{
	uint8_t key[EX_MAX];
	size_t klen =
	    explained_key(role, a, ind->kind, ind->value, strlen(ind->value), key);
	uint32_t id;
	return klen && r->explained && sd_intern_find(r->explained, key, klen, &id) == 0;
}

bool corr_roles_left_out(const struct corr_roles *r, const struct net_addr *a,
			 enum corr_exchange ex, const struct ind_indicator *ind)
{
	if (ex == CORR_EX_OWN || !r || !r->n)
		return false;
	unsigned bits = r->slots[find(r->slots, r->nslots, a)].roles;
	if (corr_roles_forwarded(bits & DECLARED_MASK, ex))
		return true;
	unsigned learnt = bits >> LEARNT_SHIFT;
	if (!learnt || !ind)
		return false;
	/* a proxy forwards lookups and connections, a resolver lookups, and
	 * only for what it was asked */
	if ((learnt & CORR_ROLE_PROXY) && was_asked(r, CORR_ROLE_PROXY, a, ind))
		return true;
	return ex == CORR_EX_DNS && (learnt & CORR_ROLE_RESOLVER) &&
	       was_asked(r, CORR_ROLE_RESOLVER, a, ind);
}

/* The role named by s[0, n) (0: none). */
static unsigned role_named(const char *s, size_t n)
{
	for (size_t k = 0; k < sizeof(role_names) / sizeof(role_names[0]); k++)
		if (n == strlen(role_names[k].name) && !memcmp(s, role_names[k].name, n))
			return role_names[k].role;
	return 0;
}

/* The indicator kind named by s[0, n) (0: none). */
static enum ind_kind kind_named(const char *s, size_t n)
{
	for (int k = IND_ADDR; k < IND_NKINDS; k++) {
		const char *name = ind_kind_name((enum ind_kind)k);
		if (n == strlen(name) && !memcmp(s, name, n))
			return (enum ind_kind)k;
	}
	return 0;
}

/* The next space-separated field of [*p, end) (to the end when last). */
static bool field(const char **p, const char *end, bool last, const char **f, size_t *n)
{
	const char *sp = last ? end : memchr(*p, ' ', (size_t)(end - *p));
	if (!sp || sp == *p)
		return false;
	*f = *p;
	*n = (size_t)(sp - *p);
	*p = sp < end ? sp + 1 : end;
	return true;
}

#define ASKED_SYNTAX "\"asked proxy|resolver ADDR by ASKER KIND VALUE\""

/* One line that is not a comment: 0, or an error with why set. */
static int load_line(struct corr_roles *r, const char *line, size_t len, const char **why)
{
	const char *p = line, *end = line + len, *f, *v;
	size_t fl, vl;
	bool asked = len > 6 && !memcmp(line, "asked ", 6);
	if (asked)
		p += 6;
	unsigned role = field(&p, end, false, &f, &fl) ? role_named(f, fl) : 0;
	if (!role) {
		*why =
		    asked ? "expected " ASKED_SYNTAX
			  : "expected \"proxy ADDR\", \"resolver ADDR\" or " ASKED_SYNTAX;
		return SD_EPARSE;
	}
	if (!field(&p, end, !asked, &f, &fl)) {
		*why = asked ? "expected " ASKED_SYNTAX : "expected an address";
		return SD_EPARSE;
	}
	struct net_addr a, asker;
	if (net_addr_parse(f, fl, &a, why))
		return SD_EPARSE;
	if (!asked)
		return corr_roles_add(r, &a, role);
	if (!field(&p, end, false, &f, &fl) || fl != 2 || memcmp(f, "by", 2) ||
	    !field(&p, end, false, &f, &fl)) {
		*why = "expected " ASKED_SYNTAX;
		return SD_EPARSE;
	}
	if (net_addr_parse(f, fl, &asker, why))
		return SD_EPARSE;
	enum ind_kind kind = field(&p, end, false, &f, &fl) ? kind_named(f, fl) : 0;
	if (!kind) {
		*why = "expected an indicator kind (address, prefix, domain or url)";
		return SD_EPARSE;
	}
	if (!field(&p, end, true, &v, &vl) || !writable_value(v, vl)) {
		*why = "expected an indicator value (no control bytes, at most "
		       "IND_MAX_VALUE bytes)";
		return SD_EPARSE;
	}
	char value[IND_MAX_VALUE + 1];
	memcpy(value, v, vl);
	value[vl] = '\0';
	return corr_roles_ask(r, role, &a, &asker, kind, value);
}

int corr_roles_load(struct corr_roles *r, const char *path, struct sd_error *err)
{
	struct io_source *src;
	int rc = io_open(path, &src, err);
	if (rc)
		return rc;
	const char *line;
	size_t len;
	while ((rc = io_getline(src, &line, &len, err)) == 1) {
		unsigned long long ln = (unsigned long long)io_lineno(src);
		while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
			len--;
		/* format 1 files hold learnt roles as if declared, without the
		 * requests that explain them (docs/correlate.md) */
		static const char v1[] = "# sighted roles 1";
		if (ln == 1 && len >= sizeof(v1) - 1 &&
		    !memcmp(line, v1, sizeof(v1) - 1) &&
		    (len == sizeof(v1) - 1 || line[sizeof(v1) - 1] == ':' ||
		     line[sizeof(v1) - 1] == ' ')) {
			rc = sd_error_set(err, SD_EVERSION,
					  "%s:1: a role file of format 1: its learnt "
					  "roles come without the requests that explain "
					  "them; learn them again with --learn-proxies "
					  "(or delete this line to declare them)",
					  path);
			break;
		}
		if (!len || line[0] == '#')
			continue;
		const char *why = NULL;
		if ((rc = load_line(r, line, len, &why))) {
			rc = sd_error_set(err, rc, "%s:%llu: %s", path, ln,
					  why		    ? why
					  : rc == SD_ELIMIT ? "more than CORR_MAX_ROLES "
							      "addresses with a role or "
							      "CORR_MAX_ASKED requests"
							    : "out of memory");
			break;
		}
	}
	io_close(src);
	return rc < 0 ? rc : 0;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the role file's lines to lines[*n...]: one per declared role,
 * one per request learnt. False when out of memory. */
static bool role_lines(const struct corr_roles *r, char **lines, size_t *n)
{
	size_t nroles = sizeof(role_names) / sizeof(role_names[0]);
	for (size_t i = 0; i < r->nslots; i++) {
		for (size_t k = 0; k < nroles; k++) {
			if (!(r->slots[i].roles & DECLARED_MASK & role_names[k].role))
				continue;
			char a[NET_ADDR_STRLEN];
			net_addr_format(&r->slots[i].a, a, sizeof(a));
			size_t cap = NET_ADDR_STRLEN + 16;
			if (!(lines[*n] = malloc(cap)))
				return false;
			snprintf(lines[*n], cap, "%s %s", role_names[k].name, a);
			(*n)++;
		}
	}
	for (uint32_t id = 0; id < sd_intern_count(r->asked); id++) {
		size_t klen;
		const uint8_t *key = sd_intern_get(r->asked, id, &klen);
		struct net_addr a, asker;
		memcpy(a.b, key + KEY_ASKED, ADDR_LEN);
		memcpy(asker.b, key + KEY_ASKER, ADDR_LEN);
		char as[NET_ADDR_STRLEN], bs[NET_ADDR_STRLEN];
		net_addr_format(&a, as, sizeof(as));
		net_addr_format(&asker, bs, sizeof(bs));
		const char *role = key[0] == CORR_ROLE_PROXY ? "proxy" : "resolver";
		const char *kind = ind_kind_name((enum ind_kind)key[KEY_KIND]);
		size_t cap = 32 + 2 * NET_ADDR_STRLEN + strlen(kind) + (klen - KEY_HEAD);
		if (!(lines[*n] = malloc(cap)))
			return false;
		snprintf(lines[*n], cap, "asked %s %s by %s %s %.*s", role, as, bs, kind,
			 (int)(klen - KEY_HEAD), (const char *)key + KEY_HEAD);
		(*n)++;
	}
	return true;
}

int corr_roles_write(const struct corr_roles *r, const char *path, struct sd_error *err)
{
	size_t nroles = sizeof(role_names) / sizeof(role_names[0]);
	size_t n = 0, cap = r->n * nroles + sd_intern_count(r->asked) + 1;
	char **lines = calloc(cap, sizeof(*lines));
	int rc = 0;
	if (!lines || !role_lines(r, lines, &n)) {
		rc = sd_error_set(err, SD_ENOMEM, "out of memory");
	} else {
		qsort(lines, n, sizeof(*lines), cmp_line);
		struct sd_atomic_file af;
		rc = sd_atomic_open(&af, path, err);
		if (!rc) {
			fputs("# sighted roles 2: proxy/resolver ADDR, asked "
			      "proxy/resolver ADDR by ASKER KIND VALUE "
			      "(docs/correlate.md)\n",
			      af.fp);
			for (size_t i = 0; i < n; i++)
				fprintf(af.fp, "%s\n", lines[i]);
			rc = sd_atomic_commit(&af, err);
		}
	}
	for (size_t i = 0; lines && i < cap; i++)
		free(lines[i]);
	free(lines);
	return rc;
}
