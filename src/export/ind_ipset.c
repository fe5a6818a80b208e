/* ipset restore file: two hash:net sets, NAME-v4 (family inet) and NAME-v6
 * (family inet6), created with -exist so that `ipset restore < FILE` also
 * works when they exist; flushed first so a reload replaces the contents. */
#include "export/export_ind.h"

#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"

#define IPSET_MIN_MAXELEM 65536u /* ipset's own default */

static void set_lines(FILE *fp, const char *name, bool v4,
		      const struct net_prefix *p, size_t n)
{
	char buf[NET_PREFIX_STRLEN];
	size_t maxelem = n > IPSET_MIN_MAXELEM ? n : IPSET_MIN_MAXELEM;
	fprintf(fp, "create %s-%s hash:net family %s maxelem %zu -exist\n",
		name, v4 ? "v4" : "v6", v4 ? "inet" : "inet6", maxelem);
	fprintf(fp, "flush %s-%s\n", name, v4 ? "v4" : "v6");
	for (size_t i = 0; i < n; i++) {
		net_prefix_format(&p[i], buf, sizeof(buf));
		fprintf(fp, "add %s-%s %s -exist\n", name, v4 ? "v4" : "v6", buf);
	}
}

int export_ind_ipset(const struct ind_set *set, const struct export_ind_opts *o,
		     const char *path, struct export_stats *st,
		     struct sd_error *err)
{
	const char *name = o->name ? o->name : "sighted";
	struct net_prefix *p4 = NULL, *p6 = NULL;
	size_t n4 = 0, n6 = 0;
	memset(st, 0, sizeof(*st));
	int rc;
	if ((rc = export_ind_netlist(set, o, true, &p4, &n4)) ||
	    (rc = export_ind_netlist(set, o, false, &p6, &n6))) {
		free(p4);
		return sd_error_set(err, rc, "out of memory");
	}
	struct sd_atomic_file af;
	if ((rc = sd_atomic_open(&af, path, err)))
		goto out;
	set_lines(af.fp, name, true, p4, n4);
	set_lines(af.fp, name, false, p6, n6);
	if ((rc = sd_atomic_commit(&af, err)))
		goto out;
	st->entries = n4 + n6;
	st->bytes = (uint64_t)export_file_size(path);
out:
	free(p4);
	free(p6);
	return rc;
}
