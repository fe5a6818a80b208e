/* CSV indicator files with a header row. Columns are found by name:
 *   value:  value | indicator | ioc | data (Sophos: Indicator is the type
 *           and Data the value)
 *   type:   type | entity_type | indicator_type | kind (optional: without
 *           it each value's type is detected)
 *   campaign, source, valid_from, valid_until: optional
 * Rows are RFC 4180 (core/csv.h); BOM and CRLF are accepted; a field may
 * hold several hashes separated by commas (Volexity's "file" rows). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/csv.h"
#include "core/timeutil.h"
#include "indicators/load.h"
#include "indicators/load_util.h"

#define CSV_MAX_FIELDS 64

struct cols {
	int value, type, campaign, source, from, until;
};

static void find_cols(struct sd_field *h, long n, struct cols *c)
{
	*c = (struct cols){-1, -1, -1, -1, -1, -1};
	int indicator = -1, data = -1, named = -1;
	for (long i = 0; i < n && i < CSV_MAX_FIELDS; i++) {
		struct sd_field *f = &h[i];
		sd_field_trim(f);
		if (sd_field_is(f, "value") || sd_field_is(f, "ioc"))
			c->value = (int)i;
		else if (sd_field_is(f, "domain") || sd_field_is(f, "hostname") ||
			 sd_field_is(f, "url") || sd_field_is(f, "ip"))
			named = (int)i;
		else if (sd_field_is(f, "indicator"))
			indicator = (int)i;
		else if (sd_field_is(f, "data"))
			data = (int)i;
		else if (sd_field_is(f, "type") || sd_field_is(f, "entity_type") ||
			 sd_field_is(f, "indicator_type") || sd_field_is(f, "kind"))
			c->type = (int)i;
		else if (sd_field_is(f, "campaign"))
			c->campaign = (int)i;
		else if (sd_field_is(f, "source"))
			c->source = (int)i;
		else if (sd_field_is(f, "valid_from"))
			c->from = (int)i;
		else if (sd_field_is(f, "valid_until"))
			c->until = (int)i;
	}
	if (data >= 0) {
		c->value = data;
		if (c->type < 0)
			c->type = indicator;
	} else if (c->value < 0) {
		c->value = indicator >= 0 ? indicator : named;
	}
}

static int parse_time(const struct sd_field *f, int64_t *out, const char **why)
{
	*out = 0;
	if (f->len == 0)
		return 0;
	return sd_time_parse(f->s, f->len, out, why);
}

int ind_load_csv(struct ind_set *set, const char *buf, size_t len, const char *name,
		 const struct ind_load_opts *opt, struct sd_error *err)
{
	struct ind_stats *st = ind_set_stats(set);
	const char *deflt_source = ind_source_label(opt, name);
	const char *p = buf, *end = buf + len;
	p += sd_bom_len(p, len);
	unsigned long line = 0;
	bool have_header = false;
	struct cols c = {-1, -1, -1, -1, -1, -1};
	char row[IND_MAX_VALUE * 2];
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *s = p;
		p = nl ? nl + 1 : end;
		line++;
		if (le > s && le[-1] == '\r')
			le--;
		size_t n = (size_t)(le - s);
		const char *t = s;
		while (t < le && isspace((unsigned char)*t))
			t++;
		if (t == le || *t == '#')
			continue;
		if (n >= sizeof(row)) {
			st->malformed++;
			ind_report(opt, name, line, NULL, "malformed",
				   "row longer than %zu bytes", sizeof(row) - 1);
			continue;
		}
		memcpy(row, s, n);
		row[n] = '\0';
		struct sd_field f[CSV_MAX_FIELDS];
		const char *why;
		long nf = sd_csv_split(row, n, ',', f, CSV_MAX_FIELDS, &why);
		if (nf < 0) {
			st->malformed++;
			ind_report(opt, name, line, NULL, "malformed", "%s", why);
			continue;
		}
		if (!have_header) {
			find_cols(f, nf, &c);
			if (c.value < 0)
				return sd_error_set(
				    err, SD_EFORMAT,
				    "%s:%lu: CSV header names no value column (value, "
				    "indicator, ioc, data, domain, hostname, url or ip)",
				    name, line);
			have_header = true;
			continue;
		}
		if (nf > CSV_MAX_FIELDS)
			nf = CSV_MAX_FIELDS;
		for (long i = 0; i < nf; i++)
			sd_field_trim(&f[i]);
		if (c.value >= nf) {
			st->malformed++;
			ind_report(opt, name, line, NULL, "malformed",
				   "row has %ld fields, the value is column %d", nf,
				   c.value + 1);
			continue;
		}
		struct sd_field *v = &f[c.value];
		if (v->len == 0)
			continue; /* a row with no value in it (a README row) */
		char campaign[256] = "", source[512] = "";
		if (c.campaign >= 0 && c.campaign < nf)
			snprintf(campaign, sizeof(campaign), "%.*s",
				 (int)f[c.campaign].len, f[c.campaign].s);
		if (!ind_included(opt, campaign, strlen(campaign))) {
			st->filtered++;
			continue;
		}
		if (!campaign[0] && opt && opt->campaign)
			snprintf(campaign, sizeof(campaign), "%s", opt->campaign);
		if (c.source >= 0 && c.source < nf && f[c.source].len)
			snprintf(source, sizeof(source), "%.*s", (int)f[c.source].len,
				 f[c.source].s);
		else
			snprintf(source, sizeof(source), "%s", deflt_source);
		int64_t vf = 0, vu = 0;
		if ((c.from >= 0 && c.from < nf && parse_time(&f[c.from], &vf, &why)) ||
		    (c.until >= 0 && c.until < nf &&
		     parse_time(&f[c.until], &vu, &why))) {
			st->malformed++;
			ind_report(opt, name, line, NULL, "malformed",
				   "validity time: %s", why);
			continue;
		}
		/* a bare end date means the whole of that day */
		if (vu && c.until < nf && f[c.until].len == 10)
			vu += 86399;
		if (c.type >= 0 && c.type < nf) {
			struct sd_field *ty = &f[c.type];
			enum ind_type_class cls = ind_type_classify(ty->s, ty->len);
			if (cls == IND_TYPE_HASH) {
				/* one field may carry "sha256,sha1,md5" */
				size_t k = 1;
				for (size_t i = 0; i < v->len; i++)
					k += v->s[i] == ',';
				st->hashes += k;
				ind_report(
				    opt, name, line, NULL, "hash",
				    "%zu file hash%s (%.*s): not a network indicator", k,
				    k > 1 ? "es" : "", (int)ty->len, ty->s);
				continue;
			}
			if (cls == IND_TYPE_UNSUPPORTED) {
				st->unsupported++;
				ind_report(opt, name, line, NULL, "unsupported",
					   "type '%.*s' is not a network indicator",
					   (int)ty->len > 64 ? 64 : (int)ty->len, ty->s);
				continue;
			}
		}
		int rc = ind_add_value(set, opt, name, line, NULL, v->s, v->len,
				       campaign[0] ? campaign : NULL, source, vf, vu);
		if (rc)
			return sd_error_set(err, rc, "out of memory");
	}
	if (!have_header)
		return sd_error_set(err, SD_EFORMAT, "%s: empty CSV (no header row)",
				    name);
	return 0;
}
