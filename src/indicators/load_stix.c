/* STIX 2.1 bundles: indicator objects with a STIX pattern. Supported are
 * patterns whose every comparison is `<type>:value = '<string>'` for the
 * types ipv4-addr, ipv6-addr, domain-name and url, joined by OR, with or
 * without spaces inside the brackets and with quoted property names.
 * file:hashes comparisons are counted as hashes; anything else (AND,
 * other operators, other objects, qualifiers) makes the whole pattern
 * unsupported: it is counted and reported, never half-used. An indicator
 * is labelled with the campaign it "indicates" when the bundle says so. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "indicators/load.h"
#include "indicators/load_util.h"

#define STIX_MAX_TERMS 256 /* comparisons in one pattern */

struct term {
	bool hash;
	char *value; /* malloc'd, unescaped */
};

static const char *skip_ws(const char *p)
{
	while (*p && (isspace((unsigned char)*p) || *p == '[' || *p == ']' ||
		      *p == '(' || *p == ')'))
		p++;
	return p;
}

static bool word_at(const char *p, const char *w)
{
	size_t n = strlen(w);
	return strncmp(p, w, n) == 0 &&
	       (!p[n] || isspace((unsigned char)p[n]) || p[n] == '[' || p[n] == '(');
}

/* Parses the pattern into terms; returns NULL on success or a reason. */
static const char *parse_pattern(const char *p, struct term *t, size_t *nt)
{
	*nt = 0;
	for (;;) {
		p = skip_ws(p);
		if (!*p)
			return *nt ? NULL : "empty pattern";
		/* object-path: type ':' property, quotes allowed in segments */
		char path[256];
		size_t pl = 0;
		while (*p && !isspace((unsigned char)*p) && *p != '=' && *p != '!' &&
		       *p != '<' && *p != '>' && *p != ']') {
			if (*p == '\'') {
				p++;
				while (*p && *p != '\'') {
					if (pl + 1 < sizeof(path))
						path[pl++] = *p;
					p++;
				}
				if (*p != '\'')
					return "unterminated quoted property name";
				p++;
				continue;
			}
			if (pl + 1 < sizeof(path))
				path[pl++] = *p;
			p++;
		}
		path[pl] = '\0';
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '=' || p[1] == '=')
			return "only '=' comparisons are supported";
		p++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '\'')
			return "only string constants are supported";
		p++;
		size_t cap = strlen(p) + 1;
		char *v = malloc(cap);
		if (!v)
			return "out of memory";
		size_t vl = 0;
		while (*p && *p != '\'') {
			if (*p == '\\' && (p[1] == '\'' || p[1] == '\\'))
				p++;
			v[vl++] = *p++;
		}
		if (*p != '\'') {
			free(v);
			return "unterminated string constant";
		}
		p++;
		v[vl] = '\0';
		bool hash = strncmp(path, "file:hashes.", 12) == 0;
		if (!hash && strcmp(path, "ipv4-addr:value") &&
		    strcmp(path, "ipv6-addr:value") &&
		    strcmp(path, "domain-name:value") && strcmp(path, "url:value")) {
			free(v);
			return "comparison on an object or property other than ipv4-addr, ipv6-addr, domain-name or url value";
		}
		if (*nt == STIX_MAX_TERMS) {
			free(v);
			return "more than STIX_MAX_TERMS comparisons";
		}
		t[(*nt)++] = (struct term){hash, v};
		p = skip_ws(p);
		if (!*p)
			return NULL;
		if (word_at(p, "OR")) {
			p += 2;
			continue;
		}
		if (word_at(p, "AND"))
			return "AND is not supported (the values must all be seen together)";
		return "qualifiers and operators other than OR are not supported";
	}
}

static int64_t get_time(json_t *o, const char *key, bool *bad)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	const char *why;
	int64_t t;
	if (!json_is_string(v) ||
	    sd_time_parse(json_string_value(v), json_string_length(v), &t, &why)) {
		*bad = true;
		return 0;
	}
	return t;
}

static const char *campaign_of(json_t *objs, const char *id)
{
	size_t i;
	json_t *o;
	json_array_foreach(objs, i, o) {
		const char *ty = json_string_value(json_object_get(o, "type"));
		if (!ty || strcmp(ty, "relationship"))
			continue;
		const char *src = json_string_value(json_object_get(o, "source_ref"));
		const char *dst = json_string_value(json_object_get(o, "target_ref"));
		if (!src || !dst || strcmp(src, id) || strncmp(dst, "campaign--", 10))
			continue;
		size_t k;
		json_t *c;
		json_array_foreach(objs, k, c) {
			const char *cid = json_string_value(json_object_get(c, "id"));
			if (cid && !strcmp(cid, dst))
				return json_string_value(json_object_get(c, "name"));
		}
	}
	return NULL;
}

int ind_load_stix(struct ind_set *set, const char *buf, size_t len,
		  const char *name, const struct ind_load_opts *opt,
		  struct sd_error *err)
{
	json_error_t je;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return sd_error_set(err, SD_EPARSE, "%s:%d: not valid JSON: %s", name,
				    je.line, je.text);
	json_t *objs = NULL, *single = NULL;
	if (json_is_array(root))
		objs = root;
	else if (json_is_object(root) && json_is_array(json_object_get(root, "objects")))
		objs = json_object_get(root, "objects");
	else if (json_is_object(root) && json_object_get(root, "pattern")) {
		objs = single = json_array();
		json_array_append(single, root);
	} else {
		json_decref(root);
		return sd_error_set(err, SD_EFORMAT,
				    "%s: not a STIX bundle (no \"objects\" array)", name);
	}
	struct ind_stats *st = ind_set_stats(set);
	const char *source = ind_source_label(opt, name);
	struct term *terms = calloc(STIX_MAX_TERMS, sizeof(*terms));
	int rc = 0;
	if (!terms) {
		rc = sd_error_set(err, SD_ENOMEM, "out of memory");
		goto out;
	}
	size_t i;
	json_t *o;
	json_array_foreach(objs, i, o) {
		const char *ty = json_string_value(json_object_get(o, "type"));
		if (!ty || strcmp(ty, "indicator"))
			continue;
		char obj[128];
		const char *id = json_string_value(json_object_get(o, "id"));
		snprintf(obj, sizeof(obj), "object %zu (%s)", i, id ? id : "no id");
		const char *ptype = json_string_value(json_object_get(o, "pattern_type"));
		const char *pat = json_string_value(json_object_get(o, "pattern"));
		if (ptype && strcmp(ptype, "stix")) {
			st->unsupported++;
			ind_report(opt, name, 0, obj, "unsupported",
				   "pattern_type '%.64s' (only stix patterns)", ptype);
			continue;
		}
		if (!pat) {
			st->malformed++;
			ind_report(opt, name, 0, obj, "malformed", "indicator without a pattern");
			continue;
		}
		bool bad = false;
		int64_t vf = get_time(o, "valid_from", &bad);
		int64_t vu = get_time(o, "valid_until", &bad);
		if (bad) {
			st->malformed++;
			ind_report(opt, name, 0, obj, "malformed",
				   "valid_from/valid_until is not a timestamp");
			continue;
		}
		const char *camp = id ? campaign_of(objs, id) : NULL;
		if (camp && !ind_included(opt, camp, strlen(camp))) {
			st->filtered++;
			continue;
		}
		if (!camp && opt)
			camp = opt->campaign;
		size_t nt;
		const char *why = parse_pattern(pat, terms, &nt);
		if (why) {
			st->unsupported++;
			ind_report(opt, name, 0, obj, "unsupported", "pattern %.80s: %s",
				   pat, why);
		} else {
			for (size_t k = 0; k < nt && !rc; k++) {
				if (terms[k].hash) {
					st->hashes++;
					ind_report(opt, name, 0, obj, "hash",
						   "file hash %.80s: not a network indicator",
						   terms[k].value);
					continue;
				}
				rc = ind_add_value(set, opt, name, 0, obj, terms[k].value,
						   strlen(terms[k].value), camp, source,
						   vf, vu);
			}
		}
		for (size_t k = 0; k < nt; k++)
			free(terms[k].value);
		if (rc) {
			rc = sd_error_set(err, rc, "out of memory");
			break;
		}
	}
out:
	free(terms);
	if (single)
		json_decref(single);
	json_decref(root);
	return rc;
}
