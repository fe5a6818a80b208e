/* Writers for indicator sets (a campaign's infrastructure), for sensors and
 * firewalls: Zeek Intel, Suricata datasets + IP reputation, nftables sets,
 * ipset restore files and rbldnsd dnset zones. Each writes through
 * core/atomic_file.h; docs/export-*.md describe the formats. */
#ifndef SD_EXPORT_EXPORT_IND_H
#define SD_EXPORT_EXPORT_IND_H

#include <stdbool.h>

#include "core/error.h"
#include "export/export.h"
#include "indicators/indicators.h"

struct export_ind_opts {
	const char *campaign; /* only indicators labelled so; NULL: all */
	const char *name;     /* set/table/zone name; NULL: "sighted" */
};

/* Longest --name. The names derived from it must fit every target:
 * ipset's "NAME-v4" and Suricata's iprep category name hold 31
 * characters, nftables' "NAME_v4" set 31 on kernels before 4.13. */
#define EXPORT_IND_NAME_MAX 28

/* NULL when name can be written into nftables, ipset and Suricata files
 * as it is: a letter, then letters, digits and '_', at most
 * EXPORT_IND_NAME_MAX in all (nothing that could end a statement, start a
 * comment or a new line, or be cut short by the loader). Else why not. */
const char *export_ind_name_check(const char *name);

typedef int (*export_ind_fn)(const struct ind_set *set, const struct export_ind_opts *o,
			     const char *path, struct export_stats *st,
			     struct sd_error *err);

/* Zeek Intel framework file (one file). */
int export_ind_zeek(const struct ind_set *set, const struct export_ind_opts *o,
		    const char *path, struct export_stats *st, struct sd_error *err);
/* Suricata: path is a directory (created if missing) receiving
 * domains.lst (dataset, type string, base64), ipv4.lst and ipv6.lst
 * (datasets of single addresses), iprep-categories.txt and iprep.list
 * (prefixes), and sighted.rules using them. */
int export_ind_suricata(const struct ind_set *set, const struct export_ind_opts *o,
			const char *path, struct export_stats *st, struct sd_error *err);
/* The names export_ind_suricata writes in its directory, NULL-terminated
 * (so a caller can refuse an input it would overwrite). */
extern const char *const export_ind_suricata_files[];
/* nftables: a table inet with two interval sets (nft -f). */
int export_ind_nft(const struct ind_set *set, const struct export_ind_opts *o,
		   const char *path, struct export_stats *st, struct sd_error *err);
/* ipset restore file: two hash:net sets (ipset restore < file). */
int export_ind_ipset(const struct ind_set *set, const struct export_ind_opts *o,
		     const char *path, struct export_stats *st, struct sd_error *err);
/* rbldnsd dnset zone of indicator domains. */
int export_ind_dnset(const struct ind_set *set, const struct export_ind_opts *o,
		     const char *path, struct export_stats *st, struct sd_error *err);

struct export_ind_format {
	const char *name;
	const char *summary;
	export_ind_fn write;
};
extern const struct export_ind_format export_ind_formats[];
const struct export_ind_format *export_ind_format_find(const char *name);

/* Shared by the writers. */
bool export_ind_selected(const struct export_ind_opts *o, const struct ind_indicator *d);
/* The address and prefix indicators of one family, sorted, with every
 * prefix inside another dropped (set membership is unchanged and firewall
 * interval sets refuse overlaps). *out is malloc'd. */
int export_ind_netlist(const struct ind_set *set, const struct export_ind_opts *o,
		       bool v4, struct net_prefix **out, size_t *n);
/* The address/prefix formats (nftables, ipset): fn is called for the
 * file's beginning, the IPv4 list, the IPv6 list and the end. */
enum export_ind_part { EXPORT_IND_BEGIN, EXPORT_IND_V4, EXPORT_IND_V6, EXPORT_IND_END };
typedef void (*export_ind_netset_fn)(FILE *fp, const char *name,
				     enum export_ind_part part,
				     const struct net_prefix *p, size_t n);
int export_ind_netsets(const struct ind_set *set, const struct export_ind_opts *o,
		       const char *path, struct export_stats *st, struct sd_error *err,
		       export_ind_netset_fn fn);
/* A text field with tabs, line breaks and other control bytes replaced by
 * spaces, for line- and tab-separated formats. */
void export_ind_clean(char *dst, size_t size, const char *src);

#endif
