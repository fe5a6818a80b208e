/* Zeek Intel framework file: a #fields header, then one tab-separated line
 * per indicator (docs/export-zeek.md). Intel::DOMAIN matches a name
 * exactly in Zeek, so subdomains are not covered there; URLs are written
 * without their scheme, as Zeek's HTTP analyser sees them (host + path). */
#include "export/export_ind.h"

#include <string.h>

static const char *zeek_type(const struct ind_indicator *d)
{
	switch (d->kind) {
	case IND_ADDR:
		return "Intel::ADDR";
	case IND_PREFIX:
		return "Intel::SUBNET";
	case IND_DOMAIN:
		return "Intel::DOMAIN";
	case IND_URL:
		return "Intel::URL";
	default:
		return NULL;
	}
}

struct zeek_job {
	const struct ind_set *set;
	const struct export_ind_opts *o;
	struct export_stats *st;
};

static int body(FILE *fp, void *p, struct sd_error *err)
{
	const struct zeek_job *j = p;
	const struct ind_set *set = j->set;
	const struct export_ind_opts *o = j->o;
	struct export_stats *st = j->st;
	(void)err;
	fputs("#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\n", fp);
	char value[IND_MAX_VALUE + 1], src[256], desc[512];
	for (size_t i = 0; i < ind_set_size(set); i++) {
		const struct ind_indicator *d = ind_set_at(set, i);
		if (!export_ind_selected(o, d)) {
			st->filtered++;
			continue;
		}
		const char *type = zeek_type(d);
		const char *v = d->value;
		if (d->kind == IND_URL && strstr(v, "://"))
			v = strstr(v, "://") + 3;
		export_ind_clean(value, sizeof(value), v);
		if (!type || !*value || strchr(value, ' ')) {
			st->skipped++;
			continue;
		}
		export_ind_clean(src, sizeof(src), d->source ? d->source : "sighted");
		char what[300];
		export_ind_clean(what, sizeof(what),
				 d->campaign ? d->campaign : "unlabelled");
		snprintf(desc, sizeof(desc), "sighted: %s infrastructure%s", what,
			 d->flags & IND_SHARED ? " (path on a shared host)" : "");
		fprintf(fp, "%s\t%s\t%s\t%s\n", value, type, *src ? src : "sighted",
			desc);
		st->entries++;
	}
	return 0;
}

int export_ind_zeek(const struct ind_set *set, const struct export_ind_opts *o,
		    const char *path, struct export_stats *st, struct sd_error *err)
{
	memset(st, 0, sizeof(*st));
	struct zeek_job j = {set, o, st};
	return export_to_file(path, st, err, body, &j);
}
