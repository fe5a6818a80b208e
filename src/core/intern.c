#include "core/intern.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/error.h"

struct sd_intern {
	uint32_t *slots;   /* id + 1, or 0 for empty; open addressing */
	size_t nslots;	   /* power of two */
	uint64_t *offsets; /* id -> offset in pool */
	uint32_t *lengths;
	uint32_t count, cap;
	unsigned char *pool;
	size_t pool_len, pool_cap;
};

struct sd_intern *sd_intern_new(void)
{
	struct sd_intern *in = calloc(1, sizeof(*in));
	if (!in)
		return NULL;
	in->nslots = 64;
	in->slots = calloc(in->nslots, sizeof(*in->slots));
	/* the pool exists from the start, so that an empty value interned
	 * first still points into it (never NULL + 0) */
	in->pool_cap = 4096;
	in->pool = malloc(in->pool_cap);
	if (!in->slots || !in->pool) {
		free(in->slots);
		free(in->pool);
		free(in);
		return NULL;
	}
	return in;
}

void sd_intern_free(struct sd_intern *in)
{
	if (!in)
		return;
	free(in->slots);
	free(in->offsets);
	free(in->lengths);
	free(in->pool);
	free(in);
}

static size_t probe(const struct sd_intern *in, const void *data, size_t len, uint64_t h,
		    int *found)
{
	size_t mask = in->nslots - 1, i = (size_t)h & mask;
	for (;;) {
		uint32_t s = in->slots[i];
		if (!s) {
			*found = 0;
			return i;
		}
		uint32_t id = s - 1;
		if (in->lengths[id] == len &&
		    memcmp(in->pool + in->offsets[id], data, len) == 0) {
			*found = 1;
			return i;
		}
		i = (i + 1) & mask;
	}
}

static int grow_slots(struct sd_intern *in)
{
	size_t n = in->nslots * 2;
	uint32_t *slots = calloc(n, sizeof(*slots));
	if (!slots)
		return SD_ENOMEM;
	for (uint32_t id = 0; id < in->count; id++) {
		uint64_t h = XXH3_64bits(in->pool + in->offsets[id], in->lengths[id]);
		size_t i = (size_t)h & (n - 1);
		while (slots[i])
			i = (i + 1) & (n - 1);
		slots[i] = id + 1;
	}
	free(in->slots);
	in->slots = slots;
	in->nslots = n;
	return 0;
}

int sd_intern_put(struct sd_intern *in, const void *data, size_t len, uint32_t *id)
{
	int found;
	uint64_t h = XXH3_64bits(data, len);
	size_t i = probe(in, data, len, h, &found);
	if (found) {
		*id = in->slots[i] - 1;
		return 0;
	}
	if (in->count >= UINT32_MAX - 1 || len > UINT32_MAX)
		return SD_ELIMIT;
	if (in->count == in->cap) {
		uint32_t cap = in->cap ? in->cap * 2 : 64;
		uint64_t *o = realloc(in->offsets, cap * sizeof(*o));
		if (!o)
			return SD_ENOMEM;
		in->offsets = o;
		uint32_t *l = realloc(in->lengths, cap * sizeof(*l));
		if (!l)
			return SD_ENOMEM;
		in->lengths = l;
		in->cap = cap;
	}
	if (len > in->pool_cap - in->pool_len) {
		size_t cap = in->pool_cap ? in->pool_cap : 4096;
		while (len > cap - in->pool_len)
			cap *= 2;
		unsigned char *p = realloc(in->pool, cap);
		if (!p)
			return SD_ENOMEM;
		in->pool = p;
		in->pool_cap = cap;
	}
	if (len)
		memcpy(in->pool + in->pool_len, data, len);
	in->offsets[in->count] = in->pool_len;
	in->lengths[in->count] = (uint32_t)len;
	in->pool_len += len;
	in->slots[i] = in->count + 1;
	*id = in->count++;
	/* keep the load factor under 1/2 so probes stay short */
	if ((size_t)in->count * 2 > in->nslots)
		return grow_slots(in);
	return 0;
}

int sd_intern_find(const struct sd_intern *in, const void *data, size_t len, uint32_t *id)
{
	int found;
	size_t i = probe(in, data, len, XXH3_64bits(data, len), &found);
	if (!found)
		return SD_ENOTFOUND;
	*id = in->slots[i] - 1;
	return 0;
}

uint32_t sd_intern_count(const struct sd_intern *in)
{
	return in->count;
}

const void *sd_intern_get(const struct sd_intern *in, uint32_t id, size_t *len)
{
	if (id >= in->count)
		return NULL;
	if (len)
		*len = in->lengths[id];
	return in->pool + in->offsets[id];
}
