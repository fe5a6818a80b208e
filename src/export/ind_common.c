#include "export/export_ind.h"

#include <stdlib.h>
#include <string.h>

const struct export_ind_format export_ind_formats[] = {
    {"zeek", "Zeek Intel framework file", export_ind_zeek},
    {"suricata", "Suricata datasets and IP reputation (a directory)",
     export_ind_suricata},
    {"nftables", "nftables table with IPv4 and IPv6 interval sets", export_ind_nft},
    {"ipset", "ipset restore file (hash:net, IPv4 and IPv6)", export_ind_ipset},
    {"dnset", "rbldnsd dnset zone of indicator domains", export_ind_dnset},
    {NULL, NULL, NULL},
};

const struct export_ind_format *export_ind_format_find(const char *name)
{
	for (const struct export_ind_format *f = export_ind_formats; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

#define NAME_MAX_TEXT_(n) #n
#define NAME_MAX_TEXT(n) NAME_MAX_TEXT_(n)

const char *export_ind_name_check(const char *name)
{
	size_t n = strlen(name);
	if (!n)
		return "empty";
	if (n > EXPORT_IND_NAME_MAX)
		return "longer than " NAME_MAX_TEXT(EXPORT_IND_NAME_MAX) " characters";
	if (!((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z')))
		return "must start with a letter";
	for (size_t i = 1; i < n; i++) {
		char c = name[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			return "only letters, digits and '_' are allowed";
	}
	return NULL;
}

bool export_ind_selected(const struct export_ind_opts *o, const struct ind_indicator *d)
{
	return !o->campaign || (d->campaign && !strcmp(d->campaign, o->campaign));
}

static int pcmp(const void *a, const void *b)
{
	return net_prefix_cmp(a, b);
}

int export_ind_netlist(const struct ind_set *set, const struct export_ind_opts *o,
		       bool v4, struct net_prefix **out, size_t *n)
{
	size_t cap = ind_set_count(set, IND_ADDR) + ind_set_count(set, IND_PREFIX);
	struct net_prefix *p = malloc((cap ? cap : 1) * sizeof(*p));
	if (!p)
		return SD_ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < ind_set_size(set); i++) {
		const struct ind_indicator *d = ind_set_at(set, i);
		if ((d->kind != IND_ADDR && d->kind != IND_PREFIX) ||
		    !export_ind_selected(o, d) || (d->flags & IND_SHARED) ||
		    net_prefix_is_v4(&d->prefix) != v4 || k == cap)
			continue;
		p[k++] = d->prefix;
	}
	/* sorted by address then length, a prefix's contents follow it */
	qsort(p, k, sizeof(*p), pcmp);
	size_t w = 0;
	for (size_t i = 0; i < k; i++)
		if (!w || !net_prefix_contains_prefix(&p[w - 1], &p[i]))
			p[w++] = p[i];
	*out = p;
	*n = w;
	return 0;
}

void export_ind_clean(char *dst, size_t size, const char *src)
{
	size_t i = 0;
	for (; src && *src && i + 1 < size; src++)
		dst[i++] = (unsigned char)*src < 0x20 || *src == 0x7f ? ' ' : *src;
	dst[i] = 0;
}

struct netsets_job {
	export_ind_netset_fn fn;
	const char *name;
	struct net_prefix *p[2];
	size_t n[2];
};

static int netsets_body(FILE *fp, void *ctx, struct sd_error *err)
{
	struct netsets_job *j = ctx;
	(void)err;
	j->fn(fp, j->name, EXPORT_IND_BEGIN, NULL, 0);
	j->fn(fp, j->name, EXPORT_IND_V4, j->p[0], j->n[0]);
	j->fn(fp, j->name, EXPORT_IND_V6, j->p[1], j->n[1]);
	j->fn(fp, j->name, EXPORT_IND_END, NULL, 0);
	return 0;
}

int export_ind_netsets(const struct ind_set *set, const struct export_ind_opts *o,
		       const char *path, struct export_stats *st, struct sd_error *err,
		       export_ind_netset_fn fn)
{
	struct netsets_job j = {fn, o->name ? o->name : "sighted", {NULL, NULL}, {0, 0}};
	memset(st, 0, sizeof(*st));
	const char *why = export_ind_name_check(j.name);
	if (why) /* the file is loaded as root: a name must not add statements */
		return sd_error_set(err, SD_EUSAGE, "name '%s': %s", j.name, why);
	int rc;
	if ((rc = export_ind_netlist(set, o, true, &j.p[0], &j.n[0])) ||
	    (rc = export_ind_netlist(set, o, false, &j.p[1], &j.n[1])))
		rc = sd_error_set(err, rc, "out of memory");
	else
		rc = export_to_file(path, st, err, netsets_body, &j);
	if (!rc)
		st->entries = j.n[0] + j.n[1];
	free(j.p[0]);
	free(j.p[1]);
	return rc;
}
