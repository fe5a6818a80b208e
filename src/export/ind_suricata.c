/* Suricata: datasets hold single values and no CIDR, so addresses and
 * domains go to datasets and prefixes to an IP reputation file. The output
 * is a directory (created if missing) of:
 *   domains.lst          dataset type string: each name base64-encoded
 *   ipv4.lst, ipv6.lst   datasets type ipv4 / ipv6: one address per line
 *   iprep-categories.txt "1,sighted,<description>"
 *   iprep.list           "<prefix>,1,100" per prefix indicator
 * each written atomically. docs/export-suricata.md shows the rules and
 * suricata.yaml settings that use them. */
#include "export/export_ind.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/atomic_file.h"

static void base64(FILE *fp, const unsigned char *s, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		fputc(tab[v >> 18 & 63], fp);
		fputc(tab[v >> 12 & 63], fp);
		fputc(i + 1 < n ? tab[v >> 6 & 63] : '=', fp);
		fputc(i + 2 < n ? tab[v & 63] : '=', fp);
	}
}

enum sfile { S_DOMAINS, S_V4, S_V6, S_CATS, S_IPREP, S_N };
const char *const export_ind_suricata_files[S_N + 1] = {
    "domains.lst", "ipv4.lst", "ipv6.lst", "iprep-categories.txt", "iprep.list", NULL,
};

int export_ind_suricata(const struct ind_set *set, const struct export_ind_opts *o,
			const char *path, struct export_stats *st, struct sd_error *err)
{
	struct sd_atomic_file af[S_N];
	int rc = 0, opened = 0;
	char fn[4096];
	memset(st, 0, sizeof(*st));
	memset(af, 0, sizeof(af));
	const char *name = o->name ? o->name : "sighted";
	const char *why = export_ind_name_check(name);
	if (why) /* a ',' or a line break would make another category */
		return sd_error_set(err, SD_EUSAGE, "name '%s': %s", name, why);
	if (mkdir(path, 0755) && errno != EEXIST)
		return sd_error_errno(err, errno, "creating directory %s", path);
	for (; opened < S_N; opened++) {
		snprintf(fn, sizeof(fn), "%s/%s", path,
			 export_ind_suricata_files[opened]);
		if ((rc = sd_atomic_open(&af[opened], fn, err)))
			goto fail;
	}
	fprintf(af[S_CATS].fp, "1,%s,Campaign infrastructure exported by sighted\n",
		name);
	char buf[NET_PREFIX_STRLEN];
	for (size_t i = 0; i < ind_set_size(set); i++) {
		const struct ind_indicator *d = ind_set_at(set, i);
		if (!export_ind_selected(o, d)) {
			st->filtered++;
			continue;
		}
		if (d->flags & IND_SHARED) {
			st->skipped++;
			continue;
		}
		switch (d->kind) {
		case IND_DOMAIN:
			base64(af[S_DOMAINS].fp, (const unsigned char *)d->value,
			       strlen(d->value));
			fputc('\n', af[S_DOMAINS].fp);
			break;
		case IND_ADDR:
			net_addr_format(&d->prefix.addr, buf, sizeof(buf));
			fprintf(af[net_prefix_is_v4(&d->prefix) ? S_V4 : S_V6].fp, "%s\n",
				buf);
			break;
		case IND_PREFIX:
			net_prefix_format(&d->prefix, buf, sizeof(buf));
			fprintf(af[S_IPREP].fp, "%s,1,100\n", buf);
			break;
		default: /* URLs: no dataset type for host + path */
			st->skipped++;
			continue;
		}
		st->entries++;
	}
	for (int k = 0; k < S_N; k++)
		if ((rc = sd_atomic_commit(&af[k], err))) {
			for (int j = k + 1; j < S_N; j++)
				sd_atomic_abort(&af[j]);
			return rc;
		}
	for (int k = 0; k < S_N; k++) {
		snprintf(fn, sizeof(fn), "%s/%s", path, export_ind_suricata_files[k]);
		st->bytes += (uint64_t)export_file_size(fn);
	}
	return 0;
fail:
	for (int k = 0; k < opened; k++)
		sd_atomic_abort(&af[k]);
	return rc;
}
