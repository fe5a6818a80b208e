#include "report/answer.h"

#include <stdlib.h>

#include "core/error.h"

struct inside_ctx {
	struct report_answer *a;
	size_t max;
	bool oom;
};

static int keep_inside(const struct db_entry *e, void *p)
{
	struct inside_ctx *c = p;
	struct report_answer *a = c->a;
	if (a->ninside >= c->max)
		return 1;
	if (a->ninside == a->inside_cap) {
		size_t cap = a->inside_cap ? 2 * a->inside_cap : 16;
		if (cap > c->max)
			cap = c->max;
		struct db_entry *n = realloc(a->inside, cap * sizeof(*n));
		if (!n) {
			c->oom = true;
			return 1;
		}
		a->inside = n;
		a->inside_cap = cap;
	}
	a->inside[a->ninside++] = *e;
	return 0;
}

int report_answer_lookup(const struct db *db, const struct net_prefix *q,
			 size_t max_inside, struct report_answer *a)
{
	a->query = *q;
	a->given = NULL;
	a->given_len = 0;
	a->given_canonical = false;
	a->ninside = 0;
	a->inside_count = 0;
	size_t n = db_cover(db, q, a->matches, SD_MAX_CHECK_HITS);
	a->nmatches = n < SD_MAX_CHECK_HITS ? n : SD_MAX_CHECK_HITS;
	a->listed = a->nmatches > 0;
	if (q->len < 128) {
		struct inside_ctx c = {a, max_inside, false};
		a->inside_count = db_range_count(db, q);
		db_range(db, q, keep_inside, &c, NULL);
		if (c.oom)
			return SD_ENOMEM;
		a->listed = a->listed || a->inside_count > 0;
	}
	return 0;
}

void report_answer_unlisted(const struct net_prefix *q, struct report_answer *a)
{
	a->query = *q;
	a->given = NULL;
	a->given_len = 0;
	a->given_canonical = false;
	a->listed = false;
	a->nmatches = 0;
	a->ninside = 0;
	a->inside_count = 0;
}

void report_answer_found(const struct net_prefix *q, const struct db_entry *e,
			 struct report_answer *a)
{
	report_answer_unlisted(q, a);
	a->listed = true;
	a->nmatches = 1;
	a->matches[0] = *e;
}

void report_answer_free(struct report_answer *a)
{
	free(a->inside);
	a->inside = NULL;
	a->ninside = a->inside_cap = 0;
}
