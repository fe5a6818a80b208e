/* Reading an indicator file whole, detecting its format and handing it to
 * the loader of that format (the loaders' shared helpers: load_util.c). */
#include "indicators/load.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "indicators/load_util.h"
#include "io/source.h"

static const char *skip_bom_space(const char *s, const char *end)
{
	if (end - s >= 3 && (unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbb &&
	    (unsigned char)s[2] == 0xbf)
		s += 3;
	while (s < end && isspace((unsigned char)*s))
		s++;
	return s;
}

enum ind_format ind_format_detect(const char *buf, size_t len)
{
	const char *end = buf + len, *s = skip_bom_space(buf, end);
	if (s < end && (*s == '{' || *s == '[')) {
		/* MISP events carry "Event" (or "Attribute" lists); STIX
		 * bundles and objects carry "type" and "spec_version" or
		 * "objects". Only the first 64 KiB are looked at. */
		size_t n = (size_t)(end - s) > 65536 ? 65536 : (size_t)(end - s);
		if (memmem(s, n, "\"Event\"", 7) || memmem(s, n, "\"Attribute\"", 11))
			return IND_FMT_MISP;
		return IND_FMT_STIX;
	}
	/* first line that is not a comment or blank */
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		if (*s != '#') {
			const char *comma = memchr(s, ',', (size_t)(le - s));
			if (!comma)
				return IND_FMT_PLAIN;
			static const char *const heads[] = {"type",
							    "value",
							    "indicator",
							    "data",
							    "ioc",
							    "entity_type",
							    "indicator_type",
							    "domain",
							    "hostname",
							    "url",
							    NULL};
			/* a header row names a known column */
			const char *f = s;
			while (f < le) {
				const char *fe = memchr(f, ',', (size_t)(le - f));
				if (!fe)
					fe = le;
				const char *a = f, *z = fe;
				while (a < z && (isspace((unsigned char)*a) || *a == '"'))
					a++;
				while (z > a &&
				       (isspace((unsigned char)z[-1]) || z[-1] == '"'))
					z--;
				if (ind_word_in(a, (size_t)(z - a), heads))
					return IND_FMT_CSV;
				f = fe + 1;
			}
			return IND_FMT_PLAIN;
		}
		s = skip_bom_space(le, end);
	}
	return IND_FMT_PLAIN;
}

static const char *const fmt_names[] = {"auto", "plain", "csv", "stix", "misp"};

int ind_format_parse(const char *name)
{
	for (int i = 0; i < 5; i++)
		if (!strcmp(name, fmt_names[i]))
			return i;
	return SD_EFORMAT;
}

int ind_load_file(struct ind_set *set, const char *path, const struct ind_load_opts *opt,
		  struct sd_error *err)
{
	struct io_source *src;
	int rc = io_open(path, &src, err);
	if (rc)
		return rc;
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	if (!buf) {
		io_close(src);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	for (;;) {
		if (cap - len < 65536) {
			if (cap >= IND_MAX_FILE) {
				rc = sd_error_set(
				    err, SD_ELIMIT,
				    "%s: larger than IND_MAX_FILE (%u bytes)", path,
				    IND_MAX_FILE);
				break;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				rc = sd_error_set(err, SD_ENOMEM, "out of memory");
				break;
			}
			buf = nb;
			cap *= 2;
		}
		long r = io_read(src, buf + len, cap - len - 1, err);
		if (r < 0) {
			rc = (int)r;
			break;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	io_close(src);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[len] = '\0';
	enum ind_format f =
	    opt && opt->format ? opt->format : ind_format_detect(buf, len);
	switch (f) {
	case IND_FMT_CSV:
		rc = ind_load_csv(set, buf, len, path, opt, err);
		break;
	case IND_FMT_STIX:
		rc = ind_load_stix(set, buf, len, path, opt, err);
		break;
	case IND_FMT_MISP:
		rc = ind_load_misp(set, buf, len, path, opt, err);
		break;
	default:
		rc = ind_load_plain(set, buf, len, path, opt, err);
		break;
	}
	free(buf);
	return rc;
}
