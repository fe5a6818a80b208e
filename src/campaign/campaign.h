/* Campaign definitions: a small `key = value` file per campaign
 * (docs/campaign-format.md). The metadata goes into every snapshot that
 * sights the campaign; the indicator file list is for `sighted correlate`. */
#ifndef SD_CAMPAIGN_CAMPAIGN_H
#define SD_CAMPAIGN_CAMPAIGN_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define CAMPAIGN_MAX_FILES 64
#define CAMPAIGN_MAX_LIST 32 /* labels in one include or shared list */

struct campaign_def {
	char *name;
	char *title;
	char *advisory;
	char *remediation;
	uint32_t window_start, window_end; /* 0 means open */
	/* indicator files, resolved relative to the definition's directory */
	char *indicators[CAMPAIGN_MAX_FILES];
	size_t nindicators;
	/* include = a, b: only indicator rows labelled with one of these
	 * campaigns are taken from the files (rows without a label always
	 * are); empty: every row */
	char *include[CAMPAIGN_MAX_LIST];
	size_t ninclude;
	/* shared = host, address: shared infrastructure besides the built-in
	 * list, never matched as a host or address */
	char *shared[CAMPAIGN_MAX_LIST];
	size_t nshared;
	char *path; /* where it was loaded from */
};

/* Parses one definition file. Unknown keys are an error (a typo in
 * "window_end" must not silently widen a window). */
int campaign_load(const char *path, struct campaign_def *out, struct sd_error *err);
void campaign_free(struct campaign_def *c);

/* Finds NAME.conf in dir; with dir NULL, in the first directory of the
 * search path that has it. When dir names a file, that file is loaded and
 * must define the campaign name: SD_EUSAGE otherwise. */
int campaign_find(const char *dir, const char *name, struct campaign_def *out,
		  struct sd_error *err);

#define CAMPAIGN_MAX_PATH 4
/* The search path when no --campaigns is given, in order:
 * $SIGHTED_CAMPAIGNS, /etc/sighted/campaigns, the installed
 * $(PREFIX)/share/sighted/campaigns (compiled in), and data/campaigns (a
 * source checkout, relative to the working directory). Returns how many
 * were stored in dirs. Documented in docs/campaign-format.md and the man
 * page. */
size_t campaign_search_path(const char *dirs[CAMPAIGN_MAX_PATH]);

/* The --campaigns default: NULL, meaning the search path. */
const char *campaign_default_dir(void);

#endif
