#include "db/sighting.h"

static uint32_t min_known(uint32_t a, uint32_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

void db_sighting_combine(struct db_sighting *into, const struct db_sighting *s)
{
	into->first_seen = min_known(into->first_seen, s->first_seen);
	into->last_seen = into->last_seen > s->last_seen ? into->last_seen : s->last_seen;
	/* saturating: still associative and commutative, never wraps */
	into->count =
	    s->count > UINT32_MAX - into->count ? UINT32_MAX : into->count + s->count;
	into->evidence |= s->evidence;
	if (s->confidence > into->confidence)
		into->confidence = s->confidence;
}
