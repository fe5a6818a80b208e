/* Merging snapshots: every sighting of every input is added to one builder,
 * whose combination rule (db/sighting.h) is associative and commutative,
 * so shards built apart can be joined in any grouping and order. */
#ifndef SD_DB_MERGE_H
#define SD_DB_MERGE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "db/builder.h"
#include "db/db.h"

/* Adds all of db's campaigns, sightings and inputs to b. */
int db_merge_into(struct db_builder *b, const struct db *db, struct sd_error *err);

/* Checks that no input was read into two of the n snapshots (they would be
 * counted twice). Without dedupe a shared input is an error naming it
 * (SD_EDUPLICATE); with dedupe a snapshot whose inputs are all inputs of
 * another is skipped (skip[i] set), whichever order they came in; a
 * partial overlap is still an error. */
int db_merge_plan(struct db *const *dbs, size_t n, bool dedupe, bool *skip,
		  struct sd_error *err);

#endif
