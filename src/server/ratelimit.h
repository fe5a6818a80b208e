/* Per-client token buckets in fixed-size tables, so the memory used does
 * not grow with the number of clients. A client is an IPv4 address, an
 * IPv6 /64 (one host usually holds a whole /64), or a token.
 *
 * Addresses share SRV_RATE_SLOTS slots, a key in one window of 8 chosen by
 * a hash seeded at random at start (nobody can pick addresses that share a
 * window). A new address takes a slot whose bucket is empty or would be
 * full by now, so forgetting it changes nothing, and starts full; when the
 * window holds only buckets still refilling, the one idle longest is
 * reused and the new address starts empty. A bucket pushed out never
 * comes back full: under a flood of addresses, newcomers wait for a token
 * instead of being let through.
 *
 * Tokens have their own table, twice SRV_MAX_TOKENS, so a token's bucket
 * (and a bulk request's debt) is never pushed out by addresses or by
 * other tokens. */
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
	bool token; /* in the token table */
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
