/* What `report` and `notify` share: their common options, and loading the
 * snapshot(s), the owner registry and the ASN data, then grouping. */
#ifndef SD_CLI_OWNERS_LOAD_H
#define SD_CLI_OWNERS_LOAD_H

#include <stdbool.h>

#include "owners/group.h"

struct owners_job {
	const char *cmd;
	const char *owners_path, *asn_path, *since_path, *snap_path;
	long long max_errors; /* -1: no limit */
	struct db *snap, *since;
	struct owners_registry *reg;
	struct asn_db *asn;
	struct owners_index *ix;
	struct owners_group group;
};

/* Parses a --max-errors value: a count, or -1 / "unlimited". */
bool owners_job_max_errors(struct owners_job *j, const char *val);
/* Opens and loads everything, prints what went wrong; returns an exit
 * status (EXIT_OK to go on). */
int owners_job_load(struct owners_job *j);
/* True (with a message) if path lies inside dir: an output directory that
 * is replaced must not take an input with it. */
bool owners_job_inside(const struct owners_job *j, const char *dir);
void owners_job_free(struct owners_job *j);

#endif
