/* Reading an indicator file whole, detecting its format, and the helpers
 * every loader shares (refanging, type classes, reports). */
#include "indicators/load.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/refang.h"
#include "indicators/load_util.h"
#include "io/source.h"

void ind_report(const struct ind_load_opts *opt, const char *name, unsigned long line,
		const char *obj, const char *kind, const char *fmt, ...)
{
	if (!opt || !opt->report)
		return;
	char where[512], why[512];
	if (obj)
		snprintf(where, sizeof(where), "%s: %s", name, obj);
	else if (line)
		snprintf(where, sizeof(where), "%s:%lu", name, line);
	else
		snprintf(where, sizeof(where), "%s", name);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	opt->report(opt->report_ctx, where, kind, why);
}

/* Invisible marks that copy-paste leaves around values (U+200E/U+200F,
 * U+FEFF, no-break space). */
static size_t strip_marks(const char *s, size_t n, size_t *start)
{
	size_t b = 0;
	for (;;) {
		if (b < n && isspace((unsigned char)s[b]))
			b++;
		else if (n - b >= 3 && (unsigned char)s[b] == 0xe2 &&
			 (unsigned char)s[b + 1] == 0x80 &&
			 ((unsigned char)s[b + 2] == 0x8e ||
			  (unsigned char)s[b + 2] == 0x8f))
			b += 3;
		else if (n - b >= 3 && (unsigned char)s[b] == 0xef &&
			 (unsigned char)s[b + 1] == 0xbb &&
			 (unsigned char)s[b + 2] == 0xbf)
			b += 3;
		else
			break;
	}
	for (;;) {
		if (n > b && isspace((unsigned char)s[n - 1]))
			n--;
		else if (n - b >= 3 && (unsigned char)s[n - 3] == 0xe2 &&
			 (unsigned char)s[n - 2] == 0x80 &&
			 ((unsigned char)s[n - 1] == 0x8e ||
			  (unsigned char)s[n - 1] == 0x8f))
			n -= 3;
		else if (n - b >= 2 && (unsigned char)s[n - 2] == 0xc2 &&
			 (unsigned char)s[n - 1] == 0xa0)
			n -= 2;
		else
			break;
	}
	*start = b;
	return n - b;
}

/* False only when sd_refang would leave text as it is: no bracket,
 * backslash or '*', and no hxxp/fxp word. */
static bool maybe_defanged(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '[' || c == '(' || c == '{' || c == '\\' || c == '*')
			return true;
		if ((c == 'x' || c == 'X') && i > 0 &&
		    (s[i - 1] == 'h' || s[i - 1] == 'H' || s[i - 1] == 'f' ||
		     s[i - 1] == 'F'))
			return true;
	}
	return false;
}

int ind_add_value(struct ind_set *set, const struct ind_load_opts *opt, const char *name,
		  unsigned long line, const char *obj, const char *text, size_t len,
		  const char *campaign, const char *source, int64_t valid_from,
		  int64_t valid_until)
{
	size_t b;
	len = strip_marks(text, len, &b);
	text += b;
	char buf[IND_MAX_VALUE];
	struct ind_stats *st = ind_set_stats(set);
	long n;
	if (!maybe_defanged(text, len) && len < sizeof(buf)) {
		/* most values are not defanged: skip the pattern scan */
		memcpy(buf, text, len);
		buf[len] = '\0';
		n = (long)len;
	} else {
		n = sd_refang(text, len, buf, sizeof(buf));
	}
	if (n < 0) {
		st->malformed++;
		ind_report(opt, name, line, obj, "malformed",
			   "value longer than IND_MAX_VALUE (%d bytes)", IND_MAX_VALUE);
		return 0;
	}
	bool is_hash;
	struct sd_error err = {0};
	uint64_t shared_before = st->shared, broad_before = st->broad;
	ind_set_allow_broad(set, opt->allow_broad);
	int rc = ind_set_add_text(set, buf, (size_t)n, campaign, source, valid_from,
				  valid_until, &is_hash, &err);
	if (rc == SD_ENOMEM)
		return rc;
	if (is_hash) {
		ind_report(opt, name, line, obj, "hash",
			   "file hash %.*s: not a network indicator", (int)n, buf);
		return 0;
	}
	if (rc && st->shared > shared_before) {
		ind_report(opt, name, line, obj, "shared", "%s", err.msg);
		return 0;
	}
	if (rc && st->broad > broad_before) {
		ind_report(opt, name, line, obj, "broad", "%s", err.msg);
		return 0;
	}
	if (rc) {
		st->malformed++;
		ind_report(opt, name, line, obj, "malformed", "'%.*s': %s",
			   n > 200 ? 200 : (int)n, buf, err.msg);
	}
	return 0;
}

static bool word_in(const char *s, size_t n, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strlen(list[i]) == n && strncasecmp(s, list[i], n) == 0)
			return true;
	return false;
}

enum ind_type_class ind_type_classify(const char *type, size_t len)
{
	static const char *const net[] = {
	    "ip",	  "ipv4",	   "ipv6",	  "ip-dst",
	    "ip-src",	  "ipv4-addr",	   "ipv6-addr",	  "ipaddress",
	    "ip_address", "address",	   "cidr",	  "prefix",
	    "subnet",	  "network",	   "domain",	  "domain-name",
	    "hostname",	  "host",	   "fqdn",	  "url",
	    "uri",	  "link",	   "ip-dst|port", "ip-src|port",
	    "domain|ip",  "hostname|port", NULL,
	};
	static const char *const hash[] = {
	    "sha256",  "sha1",	 "md5",	     "sha512",	     "sha-256", "sha-1",
	    "hash",    "file",	 "filehash", "file-hash",    "sha224",	"sha384",
	    "imphash", "ssdeep", "tlsh",     "authentihash", NULL,
	};
	while (len && isspace((unsigned char)*type)) {
		type++;
		len--;
	}
	while (len && isspace((unsigned char)type[len - 1]))
		len--;
	if (word_in(type, len, net))
		return IND_TYPE_NETWORK;
	if (word_in(type, len, hash) ||
	    (len > 9 && strncasecmp(type, "filename|", 9) == 0))
		return IND_TYPE_HASH;
	return IND_TYPE_UNSUPPORTED;
}

bool ind_included(const struct ind_load_opts *opt, const char *campaign, size_t len)
{
	if (!opt || opt->ninclude == 0 || len == 0)
		return true;
	for (size_t i = 0; i < opt->ninclude; i++)
		if (strlen(opt->include[i]) == len &&
		    strncmp(opt->include[i], campaign, len) == 0)
			return true;
	return false;
}

const char *ind_source_label(const struct ind_load_opts *opt, const char *path)
{
	if (opt && opt->source)
		return opt->source;
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

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
				if (word_in(a, (size_t)(z - a), heads))
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

const char *ind_format_name(enum ind_format f)
{
	return (unsigned)f < 5 ? fmt_names[f] : "unknown";
}

int ind_format_parse(const char *name)
{
	for (int i = 0; i < 5; i++)
		if (!strcmp(name, fmt_names[i]))
			return i;
	return -1;
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
