/* One --sightings line rendered straight into a buffer: the bytes jansson's
 * json_dumpf writes for the same object (JSON_COMPACT |
 * JSON_PRESERVE_ORDER), at a small part of the cost (no document, no
 * allocation per value). fuzz/fuzz_jsonl_line.c checks it against jansson.
 * As with jansson, a text that is not valid UTF-8 is left out (its key, or
 * its element of the sources array). */
#ifndef SD_CORRELATE_JSONL_H
#define SD_CORRELATE_JSONL_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "correlate/agg.h"
#include "indicators/indicators.h"

struct corr_line {
	const struct corr_sighting *s; /* the client x indicator, combined */
	const char *campaign;
	const struct ind_indicator *ind;
	const char *const *sources; /* labels, in order, each once */
	size_t nsources;
};

/* Appends the line and its '\n' to b (sd_buf: a failed allocation is
 * sticky and reported by sd_buf_flush). */
void corr_line_render(const struct corr_line *l, struct sd_buf *b);

/* Appends s as a JSON string (quotes included) as jansson dumps it; false,
 * with nothing appended, when s is not valid UTF-8. */
bool corr_json_string(struct sd_buf *b, const char *s);

/* The texts that repeat from line to line of one output (the campaign, each
 * indicator with its kind and campaign, each source label, each set of
 * evidence kinds), escaped the first time a line needs them and copied
 * after that: a line costs about what its variable parts (addresses,
 * times, counts) cost. */
struct corr_jsonl;

/* campaign, the ninds indicators (by ind_indicator.id) and the nsources
 * labels are borrowed for the cache's life. NULL when out of memory. */
struct corr_jsonl *corr_jsonl_new(const char *campaign, size_t ninds,
				  const char *const *sources, size_t nsources);
void corr_jsonl_free(struct corr_jsonl *j);

/* What corr_line_render appends for {s, campaign, ind, the labels of the
 * source ids src[0..n)} (ids below nsources, in label order, each label
 * once); ind->id must be below ninds. */
void corr_jsonl_line(struct corr_jsonl *j, const struct corr_sighting *s,
		     const struct ind_indicator *ind, const uint32_t *src, size_t n,
		     struct sd_buf *b);

#endif
