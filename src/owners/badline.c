#include "owners/badline.h"

#include <stdio.h>

int owners_bad_line(const char *name, uint32_t line, const char *why, uint64_t *bad,
		    long long max_errors, struct sd_error *err)
{
	fprintf(stderr, "%s:%u: %s\n", name, line, why);
	++*bad;
	if (max_errors >= 0 && *bad > (unsigned long long)max_errors)
		return sd_error_set(err, SD_EPARSE,
				    "%s: %llu bad lines (more than --max-errors %lld)",
				    name, (unsigned long long)*bad, max_errors);
	return 0;
}
