#include "campaign/campaign.h"

#include <ctype.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/timeutil.h"
#include "io/source.h"

#ifndef SIGHTED_CAMPAIGN_DIR
#define SIGHTED_CAMPAIGN_DIR "data/campaigns"
#endif

const char *campaign_default_dir(void)
{
	const char *e = getenv("SIGHTED_CAMPAIGNS");
	return e && *e ? e : SIGHTED_CAMPAIGN_DIR;
}

void campaign_free(struct campaign_def *c)
{
	if (!c)
		return;
	free(c->name);
	free(c->title);
	free(c->advisory);
	free(c->remediation);
	for (size_t i = 0; i < c->nindicators; i++)
		free(c->indicators[i]);
	for (size_t i = 0; i < c->ninclude; i++)
		free(c->include[i]);
	for (size_t i = 0; i < c->nshared; i++)
		free(c->shared[i]);
	free(c->path);
	memset(c, 0, sizeof(*c));
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Appends the comma-separated items of val to list (include, shared). */
static int add_list(char **list, size_t *n, const char *key, char *val, const char *path,
		    unsigned long ln, struct sd_error *err)
{
	for (char *save = NULL, *t = strtok_r(val, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		t = trim(t);
		if (!*t)
			continue;
		if (*n == CAMPAIGN_MAX_LIST)
			return sd_error_set(
			    err, SD_ELIMIT,
			    "%s:%lu: more than CAMPAIGN_MAX_LIST (%d) items in '%s'",
			    path, ln, CAMPAIGN_MAX_LIST, key);
		if (!(list[*n] = strdup(t)))
			return sd_error_set(err, SD_ENOMEM, "out of memory");
		(*n)++;
	}
	return 0;
}

static bool valid_name(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

int campaign_load(const char *path, struct campaign_def *out, struct sd_error *err)
{
	memset(out, 0, sizeof(*out));
	struct io_source *src;
	int rc = io_open(path, &src, err);
	if (rc)
		return rc;
	out->path = strdup(path);
	char *dircopy = strdup(path);
	const char *dir = dircopy ? dirname(dircopy) : ".";
	const char *line;
	size_t len;
	/* keys given once only: a second window_end must not silently move
	 * the window */
	static const char *const single[] = {"name",	    "title",	    "advisory",
					     "remediation", "window_start", "window_end"};
	unsigned long seen_lines[6] = {0};
	while ((rc = io_getline(src, &line, &len, err)) == 1) {
		char buf[4096];
		unsigned long ln = (unsigned long)io_lineno(src);
		if (len >= sizeof(buf)) {
			rc = sd_error_set(err, SD_ELIMIT, "%s:%lu: line too long", path,
					  ln);
			break;
		}
		if (memchr(line, '\0', len)) {
			rc = sd_error_set(
			    err, SD_EPARSE,
			    "%s:%lu: NUL byte in the line (not a text file?)", path, ln);
			break;
		}
		memcpy(buf, line, len + 1);
		char *s = trim(buf);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			rc = sd_error_set(err, SD_EPARSE,
					  "%s:%lu: expected 'key = value'", path, ln);
			break;
		}
		*eq = '\0';
		char *key = trim(s), *val = trim(eq + 1);
		size_t k;
		for (k = 0; k < 6 && strcmp(key, single[k]); k++)
			;
		if (k < 6 && seen_lines[k]) {
			rc = sd_error_set(err, SD_EPARSE,
					  "%s:%lu: '%s' given again (first on line %lu)",
					  path, ln, key, seen_lines[k]);
			break;
		}
		if (k < 6)
			seen_lines[k] = ln;
		char **slot = NULL;
		if (!strcmp(key, "name"))
			slot = &out->name;
		else if (!strcmp(key, "title"))
			slot = &out->title;
		else if (!strcmp(key, "advisory"))
			slot = &out->advisory;
		else if (!strcmp(key, "remediation"))
			slot = &out->remediation;
		if (slot) {
			free(*slot);
			if (!(*slot = strdup(val))) {
				rc = sd_error_set(err, SD_ENOMEM, "out of memory");
				break;
			}
			continue;
		}
		if (!strcmp(key, "window_start") || !strcmp(key, "window_end")) {
			const char *why;
			uint32_t t;
			if (sd_time_parse32(val, strlen(val), &t, &why)) {
				rc = sd_error_set(err, SD_EPARSE, "%s:%lu: %s: %s", path,
						  ln, key, why);
				break;
			}
			/* a bare end date means the whole of that day */
			if (!strcmp(key, "window_end") && strlen(val) == 10 &&
			    t <= UINT32_MAX - 86399)
				t += 86399;
			*(key[7] == 's' ? &out->window_start : &out->window_end) = t;
			continue;
		}
		if (!strcmp(key, "indicators")) {
			if (out->nindicators == CAMPAIGN_MAX_FILES) {
				rc = sd_error_set(err, SD_ELIMIT,
						  "%s:%lu: more than CAMPAIGN_MAX_FILES "
						  "(%d) indicator files",
						  path, ln, CAMPAIGN_MAX_FILES);
				break;
			}
			char *p;
			if (val[0] == '/')
				p = strdup(val);
			else if (asprintf(&p, "%s/%s", dir, val) < 0)
				p = NULL;
			if (!p) {
				rc = sd_error_set(err, SD_ENOMEM, "out of memory");
				break;
			}
			out->indicators[out->nindicators++] = p;
			continue;
		}
		if (!strcmp(key, "include") || !strcmp(key, "shared")) {
			bool inc = key[0] == 'i';
			rc = add_list(inc ? out->include : out->shared,
				      inc ? &out->ninclude : &out->nshared, key, val,
				      path, ln, err);
			if (rc)
				break;
			continue;
		}
		rc = sd_error_set(err, SD_EPARSE, "%s:%lu: unknown key '%s'", path, ln,
				  key);
		break;
	}
	io_close(src);
	free(dircopy);
	if (rc < 0) {
		campaign_free(out);
		return rc;
	}
	if (!out->name || !valid_name(out->name)) {
		campaign_free(out);
		return sd_error_set(
		    err, SD_EPARSE,
		    "%s: missing or invalid 'name' (letters, digits, '-', '_', '.')",
		    path);
	}
	if (out->window_start && out->window_end && out->window_end < out->window_start) {
		campaign_free(out);
		return sd_error_set(err, SD_ERANGE,
				    "%s: window_end is before window_start", path);
	}
	return 0;
}

int campaign_find(const char *dir, const char *name, struct campaign_def *out,
		  struct sd_error *err)
{
	struct stat st;
	if (stat(dir, &st) == 0 && S_ISREG(st.st_mode))
		return campaign_load(dir, out, err);
	if (!valid_name(name))
		return sd_error_set(err, SD_EPARSE, "invalid campaign name '%s'", name);
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.conf", dir, name);
	if (stat(path, &st) != 0)
		return sd_error_set(err, SD_ENOTFOUND,
				    "no definition for campaign '%s' (looked for %s)",
				    name, path);
	return campaign_load(path, out, err);
}
