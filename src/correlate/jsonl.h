/* One --sightings line rendered straight into a buffer: the bytes jansson's
 * json_dumpf writes for the same object (JSON_COMPACT |
 * JSON_PRESERVE_ORDER), at a small part of the cost (no document, no
 * allocation per value). fuzz/fuzz_jsonl_line.c checks it against jansson.
 * As with jansson, a text that is not valid UTF-8 is left out (its key, or
 * its element of the sources array). */
#ifndef SD_CORRELATE_JSONL_H
#define SD_CORRELATE_JSONL_H

#include <stddef.h>

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

#endif
