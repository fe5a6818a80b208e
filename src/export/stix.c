/* STIX 2.1 export: a bundle saying "the reporter sighted campaign C at
 * client X". Per entry and campaign, a `sighting` whose sighting_of_ref is
 * the campaign object (a snapshot records the campaign a client was seen
 * with, not which of its indicators matched), whose observed_data_refs
 * name an `observed-data` holding the client's ipv4-addr/ipv6-addr, and
 * whose where_sighted_refs is the reporter's `identity`.
 *
 * Ids are UUIDv5, so the same snapshot always gives the same bundle: SDOs
 * and SROs under sighted's own namespace, SCOs under the namespace and
 * canonical form the STIX 2.1 specification gives for deterministic SCO ids.
 * The bundle streams: objects are written one at a time. */
#include "export/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "core/timeutil.h"
#include "indicators/indicators.h"
#include "report/report.h"

/* sighted's UUIDv5 namespace for STIX objects (a fixed random UUID) */
static const char *const ns_sighted = "6b1c4a5e-3f0d-4c52-9a57-5d0c2e8f1b73";
/* STIX 2.1, 2.9: namespace for deterministic SCO identifiers */
static const char *const ns_sco = "00abedb4-aa42-466c-9c01-fed23315a9b7";

#define STIX_MAX_COUNT 999999999u /* sighting count, number_observed */

struct stix_ctx {
	const struct db *db;
	const struct export_opts *o;
	/* per campaign id: the id sightings name (indicator or campaign) */
	char (*sighted_id)[64];
	const struct export_filter *f;
	FILE *fp;
	struct export_stats *st;
	char identity[64];
	char created[32];
	uint32_t build;
	uint64_t nobjects;
	int rc;
};

static void stix_id(char *out, const char *type, const char *ns_text, const char *name)
{
	uuid_t ns, u;
	char s[37];
	uuid_parse(ns_text, ns);
	uuid_generate_sha1(u, ns, name, strlen(name));
	uuid_unparse_lower(u, s);
	snprintf(out, 64, "%s--%s", type, s);
}

/* STIX timestamps: RFC 3339 UTC; created/modified with milliseconds. */
static void stix_time(uint32_t t, char *out)
{
	char buf[SD_TIME_STRLEN];
	sd_time_format(t, buf, sizeof(buf));
	snprintf(out, 32, "%.19s.000Z", buf);
}

static json_t *jtime(uint32_t t)
{
	char buf[32];
	stix_time(t, buf);
	return json_string(buf);
}

static void emit(struct stix_ctx *c, json_t *o)
{
	if (!o) {
		c->rc = SD_ENOMEM;
		return;
	}
	if (c->nobjects++)
		fputs(",\n", c->fp);
	if (json_dumpf(o, c->fp, JSON_COMPACT | JSON_SORT_KEYS))
		c->rc = SD_EIO;
	json_decref(o);
}

static json_t *sdo(struct stix_ctx *c, const char *type, const char *id)
{
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "spec_version", json_string("2.1"));
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "created", json_string(c->created));
	json_object_set_new(o, "modified", json_string(c->created));
	return o;
}

static const char *campaign_name(const struct db *db, uint32_t i)
{
	struct db_campaign dc;
	db_campaign_get(db, i, &dc);
	return dc.name;
}

static void campaign_id(char *out, const char *name)
{
	char key[512];
	snprintf(key, sizeof(key), "campaign|%s", name);
	stix_id(out, "campaign", ns_sighted, key);
}

static void emit_campaign(struct stix_ctx *c, uint32_t i)
{
	struct db_campaign dc;
	char id[64];
	db_campaign_get(c->db, i, &dc);
	campaign_id(id, dc.name);
	json_t *o = sdo(c, "campaign", id);
	json_object_set_new(o, "name", json_string(dc.name));
	if (*dc.title)
		json_object_set_new(o, "description", json_string(dc.title));
	if (dc.window_start)
		json_object_set_new(o, "first_seen", jtime(dc.window_start));
	if (dc.window_end && dc.window_end >= dc.window_start)
		json_object_set_new(o, "last_seen", jtime(dc.window_end));
	if (*dc.advisory) {
		json_t *r = json_object();
		json_object_set_new(r, "source_name", json_string("advisory"));
		json_object_set_new(r, "url", json_string(dc.advisory));
		json_t *a = json_array();
		json_array_append_new(a, r);
		json_object_set_new(o, "external_references", a);
	}
	emit(c, o);
}

/* A string literal of the STIX patterning grammar: quotes and
 * backslashes escaped. */
static void pat_literal(FILE *fp, const char *s)
{
	fputc('\'', fp);
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			fputc('\\', fp);
		fputc(*s, fp);
	}
	fputc('\'', fp);
}

/* One observation expression per indicator, joined by OR: addresses by
 * equality, prefixes by ISSUBSET, a domain as itself or any subdomain (the
 * matcher's rule), a URL by equality with its normalised form. The set is
 * the campaign's own (loaded from its definition). Returns a
 * JSON string, NULL on OOM; *n counts the indicators in it. */
static json_t *pattern_for(const struct ind_set *set, size_t *n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	if (!fp)
		return NULL;
	*n = 0;
	for (size_t i = 0; i < ind_set_size(set); i++) {
		const struct ind_indicator *d = ind_set_at(set, i);
		if ((*n)++)
			fputs(" OR ", fp);
		switch (d->kind) {
		case IND_ADDR:
		case IND_PREFIX:
			fprintf(fp, "[%s:value %s ",
				net_prefix_is_v4(&d->prefix) ? "ipv4-addr" : "ipv6-addr",
				d->kind == IND_ADDR ? "=" : "ISSUBSET");
			pat_literal(fp, d->value);
			fputc(']', fp);
			break;
		case IND_DOMAIN: {
			char like[IND_MAX_NAME + 3];
			snprintf(like, sizeof(like), "%%.%s", d->value);
			fputs("[domain-name:value = ", fp);
			pat_literal(fp, d->value);
			fputs(" OR domain-name:value LIKE ", fp);
			pat_literal(fp, like);
			fputc(']', fp);
			break;
		}
		default:
			fputs("[url:value = ", fp);
			pat_literal(fp, d->value);
			fputc(']', fp);
		}
	}
	if (fclose(fp)) {
		free(buf);
		return NULL;
	}
	json_t *j = json_stringn(buf, len);
	free(buf);
	return j;
}

/* The campaign's infrastructure as an indicator that `indicates` the
 * campaign; sightings then name the indicator. */
static void emit_indicator(struct stix_ctx *c, uint32_t i, const struct ind_set *set)
{
	struct db_campaign dc;
	char id[64], cid[64], rid[64], key[600];
	db_campaign_get(c->db, i, &dc);
	size_t n;
	json_t *pat = pattern_for(set, &n);
	if (!pat) {
		c->rc = SD_ENOMEM;
		return;
	}
	if (!n) {
		json_decref(pat);
		return;
	}
	campaign_id(cid, dc.name);
	snprintf(key, sizeof(key), "indicator|%s", dc.name);
	stix_id(id, "indicator", ns_sighted, key);
	json_t *o = sdo(c, "indicator", id);
	snprintf(key, sizeof(key), "%s infrastructure", dc.name);
	json_object_set_new(o, "name", json_string(key));
	json_object_set_new(o, "indicator_types", json_pack("[s]", "malicious-activity"));
	json_object_set_new(o, "pattern", pat);
	json_object_set_new(o, "pattern_type", json_string("stix"));
	json_object_set_new(o, "pattern_version", json_string("2.1"));
	uint32_t from = dc.window_start ? dc.window_start : c->build;
	json_object_set_new(o, "valid_from", jtime(from));
	if (dc.window_end > from)
		json_object_set_new(o, "valid_until", jtime(dc.window_end));
	emit(c, o);
	snprintf(key, sizeof(key), "relationship|indicates|%s", dc.name);
	stix_id(rid, "relationship", ns_sighted, key);
	o = sdo(c, "relationship", rid);
	json_object_set_new(o, "relationship_type", json_string("indicates"));
	json_object_set_new(o, "source_ref", json_string(id));
	json_object_set_new(o, "target_ref", json_string(cid));
	emit(c, o);
	memcpy(c->sighted_id[i], id, sizeof(id));
}

static int stix_confidence(unsigned conf)
{
	/* STIX 2.1 Appendix A, "None/Low/Med/High" scale midpoints */
	static const int v[4] = {0, 15, 50, 85};
	return v[conf & 3];
}

static int entry(const struct db_entry *e, void *p)
{
	struct stix_ctx *c = p;
	export_progress(c->o, "stix", c->st->entries + c->st->filtered,
			db_entry_count(c->db));
	if (!export_entry_passes(c->db, c->f, e)) {
		c->st->filtered++;
		return 0;
	}
	c->st->entries++;
	char net[NET_PREFIX_STRLEN], name[600], sco[64], od[64], sid[64], cid[64];
	report_format_prefix(&e->prefix, net, sizeof(net));
	const char *type = net_prefix_is_v4(&e->prefix) ? "ipv4-addr" : "ipv6-addr";
	snprintf(name, sizeof(name), "{\"value\":\"%s\"}", net);
	stix_id(sco, type, ns_sco, name);
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "spec_version", json_string("2.1"));
	json_object_set_new(o, "id", json_string(sco));
	json_object_set_new(o, "value", json_string(net));
	emit(c, o);
	for (uint32_t i = 0; i < e->nsightings && !c->rc; i++) {
		struct db_sighting s;
		struct db_campaign dc;
		db_entry_sighting(c->db, e, i, &s);
		if (!export_sighting_passes(c->f, &s))
			continue;
		db_campaign_get(c->db, s.campaign, &dc);
		memcpy(cid, c->sighted_id[s.campaign], sizeof(cid));
		/* Unknown times (a list entry that gave none) are left out of
		 * the sighting: nobody knows when the address was seen. The
		 * observed-data, which must carry a time, then stands for
		 * sighted's own observation of the entry, at the build. */
		bool known = s.first_seen || s.last_seen;
		uint32_t first = s.first_seen ? s.first_seen : s.last_seen;
		uint32_t last = s.last_seen >= first ? s.last_seen : first;
		uint32_t ofirst = known ? first : c->build,
			 olast = known ? last : c->build;
		uint32_t count = s.count > STIX_MAX_COUNT ? STIX_MAX_COUNT : s.count;
		snprintf(name, sizeof(name), "observed-data|%s|%s", net, dc.name);
		stix_id(od, "observed-data", ns_sighted, name);
		o = sdo(c, "observed-data", od);
		json_object_set_new(o, "first_observed", jtime(ofirst));
		json_object_set_new(o, "last_observed", jtime(olast));
		json_object_set_new(o, "number_observed",
				    json_integer(count ? count : 1));
		json_t *refs = json_array();
		json_array_append_new(refs, json_string(sco));
		json_object_set_new(o, "object_refs", refs);
		emit(c, o);
		snprintf(name, sizeof(name), "sighting|%s|%s", net, dc.name);
		stix_id(sid, "sighting", ns_sighted, name);
		o = sdo(c, "sighting", sid);
		json_object_set_new(o, "sighting_of_ref", json_string(cid));
		if (known) {
			json_object_set_new(o, "first_seen", jtime(first));
			json_object_set_new(o, "last_seen", jtime(last));
		}
		json_object_set_new(o, "count", json_integer(count));
		refs = json_array();
		json_array_append_new(refs, json_string(od));
		json_object_set_new(o, "observed_data_refs", refs);
		refs = json_array();
		json_array_append_new(refs, json_string(c->identity));
		json_object_set_new(o, "where_sighted_refs", refs);
		/* an unknown confidence is no confidence of 0: left out */
		if (s.confidence != DB_CONF_UNKNOWN)
			json_object_set_new(o, "confidence",
					    json_integer(stix_confidence(s.confidence)));
		char ev[64], desc[256];
		db_evidence_format(s.evidence, ev, sizeof(ev));
		snprintf(desc, sizeof(desc),
			 "%s seen with %s infrastructure; evidence: %s", net, dc.name,
			 ev);
		json_object_set_new(o, "description", json_string(desc));
		emit(c, o);
	}
	return c->rc || ferror(c->fp) ? SD_EIO : 0;
}

struct stix_job {
	struct stix_ctx *c;
	const struct export_opts *o;
	const char *reporter;
};

static int body(FILE *fp, void *p, struct sd_error *err)
{
	struct stix_job *j = p;
	struct stix_ctx *c = j->c;
	(void)err;
	c->fp = fp;
	char key[600], bid[64];
	snprintf(key, sizeof(key), "identity|%s", j->reporter);
	stix_id(c->identity, "identity", ns_sighted, key);
	snprintf(key, sizeof(key), "bundle|%s|%u|%d|%u", j->reporter, c->build,
		 j->o->filter.campaign, j->o->filter.min_confidence);
	stix_id(bid, "bundle", ns_sighted, key);
	fprintf(fp, "{\"type\":\"bundle\",\"id\":\"%s\",\"objects\":[\n", bid);
	json_t *id = sdo(c, "identity", c->identity);
	json_object_set_new(id, "name", json_string(j->reporter));
	json_object_set_new(id, "identity_class", json_string("organization"));
	emit(c, id);
	for (uint32_t i = 0; i < db_campaign_count(c->db) && !c->rc; i++) {
		campaign_id(c->sighted_id[i], campaign_name(c->db, i));
		if (j->o->filter.campaign >= 0 && (uint32_t)j->o->filter.campaign != i)
			continue;
		emit_campaign(c, i);
		if (j->o->campaign_indicators && j->o->campaign_indicators[i])
			emit_indicator(c, i, j->o->campaign_indicators[i]);
	}
	int rc = c->rc ? c->rc : db_foreach(c->db, entry, c);
	fputs("\n]}\n", fp);
	return rc ? rc : c->rc;
}

int export_stix(const struct db *db, const struct export_opts *o, const char *path,
		struct export_stats *st, struct sd_error *err)
{
	memset(st, 0, sizeof(*st));
	struct stix_ctx c = {.db = db, .o = o, .f = &o->filter, .st = st};
	c.build = (uint32_t)(o->build_time ? o->build_time : db_build_time(db));
	stix_time(c.build, c.created);
	struct stix_job j = {&c, o,
			     o->reporter && *o->reporter ? o->reporter : "sighted"};
	c.sighted_id = calloc(db_campaign_count(db) + 1, sizeof(*c.sighted_id));
	if (!c.sighted_id)
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	int rc = export_to_file(path, st, err, body, &j);
	free(c.sighted_id);
	return rc;
}
