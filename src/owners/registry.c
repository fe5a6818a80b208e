/* Parsing the owner registry. Every field is untrusted: the owner id
 * becomes a file name and a mail header, so its alphabet is narrow. */
#include "owners/registry.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/intern.h"
#include "core/limits.h"
#include "io/source.h"
#include "owners/badline.h"

#define NCOLS 4

static char *dup_field(const struct sd_field *f)
{
	return strndup(f->s, f->len);
}

static bool id_ok(const struct sd_field *f, const char **why)
{
	if (!f->len)
		return *why = "empty owner id", false;
	if (f->len > OWNERS_MAX_ID)
		return *why = "owner id longer than 64 bytes", false;
	if (f->s[0] == '.' || f->s[0] == '-')
		return *why = "owner id starts with '.' or '-'", false;
	for (size_t i = 0; i < f->len; i++) {
		unsigned char c = (unsigned char)f->s[i];
		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			return *why = "owner id may hold only letters, digits, '.', '_' "
				      "and '-'",
			       false;
	}
	return true;
}

/* A mail address as it may go into an SMTP envelope and a To: header:
 * local@domain, printable ASCII without specials that would need quoting. */
bool owners_mail_address_ok(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	if (!at || at == s || at == s + n - 1 || memchr(at + 1, '@', s + n - at - 1))
		return false;
	if (n > 254)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f || strchr("<>()[]\\,;:\"", c))
			return false;
	}
	return true;
}

struct words {
	const char *s;
	size_t n;
};

/* Next space-separated word of f, consumed from the front. */
static bool next_word(struct sd_field *f, struct words *w)
{
	while (f->len && (*f->s == ' ' || *f->s == '\t')) {
		f->s++;
		f->len--;
	}
	if (!f->len)
		return false;
	w->s = f->s;
	while (f->len && *f->s != ' ' && *f->s != '\t') {
		f->s++;
		f->len--;
	}
	w->n = (size_t)(f->s - w->s);
	return true;
}

static int parse_asn(const char *s, size_t n, uint32_t *out)
{
	if (n < 3 || (s[0] != 'A' && s[0] != 'a') || (s[1] != 'S' && s[1] != 's'))
		return SD_EPARSE;
	uint64_t v = 0;
	for (size_t i = 2; i < n; i++) {
		if (!isdigit((unsigned char)s[i]) || i - 2 >= 10)
			return SD_EPARSE;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v == 0 || v > UINT32_MAX)
		return SD_ERANGE;
	*out = (uint32_t)v;
	return 0;
}

struct load {
	struct owners_registry *r;
	size_t cap_owners, cap_scope;
	const char *name;
};

static int add_scope(struct load *L, const struct owner_scope *s)
{
	if (L->r->nscope == L->cap_scope) {
		size_t cap = L->cap_scope ? L->cap_scope * 2 : 256;
		void *p = realloc(L->r->scope, cap * sizeof(*L->r->scope));
		if (!p)
			return SD_ENOMEM;
		L->r->scope = p;
		L->cap_scope = cap;
	}
	L->r->scope[L->r->nscope++] = *s;
	return 0;
}

static void free_owner(struct owner *o, uint32_t nextra)
{
	free(o->id);
	free(o->name);
	for (uint32_t i = 0; i < o->ncontacts; i++)
		free(o->contacts[i]);
	free(o->contacts);
	if (o->extra)
		for (uint32_t i = 0; i < nextra; i++)
			free(o->extra[i]);
	free(o->extra);
}

/* Parses one record; returns 0, SD_EPARSE with *why, or SD_ENOMEM. On a
 * parse error the scope items already added are taken back. */
static int parse_record(struct load *L, struct sd_field *f, long nf, uint32_t line,
			const char **why)
{
	struct owners_registry *r = L->r;
	if (nf < NCOLS)
		return *why = "fewer than 4 columns (owner,name,contacts,scope)",
		       SD_EPARSE;
	if ((uint32_t)nf > NCOLS + r->nextra)
		return *why = "more columns than the header names", SD_EPARSE;
	for (int i = 0; i < NCOLS; i++)
		sd_field_trim(&f[i]);
	if (!id_ok(&f[0], why))
		return SD_EPARSE;
	for (size_t i = 0; i < f[1].len; i++)
		if ((unsigned char)f[1].s[i] < 0x20)
			return *why = "control character in the name", SD_EPARSE;
	if (r->count >= OWNERS_MAX)
		return *why = "more owners than the limit (10000000)", SD_ELIMIT;
	struct owner o = {.line = line};
	size_t scope_mark = r->nscope;
	int rc = SD_ENOMEM;
	if (!(o.id = dup_field(&f[0])) || !(o.name = dup_field(&f[1])))
		goto fail;
	struct words w;
	struct sd_field c = f[2];
	while (next_word(&c, &w)) {
		if (!owners_mail_address_ok(w.s, w.n)) {
			*why = "a contact is not a plain mail address (local@domain)";
			rc = SD_EPARSE;
			goto fail;
		}
		if (o.ncontacts >= OWNERS_MAX_CONTACTS) {
			*why = "more than 64 contacts";
			rc = SD_EPARSE;
			goto fail;
		}
		char **p = realloc(o.contacts, (o.ncontacts + 1) * sizeof(*p));
		if (!p)
			goto fail;
		o.contacts = p;
		if (!(o.contacts[o.ncontacts] = strndup(w.s, w.n)))
			goto fail;
		o.ncontacts++;
	}
	struct sd_field sc = f[3];
	size_t items = 0;
	while (next_word(&sc, &w)) {
		struct owner_scope s = {.owner = r->count};
		if (++items > OWNERS_MAX_SCOPE) {
			*why = "more than 100000 scope items";
			rc = SD_EPARSE;
			goto fail;
		}
		if (isalpha((unsigned char)w.s[0])) {
			if (parse_asn(w.s, w.n, &s.asn)) {
				*why = "bad AS number in scope (want AS1..AS4294967295)";
				rc = SD_EPARSE;
				goto fail;
			}
		} else {
			const char *pwhy = NULL;
			int prc = net_prefix_parse(w.s, w.n, &s.prefix, 0, &pwhy);
			if (prc) {
				*why = prc == SD_EHOSTBITS
					   ? "scope prefix has host bits set"
				       : pwhy ? pwhy
					      : "bad prefix in scope";
				rc = SD_EPARSE;
				goto fail;
			}
		}
		if ((rc = add_scope(L, &s)))
			goto fail;
	}
	if (!items) {
		*why = "empty scope (no prefix or AS number)";
		rc = SD_EPARSE;
		goto fail;
	}
	if (r->nextra && !(o.extra = calloc(r->nextra, sizeof(*o.extra))))
		goto fail;
	for (uint32_t i = 0; i < r->nextra; i++) {
		static const struct sd_field empty = {(char *)"", 0};
		if (!(o.extra[i] =
			  dup_field((long)(NCOLS + i) < nf ? &f[NCOLS + i] : &empty)))
			goto fail;
	}
	if (r->count == L->cap_owners) {
		size_t cap = L->cap_owners ? L->cap_owners * 2 : 64;
		void *p = realloc(r->owners, cap * sizeof(*r->owners));
		if (!p)
			goto fail;
		r->owners = p;
		L->cap_owners = cap;
	}
	/* ids are interned in file order, so a new id gets the next index */
	uint32_t idx;
	if (sd_intern_put(r->ids, o.id, strlen(o.id), &idx))
		goto fail;
	if (idx != r->count) {
		*why = "owner id defined twice";
		rc = SD_EPARSE;
		goto fail;
	}
	r->owners[r->count++] = o;
	return 0;
fail:
	r->nscope = scope_mark;
	free_owner(&o, r->nextra);
	return rc;
}

static int parse_header(struct load *L, char *line, size_t len, struct sd_error *err)
{
	static const char *const want[NCOLS] = {"owner", "name", "contacts", "scope"};
	struct sd_field f[NCOLS + OWNERS_MAX_EXTRA];
	const char *why = NULL;
	/* a UTF-8 byte order mark is what spreadsheets write */
	size_t bom = sd_bom_len(line, len);
	line += bom;
	len -= bom;
	long nf = sd_csv_split(line, len, ',', f, NCOLS + OWNERS_MAX_EXTRA, &why);
	if (nf < 0)
		return sd_error_set(err, SD_EPARSE, "%s:1: header: %s", L->name, why);
	if (nf > NCOLS + OWNERS_MAX_EXTRA)
		return sd_error_set(err, SD_ELIMIT, "%s:1: more than %d extra columns",
				    L->name, OWNERS_MAX_EXTRA);
	for (int i = 0; i < NCOLS; i++) {
		if (i < nf)
			sd_field_trim(&f[i]);
		if (i >= nf || !sd_field_is(&f[i], want[i]))
			return sd_error_set(err, SD_EPARSE,
					    "%s:1: header must start with "
					    "owner,name,contacts,scope",
					    L->name);
	}
	L->r->nextra = (uint32_t)(nf - NCOLS);
	if (L->r->nextra && !(L->r->extra_names = calloc(L->r->nextra, sizeof(char *))))
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	for (uint32_t i = 0; i < L->r->nextra; i++) {
		sd_field_trim(&f[NCOLS + i]);
		if (!(L->r->extra_names[i] = dup_field(&f[NCOLS + i])))
			return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	return 0;
}

int owners_registry_load(const char *path, long long max_errors,
			 struct owners_registry **out, struct sd_error *err)
{
	*out = NULL;
	struct io_source *src;
	int rc = io_open(path, &src, err);
	if (rc)
		return rc;
	struct owners_registry *r = calloc(1, sizeof(*r));
	if (!r || !(r->path = strdup(path)) || !(r->ids = sd_intern_new())) {
		if (r)
			free(r->path);
		free(r);
		io_close(src);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	struct load L = {.r = r, .name = io_name(src)};
	char *buf = malloc(SD_MAX_LINE + 1);
	bool header = false;
	const char *line;
	size_t len;
	if (!buf) {
		rc = sd_error_set(err, SD_ENOMEM, "out of memory");
		goto done;
	}
	for (;;) {
		struct sd_error lerr = {0};
		rc = io_getline(src, &line, &len, &lerr);
		if (rc == 0)
			break;
		uint32_t lineno = (uint32_t)io_lineno(src);
		const char *why = NULL;
		if (rc == SD_ELIMIT) {
			why = "line longer than 65536 bytes";
		} else if (rc < 0) {
			*err = lerr;
			goto done;
		} else {
			memcpy(buf, line, len);
			buf[len] = 0;
			if (!header) {
				if ((rc = parse_header(&L, buf, len, err)))
					goto done;
				header = true;
				continue;
			}
			size_t i = 0;
			while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
				i++;
			if (i == len || buf[i] == '#') /* blank or comment */
				continue;
			struct sd_field f[NCOLS + OWNERS_MAX_EXTRA + 1];
			long nf = sd_csv_split(buf, len, ',', f,
					       NCOLS + OWNERS_MAX_EXTRA + 1, &why);
			if (nf >= 0) {
				rc = parse_record(&L, f, nf, lineno, &why);
				if (rc == SD_ENOMEM) {
					sd_error_set(err, rc, "out of memory");
					goto done;
				}
				if (rc == SD_ELIMIT) {
					sd_error_set(err, rc, "%s:%u: %s", L.name, lineno,
						     why);
					goto done;
				}
				if (rc == 0)
					why = NULL;
			}
		}
		if (why && (rc = owners_bad_line(L.name, lineno, why, &r->bad_lines,
						 max_errors, err)))
			goto done;
	}
	rc = 0;
	if (!header)
		rc = sd_error_set(err, SD_EPARSE, "%s: empty (no header line)", L.name);
	else if (!r->count)
		rc = sd_error_set(err, SD_EPARSE, "%s: no owner defined", L.name);
done:
	free(buf);
	io_close(src);
	if (rc) {
		owners_registry_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void owners_registry_free(struct owners_registry *r)
{
	if (!r)
		return;
	for (uint32_t i = 0; i < r->count; i++)
		free_owner(&r->owners[i], r->nextra);
	for (uint32_t i = 0; i < r->nextra; i++)
		free(r->extra_names[i]);
	free(r->extra_names);
	free(r->owners);
	free(r->scope);
	free(r->path);
	sd_intern_free(r->ids);
	free(r);
}

long owners_registry_find(const struct owners_registry *r, const char *id)
{
	uint32_t idx;
	if (sd_intern_find(r->ids, id, strlen(id), &idx) || idx >= r->count)
		return -1;
	return (long)idx;
}
