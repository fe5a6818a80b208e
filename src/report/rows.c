/* Sightings written as CSV columns or JSON objects without building a
 * document first: these writers run once per row of multi-million-row
 * outputs (diff, per-owner reports). */
#include "report/rows.h"

#include <string.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "report/escape.h"
#include "report/render.h"

/* The stream writers escape through escape.c, so every output of the tool
 * quotes, escapes and guards against spreadsheet formulas the same way,
 * byte for byte. They need no memory: a CSV field is written in place with
 * its quotes doubled, a JSON string in pieces small enough for a buffer on
 * the stack (6 output bytes an input byte at most: \uFFFD, \u00XX), cut
 * between the sequences the escaper reads as one, so the pieces escape as
 * the whole. */
#define ROWS_JSON_PIECE 64

static void csv_body_fp(FILE *fp, const char *s, size_t n)
{
	for (const char *end = s + n, *q; s < end; s = q + 1) {
		q = memchr(s, '"', (size_t)(end - s));
		if (!q) {
			fwrite(s, 1, (size_t)(end - s), fp);
			return;
		}
		fwrite(s, 1, (size_t)(q + 1 - s), fp);
		fputc('"', fp); /* doubled */
	}
}

void report_csv_field_fpn(FILE *fp, const char *s, size_t n)
{
	if (!n)
		return;
	bool formula = report_csv_formula(s, n);
	if (!formula && !report_csv_special(s, n)) {
		fwrite(s, 1, n, fp);
		return;
	}
	fputc('"', fp);
	if (formula)
		fputc('\'', fp);
	csv_body_fp(fp, s, n);
	fputc('"', fp);
}

void report_csv_field_fp(FILE *fp, const char *s)
{
	report_csv_field_fpn(fp, s, strlen(s));
}

void report_json_string_fp(FILE *fp, const char *s)
{
	/* a piece ends after a whole sequence: up to 3 bytes past the size */
	char piece[(ROWS_JSON_PIECE + 3) * 6 + 8] = {0};
	size_t n = strlen(s);
	fputc('"', fp);
	while (n) {
		size_t k = 0;
		while (k < n && k < ROWS_JSON_PIECE)
			k += report_json_step(s + k, n - k);
		struct sd_buf b = {piece, 0, sizeof(piece), false};
		report_json_body(&b, s, k);
		fwrite(b.data, 1, b.len, fp);
		s += k;
		n -= k;
	}
	fputc('"', fp);
}

static void time_str(uint32_t t, char *buf)
{
	sd_time_format(t, buf, SD_TIME_STRLEN);
}

/* The sources joined by ';' as one field, quoted as report_csv_field
 * would quote the joined text. */
static void sources_csv_fp(FILE *fp, const struct db *db, uint32_t set)
{
	uint32_t n = db_sourceset_size(db, set);
	bool special = false, formula = false;
	for (uint32_t k = 0; k < n; k++) {
		const char *item = db_sourceset_item(db, set, k);
		size_t len = strlen(item);
		if (k == 0)
			formula = report_csv_formula(item, len);
		special |= report_csv_special(item, len);
	}
	bool quote = special || formula;
	if (quote)
		fputs(formula ? "\"'" : "\"", fp);
	for (uint32_t k = 0; k < n; k++) {
		const char *item = db_sourceset_item(db, set, k);
		if (k)
			fputc(';', fp);
		if (quote)
			csv_body_fp(fp, item, strlen(item));
		else
			fputs(item, fp);
	}
	if (quote)
		fputc('"', fp);
}

void report_sighting_csv(FILE *fp, const struct db *db, const struct db_sighting *s)
{
	struct db_campaign dc;
	char f[SD_TIME_STRLEN], l[SD_TIME_STRLEN], ev[64];
	if (db_campaign_get(db, s->campaign, &dc))
		dc.name = "";
	time_str(s->first_seen, f);
	time_str(s->last_seen, l);
	db_evidence_format(s->evidence, ev, sizeof(ev));
	report_csv_field_fp(fp, dc.name);
	fprintf(fp, ",%s,%s,%u,", f, l, s->count);
	report_csv_field_fp(fp, ev);
	fprintf(fp, ",%s,", db_confidence_name(s->confidence));
	sources_csv_fp(fp, db, s->sources);
}

void report_sighting_json(FILE *fp, const struct db *db, const struct db_sighting *s)
{
	struct db_campaign dc;
	char f[SD_TIME_STRLEN], l[SD_TIME_STRLEN];
	if (db_campaign_get(db, s->campaign, &dc))
		dc.name = "";
	time_str(s->first_seen, f);
	time_str(s->last_seen, l);
	fputs("{\"campaign\":", fp);
	report_json_string_fp(fp, dc.name);
	/* an unknown time is null, as in report_time() */
	if (*f)
		fprintf(fp, ",\"first_seen\":\"%s\"", f);
	else
		fputs(",\"first_seen\":null", fp);
	if (*l)
		fprintf(fp, ",\"last_seen\":\"%s\"", l);
	else
		fputs(",\"last_seen\":null", fp);
	fprintf(fp, ",\"count\":%u,\"evidence\":[", s->count);
	bool first = true;
	for (unsigned bit = 1; bit <= DB_EV_ALL; bit <<= 1) {
		if (!(s->evidence & bit))
			continue;
		fprintf(fp, "%s\"%s\"", first ? "" : ",", db_evidence_name(bit));
		first = false;
	}
	fprintf(fp, "],\"confidence\":\"%s\",\"sources\":[",
		db_confidence_name(s->confidence));
	uint32_t n = db_sourceset_size(db, s->sources);
	for (uint32_t k = 0; k < n; k++) {
		if (k)
			fputc(',', fp);
		report_json_string_fp(fp, db_sourceset_item(db, s->sources, k));
	}
	fputs("]}", fp);
}
