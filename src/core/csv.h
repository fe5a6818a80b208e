/* Splitting one CSV record (RFC 4180: quoted fields, "" inside quotes)
 * into fields, in place: quotes are removed and the fields are slices of
 * the caller's buffer. Line-oriented on purpose: a quoted field that spans
 * lines is reported as an error rather than read across records, which
 * keeps every reader streaming with a bounded line. */
#ifndef SD_CORE_CSV_H
#define SD_CORE_CSV_H

#include <stddef.h>
#include <stdio.h>

struct sd_field {
	char *s;
	size_t len;
};

/* Splits buf[0..len) on sep. Returns the number of fields (which may be
 * more than max: only max are stored), or -1 with *why set for an
 * unterminated quote or junk after a closing quote. */
long sd_csv_split(char *buf, size_t len, char sep, struct sd_field *fields, size_t max,
		  const char **why);

/* Trims ASCII whitespace from both ends of a field. */
void sd_field_trim(struct sd_field *f);

#endif
