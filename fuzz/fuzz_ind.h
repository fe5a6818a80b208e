/* Shared by the indicator loader harnesses (they cover
 * src/indicators/load.c, load_util.c, set.c and set_lookup.c): load any bytes with one
 * loader, then compile the set and look up every indicator it kept, so
 * the tables built from hostile input are exercised too. */
#ifndef SD_FUZZ_IND_H
#define SD_FUZZ_IND_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "indicators/indicators.h"
#include "indicators/load.h"

typedef int (*fuzz_ind_loader)(struct ind_set *, const char *, size_t,
			       const char *, const struct ind_load_opts *,
			       struct sd_error *);

static inline int fuzz_ind_run(fuzz_ind_loader load, const uint8_t *data,
			       size_t size)
{
	struct ind_set *set = ind_set_new();
	if (!set)
		return 0;
	struct sd_error err = {0};
	struct ind_load_opts opt = {.campaign = "fuzz"};
	load(set, (const char *)data, size, "fuzz", &opt, &err);
	if (ind_set_compile(set, &err) == 0) {
		const struct ind_indicator *hits[4];
		struct net_addr a = {{0}};
		for (size_t i = 0; i < ind_set_size(set); i++) {
			const struct ind_indicator *d = ind_set_at(set, i);
			if (d->kind == IND_ADDR || d->kind == IND_PREFIX)
				a = d->prefix.addr;
			if (d->host)
				ind_match_name(set, d->host, strlen(d->host), 0, hits, 4);
			if (d->kind == IND_URL)
				ind_match_url(set, d->host, strlen(d->host), d->path,
					      strlen(d->path), 0, hits, 4);
		}
		ind_match_addr(set, &a, 0, hits, 4);
	}
	ind_set_free(set);
	return 0;
}

#endif
