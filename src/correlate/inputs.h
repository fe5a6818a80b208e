/* Which inputs of a correlate run are the same input given twice, and
 * their identities (io/ident.h) for the snapshot's provenance. Identities
 * are normally computed while the files are read (no second pass); only
 * files of equal size, which might be copies of one another, are hashed
 * before the run so that a copy is read once. */
#ifndef SD_CORRELATE_INPUTS_H
#define SD_CORRELATE_INPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "io/ident.h"

#define CORR_NOT_DUP SIZE_MAX

/* For the n paths (each read over [start, end), UINT64_MAX: to the end):
 * dup[k] = the earlier input k repeats (the same file, or the same content)
 * or CORR_NOT_DUP; have[k] and ids[k] set for the inputs hashed on the way.
 * Inputs that are not regular files (stdin "-", pipes) are never
 * duplicates. Returns 0 or the error of a file that cannot be read. */
int corr_inputs_dedupe(const char *const *paths, size_t n, uint64_t start, uint64_t end,
		       size_t *dup, struct io_ident *ids, bool *have,
		       struct sd_error *err);

#endif
