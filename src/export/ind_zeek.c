/* Zeek Intel framework file: a #fields header, then one tab-separated line
 * per indicator (docs/export-zeek.md). Intel::DOMAIN matches a name
 * exactly in Zeek, so subdomains are not covered there; URLs are written
 * without their scheme, as Zeek's HTTP analyser sees them (host + path). */
#include "export/export_ind.h"

#include <string.h>

#include "core/atomic_file.h"

static const char *zeek_type(const struct ind_indicator *d)
{
	switch (d->kind) {
	case IND_ADDR: return "Intel::ADDR";
	case IND_PREFIX: return "Intel::SUBNET";
	case IND_DOMAIN: return "Intel::DOMAIN";
	case IND_URL: return "Intel::URL";
	default: return NULL;
	}
}

int export_ind_zeek(const struct ind_set *set, const struct export_ind_opts *o,
		    const char *path, struct export_stats *st,
		    struct sd_error *err)
{
	struct sd_atomic_file af;
	memset(st, 0, sizeof(*st));
	int rc = sd_atomic_open(&af, path, err);
	if (rc)
		return rc;
	fputs("#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\n", af.fp);
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
		export_ind_clean(what, sizeof(what), d->campaign ? d->campaign : "unlabelled");
		snprintf(desc, sizeof(desc), "sighted: %s infrastructure%s", what,
			 d->flags & IND_SHARED ? " (path on a shared host)" : "");
		fprintf(af.fp, "%s\t%s\t%s\t%s\n", value, type, *src ? src : "sighted", desc);
		st->entries++;
	}
	if ((rc = sd_atomic_commit(&af, err)))
		return rc;
	st->bytes = (uint64_t)export_file_size(path);
	return 0;
}
