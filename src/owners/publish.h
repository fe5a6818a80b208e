/* The report directory of `sighted report` (docs/report.md):
 *   .sighted-output       the marker (owners/outdir.h): a sighted report
 *   summary.json          snapshot content ids, counts
 *   index.csv             every owner with its counts and files
 *   unowned-by-as.csv     sightings no owner covers, per AS
 *   owners/ID.csv, .jsonl one pair per owner with sightings
 * Deterministic: the same inputs give the same bytes. */
#ifndef SD_OWNERS_PUBLISH_H
#define SD_OWNERS_PUBLISH_H

#include "owners/group.h"

int owners_publish(const char *dir, const struct db *snap, const struct db *since,
		   const struct owners_registry *r, const struct asn_db *asn,
		   const struct owners_group *g, struct sd_error *err);

#endif
