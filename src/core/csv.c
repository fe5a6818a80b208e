#include "core/csv.h"
#include "core/error.h"

#include <stdbool.h>
#include <strings.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

long sd_csv_split(char *buf, size_t len, char sep, struct sd_field *fields, size_t max,
		  const char **why)
{
	size_t i = 0, nf = 0;
	for (;;) {
		/* leading blanks before an opening quote are tolerated, as
		 * spreadsheet exports produce `a, "b"` */
		size_t j = i;
		while (j < len && (buf[j] == ' ' || buf[j] == '\t'))
			j++;
		char *start;
		size_t flen;
		if (j < len && buf[j] == '"') {
			size_t r = j + 1;
			size_t w = r;
			for (;;) {
				if (r >= len) {
					*why = "unterminated quoted field";
					return SD_EPARSE;
				}
				if (buf[r] == '"') {
					if (r + 1 < len && buf[r + 1] == '"') {
						buf[w++] = '"';
						r += 2;
						continue;
					}
					r++;
					break;
				}
				buf[w++] = buf[r++];
			}
			start = buf + j + 1;
			flen = w - (j + 1);
			while (r < len && (buf[r] == ' ' || buf[r] == '\t'))
				r++;
			if (r < len && buf[r] != sep) {
				*why = "characters after a closing quote";
				return SD_EPARSE;
			}
			i = r;
		} else {
			size_t r = i;
			while (r < len && buf[r] != sep)
				r++;
			start = buf + i;
			flen = r - i;
			i = r;
		}
		if (nf < max) {
			fields[nf].s = start;
			fields[nf].len = flen;
		}
		nf++;
		if (i >= len)
			break;
		i++; /* separator */
	}
	return (long)nf;
}

void sd_field_trim(struct sd_field *f)
{
	while (f->len && is_space(f->s[0])) {
		f->s++;
		f->len--;
	}
	while (f->len && is_space(f->s[f->len - 1]))
		f->len--;
}

bool sd_field_is(const struct sd_field *f, const char *name)
{
	return f->len == strlen(name) && strncasecmp(f->s, name, f->len) == 0;
}

void sd_csv_columns(struct sd_field *h, size_t n, const struct sd_csv_name *names,
		    size_t nnames, unsigned match, int *pos, size_t ncols)
{
	for (size_t c = 0; c < ncols; c++)
		pos[c] = -1;
	for (size_t i = 0; i < n; i++) {
		struct sd_field *f = &h[i];
		if (match & SD_CSV_TRIM)
			sd_field_trim(f);
		for (size_t k = 0; k < nnames; k++) {
			const struct sd_csv_name *m = &names[k];
			bool is = match & SD_CSV_NOCASE
				      ? sd_field_is(f, m->name)
				      : f->len == strlen(m->name) &&
					    !memcmp(f->s, m->name, f->len);
			if (is && ((match & SD_CSV_LAST) || pos[m->column] < 0))
				pos[m->column] = (int)i;
		}
	}
}
