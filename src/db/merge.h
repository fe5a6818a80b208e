/* Merging snapshots: every sighting of every input is added to one builder,
 * whose combination rule (db/sighting.h) is associative and commutative,
 * so shards built apart can be joined in any grouping and order. */
#ifndef SD_DB_MERGE_H
#define SD_DB_MERGE_H

#include "core/error.h"
#include "db/builder.h"
#include "db/db.h"

/* Adds all of db's campaigns and sightings to b. */
int db_merge_into(struct db_builder *b, const struct db *db, struct sd_error *err);

#endif
