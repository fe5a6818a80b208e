#include "server/check_body.h"

#include <stdlib.h>

#include "core/buf.h"
#include "report/answer.h"
#include "report/render.h"

#define PUT(out, lit) sd_buf_put(out, lit, sizeof(lit) - 1)

/* Most answers fit: the snapshot object plus an entry or two. */
#define FIRST_GUESS 512

char *srv_check_body(const struct srv_snap *s, const struct net_prefix *q,
		     const char *given, size_t given_len, enum report_detail detail,
		     size_t max_inside, size_t *len)
{
	/* on the stack: calloc'ing its match array for every request cost
	 * more than the lookup */
	struct report_answer a;
	a.inside = NULL;
	a.inside_cap = 0;
	/* sized to the answer rather than sd_buf's first 4 KiB: a small
	 * block comes from malloc's per-thread cache */
	struct sd_buf b = {0};
	b.cap = s->snapshot_len + FIRST_GUESS;
	b.data = malloc(b.cap);
	if (!b.data || report_answer_lookup(s->db, q, max_inside, &a) != 0) {
		report_answer_free(&a);
		sd_buf_free(&b);
		return NULL;
	}
	if (given)
		report_answer_given(&a, given, given_len);
	PUT(&b, "{\"snapshot\":");
	if (s->snapshot_json)
		sd_buf_put(&b, s->snapshot_json, s->snapshot_len);
	else
		PUT(&b, "null");
	PUT(&b, ",\"result\":");
	report_render(&b, s->db, &a, REPORT_JSON, detail);
	report_answer_free(&a);
	/* the rendered line ends "}\n": close the outer object before it */
	if (b.failed || !b.len || b.data[b.len - 1] != '\n') {
		sd_buf_free(&b);
		return NULL;
	}
	b.len--;
	PUT(&b, "}\n");
	if (b.failed) {
		sd_buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return b.data;
}
