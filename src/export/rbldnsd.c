/* rbldnsd zone export: one file of rbldnsd's "combined" dataset type holding
 * an ip4trie section (IPv4) and an ip6trie section (IPv6), both for the base
 * zone. Every listed network answers A 127.0.0.2 and a TXT naming the
 * campaigns sighted there. rbldnsd answers for the longest matching prefix
 * only, so each line carries everything covering it (a /32 inside a listed
 * /24 names the campaigns of both), as `sighted check` would.
 * Load with: rbldnsd ... ZONE:combined:FILE (docs/export-rbldnsd.md). */
#include "export/export.h"

#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/timeutil.h"
#include "report/report.h"

struct rbl_ctx {
	const struct db *db;
	const struct export_opts *o;
	uint64_t visited;
	const struct export_filter *f;
	FILE *fp;
	struct export_stats *st;
	bool v4; /* which section is being written */
	struct db_entry hits[SD_MAX_CHECK_HITS];
	uint32_t *seen, gen;
};

static bool cover_passes(struct rbl_ctx *c, const struct net_prefix *p)
{
	size_t nh = db_cover(c->db, p, c->hits, SD_MAX_CHECK_HITS);
	for (size_t h = 0; h < nh; h++)
		if (export_entry_passes(c->db, c->f, &c->hits[h]))
			return true;
	return false;
}

/* The TXT for everything covering p; false if nothing passes the filter. */
static bool txt_for(struct rbl_ctx *c, const struct net_prefix *p)
{
	size_t nh = db_cover(c->db, p, c->hits, SD_MAX_CHECK_HITS);
	uint32_t last = 0;
	unsigned conf = 0, n = 0;
	c->gen++;
	for (size_t h = 0; h < nh; h++) {
		for (uint32_t i = 0; i < c->hits[h].nsightings; i++) {
			struct db_sighting s;
			struct db_campaign dc;
			db_entry_sighting(c->db, &c->hits[h], i, &s);
			if (!export_sighting_passes(c->f, &s))
				continue;
			if (s.last_seen > last)
				last = s.last_seen;
			if (s.confidence > conf)
				conf = s.confidence;
			if (c->seen[s.campaign] == c->gen)
				continue;
			c->seen[s.campaign] = c->gen;
			db_campaign_get(c->db, s.campaign, &dc);
			fputs(n++ ? "," : ":127.0.0.2:sighted: ", c->fp);
			/* '$' would be expanded by rbldnsd; campaign names are
			 * not meant to hold it, but double it if they do */
			for (const char *q = dc.name; *q; q++) {
				if (*q == '$')
					fputc('$', c->fp);
				if (*q != '\n' && *q != '\r')
					fputc(*q, c->fp);
			}
		}
	}
	if (!n)
		return false;
	if (last) {
		char buf[SD_TIME_STRLEN];
		sd_time_format(last, buf, sizeof(buf));
		fprintf(c->fp, " last seen %.10s", buf);
	}
	fprintf(c->fp, " confidence %s\n", db_confidence_name(conf));
	return true;
}

static int line(const struct db_entry *e, void *p)
{
	struct rbl_ctx *c = p;
	export_progress(c->o, "rbldnsd", c->visited++, 2 * db_entry_count(c->db));
	bool v4 = net_prefix_is_v4(&e->prefix);
	if (v4 != c->v4)
		return 0;
	if (!export_entry_passes(c->db, c->f, e)) {
		c->st->filtered++;
		return 0;
	}
	char net[NET_PREFIX_STRLEN];
	net_prefix_format(&e->prefix, net, sizeof(net));
	fprintf(c->fp, "%s ", net);
	if (!txt_for(c, &e->prefix))
		fputs(":127.0.0.2:\n", c->fp);
	c->st->entries++;
	return ferror(c->fp) ? SD_EIO : 0;
}

static int body(FILE *fp, void *p, struct sd_error *err)
{
	struct rbl_ctx *c = p;
	(void)err;
	c->fp = fp;
	char built[SD_TIME_STRLEN];
	sd_time_format((int64_t)db_build_time(c->db), built, sizeof(built));
	fprintf(fp,
		"# rbldnsd combined dataset written by sighted export\n"
		"# snapshot built %s; load as ZONE:combined:THIS-FILE\n"
		"$SOA 0 sighted.invalid. hostmaster.sighted.invalid. 0 1h 1h 1w 1h\n"
		"$DATASET ip4trie:sighted-ipv4 @\n",
		built);
	c->v4 = true;
	/* an IPv6 entry wide enough to hold ::ffff:0:0/96 covers all of IPv4,
	 * which only an ip4trie line can say */
	struct net_prefix all4;
	net_addr_from_v4(&all4.addr, 0);
	all4.len = 96;
	struct db_entry probe;
	if (db_cover(c->db, &all4, &probe, 1) && !net_prefix_is_v4(&probe.prefix) &&
	    cover_passes(c, &all4)) {
		fputs("0.0.0.0/0 ", fp);
		txt_for(c, &all4);
	}
	int rc = db_foreach(c->db, line, c);
	if (rc)
		return rc;
	fputs("$DATASET ip6trie:sighted-ipv6 @\n", fp);
	c->v4 = false;
	return db_foreach(c->db, line, c);
}

int export_rbldnsd(const struct db *db, const struct export_opts *o, const char *path,
		   struct export_stats *st, struct sd_error *err)
{
	memset(st, 0, sizeof(*st));
	struct rbl_ctx *c = calloc(1, sizeof(*c));
	uint32_t *seen = calloc(db_campaign_count(db) + 1, sizeof(uint32_t));
	int rc;
	if (!c || !seen) {
		rc = sd_error_set(err, SD_ENOMEM, "out of memory");
	} else {
		*c = (struct rbl_ctx){
		    .db = db, .o = o, .f = &o->filter, .st = st, .seen = seen};
		rc = export_to_file(path, st, err, body, c);
	}
	free(c);
	free(seen);
	return rc;
}
