#include "server/answer_cache.h"

#include <microhttpd.h>
#include <string.h>
#include <xxhash.h>

bool srv_answer_reusable(const struct srv_response *rs)
{
	return !rs->stream_read && rs->len <= SRV_ANSWER_CACHE_MAX_BODY &&
	       !rs->retry_after && !rs->allow && !rs->www_authenticate;
}

static uint64_t answer_hash(const struct srv_response *rs)
{
	uint64_t h = XXH3_64bits(rs->body ? rs->body : "", rs->len);
	return h ^ ((uint64_t)rs->status << 2) ^ ((uint64_t)rs->cacheable << 1) ^
	       (uint64_t)rs->close;
}

static size_t slot_of(uint64_t hash)
{
	return (size_t)(hash >> 32) % SRV_ANSWER_CACHE_SLOTS;
}

struct MHD_Response *srv_answer_cache_find(struct srv_answer_cache *c,
					   const struct srv_response *rs, uint64_t *hash)
{
	*hash = answer_hash(rs);
	const struct srv_answer_slot *s = &c->slot[slot_of(*hash)];
	if (!s->m || s->hash != *hash || s->len != rs->len || s->status != rs->status ||
	    s->cacheable != rs->cacheable || s->close != rs->close ||
	    strcmp(s->type, rs->type) != 0)
		return NULL;
	if (rs->len && memcmp(s->body, rs->body, rs->len) != 0)
		return NULL;
	return s->m;
}

void srv_answer_cache_put(struct srv_answer_cache *c, struct MHD_Response *m,
			  uint64_t hash, const char *body, size_t len,
			  const struct srv_response *rs)
{
	struct srv_answer_slot *s = &c->slot[slot_of(hash)];
	if (s->m)
		MHD_destroy_response(s->m);
	*s = (struct srv_answer_slot){
	    .m = m,
	    .hash = hash,
	    .body = body,
	    .len = len,
	    .status = rs->status,
	    .type = rs->type,
	    .cacheable = rs->cacheable,
	    .close = rs->close,
	};
}

void srv_answer_cache_clear(struct srv_answer_cache *c)
{
	for (size_t i = 0; i < SRV_ANSWER_CACHE_SLOTS; i++) {
		if (c->slot[i].m)
			MHD_destroy_response(c->slot[i].m);
		c->slot[i] = (struct srv_answer_slot){0};
	}
}
