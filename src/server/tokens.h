/* API tokens. The file holds only SHA-256 hashes of the secrets, each with
 * the prefixes its holder may ask about and its own limits (format in
 * docs/tokens.md); a leaked file gives nobody a usable token. */
#ifndef SD_SERVER_TOKENS_H
#define SD_SERVER_TOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "net/addr.h"
#include "server/limits.h"
#include "server/reload.h"

#define SRV_TOKEN_RATE 10.0  /* default requests per second of a token */
#define SRV_TOKEN_BURST 50.0 /* default burst of a token */

struct srv_token {
	uint8_t hash[32];
	char name[64];
	struct net_prefix scope[SRV_MAX_SCOPES];
	unsigned nscope;
	double rate, burst; /* token bucket: per second, size */
	unsigned bulk;	    /* entries allowed in one bulk request */
};

struct srv_tokens {
	struct srv_ref ref;
	size_t n;
	struct srv_token *v; /* sorted by hash */
};

/* Parses a tokens file. The whole file is refused at the first bad line
 * ("file:line: why" in err): a half-read access list is worse than the old
 * one, which a reload keeps. */
int srv_tokens_load(const char *path, struct srv_tokens **out, struct sd_error *err);
int srv_tokens_parse(const char *text, size_t len, const char *name,
		     struct srv_tokens **out, struct sd_error *err);
/* An empty table (no tokens file). */
struct srv_tokens *srv_tokens_empty(void);

/* The token whose secret is s (n bytes), or NULL. */
const struct srv_token *srv_tokens_find(const struct srv_tokens *t, const char *s,
					size_t n);
/* True if q lies inside one of the token's scope prefixes. */
bool srv_token_covers(const struct srv_token *t, const struct net_prefix *q);

void srv_token_hash(const char *s, size_t n, uint8_t out[32]);
/* "sha256:" and 64 hex digits, NUL-terminated (72 bytes). */
void srv_token_hash_hex(const uint8_t hash[32], char out[72]);
/* A fresh random secret: 43 URL-safe characters (256 bits) + NUL. */
int srv_token_generate(char out[44], struct sd_error *err);

#endif
