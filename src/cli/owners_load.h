/* What `report` and `notify` share: their common options, and loading the
 * snapshot(s), the owner registry and the ASN data, then grouping. */
#ifndef SD_CLI_OWNERS_LOAD_H
#define SD_CLI_OWNERS_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "owners/group.h"

struct owners_job {
	const char *cmd;
	const char *owners_path, *asn_path, *since_path, *snap_path;
	uint64_t max_errors; /* cli_parse_max_errors: UINT64_MAX is no limit */
	struct db *snap, *since;
	struct owners_registry *reg;
	struct asn_db *asn;
	struct owners_index *ix;
	struct owners_group group;
};

/* The input files given (snapshot, --since, --owners, --asn-db) into
 * paths, for cli_check_files; returns how many. */
#define OWNERS_JOB_MAX_INPUTS 4
size_t owners_job_inputs(const struct owners_job *j,
			 const char *paths[OWNERS_JOB_MAX_INPUTS]);
/* Opens and loads everything, prints what went wrong; returns an exit
 * status (EXIT_OK to go on). */
int owners_job_load(struct owners_job *j);
/* True (with a message) if an input of j, or one of the nmore other
 * files the command reads or writes (notify's --state, --netrc), lies
 * inside dir: an output directory that is replaced must not take one
 * with it. A file that does not exist yet counts by its directory. */
bool owners_job_inside(const struct owners_job *j, const char *dir,
		       const char *const *more, size_t nmore);
void owners_job_free(struct owners_job *j);

#endif
