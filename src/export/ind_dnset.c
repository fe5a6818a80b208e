/* rbldnsd dnset zone of indicator domains: `.example.com` lists the domain
 * and every subdomain (the matcher's rule); the host of a URL indicator
 * that is not on a shared host is listed exactly. Every name answers
 * A 127.0.0.2 and a TXT naming its campaign. Load as ZONE:dnset:FILE. */
#include "export/export_ind.h"

#include <string.h>

#include "core/atomic_file.h"

static void txt(FILE *fp, const struct ind_indicator *d)
{
	char c[300];
	export_ind_clean(c, sizeof(c), d->campaign ? d->campaign : "unlabelled");
	fputs(" :127.0.0.2:sighted indicator: ", fp);
	for (const char *q = c; *q; q++) {
		if (*q == '$')
			fputc('$', fp);
		fputc(*q, fp);
	}
	fputc('\n', fp);
}

int export_ind_dnset(const struct ind_set *set, const struct export_ind_opts *o,
		     const char *path, struct export_stats *st,
		     struct sd_error *err)
{
	struct sd_atomic_file af;
	memset(st, 0, sizeof(*st));
	int rc = sd_atomic_open(&af, path, err);
	if (rc)
		return rc;
	fputs("# rbldnsd dnset written by sighted export; load as ZONE:dnset:THIS-FILE\n"
	      "$SOA 0 sighted.invalid. hostmaster.sighted.invalid. 0 1h 1h 1w 1h\n",
	      af.fp);
	for (size_t i = 0; i < ind_set_size(set); i++) {
		const struct ind_indicator *d = ind_set_at(set, i);
		if (!export_ind_selected(o, d)) {
			st->filtered++;
			continue;
		}
		if (d->kind == IND_DOMAIN && !strchr(d->value, '*')) {
			fprintf(af.fp, ".%s", d->value);
		} else if (d->kind == IND_URL && !(d->flags & IND_SHARED) && d->host &&
			   *d->host && !strchr(d->host, ':') && !strchr(d->host, '*')) {
			/* an address as URL host is no domain name */
			struct net_addr a;
			const char *why;
			if (!net_addr_parse(d->host, strlen(d->host), &a, &why)) {
				st->skipped++;
				continue;
			}
			fputs(d->host, af.fp);
		} else {
			st->skipped++;
			continue;
		}
		txt(af.fp, d);
		st->entries++;
	}
	if ((rc = sd_atomic_commit(&af, err)))
		return rc;
	st->bytes = (uint64_t)export_file_size(path);
	return 0;
}
