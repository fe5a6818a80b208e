/* The bulk check's row for an address answered from a batched lookup
 * (report_renderer_address: the entry db_cover_batch says is the only
 * one covering it, or none) against the general path on arbitrary
 * snapshot images: the answer filled by report_answer_lookup and written
 * by report_render, in text, CSV and JSON, and the JSON against jansson's
 * dump of report_lookup's document. For every key of the image, its
 * neighbours and a few fixed addresses, through one renderer per form
 * (its caches of parts and days carried from row to row, as in a stream).
 * As in fuzz_db, an odd first byte recomputes the checksum so mutations
 * reach the structural checks. */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "db/db.h"
#include "db/format.h"
#include "fuzz_db_image.h"
#include "report/answer.h"
#include "report/render.h"
#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXPROBES 512

static bool same(const struct sd_buf *a, const struct sd_buf *b)
{
	return !a->failed && !b->failed && a->len == b->len &&
	       (!a->len || !memcmp(a->data, b->data, a->len));
}

/* The JSON row is jansson's compact ASCII dump and a newline. Not where a
 * string of the image is not UTF-8: the renderer writes each such byte as
 * \uFFFD (as report_render always has), while jansson refuses the string
 * and report_lookup's document leaves it out. */
static bool janssons(const struct db *db, const struct net_prefix *h, const char *text,
		     size_t len, const struct sd_buf *row)
{
	if (memmem(row->data, row->len, "\\uFFFD", 6))
		return true;
	json_t *doc =
	    report_lookup_query(db, h, text, len, REPORT_FULL, REPORT_MAX_INSIDE);
	if (!doc)
		return true; /* out of memory: nothing to compare */
	char *want = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(doc);
	if (!want)
		return true;
	size_t n = strlen(want);
	bool ok =
	    row->len == n + 1 && !memcmp(row->data, want, n) && row->data[n] == '\n';
	free(want);
	return ok;
}

static void probe(const struct db *db, struct report_renderer r[3],
		  struct report_answer *a, const struct net_addr *addr,
		  const struct db_entry *e, uint8_t found)
{
	if (found == 2)
		return; /* check asks db_cover: the general path */
	struct net_prefix h;
	net_prefix_host(&h, addr);
	char text[NET_PREFIX_STRLEN];
	size_t len = report_format_prefix(&h, text, sizeof(text));
	if (report_answer_lookup(db, &h, REPORT_MAX_INSIDE, a))
		return;
	if ((size_t)found != a->nmatches)
		abort(); /* found 1: the only one; 0: none */
	report_answer_given_canonical(a, text, len);
	for (int f = REPORT_TEXT; f <= REPORT_JSON; f++) {
		struct sd_buf got = {0}, want = {0};
		report_renderer_address(&r[f], &got, &h, text, len, found ? e : NULL);
		report_render(&want, db, a, (enum report_format)f, REPORT_FULL);
		if (!got.failed && !want.failed &&
		    (!same(&got, &want) ||
		     (f == REPORT_JSON && !janssons(db, &h, text, len, &got))))
			abort();
		sd_buf_free(&got);
		sd_buf_free(&want);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n;
	unsigned char *buf = fuzz_db_image(data, size, &n);
	if (!buf)
		return 0;
	struct db *db;
	struct sd_error err = {0};
	static struct net_addr addrs[MAXPROBES];
	struct fuzz_probes p = {addrs, 0, MAXPROBES};
	static struct db_entry entry[MAXPROBES];
	static uint8_t found[MAXPROBES];
	struct report_answer *a = calloc(1, sizeof(*a));
	if (a && db_open_buffer(buf, n, &db, &err) == 0) {
		fuzz_probes_fill(&p, db);
		db_cover_batch(db, p.a, p.n, entry, found);
		struct report_renderer r[3];
		for (int f = REPORT_TEXT; f <= REPORT_JSON; f++)
			report_renderer_init(&r[f], db, (enum report_format)f,
					     REPORT_FULL);
		for (size_t i = 0; i < p.n; i++)
			probe(db, r, a, &p.a[i], &entry[i], found[i]);
		for (int f = REPORT_TEXT; f <= REPORT_JSON; f++)
			report_renderer_fini(&r[f]);
		db_close(db);
	}
	if (a)
		report_answer_free(a);
	free(a);
	free(buf);
	return 0;
}
