#include "server/conns.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "server/metrics.h"

enum phase { WAITING, HEADER, BODY, SENDING };

struct srv_conn {
	struct srv_conn *prev, *next; /* newest first */
	struct srv_conns *t;
	int fd;
	uint64_t key_hi, key_lo; /* address, or its IPv6 prefix */
	bool exempt;		 /* a trusted proxy: no per-address limit */
	bool cut;		 /* shut down by us; MHD closes it */
	uint64_t opened_ms;
	/* opened, or its last answer sent: the next request is due within
	 * the request deadline from here */
	atomic_uint_fast64_t since_ms;
	atomic_int phase;
	atomic_uint_fast64_t deadline_ms;
};

/* Live (not shut down) connections per address key: open addressing, linear probing,
 * deletion by backward shift; count 0 marks an empty slot. */
struct per_addr {
	uint64_t hi, lo;
	unsigned count;
	bool exempt;
};

struct srv_conns {
	struct srv_conn_limits lim;
	struct per_addr *addr;
	size_t mask;
	pthread_mutex_t mu; /* guards the list and the counts */
	struct srv_conn head;
	unsigned n, cuts; /* connections; of them, shut down and closing */
	uint64_t refused, dropped;
};

struct srv_conns *srv_conns_new(const struct srv_conn_limits *l)
{
	struct srv_conns *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->lim = *l;
	size_t cap = 64;
	while (cap < 4 * (size_t)l->max_conns + 64)
		cap *= 2;
	t->addr = calloc(cap, sizeof(*t->addr));
	if (!t->addr) {
		free(t);
		return NULL;
	}
	t->mask = cap - 1;
	pthread_mutex_init(&t->mu, NULL);
	t->head.next = t->head.prev = &t->head;
	return t;
}

void srv_conns_free(struct srv_conns *t)
{
	if (!t)
		return;
	/* normally empty: MHD closed every connection first */
	while (t->head.next != &t->head) {
		struct srv_conn *k = t->head.next;
		t->head.next = k->next;
		free(k);
	}
	pthread_mutex_destroy(&t->mu);
	free(t->addr);
	free(t);
}

static size_t home(const struct srv_conns *t, uint64_t hi, uint64_t lo)
{
	uint64_t x = hi * 0x9e3779b97f4a7c15ULL ^ lo * 0xc2b2ae3d27d4eb4fULL;
	return (size_t)(x ^ x >> 29) & t->mask;
}

static size_t find(const struct srv_conns *t, uint64_t hi, uint64_t lo)
{
	size_t i = home(t, hi, lo);
	while (t->addr[i].count && (t->addr[i].hi != hi || t->addr[i].lo != lo))
		i = (i + 1) & t->mask;
	return i;
}

/* The table holds at most as many keys as connections, and MHD bounds
 * those well below its size, so a free slot always exists. */
static unsigned addr_inc(struct srv_conns *t, const struct srv_conn *k)
{
	struct per_addr *a = &t->addr[find(t, k->key_hi, k->key_lo)];
	a->hi = k->key_hi;
	a->lo = k->key_lo;
	a->exempt = k->exempt;
	return ++a->count;
}

static void addr_dec(struct srv_conns *t, const struct srv_conn *k)
{
	size_t i = find(t, k->key_hi, k->key_lo);
	if (!t->addr[i].count || --t->addr[i].count)
		return;
	for (size_t j = (i + 1) & t->mask; t->addr[j].count; j = (j + 1) & t->mask) {
		size_t h = home(t, t->addr[j].hi, t->addr[j].lo);
		bool between = i <= j ? (i < h && h <= j) : (i < h || h <= j);
		if (!between) {
			t->addr[i] = t->addr[j];
			t->addr[j].count = 0;
			i = j;
		}
	}
}

/* The address (not a trusted proxy) holding the most connections. */
static const struct per_addr *greediest(const struct srv_conns *t)
{
	const struct per_addr *g = NULL;
	for (size_t i = 0; i <= t->mask; i++)
		if (t->addr[i].count && !t->addr[i].exempt &&
		    (!g || t->addr[i].count > g->count))
			g = &t->addr[i];
	return g;
}

static void address_key(const struct srv_conn_limits *l, const struct net_addr *a,
			uint64_t *hi, uint64_t *lo)
{
	*hi = net_addr_hi(a);
	*lo = net_addr_lo(a);
	if (net_addr_is_v4(a))
		return;
	unsigned len = l->v6_prefix;
	if (len <= 64) {
		*lo = 0;
		*hi &= len ? ~UINT64_C(0) << (64 - len) : 0;
	} else if (len < 128) {
		*lo &= ~UINT64_C(0) << (128 - len);
	}
}

/* Caller holds t->mu. A connection shut down no longer counts for its
 * address: it is on its way out. */
static void cut(struct srv_conns *t, struct srv_conn *k)
{
	t->cuts++;
	addr_dec(t, k);
	/* MHD sees the connection fail and closes it itself; the close
	 * notification takes the lock first, so the fd is never reused here */
	shutdown(k->fd, SHUT_RDWR);
	k->cut = true;
}

static void set_deadline(struct srv_conn *k, uint64_t at)
{
	atomic_store_explicit(&k->deadline_ms, at, memory_order_relaxed);
}

/* The connection to drop when the table is nearly full: the oldest one
 * that has not finished its request, from the address holding the most
 * connections, so a client holding one connection is never the one to go
 * while another holds several. When every address holds one (a flood from
 * many addresses), the oldest unfinished connection old enough to have
 * sent a request by now; failing that, the newcomer k. */
static struct srv_conn *make_room(struct srv_conns *t, struct srv_conn *k,
				  uint64_t now_ms)
{
	const struct per_addr *g = greediest(t);
	uint64_t young = now_ms - t->lim.header_ms / 2;
	struct srv_conn *old = NULL;
	for (struct srv_conn *o = t->head.prev; o != &t->head; o = o->prev) {
		if (o->cut ||
		    atomic_load_explicit(&o->phase, memory_order_relaxed) == SENDING)
			continue;
		if (g && g->count > 1) {
			if (o->key_hi == g->hi && o->key_lo == g->lo)
				return o;
		} else if (o->opened_ms <= young && !old) {
			old = o;
		}
	}
	return old ? old : k;
}

struct srv_conn *srv_conns_open(struct srv_conns *t, int fd, const struct net_addr *peer,
				uint64_t now_ms)
{
	struct srv_conn *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->t = t;
	k->fd = fd;
	k->opened_ms = now_ms;
	address_key(&t->lim, peer, &k->key_hi, &k->key_lo);
	k->exempt = srv_trusted(t->lim.trust, peer);
	atomic_init(&k->phase, WAITING);
	atomic_init(&k->deadline_ms, now_ms + t->lim.request_ms);
	atomic_init(&k->since_ms, now_ms);
	pthread_mutex_lock(&t->mu);
	k->next = t->head.next;
	k->prev = &t->head;
	t->head.next->prev = k;
	t->head.next = k;
	t->n++;
	unsigned same = addr_inc(t, k);
	unsigned live = t->n - t->cuts;
	if (!k->exempt && same > t->lim.per_addr) {
		cut(t, k);
		t->refused++;
		srv_metrics_event(SRV_EV_PER_ADDR_REFUSED);
	} else if (live + live / 16 >= t->lim.max_conns) {
		cut(t, make_room(t, k, now_ms));
		t->dropped++;
		srv_metrics_event(SRV_EV_DROPPED_WHEN_FULL);
	}
	pthread_mutex_unlock(&t->mu);
	return k;
}

void srv_conns_close(struct srv_conns *t, struct srv_conn *k)
{
	if (!k)
		return;
	pthread_mutex_lock(&t->mu);
	k->prev->next = k->next;
	k->next->prev = k->prev;
	t->n--;
	if (k->cut)
		t->cuts--;
	else
		addr_dec(t, k);
	pthread_mutex_unlock(&t->mu);
	free(k);
}

void srv_conn_request_line(struct srv_conn *k, uint64_t now_ms)
{
	if (!k)
		return;
	atomic_store_explicit(&k->phase, HEADER, memory_order_relaxed);
	uint64_t d = now_ms + k->t->lim.header_ms;
	if (d < atomic_load_explicit(&k->deadline_ms, memory_order_relaxed))
		set_deadline(k, d);
}

void srv_conn_header_done(struct srv_conn *k, uint64_t now_ms)
{
	(void)now_ms;
	if (!k)
		return;
	/* the header deadline is over; the body has what is left of the
	 * request deadline */
	atomic_store_explicit(&k->phase, BODY, memory_order_relaxed);
	set_deadline(k, atomic_load_explicit(&k->since_ms, memory_order_relaxed) +
			    k->t->lim.request_ms);
}

static uint64_t send_ms(const struct srv_conns *t, uint64_t bytes)
{
	return t->lim.min_send_rate ? bytes * 1000 / t->lim.min_send_rate : 0;
}

void srv_conn_sending(struct srv_conn *k, uint64_t now_ms, uint64_t bytes)
{
	if (!k)
		return;
	atomic_store_explicit(&k->phase, SENDING, memory_order_relaxed);
	/* a grace of one request deadline, then the minimum rate */
	set_deadline(k, now_ms + k->t->lim.request_ms + send_ms(k->t, bytes));
}

void srv_conn_sent_more(struct srv_conn *k, uint64_t bytes)
{
	if (k)
		atomic_fetch_add_explicit(&k->deadline_ms, send_ms(k->t, bytes),
					  memory_order_relaxed);
}

void srv_conn_answered(struct srv_conn *k, uint64_t now_ms)
{
	if (!k)
		return;
	atomic_store_explicit(&k->phase, WAITING, memory_order_relaxed);
	atomic_store_explicit(&k->since_ms, now_ms, memory_order_relaxed);
	set_deadline(k, now_ms + k->t->lim.request_ms);
}

unsigned srv_conns_reap(struct srv_conns *t, uint64_t now_ms)
{
	unsigned cuts = 0;
	pthread_mutex_lock(&t->mu);
	for (struct srv_conn *k = t->head.next; k != &t->head; k = k->next) {
		if (k->cut ||
		    now_ms <= atomic_load_explicit(&k->deadline_ms, memory_order_relaxed))
			continue;
		bool sending =
		    atomic_load_explicit(&k->phase, memory_order_relaxed) == SENDING;
		cut(t, k);
		cuts++;
		srv_metrics_event(sending ? SRV_EV_SLOW_READER_CUT
					  : SRV_EV_SLOW_CLIENT_CUT);
	}
	pthread_mutex_unlock(&t->mu);
	return cuts;
}

bool srv_conn_is_cut(const struct srv_conn *k)
{
	pthread_mutex_lock(&k->t->mu);
	bool c = k->cut;
	pthread_mutex_unlock(&k->t->mu);
	return c;
}

void srv_conns_counts(struct srv_conns *t, struct srv_conns_counts *out)
{
	pthread_mutex_lock(&t->mu);
	out->open = t->n;
	out->refused_per_addr = t->refused;
	out->dropped_when_full = t->dropped;
	pthread_mutex_unlock(&t->mu);
}
