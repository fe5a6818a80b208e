/* rbldnsd dnset zone of indicator domains: `.example.com` lists the domain
 * and every subdomain (the matcher's rule); the host of a URL indicator
 * that is not on a shared host is listed exactly. Every name answers
 * A 127.0.0.2 and a TXT naming its campaign. Load as ZONE:dnset:FILE. */
#include "export/export_ind.h"

#include <string.h>

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

struct dnset_job {
	const struct ind_set *set;
	const struct export_ind_opts *o;
	struct export_stats *st;
};

static int body(FILE *fp, void *p, struct sd_error *err)
{
	const struct dnset_job *j = p;
	const struct ind_set *set = j->set;
	const struct export_ind_opts *o = j->o;
	struct export_stats *st = j->st;
	(void)err;
	fputs("# rbldnsd dnset written by sighted export; load as ZONE:dnset:THIS-FILE\n"
	      "$SOA 0 sighted.invalid. hostmaster.sighted.invalid. 0 1h 1h 1w 1h\n",
	      fp);
	for (size_t i = 0; i < ind_set_size(set); i++) {
		const struct ind_indicator *d = ind_set_at(set, i);
		if (!export_ind_selected(o, d)) {
			st->filtered++;
			continue;
		}
		if (d->kind == IND_DOMAIN && !strchr(d->value, '*')) {
			fprintf(fp, ".%s", d->value);
		} else if (d->kind == IND_URL && !(d->flags & IND_SHARED) && d->host &&
			   *d->host && !strchr(d->host, ':') && !strchr(d->host, '*')) {
			/* an address as URL host is no domain name */
			struct net_addr a;
			const char *why;
			if (!net_addr_parse(d->host, strlen(d->host), &a, &why)) {
				st->skipped++;
				continue;
			}
			fputs(d->host, fp);
		} else {
			st->skipped++;
			continue;
		}
		txt(fp, d);
		st->entries++;
	}
	return 0;
}

int export_ind_dnset(const struct ind_set *set, const struct export_ind_opts *o,
		     const char *path, struct export_stats *st, struct sd_error *err)
{
	memset(st, 0, sizeof(*st));
	struct dnset_job j = {set, o, st};
	return export_to_file(path, st, err, body, &j);
}
