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

/* The header's names (case-insensitive; a name given twice: the last
 * cell). value, indicator, data and the named kinds compete for the value
 * column, settled by find_cols. */
enum {
	H_VALUE,
	H_NAMED,
	H_INDICATOR,
	H_DATA,
	H_TYPE,
	H_CAMPAIGN,
	H_SOURCE,
	H_FROM,
	H_UNTIL,
	NH
};
static const struct sd_csv_name header_names[] = {
    {"value", H_VALUE},		{"ioc", H_VALUE},	    {"domain", H_NAMED},
    {"hostname", H_NAMED},	{"url", H_NAMED},	    {"ip", H_NAMED},
    {"indicator", H_INDICATOR}, {"data", H_DATA},	    {"type", H_TYPE},
    {"entity_type", H_TYPE},	{"indicator_type", H_TYPE}, {"kind", H_TYPE},
    {"campaign", H_CAMPAIGN},	{"source", H_SOURCE},	    {"valid_from", H_FROM},
    {"valid_until", H_UNTIL},
};

static void find_cols(struct sd_field *h, long n, struct cols *c)
{
	int pos[NH];
	sd_csv_columns(h, n < CSV_MAX_FIELDS ? (size_t)n : CSV_MAX_FIELDS, header_names,
		       sizeof(header_names) / sizeof(header_names[0]),
		       SD_CSV_NOCASE | SD_CSV_TRIM | SD_CSV_LAST, pos, NH);
	*c = (struct cols){pos[H_VALUE],  pos[H_TYPE], pos[H_CAMPAIGN],
			   pos[H_SOURCE], pos[H_FROM], pos[H_UNTIL]};
	if (pos[H_DATA] >= 0) {
		c->value = pos[H_DATA];
		if (c->type < 0)
			c->type = pos[H_INDICATOR];
	} else if (c->value < 0) {
		c->value = pos[H_INDICATOR] >= 0 ? pos[H_INDICATOR] : pos[H_NAMED];
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
		if (vu && c.until < nf && sd_time_is_date(f[c.until].s, f[c.until].len))
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
