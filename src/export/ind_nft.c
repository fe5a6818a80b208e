/* nftables: a `table inet NAME` holding two interval sets, NAME_v4 and
 * NAME_v6, of the address and prefix indicators, with prefixes inside
 * others dropped (interval sets refuse overlapping elements). Load with
 * `nft -f FILE`; rules then match `ip daddr @NAME_v4`. The file first
 * deletes the table if present, so reloading replaces the sets. */
#include "export/export_ind.h"

#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"

static void set_block(FILE *fp, const char *name, bool v4,
		      const struct net_prefix *p, size_t n)
{
	char buf[NET_PREFIX_STRLEN];
	fprintf(fp, "\tset %s_%s {\n\t\ttype %s\n\t\tflags interval\n", name,
		v4 ? "v4" : "v6", v4 ? "ipv4_addr" : "ipv6_addr");
	if (n) {
		fputs("\t\telements = {", fp);
		for (size_t i = 0; i < n; i++) {
			struct net_prefix q = p[i];
			if (q.len == 128)
				net_addr_format(&q.addr, buf, sizeof(buf));
			else
				net_prefix_format(&q, buf, sizeof(buf));
			fprintf(fp, "%s\n\t\t\t%s", i ? "," : "", buf);
		}
		fputs("\n\t\t}\n", fp);
	}
	fputs("\t}\n", fp);
}

int export_ind_nft(const struct ind_set *set, const struct export_ind_opts *o,
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
	fprintf(af.fp,
		"#!/usr/sbin/nft -f\n"
		"# sighted export: campaign infrastructure addresses and prefixes\n"
		"table inet %s\n"
		"delete table inet %s\n"
		"table inet %s {\n",
		name, name, name);
	set_block(af.fp, name, true, p4, n4);
	set_block(af.fp, name, false, p6, n6);
	fputs("}\n", af.fp);
	if ((rc = sd_atomic_commit(&af, err)))
		goto out;
	st->entries = n4 + n6;
	st->bytes = (uint64_t)export_file_size(path);
out:
	free(p4);
	free(p6);
	return rc;
}
