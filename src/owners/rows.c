/* Per-owner rows. */
#include "owners/rows.h"

#include "report/report.h"
#include "report/rows.h"

int owners_rows_write(FILE *fp, enum owners_rows_format fmt, const struct db *snap,
		      const struct asn_db *asn, const struct owners_hit *hits, size_t n)
{
	if (fmt == OWNERS_ROWS_CSV)
		fputs(OWNERS_CSV_HEADER, fp);
	char net[NET_PREFIX_STRLEN];
	struct db_entry e = {0};
	uint64_t last = UINT64_MAX;
	for (size_t i = 0; i < n; i++) {
		const struct owners_hit *h = &hits[i];
		if (h->pos >> 13 != last) {
			last = h->pos >> 13;
			if (!db_entry_get(snap, owners_hit_table(h), owners_hit_index(h),
					  &e))
				return SD_ECORRUPT;
			report_format_prefix(&e.prefix, net, sizeof(net));
		}
		struct db_sighting s;
		db_entry_sighting(snap, &e, owners_hit_sighting(h), &s);
		uint32_t number = asn && h->asn ? asn_db_number(asn, h->asn) : 0;
		const char *name = asn && h->asn ? asn_db_name(asn, h->asn) : "";
		const char *change = db_change_name(owners_hit_change(h));
		if (fmt == OWNERS_ROWS_CSV) {
			fputs(net, fp);
			if (number)
				fprintf(fp, ",%u,", number);
			else
				fputs(",,", fp);
			report_csv_field_fp(fp, name);
			fprintf(fp, ",%s,", change);
			report_sighting_csv(fp, snap, &s);
			fputs("\r\n", fp);
		} else {
			fprintf(fp, "{\"prefix\":\"%s\",\"asn\":", net);
			if (number)
				fprintf(fp, "%u,\"as_name\":", number);
			else
				fputs("null,\"as_name\":", fp);
			if (number)
				report_json_string_fp(fp, name);
			else
				fputs("null", fp);
			fprintf(fp, ",\"change\":\"%s\",\"sighting\":", change);
			report_sighting_json(fp, snap, &s);
			fputs("}\n", fp);
		}
	}
	return ferror(fp) ? SD_EIO : 0;
}
