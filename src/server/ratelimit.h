/* Per-client token buckets in a fixed-size table (SRV_RATE_SLOTS), so the
 * memory used does not grow with the number of clients. A client is an
 * IPv4 address, an IPv6 /64 (one host usually holds a whole /64), or a
 * token. When the slots a key may use are all taken, the one idle longest
 * is reused: a bucket untouched for burst/rate seconds is full again, so
 * forgetting it changes nothing. Under a flood of distinct addresses some
 * buckets are forgotten early; the connection limits still hold. */
#ifndef SD_SERVER_RATELIMIT_H
#define SD_SERVER_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "net/addr.h"

struct srv_ratelimit;

struct srv_ratelimit *srv_ratelimit_new(void);
void srv_ratelimit_free(struct srv_ratelimit *rl);

struct srv_rate_key {
	uint64_t hi, lo;
};
void srv_rate_key_addr(const struct net_addr *a, struct srv_rate_key *k);
void srv_rate_key_token(const uint8_t hash[32], struct srv_rate_key *k);

/* Takes cost tokens from k's bucket (rate per second, burst size) at time
 * now_ms. Returns true if allowed; if not, *retry_after is the number of
 * whole seconds after which the request would be allowed (at least 1). */
bool srv_ratelimit_take(struct srv_ratelimit *rl, const struct srv_rate_key *k,
			double rate, double burst, double cost, uint64_t now_ms,
			unsigned *retry_after);

/* Takes cost from k's bucket unconditionally, leaving it in debt if need
 * be (a request admitted at cost 1 whose real weight is known later). */
void srv_ratelimit_charge(struct srv_ratelimit *rl, const struct srv_rate_key *k,
			  double rate, double burst, double cost, uint64_t now_ms);

#endif
