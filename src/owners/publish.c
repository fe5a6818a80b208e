/* Writing the report directory. */
#include "owners/publish.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "owners/outdir.h"
#include "owners/rows.h"
#include "report/report.h"
#include "report/rows.h"

static int owner_files(struct outdir *d, const struct db *snap, const struct asn_db *asn,
		       const struct owners_registry *r, const struct owners_group *g,
		       struct sd_error *err)
{
	for (uint32_t o = 0; o < r->count; o++) {
		size_t b = g->start[o], n = g->start[o + 1] - b;
		if (!n)
			continue;
		for (int f = 0; f < 2; f++) {
			char name[OWNERS_MAX_ID + 8];
			snprintf(name, sizeof(name), "%s.%s", r->owners[o].id,
				 f ? "jsonl" : "csv");
			FILE *fp = outdir_create(d, "owners", name, err);
			if (!fp)
				return err->code;
			int rc =
			    owners_rows_write(fp, f ? OWNERS_ROWS_JSONL : OWNERS_ROWS_CSV,
					      snap, asn, g->hits + b, n);
			int crc = outdir_close(d, fp, name, err);
			if (rc && !crc)
				return sd_error_set(err, rc, "%s/owners/%s: write failed",
						    d->path, name);
			if (crc)
				return crc;
		}
	}
	return 0;
}

static int index_csv(struct outdir *d, const struct owners_registry *r,
		     const struct owners_group *g, struct sd_error *err)
{
	FILE *fp = outdir_create(d, NULL, "index.csv", err);
	if (!fp)
		return err->code;
	fputs("owner,name,contacts,addresses,sightings,csv,jsonl", fp);
	for (uint32_t i = 0; i < r->nextra; i++) {
		fputc(',', fp);
		report_csv_field_fp(fp, r->extra_names[i]);
	}
	fputs("\r\n", fp);
	for (uint32_t o = 0; o < r->count; o++) {
		const struct owner *ow = &r->owners[o];
		size_t n = g->start[o + 1] - g->start[o];
		fputs(ow->id, fp);
		fputc(',', fp);
		report_csv_field_fp(fp, ow->name);
		fputc(',', fp);
		for (uint32_t c = 0; c < ow->ncontacts; c++)
			fprintf(fp, "%s%s", c ? " " : "", ow->contacts[c]);
		fprintf(fp, ",%llu,%zu,", (unsigned long long)g->addresses[o], n);
		if (n)
			fprintf(fp, "owners/%s.csv,owners/%s.jsonl", ow->id, ow->id);
		else
			fputc(',', fp);
		for (uint32_t i = 0; i < r->nextra; i++) {
			fputc(',', fp);
			report_csv_field_fp(fp, ow->extra[i]);
		}
		fputs("\r\n", fp);
	}
	return outdir_close(d, fp, "index.csv", err);
}

struct as_row {
	uint32_t id, number;
	const char *name;
	struct owners_as_count c;
};

static int cmp_as(const void *a, const void *b)
{
	const struct as_row *x = a, *y = b;
	if (x->c.sightings != y->c.sightings)
		return x->c.sightings > y->c.sightings ? -1 : 1;
	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int unowned_csv(struct outdir *d, const struct asn_db *asn,
		       const struct owners_group *g, struct sd_error *err)
{
	struct as_row *rows = malloc((g->nunowned ? g->nunowned : 1) * sizeof(*rows));
	if (!rows)
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	size_t n = 0;
	for (uint32_t id = 0; id < g->nunowned; id++) {
		if (!g->unowned[id].sightings)
			continue;
		rows[n++] = (struct as_row){id, asn && id ? asn_db_number(asn, id) : 0,
					    asn && id ? asn_db_name(asn, id) : "",
					    g->unowned[id]};
	}
	qsort(rows, n, sizeof(*rows), cmp_as);
	FILE *fp = outdir_create(d, NULL, "unowned-by-as.csv", err);
	if (!fp) {
		free(rows);
		return err->code;
	}
	fputs("asn,as_name,addresses,sightings\r\n", fp);
	for (size_t i = 0; i < n; i++) {
		if (rows[i].number)
			fprintf(fp, "%u,", rows[i].number);
		else
			fputc(',', fp);
		report_csv_field_fp(fp, rows[i].name);
		fprintf(fp, ",%llu,%llu\r\n", (unsigned long long)rows[i].c.addresses,
			(unsigned long long)rows[i].c.sightings);
	}
	free(rows);
	return outdir_close(d, fp, "unowned-by-as.csv", err);
}

static json_t *content_id(const struct db *db)
{
	char id[DB_CONTENT_ID_STRLEN];
	if (!db)
		return json_null();
	db_content_id(db, id);
	return json_string(id);
}

static int summary(struct outdir *d, const struct db *snap, const struct db *since,
		   const struct owners_registry *r, const struct asn_db *asn,
		   const struct owners_group *g, struct sd_error *err)
{
	uint32_t with = 0;
	for (uint32_t o = 0; o < r->count; o++)
		with += g->start[o + 1] > g->start[o];
	json_t *s = json_object();
	json_object_set_new(s, "content_id", content_id(snap));
	json_object_set_new(s, "built", report_time((uint32_t)db_build_time(snap)));
	json_object_set_new(s, "since", content_id(since));
	json_object_set_new(s, "owners", json_integer(r->count));
	json_object_set_new(s, "owners_with_sightings", json_integer(with));
	json_object_set_new(s, "owner_sightings", json_integer((json_int_t)g->nhits));
	json_object_set_new(s, "sightings", json_integer((json_int_t)g->sightings));
	json_object_set_new(s, "unowned_addresses",
			    json_integer((json_int_t)g->unowned_addresses));
	json_object_set_new(s, "unowned_sightings",
			    json_integer((json_int_t)g->unowned_sightings));
	json_object_set_new(s, "asn_data",
			    asn ? json_string(asn_db_kind(asn)) : json_null());
	json_t *c = json_object();
	json_object_set_new(c, "added", json_integer((json_int_t)g->diff.added));
	json_object_set_new(
	    c, "changed",
	    json_integer((json_int_t)(g->diff.changed - g->unchanged_sources)));
	json_object_set_new(c, "sources_only",
			    json_integer((json_int_t)g->unchanged_sources));
	json_object_set_new(c, "removed", json_integer((json_int_t)g->diff.removed));
	json_object_set_new(c, "unchanged", json_integer((json_int_t)g->diff.same));
	json_object_set_new(s, "changes", c);
	FILE *fp = outdir_create(d, NULL, "summary.json", err);
	if (!fp) {
		json_decref(s);
		return err->code;
	}
	json_dumpf(s, fp, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	fputc('\n', fp);
	json_decref(s);
	return outdir_close(d, fp, "summary.json", err);
}

/* Everything owners_publish writes: an earlier report holding anything
 * else is not replaced. */
static const char *const report_files[] = {
    "summary.json", "index.csv",      "unowned-by-as.csv",
    "owners/*.csv", "owners/*.jsonl", NULL,
};
static const struct outdir_kind report_kind = {"report", report_files};

int owners_publish(const char *dir, const struct db *snap, const struct db *since,
		   const struct owners_registry *r, const struct asn_db *asn,
		   const struct owners_group *g, struct sd_error *err)
{
	struct outdir d;
	int rc = outdir_begin(&d, dir, &report_kind, err);
	if (rc)
		return rc;
	if ((rc = owner_files(&d, snap, asn, r, g, err)) ||
	    (rc = index_csv(&d, r, g, err)) || (rc = unowned_csv(&d, asn, g, err)) ||
	    (rc = summary(&d, snap, since, r, asn, g, err)) ||
	    (rc = outdir_commit(&d, err))) {
		outdir_abort(&d);
		return rc;
	}
	outdir_abort(&d);
	return 0;
}
