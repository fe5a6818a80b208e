/* The indicator set as indicators are added: names normalised, URLs split,
 * duplicates merged, shared infrastructure kept apart. Compiling it into
 * lookup keys and matching: set_lookup.c. */
#include "indicators/indicators.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/intern.h"
#include "indicators/set_impl.h"

const char *const ind_shared_builtin[] = {
    "raw.githubusercontent.com",
    "github.com",
    "www.github.com",
    "gist.github.com",
    "gist.githubusercontent.com",
    "objects.githubusercontent.com",
    "codeload.github.com",
    "od.lk",
    "www.opendrive.com",
    "drive.google.com",
    "docs.google.com",
    "storage.googleapis.com",
    "dropbox.com",
    "www.dropbox.com",
    "dl.dropboxusercontent.com",
    "onedrive.live.com",
    "1drv.ms",
    "pastebin.com",
    "bitbucket.org",
    "gitlab.com",
    "cdn.discordapp.com",
    "t.me",
    "mega.nz",
    "transfer.sh",
    "s3.amazonaws.com",
    /* every name below these is the provider's, shared by all its users */
    ".githubusercontent.com",
    ".dropboxusercontent.com",
    ".googleusercontent.com",
    ".discordapp.com",
    NULL,
};

const char *ind_kind_name(enum ind_kind kind)
{
	switch (kind) {
	case IND_ADDR:
		return "address";
	case IND_PREFIX:
		return "prefix";
	case IND_DOMAIN:
		return "domain";
	case IND_URL:
		return "url";
	default:
		return "unknown";
	}
}

long ind_name_normalise(const char *s, size_t n, char *out, const char **why)
{
	while (n && s[n - 1] == '.')
		n--;
	/* "*.evil.com" is how some lists write "evil.com and below" */
	if (n >= 2 && s[0] == '*' && s[1] == '.') {
		s += 2;
		n -= 2;
	}
	if (n == 0) {
		*why = "empty name";
		return SD_EPARSE;
	}
	if (n > IND_MAX_NAME) {
		*why = "name longer than 253 bytes";
		return SD_ERANGE;
	}
	size_t label = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0) {
				*why = "empty label in name";
				return SD_EPARSE;
			}
			label = 0;
			out[i] = '.';
			continue;
		}
		/* ASCII letters, digits, '-' and '_' (isalnum() in the C locale
		 * the program runs in), without two libc calls a byte */
		unsigned char lc = c | 0x20;
		bool alpha = lc >= 'a' && lc <= 'z';
		if (!alpha && (unsigned)(c - '0') > 9 && c != '-' && c != '_') {
			*why = "character not allowed in a domain name";
			return SD_EPARSE;
		}
		if (++label > 63) {
			*why = "label longer than 63 bytes";
			return SD_ERANGE;
		}
		out[i] = (char)(alpha ? lc : c);
	}
	out[n] = '\0';
	return (long)n;
}

struct ind_set *ind_set_new(void)
{
	struct ind_set *set = calloc(1, sizeof(*set));
	if (!set)
		return NULL;
	set->dedup = sd_intern_new();
	set->shared = sd_intern_new();
	set->keys = sd_intern_new();
	if (!set->dedup || !set->shared || !set->keys) {
		ind_set_free(set);
		return NULL;
	}
	for (size_t i = 0; ind_shared_builtin[i]; i++)
		if (ind_set_add_shared(set, ind_shared_builtin[i],
				       strlen(ind_shared_builtin[i]))) {
			ind_set_free(set);
			return NULL;
		}
	return set;
}

static void free_strings(struct ind_indicator *d)
{
	free((char *)d->value);
	free((char *)d->scheme);
	free((char *)d->host);
	free((char *)d->path);
	free((char *)d->campaign);
	free((char *)d->source);
}

void ind_set_free(struct ind_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		free_strings(&set->inds[i]);
	free(set->inds);
	sd_intern_free(set->dedup);
	sd_intern_free(set->shared);
	sd_intern_free(set->keys);
	free(set->post_off);
	free(set->post);
	free(set->aslots);
	free(set->abits);
	free(set->kbits);
	free(set);
}

struct ind_stats *ind_set_stats(struct ind_set *set)
{
	return &set->stats;
}
const struct ind_stats *ind_set_stats_const(const struct ind_set *set)
{
	return &set->stats;
}
size_t ind_set_size(const struct ind_set *set)
{
	return set->n;
}
const struct ind_indicator *ind_set_at(const struct ind_set *set, size_t i)
{
	return i < set->n ? &set->inds[i] : NULL;
}
size_t ind_set_count(const struct ind_set *set, enum ind_kind kind)
{
	size_t c = 0;
	for (size_t i = 0; i < set->n; i++)
		c += set->inds[i].kind == kind;
	return c;
}

int ind_set_foreach(const struct ind_set *set,
		    int (*fn)(const struct ind_indicator *ind, void *ctx), void *ctx)
{
	for (size_t i = 0; i < set->n; i++) {
		int rc = fn(&set->inds[i], ctx);
		if (rc)
			return rc;
	}
	return 0;
}

int ind_set_add_shared(struct ind_set *set, const char *host, size_t len)
{
	uint32_t id;
	struct net_prefix p;
	const char *why;
	const char *slash = memchr(host, '/', len);
	if (net_addr_parse(host, slash ? (size_t)(slash - host) : len, &p.addr, &why) ==
	    0) {
		int rc = net_prefix_parse(host, len, &p, 0, &why);
		if (rc)
			return rc;
		if (set->nshared_pfx == IND_MAX_SHARED_ADDRS)
			return SD_ELIMIT;
		set->shared_pfx[set->nshared_pfx++] = p;
		return 0;
	}
	/* ".example.com" stands for every name below example.com */
	bool below = len > 1 && host[0] == '.';
	char norm[IND_MAX_NAME + 2];
	long n = ind_name_normalise(host + below, len - below, norm + 1, &why);
	if (n < 0)
		return SD_EPARSE;
	norm[0] = '.';
	return sd_intern_put(set->shared, norm + !below, (size_t)n + below, &id);
}

bool ind_set_is_shared_name(const struct ind_set *set, const char *name, size_t len)
{
	char norm[IND_MAX_NAME + 2];
	const char *why;
	long n = ind_name_normalise(name, len, norm + 1, &why);
	uint32_t id;
	if (n <= 0)
		return false;
	if (sd_intern_find(set->shared, norm + 1, (size_t)n, &id) == 0)
		return true;
	/* ".parent" entries: look the dot before each parent up */
	for (long i = 1; i <= n; i++)
		if (norm[i] == '.' &&
		    sd_intern_find(set->shared, norm + i, (size_t)(n - i + 1), &id) == 0)
			return true;
	return false;
}

/* 1..65535, decimal, nothing else. */
static int parse_port(const char *p, size_t pl, uint16_t *port, const char **why)
{
	unsigned long v = 0;
	*why = "bad port in URL";
	if (pl == 0 || pl > 5)
		return SD_EPARSE;
	for (size_t k = 0; k < pl; k++) {
		if (!isdigit((unsigned char)p[k]))
			return SD_EPARSE;
		v = v * 10 + (unsigned long)(p[k] - '0');
	}
	if (v == 0 || v > 65535)
		return SD_EPARSE;
	*port = (uint16_t)v;
	return 0;
}

/* Splits a URL into lower-case scheme, normalised host, port and path.
 * Accepts "scheme://host[:port][/path]" and "host/path" (no scheme). */
static int url_split(const char *s, size_t n, char *scheme, char *host, uint16_t *port,
		     const char **path, size_t *pathlen, const char **why)
{
	size_t i = 0;
	scheme[0] = '\0';
	const char *sep = memmem(s, n, "://", 3);
	if (sep) {
		size_t sl = (size_t)(sep - s);
		if (sl == 0 || sl > 15) {
			*why = "bad URL scheme";
			return SD_EPARSE;
		}
		for (size_t k = 0; k < sl; k++) {
			if (!isalnum((unsigned char)s[k]) && s[k] != '+' && s[k] != '-' &&
			    s[k] != '.') {
				*why = "bad URL scheme";
				return SD_EPARSE;
			}
			scheme[k] = (char)tolower((unsigned char)s[k]);
		}
		scheme[sl] = '\0';
		i = sl + 3;
	}
	size_t auth_end = i;
	while (auth_end < n && s[auth_end] != '/' && s[auth_end] != '?' &&
	       s[auth_end] != '#')
		auth_end++;
	/* user:password@ is not part of the host */
	const char *at = memrchr(s + i, '@', auth_end - i);
	if (at)
		i = (size_t)(at - s) + 1;
	size_t hs = i, he = auth_end;
	*port = 0;
	if (hs < he && s[hs] == '[') {
		const char *rb = memchr(s + hs, ']', he - hs);
		if (!rb) {
			*why = "unclosed '[' in URL host";
			return SD_EPARSE;
		}
		size_t close = (size_t)(rb - s);
		if (close + 1 < he && s[close + 1] != ':') {
			*why = "junk after ']' in URL host";
			return SD_EPARSE;
		}
		if (close + 1 < he) {
			const char *p = s + close + 2;
			size_t pl = he - close - 2;
			if (parse_port(p, pl, port, why))
				return SD_EPARSE;
		}
		struct net_addr a;
		if (net_addr_parse(s + hs + 1, close - hs - 1, &a, why))
			return SD_EPARSE;
		net_addr_format(&a, host, NET_ADDR_STRLEN);
	} else {
		const char *colon = memchr(s + hs, ':', he - hs);
		size_t hl = colon ? (size_t)(colon - (s + hs)) : he - hs;
		if (colon) {
			const char *p = colon + 1;
			size_t pl = (size_t)(s + he - p);
			if (parse_port(p, pl, port, why))
				return SD_EPARSE;
		}
		struct net_addr a;
		const char *w2;
		if (net_addr_parse(s + hs, hl, &a, &w2) == 0)
			net_addr_format(&a, host, NET_ADDR_STRLEN);
		else if (ind_name_normalise(s + hs, hl, host, why) < 0)
			return SD_EPARSE;
		else if (!strchr(host, '.')) {
			/* "linux/NukeSped.E" is a malware name, not a URL */
			*why = "URL host is neither an address nor a dotted name";
			return SD_EPARSE;
		}
	}
	if ((*port == 80 && (!scheme[0] || !strcmp(scheme, "http"))) ||
	    (*port == 443 && !strcmp(scheme, "https")) ||
	    (*port == 21 && !strcmp(scheme, "ftp")))
		*port = 0;
	/* the fragment never reaches a server */
	const char *hash = memchr(s + auth_end, '#', n - auth_end);
	size_t pe = hash ? (size_t)(hash - s) : n;
	*path = s + auth_end;
	*pathlen = pe - auth_end;
	return 0;
}

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static char *dup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

#define IND_MAX_LABELS 1024 /* joined campaign labels or sources, bytes */

/* Appends label to a "; "-separated list unless it is already in it. */
static int join_label(const char **list, const char *label)
{
	if (!label || !*label)
		return 0;
	if (!*list)
		return (*list = strdup(label)) ? 0 : SD_ENOMEM;
	size_t ll = strlen(label), n = strlen(*list);
	for (const char *p = *list; (p = strstr(p, label)); p += ll)
		if ((p == *list || p[-1] == ' ') && (p[ll] == ';' || !p[ll]))
			return 0;
	if (n + ll + 2 >= IND_MAX_LABELS)
		return 0; /* enough said: the first labels are kept */
	char *j = malloc(n + ll + 3);
	if (!j)
		return SD_ENOMEM;
	memcpy(j, *list, n);
	memcpy(j + n, "; ", 2);
	memcpy(j + n + 2, label, ll + 1);
	free((char *)*list);
	*list = j;
	return 0;
}

void ind_set_allow_broad(struct ind_set *set, bool allow)
{
	set->allow_broad = allow;
}

int ind_set_add(struct ind_set *set, const struct ind_indicator *in, struct sd_error *err)
{
	if (set->compiled)
		return sd_error_set(err, SD_EUSAGE, "indicator set already compiled");
	struct ind_indicator d = {
	    .kind = in->kind,
	    .valid_from = in->valid_from,
	    .valid_until = in->valid_until,
	};
	char vbuf[IND_MAX_VALUE];
	/* URL parts: pointed to by d until the copy at the end */
	char scheme[16], host[IND_MAX_NAME + 1];
	const char *why = NULL;
	switch (in->kind) {
	case IND_ADDR:
	case IND_PREFIX: {
		d.prefix = in->prefix;
		if (in->kind == IND_ADDR)
			d.prefix.len = 128;
		if (net_addr_has_hostbits(&d.prefix.addr, d.prefix.len))
			return sd_error_set(err, SD_EHOSTBITS,
					    "prefix has host bits set");
		if (!set->allow_broad && net_prefix_is_broad(&d.prefix)) {
			set->stats.broad++;
			net_prefix_format(&d.prefix, vbuf, sizeof(vbuf));
			return sd_error_set(err, SD_ERANGE, "%s: %s", vbuf,
					    NET_BROAD_WHY);
		}
		if (d.prefix.len == 128)
			d.kind = IND_ADDR;
		if (d.kind == IND_ADDR)
			net_addr_format(&d.prefix.addr, vbuf, sizeof(vbuf));
		else
			net_prefix_format(&d.prefix, vbuf, sizeof(vbuf));
		if (d.kind == IND_ADDR && shared_addr(set, &d.prefix.addr)) {
			set->stats.shared++;
			return sd_error_set(
			    err, SD_ERANGE,
			    "%s is shared infrastructure: not matched as an address",
			    vbuf);
		}
		/* a prefix that only covers a shared address is kept (the shared
		 * address is left out when matching); one wholly inside a
		 * shared prefix would never match anything */
		for (size_t i = 0; d.kind == IND_PREFIX && i < set->nshared_pfx; i++)
			if (net_prefix_contains_prefix(&set->shared_pfx[i], &d.prefix)) {
				set->stats.shared++;
				return sd_error_set(
				    err, SD_ERANGE,
				    "%s is shared infrastructure: not matched as a "
				    "prefix",
				    vbuf);
			}
		break;
	}
	case IND_DOMAIN: {
		if (!in->value)
			return sd_error_set(err, SD_EPARSE, "domain without a value");
		long n = ind_name_normalise(in->value, strlen(in->value), vbuf, &why);
		if (n < 0)
			return sd_error_set(err, SD_EPARSE, "%s", why);
		if (!memchr(vbuf, '.', (size_t)n))
			return sd_error_set(
			    err, SD_EPARSE,
			    "a domain indicator needs at least two labels");
		if (ind_set_is_shared_name(set, vbuf, (size_t)n)) {
			set->stats.shared++;
			return sd_error_set(
			    err, SD_ERANGE,
			    "%s is shared infrastructure: not matched as a domain", vbuf);
		}
		break;
	}
	case IND_URL: {
		if (!in->value)
			return sd_error_set(err, SD_EPARSE, "URL without a value");
		uint16_t port;
		const char *path;
		size_t pl;
		if (url_split(in->value, strlen(in->value), scheme, host, &port, &path,
			      &pl, &why))
			return sd_error_set(err, SD_EPARSE, "%s", why);
		if (pl >= 4096)
			return sd_error_set(err, SD_ELIMIT,
					    "URL path longer than 4096 bytes");
		char portbuf[8] = "";
		if (port)
			snprintf(portbuf, sizeof(portbuf), ":%u", port);
		bool v6 = strchr(host, ':') != NULL;
		snprintf(vbuf, sizeof(vbuf), "%s%s%s%s%s%s%.*s", scheme,
			 scheme[0] ? "://" : "", v6 ? "[" : "", host, v6 ? "]" : "",
			 portbuf, pl ? (int)pl : 1, pl ? path : "/");
		d.scheme = scheme[0] ? scheme : NULL;
		d.host = host;
		d.port = port;
		if (ind_set_is_shared_name(set, host, strlen(host)))
			d.flags |= IND_SHARED;
		else {
			struct net_addr a;
			if (net_addr_parse(host, strlen(host), &a, &why) == 0 &&
			    shared_addr(set, &a))
				d.flags |= IND_SHARED;
		}
		/* a shared host's root is the host itself: everybody fetches it */
		if ((d.flags & IND_SHARED) &&
		    (pl == 0 || (pl == 1 && path[0] == '/') || path[0] == '?')) {
			set->stats.shared++;
			return sd_error_set(
			    err, SD_ERANGE,
			    "%s is shared infrastructure: a URL on it needs a path",
			    host);
		}
		/* kept for the copy below */
		d.path = pl ? dupn(path, pl) : strdup("/");
		if (!d.path)
			return sd_error_set(err, SD_ENOMEM, "out of memory");
		break;
	}
	default:
		return sd_error_set(err, SD_EUSAGE, "unknown indicator kind");
	}

	/* duplicates: same kind and value (campaign labels and sources are
	 * joined, so one indicator answers for every list naming it) */
	size_t vl = strlen(vbuf);
	char key[IND_MAX_VALUE + 1];
	key[0] = (char)d.kind;
	memcpy(key + 1, vbuf, vl);
	uint32_t id;
	int rc = sd_intern_put(set->dedup, key, vl + 1, &id);
	if (rc) {
		free((char *)d.path);
		return sd_error_set(err, rc, "out of memory");
	}
	if (id < set->n) {
		struct ind_indicator *o = &set->inds[id];
		/* the widest validity wins: 0 is open */
		if (!d.valid_from || (o->valid_from && d.valid_from < o->valid_from))
			o->valid_from = d.valid_from;
		if (!d.valid_until || (o->valid_until && d.valid_until > o->valid_until))
			o->valid_until = d.valid_until;
		set->stats.duplicates++;
		free((char *)d.path);
		if ((rc = join_label(&o->campaign, in->campaign)) ||
		    (rc = join_label(&o->source, in->source)))
			return sd_error_set(err, rc, "out of memory");
		return 0;
	}
	if (set->n == set->cap) {
		size_t nc = set->cap ? set->cap * 2 : 64;
		struct ind_indicator *ni = realloc(set->inds, nc * sizeof(*ni));
		if (!ni) {
			free((char *)d.path);
			return sd_error_set(err, SD_ENOMEM, "out of memory");
		}
		set->inds = ni;
		set->cap = nc;
	}
	const char *path = d.path;
	d.value = strdup(vbuf);
	d.scheme = dup0(d.scheme);
	d.host = d.kind == IND_URL || d.kind == IND_DOMAIN
		     ? strdup(d.kind == IND_URL ? d.host : vbuf)
		     : NULL;
	d.campaign = dup0(in->campaign);
	d.source = dup0(in->source);
	d.path = path;
	d.id = (uint32_t)set->n;
	if (!d.value || (in->campaign && !d.campaign) || (in->source && !d.source) ||
	    ((d.kind == IND_URL || d.kind == IND_DOMAIN) && !d.host)) {
		free_strings(&d);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	set->inds[set->n++] = d;
	set->stats.kinds[d.kind]++;
	return 0;
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

int ind_set_add_text(struct ind_set *set, const char *text, size_t len,
		     const char *campaign, const char *source, int64_t valid_from,
		     int64_t valid_until, bool *is_hash, struct sd_error *err)
{
	*is_hash = false;
	while (len && isspace((unsigned char)*text)) {
		text++;
		len--;
	}
	while (len && isspace((unsigned char)text[len - 1]))
		len--;
	if (len == 0)
		return sd_error_set(err, SD_EPARSE, "empty value");
	if ((len == 32 || len == 40 || len == 64 || len == 128) && is_hex(text, len)) {
		*is_hash = true;
		set->stats.hashes++;
		return 0;
	}
	if (len >= IND_MAX_VALUE)
		return sd_error_set(err, SD_ELIMIT, "value longer than %d bytes",
				    IND_MAX_VALUE - 1);
	struct ind_indicator in = {
	    .campaign = campaign,
	    .source = source,
	    .valid_from = valid_from,
	    .valid_until = valid_until,
	};
	char buf[IND_MAX_VALUE];
	memcpy(buf, text, len);
	buf[len] = '\0';
	const char *why;
	if (memmem(text, len, "://", 3)) {
		in.kind = IND_URL;
		in.value = buf;
		return ind_set_add(set, &in, err);
	}
	if (net_addr_parse(text, len, &in.prefix.addr, &why) == 0) {
		in.kind = IND_ADDR;
		in.prefix.len = 128;
		return ind_set_add(set, &in, err);
	}
	const char *slash = memchr(text, '/', len);
	if (slash) {
		struct net_addr a;
		if (net_addr_parse(text, (size_t)(slash - text), &a, &why) == 0) {
			int rc = net_prefix_parse(text, len, &in.prefix, 0, &why);
			if (rc)
				return sd_error_set(err, rc, "%s", why);
			in.kind = IND_PREFIX;
			return ind_set_add(set, &in, err);
		}
		in.kind = IND_URL;
		in.value = buf;
		return ind_set_add(set, &in, err);
	}
	/* host:port, as in "evil.com:443" or "192.0.2.1:8080" */
	const char *colon = memchr(text, ':', len);
	if (colon && !memchr(colon + 1, ':', len - (size_t)(colon - text) - 1)) {
		size_t hl = (size_t)(colon - text);
		if (net_addr_parse(text, hl, &in.prefix.addr, &why) == 0) {
			in.kind = IND_ADDR;
			in.prefix.len = 128;
			return ind_set_add(set, &in, err);
		}
		buf[hl] = '\0';
		len = hl;
	}
	/* all digits and dots is a broken address, not a domain */
	bool numeric = true;
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)buf[i]) && buf[i] != '.')
			numeric = false;
	if (numeric)
		return sd_error_set(err, SD_EPARSE, "not a valid IPv4 address");
	in.kind = IND_DOMAIN;
	in.value = buf;
	return ind_set_add(set, &in, err);
}
