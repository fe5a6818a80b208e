#include "server/ratelimit.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "server/limits.h"

#define PROBE 8		   /* slots an address key may occupy */
#define STRIPES 256	   /* locks of each table */
#define TOKEN_SEGMENT 1024 /* token slots under one lock */
#define TOKEN_SLOTS (STRIPES * TOKEN_SEGMENT)

struct slot {
	uint64_t hi, lo;
	double tokens;
	uint64_t last_ms; /* 0: empty */
};

struct srv_ratelimit {
	uint64_t seed; /* random: where a key lands cannot be worked out */
	pthread_mutex_t lock[STRIPES];
	struct slot slot[SRV_RATE_SLOTS];
	pthread_mutex_t token_lock[STRIPES];
	struct slot *token_slot; /* TOKEN_SLOTS */
};

_Static_assert(SRV_RATE_SLOTS % (STRIPES * PROBE) == 0,
	       "probe windows must tile the stripes");
/* at most half full with every token of a full tokens file in use: a
 * segment's linear probe stays short and is never full in practice */
_Static_assert(TOKEN_SLOTS >= 2 * SRV_MAX_TOKENS, "token table too small");

static uint64_t random_seed(const void *salt)
{
	uint64_t s;
	size_t got = 0;
	while (got < sizeof(s)) {
		ssize_t k = getrandom((char *)&s + got, sizeof(s) - got, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	if (got < sizeof(s)) { /* no getrandom: unpredictable enough locally */
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		s = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)ts.tv_sec ^
		    (uint64_t)(uintptr_t)salt;
	}
	return s;
}

struct srv_ratelimit *srv_ratelimit_new(void)
{
	struct srv_ratelimit *rl = calloc(1, sizeof(*rl));
	if (!rl)
		return NULL;
	/* calloc'd: pages are only resident once a token lands in them */
	rl->token_slot = calloc(TOKEN_SLOTS, sizeof(*rl->token_slot));
	if (!rl->token_slot) {
		free(rl);
		return NULL;
	}
	rl->seed = random_seed(rl);
	for (int i = 0; i < STRIPES; i++) {
		pthread_mutex_init(&rl->lock[i], NULL);
		pthread_mutex_init(&rl->token_lock[i], NULL);
	}
	return rl;
}

void srv_ratelimit_free(struct srv_ratelimit *rl)
{
	if (!rl)
		return;
	for (int i = 0; i < STRIPES; i++) {
		pthread_mutex_destroy(&rl->lock[i]);
		pthread_mutex_destroy(&rl->token_lock[i]);
	}
	free(rl->token_slot);
	free(rl);
}

void srv_rate_key_addr(const struct net_addr *a, struct srv_rate_key *k)
{
	k->hi = net_addr_hi(a);
	k->lo = net_addr_is_v4(a) ? net_addr_lo(a) : 0;
	k->token = false;
}

void srv_rate_key_token(const uint8_t hash[32], struct srv_rate_key *k)
{
	memcpy(&k->hi, hash, 8);
	memcpy(&k->lo, hash + 8, 8);
	k->hi |= 1; /* odd: never equal to an address key's high half */
	k->lo |= 1;
	k->token = true;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static bool same_key(const struct slot *s, const struct srv_rate_key *k)
{
	return s->last_ms && s->hi == k->hi && s->lo == k->lo;
}

/* Tokens a bucket holds at now_ms, before the cap at burst. */
static double refilled(const struct slot *s, double rate, uint64_t now_ms)
{
	return s->tokens +
	       (now_ms > s->last_ms ? (double)(now_ms - s->last_ms) / 1000.0 * rate : 0);
}

/* An address key's slot in its window of PROBE. A key not there takes an
 * empty slot or one whose bucket would be full by now, the one idle longest
 * (forgetting a full bucket changes nothing), and starts full. When every
 * slot holds a bucket still refilling, the one idle longest is taken but
 * the newcomer starts empty: a key pushed out and back must not come back
 * with a full bucket, or keys sharing a window would reset each other. */
static struct slot *addr_slot(struct slot *base, const struct srv_rate_key *k,
			      double rate, double burst, uint64_t now_ms)
{
	struct slot *full = NULL, *oldest = base;
	for (int i = 0; i < PROBE; i++) {
		struct slot *c = &base[i];
		if (same_key(c, k))
			return c;
		if (!c->last_ms || refilled(c, rate, now_ms) >= burst)
			if (!full || c->last_ms < full->last_ms)
				full = c;
		if (c->last_ms < oldest->last_ms)
			oldest = c;
	}
	struct slot *s = full ? full : oldest;
	*s = (struct slot){k->hi, k->lo, full ? burst : 0, now_ms};
	return s;
}

/* A token key's slot: linear probing inside its segment. Slots are never
 * emptied, so the first empty one ends the search. A segment is full only
 * after more than TOKEN_SEGMENT tokens landed in it since the start (tokens
 * of earlier tokens files included); then the one idle longest is taken,
 * starting empty. */
static struct slot *token_slot(struct slot *seg, uint64_t h, const struct srv_rate_key *k,
			       double burst, uint64_t now_ms)
{
	struct slot *oldest = NULL;
	for (size_t i = 0; i < TOKEN_SEGMENT; i++) {
		struct slot *c = &seg[(h + i) % TOKEN_SEGMENT];
		if (same_key(c, k))
			return c;
		if (!c->last_ms) {
			*c = (struct slot){k->hi, k->lo, burst, now_ms};
			return c;
		}
		if (!oldest || c->last_ms < oldest->last_ms)
			oldest = c;
	}
	*oldest = (struct slot){k->hi, k->lo, 0, now_ms};
	return oldest;
}

/* k's bucket refilled up to now_ms, its stripe locked (the caller
 * unlocks *lock). */
static struct slot *bucket(struct srv_ratelimit *rl, const struct srv_rate_key *k,
			   double rate, double burst, uint64_t now_ms,
			   pthread_mutex_t **lock)
{
	if (now_ms == 0)
		now_ms = 1;
	uint64_t h = mix(k->hi ^ mix(k->lo ^ rl->seed));
	struct slot *s;
	if (k->token) {
		size_t seg = (size_t)(h % STRIPES);
		*lock = &rl->token_lock[seg];
		pthread_mutex_lock(*lock);
		s = token_slot(&rl->token_slot[seg * TOKEN_SEGMENT], h / STRIPES, k,
			       burst, now_ms);
	} else {
		size_t w = (size_t)(h % (SRV_RATE_SLOTS / PROBE));
		*lock = &rl->lock[w % STRIPES];
		pthread_mutex_lock(*lock);
		s = addr_slot(&rl->slot[w * PROBE], k, rate, burst, now_ms);
	}
	if (now_ms > s->last_ms) {
		s->tokens = refilled(s, rate, now_ms);
		s->last_ms = now_ms;
	}
	if (s->tokens > burst)
		s->tokens = burst;
	return s;
}

bool srv_ratelimit_take(struct srv_ratelimit *rl, const struct srv_rate_key *k,
			double rate, double burst, double cost, uint64_t now_ms,
			unsigned *retry_after)
{
	pthread_mutex_t *lock;
	struct slot *s = bucket(rl, k, rate, burst, now_ms, &lock);
	bool ok = s->tokens >= cost;
	if (ok) {
		s->tokens -= cost;
	} else {
		double wait = (cost - s->tokens) / rate;
		*retry_after = wait < 1	    ? 1
			       : wait > 1e9 ? 1000000000u
					    : (unsigned)ceil(wait);
	}
	pthread_mutex_unlock(lock);
	return ok;
}

void srv_ratelimit_charge(struct srv_ratelimit *rl, const struct srv_rate_key *k,
			  double rate, double burst, double cost, uint64_t now_ms)
{
	pthread_mutex_t *lock;
	struct slot *s = bucket(rl, k, rate, burst, now_ms, &lock);
	s->tokens -= cost;
	pthread_mutex_unlock(lock);
}
