/* Building the indicator set a correlation runs with: a campaign
 * definition's indicator files (with its include and shared lists) plus
 * any files named on the command line. Shared by `sighted indicators` and
 * `sighted correlate`, so both load exactly the same set. */
#ifndef SD_CORRELATE_INDSET_H
#define SD_CORRELATE_INDSET_H

#include <stddef.h>

#include "campaign/campaign.h"
#include "core/error.h"
#include "indicators/indicators.h"
#include "indicators/load.h"

/* Loads def's files (def may be NULL) and then files[0..nfiles) into a new
 * compiled set. base gives the format, source, misp_all and report
 * callback; include/shared come from def. A file that cannot be read or
 * parsed stops the load with an error naming it. */
int corr_indset_load(const struct campaign_def *def, const char *const *files,
		     size_t nfiles, const struct ind_load_opts *base,
		     struct ind_set **out, struct sd_error *err);

/* One line: "N network indicators (a addresses, ...), unusable: ...". */
size_t corr_indset_summary(const struct ind_set *set, char *buf, size_t size);

#endif
