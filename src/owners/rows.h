/* An owner's sightings as CSV (with a header) or JSON Lines: the per-owner
 * report files and the attachment of a notification, byte for byte. */
#ifndef SD_OWNERS_ROWS_H
#define SD_OWNERS_ROWS_H

#include <stdio.h>

#include "owners/group.h"

#define OWNERS_CSV_HEADER                                                                \
	"prefix,asn,as_name,change,campaign,first_seen,last_seen,count,evidence,"        \
	"confidence,sources\r\n"

enum owners_rows_format { OWNERS_ROWS_CSV, OWNERS_ROWS_JSONL };

/* Writes the header (CSV) and one line per hit. Returns 0 or SD_EIO. */
int owners_rows_write(FILE *fp, enum owners_rows_format fmt, const struct db *snap,
		      const struct asn_db *asn, const struct owners_hit *hits, size_t n);

#endif
