#include "lists/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign/campaign.h"
#include "core/evidence.h"
#include "core/limits.h"
#include "db/builder.h"
#include "io/ident.h"

/* distinct campaigns in one import (the builder's ids are 16 bits, but a
 * list naming this many is not a list of one campaign's victims) */
#define IMPORT_MAX_CAMPAIGNS 64

struct list_import {
	struct list_import_opts o;
	struct db_builder *b;
	uint64_t distinct; /* prefix + campaign keys held after the last list */
	struct campaign_def defs[IMPORT_MAX_CAMPAIGNS];
	uint16_t def_ids[IMPORT_MAX_CAMPAIGNS];
	size_t ndefs;
	/* the campaign of --campaign, once looked up (defs do not move) */
	const struct campaign_def *default_def;
	uint16_t default_id;
	uint64_t rejected; /* over the files done, for --max-errors */
};

int list_import_new(const struct list_import_opts *opts, struct list_import **out,
		    struct sd_error *err)
{
	struct list_import *im = calloc(1, sizeof(*im));
	if (!im)
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	im->o = *opts;
	im->b = db_builder_new();
	if (!im->b) {
		list_import_free(im);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	*out = im;
	return 0;
}

void list_import_free(struct list_import *im)
{
	if (!im)
		return;
	for (size_t i = 0; i < im->ndefs; i++)
		campaign_free(&im->defs[i]);
	db_builder_free(im->b);
	free(im);
}

/* Builder id of a campaign, loading its definition on first use. */
static int campaign_id(struct list_import *im, const char *name, uint16_t *id,
		       const struct campaign_def **def, struct sd_error *err)
{
	for (size_t i = 0; i < im->ndefs; i++)
		if (!strcmp(im->defs[i].name, name)) {
			*id = im->def_ids[i];
			*def = &im->defs[i];
			return 0;
		}
	if (im->ndefs == IMPORT_MAX_CAMPAIGNS)
		return sd_error_set(err, SD_ELIMIT,
				    "more than 64 distinct campaigns in one import");
	struct campaign_def *d = &im->defs[im->ndefs];
	struct sd_error ferr = {0};
	if (campaign_find(im->o.campaign_dir, name, d, &ferr) != 0) {
		if (ferr.code != SD_ENOTFOUND)
			return sd_error_set(err, ferr.code, "%s", ferr.msg);
		/* an undefined campaign is allowed, with empty metadata */
		memset(d, 0, sizeof(*d));
		d->name = strdup(name);
		if (!d->name)
			return sd_error_set(err, SD_ENOMEM, "out of memory");
		char *msg = NULL;
		if (im->o.warning &&
		    asprintf(&msg, "%s; campaign '%s' gets no title, window or advisory",
			     ferr.msg, name) >= 0) {
			im->o.warning(im->o.ctx, msg);
			free(msg);
		}
	}
	struct db_campaign_meta m = {d->name,	     d->title,	      d->advisory,
				     d->remediation, d->window_start, d->window_end};
	int rc = db_builder_campaign(im->b, &m, &im->def_ids[im->ndefs], err);
	if (rc) {
		campaign_free(d);
		return rc;
	}
	*id = im->def_ids[im->ndefs];
	*def = d;
	im->ndefs++;
	return 0;
}

static bool outside_window(const struct campaign_def *d, uint32_t first, uint32_t last)
{
	if (d->window_end && first && first > d->window_end)
		return true;
	if (d->window_start && last && last < d->window_start)
		return true;
	return false;
}

/* The source set of the lines of one list: a list names the same source on
 * every line, so its set is looked up once, not once a line. */
struct source_memo {
	char buf[SD_MAX_STRING + 1];
	const char *name; /* NULL: none yet, or too long to keep */
	/* the list's default source (fixed while the list is read) when that
	 * is what name holds: known equal without comparing */
	const char *fixed;
	uint32_t set;
};

static int source_set(struct list_import *im, struct source_memo *m, const char *name,
		      bool fixed, uint32_t *set, struct sd_error *err)
{
	if (fixed && m->name && name == m->fixed) {
		*set = m->set;
		return 0;
	}
	m->fixed = NULL;
	if (!m->name || strcmp(name, m->name)) {
		int rc = db_builder_sourceset(im->b, &name, 1, &m->set, err);
		if (rc)
			return rc;
		snprintf(m->buf, sizeof(m->buf), "%s", name);
		m->name = strlen(name) < sizeof(m->buf) ? m->buf : NULL;
	}
	if (fixed && m->name)
		m->fixed = name;
	*set = m->set;
	return 0;
}

/* Checks an entry against the import's rules: its campaign (named or
 * defaulted, known or not), its dates (defaulted, ordered, inside the
 * campaign's window). Returns LIST_ENTRY, LIST_BAD_LINE (err says why) or
 * <0 on a fatal error. */
static int check_entry(struct list_import *im, const struct list_reader *lr,
		       const struct list_entry *e, struct list_import_stats *fs,
		       uint16_t *cid, uint32_t *first, uint32_t *last,
		       struct sd_error *err)
{
	const struct io_source *src = list_source(lr);
	const char *cname = e->campaign ? e->campaign : im->o.campaign;
	const struct campaign_def *def = NULL;
	if (!cname) {
		fs->no_campaign++;
		sd_error_set(err, SD_EPARSE,
			     "%s:%llu: no campaign (add a campaign column or "
			     "use --campaign)",
			     io_name(src), (unsigned long long)io_lineno(src));
		return LIST_BAD_LINE;
	}
	if (cname == im->o.campaign && im->default_def) {
		/* --campaign: the same campaign for every line without one */
		*cid = im->default_id;
		def = im->default_def;
	} else {
		struct sd_error cerr = {0};
		if (campaign_id(im, cname, cid, &def, &cerr))
			return sd_error_set(err, cerr.code, "%s", cerr.msg);
		if (cname == im->o.campaign) {
			im->default_id = *cid;
			im->default_def = def;
		}
	}
	uint32_t f = e->first_seen ? e->first_seen : im->o.first_seen;
	uint32_t l = e->last_seen ? e->last_seen : im->o.last_seen;
	/* one known time stands for both (as in the builder) */
	if (!f)
		f = l;
	if (!l)
		l = f;
	*first = f;
	*last = l;
	if (f && l && l < f) {
		sd_error_set(err, SD_ERANGE, "%s:%llu: last_seen is before first_seen",
			     io_name(src), (unsigned long long)io_lineno(src));
		return LIST_BAD_LINE;
	}
	if (outside_window(def, f, l)) {
		sd_error_set(err, SD_ERANGE,
			     "%s:%llu: dated outside the window of campaign '%s'",
			     io_name(src), (unsigned long long)io_lineno(src), cname);
		return LIST_BAD_LINE;
	}
	return LIST_ENTRY;
}

/* Counts a bad line; fails when --strict or --max-errors says stop. */
static int bad_line(struct list_import *im, struct list_import_stats *fs,
		    struct sd_error *err)
{
	fs->rejected++;
	if (im->o.bad_line && (!im->o.quiet || im->o.strict))
		im->o.bad_line(im->o.ctx, err->msg);
	if (im->o.strict || im->rejected + fs->rejected > im->o.max_errors) {
		if (im->o.strict)
			return sd_error_set(err, SD_EPARSE,
					    "stopping at the first bad line (--strict)");
		return sd_error_set(err, SD_EPARSE,
				    "stopping: more than %llu bad lines (--max-errors)",
				    (unsigned long long)im->o.max_errors);
	}
	return 0;
}

static int add_entry(struct list_import *im, struct source_memo *memo,
		     const struct list_entry *e, const char *default_source, uint16_t cid,
		     uint32_t f, uint32_t l, struct sd_error *err)
{
	const char *srcname = e->source ? e->source : default_source;
	struct db_sighting s = {
	    .first_seen = f,
	    .last_seen = l,
	    .count = e->count,
	    .campaign = cid,
	    .evidence = (uint8_t)(DB_EV_LIST | e->evidence),
	    .confidence = e->confidence ? e->confidence : im->o.confidence,
	};
	int rc = source_set(im, memo, srcname, !e->source, &s.sources, err);
	if (rc)
		return rc;
	return db_builder_add(im->b, &e->prefix, &s, err);
}

static int import_lines(struct list_import *im, struct list_reader *lr,
			const char *default_source, struct list_import_stats *fs,
			uint64_t *added, struct sd_error *err)
{
	struct source_memo memo = {.name = NULL};
	struct list_entry e;
	int rc;
	while ((rc = list_next(lr, &e, err)) != LIST_EOF) {
		if (rc < 0)
			return rc;
		uint16_t cid = 0;
		uint32_t f = 0, l = 0;
		if (rc == LIST_ENTRY)
			rc = check_entry(im, lr, &e, fs, &cid, &f, &l, err);
		if (rc < 0)
			return rc;
		if (rc == LIST_BAD_LINE) {
			if ((rc = bad_line(im, fs, err)))
				return rc;
			continue;
		}
		if ((rc = add_entry(im, &memo, &e, default_source, cid, f, l, err)))
			return rc;
		/* accepted and duplicate lines together, told apart at the end
		 * of the list (list_import_file) */
		(*added)++;
		if ((*added & 0xffff) == 0 && im->o.progress)
			im->o.progress(im->o.ctx, *added);
	}
	return 0;
}

int list_import_file(struct list_import *im, struct list_reader *lr,
		     const char *default_source, struct list_import_stats *fs,
		     struct sd_error *err)
{
	*fs = (struct list_import_stats){0};
	uint64_t added = 0, distinct = 0;
	int rc = import_lines(im, lr, default_source, fs, &added, err);
	im->rejected += fs->rejected;
	/* A repeated key is combined with the first and counted apart, so
	 * that accepted counts distinct keys: the builder sorts and combines
	 * what it holds, and the keys it gained are this list's new ones. The
	 * counts hold even when the list stopped early. */
	struct sd_error serr = {0};
	if (db_builder_settle(im->b, &distinct, &serr))
		return rc ? rc : sd_error_set(err, serr.code, "%s", serr.msg);
	fs->accepted = distinct - im->distinct;
	fs->duplicate = added - fs->accepted;
	im->distinct = distinct;
	return rc;
}

int list_import_provenance(struct list_import *im, const char *path, const char *source,
			   struct sd_error *err)
{
	struct io_ident ident;
	struct sd_error ierr = {0};
	if (!strcmp(path, "-") || io_ident_file(path, 0, UINT64_MAX, &ident, &ierr))
		return 0;
	return db_builder_input(im->b, source, &ident, err);
}

int list_import_write(struct list_import *im, const char *path, uint64_t build_time,
		      struct sd_error *err)
{
	return db_builder_write(im->b, path, build_time, err);
}
