/* "1 prefix", "2 prefixes": summaries are read by people. */
#ifndef SD_CORE_PLURAL_H
#define SD_CORE_PLURAL_H

static inline const char *sd_plural(unsigned long long n, const char *one,
				    const char *many)
{
	return n == 1 ? one : many;
}

#endif
