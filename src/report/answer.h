/* The answer to one check query as plain data: the entries covering the
 * query and, for a prefix, those inside it. It is what every renderer of
 * a check answer (report/render.h; report_lookup's JSON document) reads, so
 * text, CSV and JSON are all written from the same structure. */
#ifndef SD_REPORT_ANSWER_H
#define SD_REPORT_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "db/db.h"
#include "net/addr.h"

struct report_answer {
	struct net_prefix query; /* canonical: printed as "canonical" */
	/* the query as written (not NUL-terminated), printed as "query";
	 * NULL when there is no text (the caller's own address): then the
	 * canonical form stands for it. The lookup functions reset it; set it
	 * afterwards with report_answer_given. */
	const char *given;
	size_t given_len;
	/* given is the canonical form itself (report_answer_given_canonical):
	 * renderers print it without formatting the query again */
	bool given_canonical;
	bool listed;
	size_t nmatches; /* covering entries, most specific first */
	struct db_entry matches[SD_MAX_CHECK_HITS];
	/* a prefix query only: entries inside it (the prefix itself included),
	 * the first ninside of inside_count */
	uint64_t inside_count;
	size_t ninside, inside_cap;
	struct db_entry *inside;
};

/* Looks q up. max_inside bounds the entries kept from inside a prefix.
 * The answer may be reused for the next query (its inside array is kept);
 * report_answer_free releases it. Returns 0 or SD_ENOMEM. */
int report_answer_lookup(const struct db *db, const struct net_prefix *q,
			 size_t max_inside, struct report_answer *a);
/* The answer for an address already known (from db_contains_batch) to be
 * covered by no entry: no lookup is made. */
void report_answer_unlisted(const struct net_prefix *q, struct report_answer *a);
/* The answer for an address whose only covering entry is known (from
 * db_cover_batch, found 1): no lookup is made. */
void report_answer_found(const struct net_prefix *q, const struct db_entry *e,
			 struct report_answer *a);
void report_answer_free(struct report_answer *a);

static inline void report_answer_given(struct report_answer *a, const char *text,
				       size_t len)
{
	a->given = text;
	a->given_len = len;
	a->given_canonical = false;
}

/* report_answer_given for text the caller knows is the query's canonical
 * form, byte for byte (an IPv4 address written as a plain dotted quad,
 * which is the only way net_addr_parse accepts one). */
static inline void report_answer_given_canonical(struct report_answer *a,
						 const char *text, size_t len)
{
	report_answer_given(a, text, len);
	a->given_canonical = true;
}

#endif
