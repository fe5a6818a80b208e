/* The inside of the snapshot builder, shared by builder.c (what is added),
 * builder_sort.c (sorting and combining) and builder_write.c (assembling
 * and writing the snapshot). Not for use outside src/db/. */
#ifndef SD_DB_BUILDER_IMPL_H
#define SD_DB_BUILDER_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/intern.h"
#include "db/builder.h"
#include "db/format.h"
#include "io/ident.h"

/* A sighting of anything but an IPv4 address or prefix. */
struct item {
	uint64_t hi, lo;
	uint32_t first, last, count, set;
	uint16_t campaign;
	uint8_t plen, evidence, confidence;
};

/* The order of items' prefixes: by length, most specific first, then by
 * address; the tables are written in it. */
static inline int db_item_cmp_prefix(const struct item *a, const struct item *b)
{
	if (a->plen != b->plen)
		return a->plen > b->plen ? -1 : 1;
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

/* A sighting of an IPv4 address or prefix, the bulk of a large build, in
 * 20 bytes instead of an item's 48: the prefix length is the array it is
 * held in, and campaign, evidence, confidence and sources are one interned
 * attribute (a list gives the same four on every line). */
struct v4rec {
	uint32_t addr, first, last, count, attr;
};

/* Sorted runs an array may hold before two are merged regardless of size:
 * runs are merged while the older is at most twice the newer, so their
 * sizes fall geometrically and this many is never reached below 2^40. */
#define SORTED_RUNS_MAX 48

/* The settled front of an array of records: n sorted runs, run k ending at
 * end[k]. Each holds one record per key and campaign, and no key and
 * campaign is in two runs, so the runs merge without combining. */
struct sorted_runs {
	size_t end[SORTED_RUNS_MAX];
	unsigned n;
};

/* The IPv4 sightings of one prefix length: v[0..sorted) is settled into
 * runs, v[sorted..n) is not sorted yet. */
struct v4vec {
	struct v4rec *v;
	size_t n, cap, sorted;
	struct sorted_runs runs;
};

struct campaign {
	uint32_t name, title, advisory, remediation; /* string ids */
	uint32_t window_start, window_end;
};

struct db_builder {
	struct sd_intern *strings;
	struct sd_intern *names; /* campaign name -> campaign id */
	struct sd_intern *sets;	 /* sorted string-id arrays */
	struct sd_intern *attrs; /* struct db_attr_rec of the v4 records */
	struct db_attr_rec last_attr;
	uint32_t last_attr_id; /* of last_attr, when have_last_attr */
	bool have_last_attr;
	bool written; /* db_builder_write took the records */
	struct campaign *campaigns;
	size_t ncampaigns, cap_campaigns;
	struct v4vec v4[33]; /* by prefix length */
	struct item *items;  /* [0..sorted_items) settled into item_runs */
	size_t nitems, cap_items, sorted_items;
	struct sorted_runs item_runs;
	size_t nheld; /* records held, v4 and items, for SD_MAX_ENTRIES */
	struct binput {
		uint32_t label; /* string id */
		char *text;	/* the label, NUL-terminated */
		struct io_ident id;
	} * inputs;
	size_t ninputs, cap_inputs;
};

/* qsort_r comparison of two string ids (ctx: the builder's strings) by
 * their bytes: the content order every written table follows. */
int db_builder_cmp_string(const void *a, const void *b, void *ctx);

/* Asks for huge pages under the whole 2 MiB spans of p[0..bytes). */
void db_builder_huge_pages(void *p, size_t bytes);

/* The attribute of a v4 record, interned (SD_ENOMEM). */
int db_builder_attr(struct db_builder *b, const struct db_attr_rec *a, uint32_t *id);

/* Folds it into into, both of one prefix and campaign (the rule of
 * builder.h: db_sighting_combine, and the union of their sources);
 * SD_ENOMEM. */
int db_builder_combine_item(struct db_builder *b, struct item *into,
			    const struct item *it);

/* Sorts what was added to v since the last settle and combines the
 * records of one address and campaign (the rule of builder.h), so that
 * v->sorted == v->n. A small addition to a large v is combined into the
 * runs it meets and kept as a run of its own, so that settling after each
 * of many small inputs does not pass over everything held each time;
 * `whole` leaves one run sorted by address, then campaign, as the writer
 * needs. */
int db_builder_settle_v4(struct db_builder *b, struct v4vec *v, bool whole);

/* Sorts the items added since the last settle by (length, most specific
 * first; address; campaign) and combines those of one prefix and campaign,
 * with the items held as db_builder_settle_v4 does. */
int db_builder_settle_items(struct db_builder *b);

#endif
