/* A bad line of an owners input (the owner registry, an ip2asn TSV file):
 * reported as "file:line: why" on stderr and counted; past --max-errors
 * the load stops. One place for the rule both loaders follow. */
#ifndef SD_OWNERS_BADLINE_H
#define SD_OWNERS_BADLINE_H

#include <stdint.h>

#include "core/error.h"

/* Reports and counts one bad line in *bad. max_errors: lines tolerated,
 * negative for no limit. Returns 0 to go on, or SD_EPARSE with err set
 * when this line is one too many. */
int owners_bad_line(const char *name, uint32_t line, const char *why, uint64_t *bad,
		    long long max_errors, struct sd_error *err);

#endif
