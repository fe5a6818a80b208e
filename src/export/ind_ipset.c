/* ipset restore file: two hash:net sets, NAME-v4 (family inet) and NAME-v6
 * (family inet6), created with -exist so that `ipset restore < FILE` also
 * works when they exist; flushed first so a reload replaces the contents. */
#include "export/export_ind.h"

#define IPSET_MIN_MAXELEM 65536u /* ipset's own default */

static void part(FILE *fp, const char *name, enum export_ind_part what,
		 const struct net_prefix *p, size_t n)
{
	if (what != EXPORT_IND_V4 && what != EXPORT_IND_V6)
		return;
	const char *fam = what == EXPORT_IND_V4 ? "v4" : "v6";
	char buf[NET_PREFIX_STRLEN];
	size_t maxelem = n > IPSET_MIN_MAXELEM ? n : IPSET_MIN_MAXELEM;
	fprintf(fp, "create %s-%s hash:net family %s maxelem %zu -exist\n", name, fam,
		what == EXPORT_IND_V4 ? "inet" : "inet6", maxelem);
	fprintf(fp, "flush %s-%s\n", name, fam);
	for (size_t i = 0; i < n; i++) {
		net_prefix_format(&p[i], buf, sizeof(buf));
		fprintf(fp, "add %s-%s %s -exist\n", name, fam, buf);
	}
}

int export_ind_ipset(const struct ind_set *set, const struct export_ind_opts *o,
		     const char *path, struct export_stats *st, struct sd_error *err)
{
	return export_ind_netsets(set, o, path, st, err, part);
}
