/* Plain indicator lists: one value per line (or several separated by
 * blanks), `#` comments, `value;comment` as in LOKI/signature-base lists,
 * defanged forms undone. The type of each value is detected. */
#include <ctype.h>
#include <string.h>

#include "core/csv.h"
#include "indicators/load.h"
#include "indicators/load_util.h"

int ind_load_plain(struct ind_set *set, const char *buf, size_t len, const char *name,
		   const struct ind_load_opts *opt, struct sd_error *err)
{
	const char *source = ind_source_label(opt, name);
	const char *campaign = opt ? opt->campaign : NULL;
	const char *p = buf, *end = buf + len;
	unsigned long line = 0;
	p += sd_bom_len(p, len);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		line++;
		const char *s = p;
		p = nl ? nl + 1 : end;
		while (s < le && isspace((unsigned char)*s))
			s++;
		if (s == le || *s == '#')
			continue;
		/* the value ends at a ';' comment or a " #" comment */
		const char *e = s;
		while (e < le && *e != ';' &&
		       !(*e == '#' && e > s && isspace((unsigned char)e[-1])))
			e++;
		while (s < e) {
			while (s < e && isspace((unsigned char)*s))
				s++;
			const char *t = s;
			while (t < e && !isspace((unsigned char)*t))
				t++;
			if (t > s) {
				int rc = ind_add_value(set, opt, name, line, NULL, s,
						       (size_t)(t - s), campaign, source,
						       0, 0);
				if (rc)
					return sd_error_set(err, rc, "out of memory");
			}
			s = t;
		}
	}
	return 0;
}
