/* Sightings written as CSV columns or JSON objects without building a
 * document first: these writers run once per row of multi-million-row
 * outputs (diff, per-owner reports). */
#include "report/rows.h"

#include <string.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "report/render.h"

/* The stream writers escape through render.c's report_csv_field and
 * report_json_string, so every output of the tool quotes, escapes and
 * guards against spreadsheet formulas the same way, byte for byte. A
 * field is rendered into a buffer on the stack when its worst case fits
 * (6 bytes for an input byte: \uFFFD, \u00XX; quotes), else on the heap. */
static void put_escaped(FILE *fp, void (*esc)(struct sd_buf *, const char *, size_t),
			const char *s, size_t n)
{
	char stack[512];
	struct sd_buf b = {0};
	if (n < (sizeof(stack) - 4) / 6)
		b = (struct sd_buf){stack, 0, sizeof(stack), false};
	esc(&b, s, n);
	if (b.len)
		fwrite(b.data, 1, b.len, fp);
	if (b.data != stack)
		sd_buf_free(&b);
}

void report_csv_field_fp(FILE *fp, const char *s)
{
	put_escaped(fp, report_csv_field, s, strlen(s));
}

void report_csv_field_fpn(FILE *fp, const char *s, size_t n)
{
	put_escaped(fp, report_csv_field, n ? s : "", n);
}

void report_json_string_fp(FILE *fp, const char *s)
{
	put_escaped(fp, report_json_string, s, strlen(s));
}

static void time_str(uint32_t t, char *buf)
{
	sd_time_format(t, buf, SD_TIME_STRLEN);
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
	/* sources joined by ';' into one field, escaped as a whole */
	struct sd_buf src = {0};
	uint32_t n = db_sourceset_size(db, s->sources);
	for (uint32_t k = 0; k < n; k++) {
		if (k)
			sd_buf_putc(&src, ';');
		sd_buf_puts(&src, db_sourceset_item(db, s->sources, k));
	}
	put_escaped(fp, report_csv_field, src.data ? src.data : "", src.len);
	sd_buf_free(&src);
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
