#include "correlate/indset.h"

#include <stdio.h>
#include <string.h>

#include "core/plural.h"

static int add_shared(struct ind_set *set, const struct campaign_def *def,
		      const char *item, struct sd_error *err)
{
	int rc = ind_set_add_shared(set, item, strlen(item));
	switch (rc) {
	case 0:
		return 0;
	case SD_ENOMEM:
		return sd_error_set(err, rc, "out of memory");
	case SD_EHOSTBITS:
		return sd_error_set(err, rc, "%s: shared '%s': prefix has host bits set",
				    def->path, item);
	case SD_ERANGE:
		return sd_error_set(err, rc, "%s: shared '%s': bad prefix length",
				    def->path, item);
	case SD_ELIMIT:
		return sd_error_set(err, rc,
				    "%s: shared '%s': more than IND_MAX_SHARED_ADDRS "
				    "(%d) shared addresses and prefixes",
				    def->path, item, IND_MAX_SHARED_ADDRS);
	default:
		return sd_error_set(err, SD_EPARSE,
				    "%s: shared '%s' is neither an address, a prefix "
				    "nor a host name",
				    def->path, item);
	}
}

int corr_indset_load(const struct campaign_def *def, const char *const *files,
		     size_t nfiles, const struct ind_load_opts *base,
		     struct ind_set **out, struct sd_error *err)
{
	*out = NULL;
	struct ind_set *set = ind_set_new();
	if (!set)
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	struct ind_load_opts opt = *base;
	int rc = 0;
	if (def) {
		for (size_t i = 0; i < def->nshared && !rc; i++)
			rc = add_shared(set, def, def->shared[i], err);
		opt.ninclude = 0;
		for (size_t i = 0; i < def->ninclude && i < IND_MAX_INCLUDE; i++)
			opt.include[opt.ninclude++] = def->include[i];
		for (size_t i = 0; i < def->nindicators && !rc; i++)
			rc = ind_load_file(set, def->indicators[i], &opt, err);
	}
	/* files named by the user are taken whole */
	opt.ninclude = base->ninclude;
	for (size_t i = 0; i < nfiles && !rc; i++)
		rc = ind_load_file(set, files[i], &opt, err);
	if (!rc)
		rc = ind_set_compile(set, err);
	if (rc) {
		ind_set_free(set);
		return rc;
	}
	*out = set;
	return 0;
}

size_t corr_indset_summary(const struct ind_set *set, char *buf, size_t size)
{
	const struct ind_stats *st = ind_set_stats_const(set);
	size_t shared_urls = 0;
	for (size_t i = 0; i < ind_set_size(set); i++)
		shared_urls += (ind_set_at(set, i)->flags & IND_SHARED) != 0;
	size_t na = ind_set_count(set, IND_ADDR), np = ind_set_count(set, IND_PREFIX),
	       nd = ind_set_count(set, IND_DOMAIN), nu = ind_set_count(set, IND_URL);
	int n = snprintf(
	    buf, size,
	    "%zu network indicator%s (%zu address%s, %zu prefix%s, %zu domain%s, %zu "
	    "URL%s, %zu of them on shared hosts); "
	    "unusable: %llu hash%s, %llu unsupported, %llu shared infrastructure, %llu "
	    "malformed, %llu too broad; "
	    "%llu duplicate%s, %llu filtered out",
	    ind_set_size(set), sd_plural(ind_set_size(set), "", "s"), na,
	    sd_plural(na, "", "es"), np, sd_plural(np, "", "es"), nd,
	    sd_plural(nd, "", "s"), nu, sd_plural(nu, "", "s"), shared_urls,
	    (unsigned long long)st->hashes, sd_plural(st->hashes, "", "es"),
	    (unsigned long long)st->unsupported, (unsigned long long)st->shared,
	    (unsigned long long)st->malformed, (unsigned long long)st->broad,
	    (unsigned long long)st->duplicates, sd_plural(st->duplicates, "", "s"),
	    (unsigned long long)st->filtered);
	return n < 0 ? 0 : (size_t)n;
}
