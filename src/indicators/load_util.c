/* Helpers every indicator loader shares: refanging and adding a value,
 * type classes, the include list, source labels and reports. */
#include "indicators/load_util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/refang.h"

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

bool ind_word_in(const char *s, size_t n, const char *const *list)
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
	if (ind_word_in(type, len, net))
		return IND_TYPE_NETWORK;
	if (ind_word_in(type, len, hash) ||
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
