/* CSV export: one row per sighting (an entry with two campaigns gives two
 * rows), RFC 4180 quoting. Columns in docs/export-csv.md. */
#include "export/export.h"

#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "report/report.h"

struct csv_ctx {
	const struct db *db;
	const struct export_opts *o;
	const struct export_filter *f;
	FILE *fp;
	struct export_stats *st;
};

static void field(FILE *fp, const char *s)
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

static void time_field(FILE *fp, uint32_t t)
{
	char buf[SD_TIME_STRLEN];
	sd_time_format(t, buf, sizeof(buf));
	fputs(buf, fp);
}

static int row(const struct db_entry *e, void *p)
{
	struct csv_ctx *c = p;
	char net[NET_PREFIX_STRLEN], ev[64];
	export_progress(c->o, "csv", c->st->entries + c->st->filtered,
			db_entry_count(c->db));
	if (!export_entry_passes(c->db, c->f, e)) {
		c->st->filtered++;
		return 0;
	}
	c->st->entries++;
	report_format_prefix(&e->prefix, net, sizeof(net));
	for (uint32_t i = 0; i < e->nsightings; i++) {
		struct db_sighting s;
		struct db_campaign dc;
		db_entry_sighting(c->db, e, i, &s);
		if (!export_sighting_passes(c->f, &s))
			continue;
		db_campaign_get(c->db, s.campaign, &dc);
		fprintf(c->fp, "%s,%u,", net, net_prefix_display_len(&e->prefix));
		field(c->fp, dc.name);
		fputc(',', c->fp);
		time_field(c->fp, s.first_seen);
		fputc(',', c->fp);
		time_field(c->fp, s.last_seen);
		fprintf(c->fp, ",%u,", s.count);
		db_evidence_format(s.evidence, ev, sizeof(ev));
		field(c->fp, ev);
		fprintf(c->fp, ",%s,", db_confidence_name(s.confidence));
		/* sources joined by ';' inside one field */
		uint32_t n = db_sourceset_size(c->db, s.sources);
		if (n) {
			size_t len = 0;
			for (uint32_t k = 0; k < n; k++)
				len += strlen(db_sourceset_item(c->db, s.sources, k)) + 1;
			char *buf = malloc(len);
			if (!buf)
				return SD_ENOMEM;
			buf[0] = 0;
			for (uint32_t k = 0; k < n; k++) {
				if (k)
					strcat(buf, ";");
				strcat(buf, db_sourceset_item(c->db, s.sources, k));
			}
			field(c->fp, buf);
			free(buf);
		}
		fputs("\r\n", c->fp);
	}
	return ferror(c->fp) ? SD_EIO : 0;
}

static int body(FILE *fp, void *p, struct sd_error *err)
{
	struct csv_ctx *c = p;
	(void)err;
	c->fp = fp;
	fputs("network,prefix_length,campaign,first_seen,last_seen,count,"
	      "evidence,confidence,sources\r\n",
	      fp);
	return db_foreach(c->db, row, c);
}

int export_csv(const struct db *db, const struct export_opts *o, const char *path,
	       struct export_stats *st, struct sd_error *err)
{
	memset(st, 0, sizeof(*st));
	struct csv_ctx c = {db, o, &o->filter, NULL, st};
	return export_to_file(path, st, err, body, &c);
}
