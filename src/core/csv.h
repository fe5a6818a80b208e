/* Splitting one CSV record (RFC 4180: quoted fields, "" inside quotes)
 * into fields, in place: quotes are removed and the fields are slices of
 * the caller's buffer. Line-oriented on purpose: a quoted field that spans
 * lines is reported as an error rather than read across records, which
 * keeps every reader streaming with a bounded line. */
#ifndef SD_CORE_CSV_H
#define SD_CORE_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct sd_field {
	char *s;
	size_t len;
};

/* Splits buf[0..len) on sep. Returns the number of fields (which may be
 * more than max: only max are stored), or SD_EPARSE with *why set for an
 * unterminated quote or junk after a closing quote. */
long sd_csv_split(char *buf, size_t len, char sep, struct sd_field *fields, size_t max,
		  const char **why);

/* Trims ASCII whitespace from both ends of a field. */
void sd_field_trim(struct sd_field *f);

/* True if the field is name, ignoring ASCII case: a header cell. */
bool sd_field_is(const struct sd_field *f, const char *name);

/* One accepted header name of a column: a table of these (several names
 * may share a column) tells sd_csv_columns what to look for. */
struct sd_csv_name {
	const char *name;
	int column; /* 0 .. ncols-1 */
};

/* How sd_csv_columns matches header cells to names. */
enum sd_csv_match {
	SD_CSV_NOCASE = 1, /* ignore ASCII case */
	SD_CSV_TRIM = 2,   /* trim the cells first (they stay trimmed) */
	SD_CSV_LAST = 4,   /* a column named twice: the last cell wins, not
			    * the first */
};

/* Resolves a header row: pos[c] (c < ncols) becomes the index of the cell
 * among h[0..n) that carries one of column c's names, -1 when none does. */
void sd_csv_columns(struct sd_field *h, size_t n, const struct sd_csv_name *names,
		    size_t nnames, unsigned match, int *pos, size_t ncols);

/* Bytes of a UTF-8 byte-order mark (what Windows tools and spreadsheets
 * write first) at the start of s[0..len): 3 or 0. */
static inline size_t sd_bom_len(const char *s, size_t len)
{
	return len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3) ? 3 : 0;
}

#endif
