/* Streaming comparison of two snapshots: both are walked with a cursor in
 * snapshot order and merged like two sorted files. */
#include "db/diff.h"

#include <stdlib.h>
#include <string.h>

/* Campaign ids are local to a snapshot: old ids are mapped to new ones
 * by name once, -1 for a campaign the new snapshot does not have. */
struct diff_run {
	const struct db *old, *new;
	int32_t *old_to_new;
	db_diff_fn fn;
	void *ctx;
	struct db_diff_stats st;
};

static bool same_sources(const struct db *a, uint32_t sa, const struct db *b, uint32_t sb)
{
	uint32_t n = db_sourceset_size(a, sa);
	if (n != db_sourceset_size(b, sb))
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (strcmp(db_sourceset_item(a, sa, i), db_sourceset_item(b, sb, i)))
			return false;
	return true;
}

static unsigned compare(const struct diff_run *r, const struct db_sighting *o,
			const struct db_sighting *n)
{
	unsigned what = 0;
	if (o->first_seen != n->first_seen)
		what |= DB_DIFF_FIRST;
	if (o->last_seen != n->last_seen)
		what |= DB_DIFF_LAST;
	if (o->count != n->count)
		what |= DB_DIFF_COUNT;
	if (o->evidence != n->evidence)
		what |= DB_DIFF_EVIDENCE;
	if (o->confidence != n->confidence)
		what |= DB_DIFF_CONFIDENCE;
	if (!same_sources(r->old, o->sources, r->new, n->sources))
		what |= DB_DIFF_SOURCES;
	return what;
}

static const char *campaign_name(const struct db *db, uint16_t id)
{
	struct db_campaign c;
	return db_campaign_get(db, id, &c) ? "" : c.name;
}

/* Every sighting of e on one side, as added or removed. */
static int one_side(struct diff_run *r, const struct db_entry *e, bool added)
{
	const struct db *db = added ? r->new : r->old;
	for (uint32_t i = 0; i < e->nsightings; i++) {
		struct db_diff_item d = {
		    .change = added ? DB_CHANGE_ADDED : DB_CHANGE_REMOVED,
		    .prefix = e->prefix,
		};
		struct db_sighting *s = added ? &d.new_s : &d.old_s;
		db_entry_sighting(db, e, i, s);
		d.campaign = campaign_name(db, s->campaign);
		if (added) {
			d.new_entry = e;
			d.new_i = i;
			r->st.added++;
		} else {
			d.old_entry = e;
			d.old_i = i;
			r->st.removed++;
		}
		int rc = r->fn ? r->fn(&d, r->ctx) : 0;
		if (rc)
			return rc;
	}
	return 0;
}

/* The same key on both sides: sightings are paired by campaign. An entry
 * holds few sightings (one per campaign), so pairing is a small scan. */
static int both_sides(struct diff_run *r, const struct db_entry *o,
		      const struct db_entry *n)
{
	bool paired_one = false; /* the last new sighting found its old one */
	for (uint32_t j = 0; j < n->nsightings; j++) {
		struct db_diff_item d = {
		    .prefix = o->prefix, .old_entry = o, .new_entry = n};
		db_entry_sighting(r->new, n, j, &d.new_s);
		d.new_i = j;
		bool found = false;
		for (uint32_t i = 0; i < o->nsightings && !found; i++) {
			struct db_sighting s;
			db_entry_sighting(r->old, o, i, &s);
			if (r->old_to_new[s.campaign] == d.new_s.campaign) {
				found = true;
				d.old_s = s;
				d.old_i = i;
			}
		}
		paired_one = found;
		if (!found) {
			d.change = DB_CHANGE_ADDED;
			d.old_entry = NULL;
			r->st.added++;
		} else if ((d.what = compare(r, &d.old_s, &d.new_s))) {
			d.change = DB_CHANGE_CHANGED;
			r->st.changed++;
		} else {
			r->st.same++;
			continue;
		}
		/* looked up only for a difference: most keys are unchanged */
		d.campaign = campaign_name(r->new, d.new_s.campaign);
		int rc = r->fn ? r->fn(&d, r->ctx) : 0;
		if (rc)
			return rc;
	}
	/* one sighting on each side, of the same campaign: paired above */
	if (o->nsightings == 1 && n->nsightings == 1 && paired_one)
		return 0;
	for (uint32_t i = 0; i < o->nsightings; i++) {
		struct db_diff_item d = {.change = DB_CHANGE_REMOVED,
					 .prefix = o->prefix};
		db_entry_sighting(r->old, o, i, &d.old_s);
		bool paired = false;
		for (uint32_t j = 0; j < n->nsightings && !paired; j++) {
			struct db_sighting s;
			db_entry_sighting(r->new, n, j, &s);
			paired = r->old_to_new[d.old_s.campaign] == s.campaign;
		}
		if (paired)
			continue;
		d.old_entry = o;
		d.old_i = i;
		d.campaign = campaign_name(r->old, d.old_s.campaign);
		r->st.removed++;
		int rc = r->fn ? r->fn(&d, r->ctx) : 0;
		if (rc)
			return rc;
	}
	return 0;
}

int db_diff(const struct db *old, const struct db *new, db_diff_fn fn, void *ctx,
	    struct db_diff_stats *stats)
{
	struct diff_run r = {.old = old, .new = new, .fn = fn, .ctx = ctx};
	uint32_t nc = old ? db_campaign_count(old) : 0;
	r.old_to_new = malloc((nc ? nc : 1) * sizeof(*r.old_to_new));
	if (!r.old_to_new)
		return SD_ENOMEM;
	for (uint32_t i = 0; i < nc; i++) {
		struct db_campaign c;
		db_campaign_get(old, i, &c);
		r.old_to_new[i] = db_campaign_find(new, c.name);
	}
	struct db_cursor co = {0}, cn = {0};
	struct db_entry eo, en;
	bool ho = old && db_cursor_next(old, &co, &eo);
	bool hn = db_cursor_next(new, &cn, &en);
	int rc = 0;
	while (!rc && (ho || hn)) {
		int cmp = !ho ? 1 : !hn ? -1 : db_prefix_order(&eo.prefix, &en.prefix);
		if (cmp < 0) {
			rc = one_side(&r, &eo, false);
			ho = db_cursor_next(old, &co, &eo);
		} else if (cmp > 0) {
			rc = one_side(&r, &en, true);
			hn = db_cursor_next(new, &cn, &en);
		} else {
			rc = both_sides(&r, &eo, &en);
			ho = db_cursor_next(old, &co, &eo);
			hn = db_cursor_next(new, &cn, &en);
		}
	}
	free(r.old_to_new);
	if (stats)
		*stats = r.st;
	return rc;
}

size_t db_diff_fields_format(unsigned what, char *buf, size_t size)
{
	static const char *const names[] = {"first_seen", "last_seen",	"count",
					    "evidence",	  "confidence", "sources"};
	size_t n = 0;
	if (size)
		buf[0] = 0;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(what & (1u << i)))
			continue;
		size_t l = strlen(names[i]) + (n > 0);
		if (n + l >= size)
			break;
		if (n)
			buf[n++] = ',';
		memcpy(buf + n, names[i], strlen(names[i]) + 1);
		n += strlen(names[i]);
	}
	return n;
}

const char *db_change_name(enum db_change c)
{
	switch (c) {
	case DB_CHANGE_ADDED:
		return "added";
	case DB_CHANGE_REMOVED:
		return "removed";
	case DB_CHANGE_CHANGED:
		return "changed";
	}
	return "";
}
