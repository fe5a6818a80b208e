/* Check answers written straight into an output buffer, in the three forms
 * `sighted check` prints: text for people, CSV (one row per query and
 * sighting) and JSON Lines. The JSON is byte for byte what jansson writes
 * for report_lookup's document (compact, ASCII only), without building
 * that document. */
#ifndef SD_REPORT_RENDER_H
#define SD_REPORT_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "report/answer.h"
#include "report/escape.h"
#include "report/report.h"

enum report_format { REPORT_TEXT, REPORT_CSV, REPORT_JSON };

/* Renders answers in one form, keeping what it rendered of each
 * sighting's attributes (campaign, evidence, confidence, sources) for the
 * next answers: a bulk check renders millions of answers that share a few.
 * One per thread; the fields are private. */
#define REPORT_PARTS_SLOTS_LOG2 6
#define REPORT_PARTS_SLOTS (1u << REPORT_PARTS_SLOTS_LOG2)
struct report_parts_slot {
	uint64_t key; /* the attributes */
	uint32_t start, end[3];
	bool valid;
};
/* The JSON of the last entry with one sighting from its prefix length on
 * (every byte after the key), with what it was written from. */
#define REPORT_TAIL_MAX 384
struct report_tail {
	struct db_sighting s;
	unsigned prefix_len;
	uint32_t len; /* 0: none kept */
	char text[REPORT_TAIL_MAX];
};
struct report_renderer {
	const struct db *db;
	enum report_format fmt;
	enum report_detail detail;
	struct sd_buf store; /* the rendered parts */
	struct report_parts_slot slot[REPORT_PARTS_SLOTS];
	struct report_tail tail;
};

void report_renderer_init(struct report_renderer *r, const struct db *db,
			  enum report_format fmt, enum report_detail detail);
void report_renderer_answer(struct report_renderer *r, struct sd_buf *out,
			    const struct report_answer *a);
/* What report_renderer_answer writes for an address query whose text (len
 * bytes) is its canonical form, as report_answer_given_canonical takes
 * it, answered from a batched lookup: e its only covering entry
 * (db_cover_batch found 1), or NULL when nothing covers it. No answer is
 * filled: a bulk check writes millions of these. */
void report_renderer_address(struct report_renderer *r, struct sd_buf *out,
			     const struct net_prefix *q, const char *text, size_t len,
			     const struct db_entry *e);
void report_renderer_fini(struct report_renderer *r);

/* The CSV header row, newline included. */
void report_render_csv_header(struct sd_buf *out);
/* One answer, without keeping anything for the next. */
void report_render(struct sd_buf *out, const struct db *db, const struct report_answer *a,
		   enum report_format fmt, enum report_detail detail);
/* A query that could not be parsed: text (len bytes, not NUL-terminated,
 * kept as given) and why. Text: nothing (the error goes to stderr); CSV:
 * the text in the query column and "error" as listed; JSON:
 * {"query": text, "error": why}. */
void report_render_error(struct sd_buf *out, enum report_format fmt, const char *text,
			 size_t len, const char *why);

#endif
