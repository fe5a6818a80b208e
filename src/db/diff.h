/* What changed between two snapshots, per key and campaign, found by one
 * streaming merge of the two in snapshot order (no index is built and
 * nothing is held in memory beyond the current pair of entries). Shared by
 * `sighted diff`, `report --since`, `notify --since` and the server's
 * change history. */
#ifndef SD_DB_DIFF_H
#define SD_DB_DIFF_H

#include <stdint.h>

#include "db/db.h"

enum db_change {
	DB_CHANGE_ADDED = 0,
	DB_CHANGE_REMOVED = 1,
	DB_CHANGE_CHANGED = 2,
};

/* Fields of a sighting that differ (bits of db_diff_item.what). */
enum db_diff_field {
	DB_DIFF_FIRST = 1 << 0,
	DB_DIFF_LAST = 1 << 1,
	DB_DIFF_COUNT = 1 << 2,
	DB_DIFF_EVIDENCE = 1 << 3,
	DB_DIFF_CONFIDENCE = 1 << 4,
	DB_DIFF_SOURCES = 1 << 5,
};

struct db_diff_item {
	enum db_change change;
	struct net_prefix prefix;
	const char *campaign; /* the campaign's name */
	/* the sides present: old for removed/changed, new for added/changed;
	 * entries and sighting indexes refer to their own snapshot */
	const struct db_entry *old_entry, *new_entry;
	uint32_t old_i, new_i;
	struct db_sighting old_s, new_s;
	unsigned what; /* enum db_diff_field bits, for a change */
};

struct db_diff_stats {
	uint64_t added, removed, changed, same;
};

/* Calls fn for every difference, in snapshot order. old may be NULL: then
 * everything in new is added. fn returns non-zero to stop; that value is
 * returned. stats, if not NULL, is filled. */
typedef int (*db_diff_fn)(const struct db_diff_item *d, void *ctx);
int db_diff(const struct db *old, const struct db *new, db_diff_fn fn, void *ctx,
	    struct db_diff_stats *stats);

/* "count,last_seen" style list of the fields in what. */
size_t db_diff_fields_format(unsigned what, char *buf, size_t size);
const char *db_change_name(enum db_change c);

#endif
