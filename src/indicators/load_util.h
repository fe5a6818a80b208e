/* Helpers shared by the indicator loaders (not part of the public face). */
#ifndef SD_INDICATORS_LOAD_UTIL_H
#define SD_INDICATORS_LOAD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "indicators/indicators.h"
#include "indicators/load.h"

/* Reports through opt->report: where is "name:line" (line 0: just name,
 * or the label given in obj when not NULL). */
void ind_report(const struct ind_load_opts *opt, const char *name, unsigned long line,
		const char *obj, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Refangs text, detects its type and adds it; counts and reports what is
 * a hash, shared infrastructure or malformed. Returns 0, or SD_ENOMEM. */
int ind_add_value(struct ind_set *set, const struct ind_load_opts *opt, const char *name,
		  unsigned long line, const char *obj, const char *text, size_t len,
		  const char *campaign, const char *source, int64_t valid_from,
		  int64_t valid_until);

/* What a type label from a CSV, MISP or feed says about its value. */
enum ind_type_class {
	IND_TYPE_NETWORK,     /* an address, prefix, domain or URL */
	IND_TYPE_HASH,	      /* a file hash: counted, not usable */
	IND_TYPE_UNSUPPORTED, /* anything else (email, mutex, ...) */
};
enum ind_type_class ind_type_classify(const char *type, size_t len);

/* True when s[0..n) is one of the NULL-ended list, ignoring case. */
bool ind_word_in(const char *s, size_t n, const char *const *list);

/* True when campaign passes the include list of opt. */
bool ind_included(const struct ind_load_opts *opt, const char *campaign, size_t len);

/* The source label for a file: opt->source or the base name of path. */
const char *ind_source_label(const struct ind_load_opts *opt, const char *path);

#endif
