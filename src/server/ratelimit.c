#include "server/ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "server/limits.h"

#define PROBE 8	    /* slots a key may occupy */
#define STRIPES 256 /* locks; a key's probe window never crosses one */

struct slot {
	uint64_t hi, lo;
	double tokens;
	uint64_t last_ms; /* 0: empty */
};

struct srv_ratelimit {
	pthread_mutex_t lock[STRIPES];
	struct slot slot[SRV_RATE_SLOTS];
};

_Static_assert(SRV_RATE_SLOTS % (STRIPES * PROBE) == 0,
	       "probe windows must tile the stripes");

struct srv_ratelimit *srv_ratelimit_new(void)
{
	struct srv_ratelimit *rl = calloc(1, sizeof(*rl));
	if (!rl)
		return NULL;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&rl->lock[i], NULL);
	return rl;
}

void srv_ratelimit_free(struct srv_ratelimit *rl)
{
	if (!rl)
		return;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&rl->lock[i]);
	free(rl);
}

void srv_rate_key_addr(const struct net_addr *a, struct srv_rate_key *k)
{
	k->hi = net_addr_hi(a);
	k->lo = net_addr_is_v4(a) ? net_addr_lo(a) : 0;
}

void srv_rate_key_token(const uint8_t hash[32], struct srv_rate_key *k)
{
	memcpy(&k->hi, hash, 8);
	memcpy(&k->lo, hash + 8, 8);
	k->hi |= 1; /* odd: never equal to an address key's high half */
	k->lo |= 1;
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

/* k's bucket refilled up to now_ms, its stripe locked (the caller
 * unlocks *lock). */
static struct slot *bucket(struct srv_ratelimit *rl, const struct srv_rate_key *k,
			   double rate, double burst, uint64_t now_ms,
			   pthread_mutex_t **lock)
{
	if (now_ms == 0)
		now_ms = 1;
	size_t windows = SRV_RATE_SLOTS / PROBE;
	size_t w = mix(k->hi ^ mix(k->lo)) % windows;
	struct slot *base = &rl->slot[w * PROBE];
	*lock = &rl->lock[w % STRIPES];
	pthread_mutex_lock(*lock);
	struct slot *s = NULL, *victim = base;
	for (int i = 0; i < PROBE; i++) {
		struct slot *c = &base[i];
		if (c->last_ms && c->hi == k->hi && c->lo == k->lo) {
			s = c;
			break;
		}
		if (c->last_ms < victim->last_ms)
			victim = c;
	}
	if (!s) {
		s = victim;
		s->hi = k->hi;
		s->lo = k->lo;
		s->tokens = burst;
		s->last_ms = now_ms;
	}
	if (now_ms > s->last_ms) {
		s->tokens += (double)(now_ms - s->last_ms) / 1000.0 * rate;
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
