/* Sightings written as CSV columns or JSON objects without building a
 * document first: these writers run once per row of multi-million-row
 * outputs (diff, per-owner reports). */
#include "report/rows.h"

#include <string.h>

#include "core/timeutil.h"

void report_csv_field_fp(FILE *fp, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

/* Length of the valid UTF-8 sequence at s, 0 if there is none. */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	size_t n = s[0] >= 0xf0 && s[0] < 0xf5	 ? 4
		   : s[0] >= 0xe0		 ? 3
		   : s[0] >= 0xc2 && s[0] < 0xe0 ? 2
						 : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void report_json_string_fp(FILE *fp, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	fputc('"', fp);
	while (*s) {
		if (*s == '"' || *s == '\\') {
			fputc('\\', fp);
			fputc(*s++, fp);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(fp, "\\u%04x", *s++);
		} else {
			size_t n = utf8_len(s);
			if (n) {
				fwrite(s, 1, n, fp);
				s += n;
			} else {
				fputs("\\ufffd", fp);
				s++;
			}
		}
	}
	fputc('"', fp);
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
	/* sources joined by ';' inside one field: quoted as a whole when
	 * any of them needs it */
	uint32_t n = db_sourceset_size(db, s->sources);
	bool quote = false;
	for (uint32_t k = 0; k < n; k++)
		quote = quote || strpbrk(db_sourceset_item(db, s->sources, k), ",\"\r\n");
	if (quote)
		fputc('"', fp);
	for (uint32_t k = 0; k < n; k++) {
		if (k)
			fputc(';', fp);
		const char *src = db_sourceset_item(db, s->sources, k);
		for (; *src; src++) {
			if (*src == '"')
				fputc('"', fp);
			fputc(*src, fp);
		}
	}
	if (quote)
		fputc('"', fp);
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
