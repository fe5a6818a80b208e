/* nftables: a `table inet NAME` holding two interval sets, NAME_v4 and
 * NAME_v6, of the address and prefix indicators, with prefixes inside
 * others dropped (interval sets refuse overlapping elements). Load with
 * `nft -f FILE`; rules then match `ip daddr @NAME_v4`. The file first
 * deletes the table if present, so reloading replaces the sets. */
#include "export/export_ind.h"

static void part(FILE *fp, const char *name, enum export_ind_part what,
		 const struct net_prefix *p, size_t n)
{
	char buf[NET_PREFIX_STRLEN];
	if (what == EXPORT_IND_BEGIN) {
		fprintf(
		    fp,
		    "#!/usr/sbin/nft -f\n"
		    "# sighted export: campaign infrastructure addresses and prefixes\n"
		    "table inet %s\n"
		    "delete table inet %s\n"
		    "table inet %s {\n",
		    name, name, name);
		return;
	}
	if (what == EXPORT_IND_END) {
		fputs("}\n", fp);
		return;
	}
	bool v4 = what == EXPORT_IND_V4;
	fprintf(fp, "\tset %s_%s {\n\t\ttype %s\n\t\tflags interval\n", name,
		v4 ? "v4" : "v6", v4 ? "ipv4_addr" : "ipv6_addr");
	if (n) {
		fputs("\t\telements = {", fp);
		for (size_t i = 0; i < n; i++) {
			if (p[i].len == 128)
				net_addr_format(&p[i].addr, buf, sizeof(buf));
			else
				net_prefix_format(&p[i], buf, sizeof(buf));
			fprintf(fp, "%s\n\t\t\t%s", i ? "," : "", buf);
		}
		fputs("\n\t\t}\n", fp);
	}
	fputs("\t}\n", fp);
}

int export_ind_nft(const struct ind_set *set, const struct export_ind_opts *o,
		   const char *path, struct export_stats *st, struct sd_error *err)
{
	return export_ind_netsets(set, o, path, st, err, part);
}
