/* Input provenance (the INPUTS section, docs/db-format.md): the files or
 * byte ranges a snapshot's sightings were read from, in canonical order,
 * and the rules `merge` applies to them. */
#ifndef SD_DB_INPUTS_H
#define SD_DB_INPUTS_H

#include <stdbool.h>
#include <stddef.h>

#include "io/ident.h"

struct db_input {
	const char *label;
	struct io_ident id;
};

/* Canonical order: head, size, start, end, content, then label text. */
int db_input_cmp(const struct db_input *a, const struct db_input *b);

/* Sorts in[0, n), drops exact repeats and joins the contiguous ranges of
 * one file under one label ([a, b) and [b, c) become [a, c), contents
 * added), so that the shards of a file read by range end up with the
 * identity of the whole file. Returns the new count. */
size_t db_inputs_canonical(struct db_input *in, size_t n);

/* Whether a and b are the same input read twice, or share bytes: the same
 * file (size and head) with overlapping ranges, unless the ranges are equal
 * and the contents differ (two files that only begin alike). */
bool db_inputs_overlap(const struct io_ident *a, const struct io_ident *b);

#endif
