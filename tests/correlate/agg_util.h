/* Reading a finished aggregate back whole, for the unit tests (the program
 * reads it client by client instead, giving memory back as it goes). */
#ifndef SD_TESTS_CORRELATE_AGG_UTIL_H
#define SD_TESTS_CORRELATE_AGG_UTIL_H

#include "correlate/agg.h"

/* Sorts g and returns every sighting in order (free it). */
static inline struct corr_sighting *agg_all(struct corr_agg *g, size_t *n)
{
	assert_int_equal(corr_agg_sort(g), 0);
	*n = corr_agg_count(g);
	struct corr_sighting *s = calloc(*n ? *n : 1, sizeof(*s));
	assert_non_null(s);
	for (size_t i = 0; i < *n; i++)
		corr_agg_get(g, i, &s[i]);
	return s;
}

/* The same per client, source and exchange: what the snapshot is given. */
static inline struct corr_sighting *agg_clients(struct corr_agg *g, size_t *n)
{
	size_t m;
	struct corr_sighting *s = agg_all(g, &m);
	struct corr_sighting *out = calloc(m ? m : 1, sizeof(*out));
	assert_non_null(out);
	size_t k = 0;
	for (size_t i = 0; i < m;) {
		size_t j = corr_agg_client_end(g, i);
		k += corr_sightings_per_client(s + i, j - i, out + k);
		i = j;
	}
	free(s);
	*n = k;
	return out;
}

#endif
