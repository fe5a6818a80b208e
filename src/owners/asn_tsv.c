/* The ip2asn TSV layout: range_start TAB range_end TAB AS_number TAB
 * country_code TAB AS_description, IPv4 and IPv6 ranges in one file
 * (ip2asn-combined.tsv). AS 0 ("Not routed") ranges are not announced. */
#include "owners/asn_db.h"
#include "owners/badline.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "io/source.h"

static int cmp_range(const void *a, const void *b)
{
	const struct asn_range *x = a, *y = b;
	int c = net_addr_cmp(&x->lo, &y->lo);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static const char *parse_line(struct asn_db *db, const char *line, size_t len,
			      struct asn_range *r, bool *skip)
{
	const char *f[5];
	size_t n[5];
	size_t k = 0;
	const char *p = line, *end = line + len;
	while (k < 5) {
		const char *tab = k < 4 ? memchr(p, '\t', (size_t)(end - p)) : NULL;
		f[k] = p;
		n[k] = (size_t)((tab ? tab : end) - p);
		k++;
		if (!tab)
			break;
		p = tab + 1;
	}
	if (k < 3)
		return "fewer than 3 tab-separated fields (start, end, AS number)";
	const char *why = "bad address";
	if (net_addr_parse(f[0], n[0], &r->lo, &why))
		return why;
	if (net_addr_parse(f[1], n[1], &r->hi, &why))
		return why;
	if (net_addr_is_v4(&r->lo) != net_addr_is_v4(&r->hi))
		return "range mixes IPv4 and IPv6";
	if (net_addr_cmp(&r->lo, &r->hi) > 0)
		return "range ends before it starts";
	uint64_t asn = 0;
	size_t i = 0;
	if (n[2] > 2 && (f[2][0] == 'A' || f[2][0] == 'a') &&
	    (f[2][1] == 'S' || f[2][1] == 's'))
		i = 2;
	if (i == n[2] || n[2] - i > 10)
		return "bad AS number";
	for (; i < n[2]; i++) {
		if (!isdigit((unsigned char)f[2][i]))
			return "bad AS number";
		asn = asn * 10 + (uint64_t)(f[2][i] - '0');
	}
	if (asn > UINT32_MAX)
		return "AS number above 4294967295";
	*skip = asn == 0;
	if (*skip)
		return NULL;
	const char *name = k >= 5 ? f[4] : "";
	size_t nlen = k >= 5 ? n[4] : 0;
	for (size_t j = 0; j < nlen; j++)
		if ((unsigned char)name[j] < 0x20)
			return "control character in the AS description";
	r->id = asn_intern(db, (uint32_t)asn, name, nlen);
	if (r->id == UINT32_MAX)
		return "out of memory";
	return NULL;
}

int asn_tsv_load(struct asn_db *db, const char *path, long long max_errors,
		 struct sd_error *err)
{
	struct io_source *src;
	int rc = io_open(path, &src, err);
	if (rc)
		return rc;
	size_t cap = 0;
	const char *line;
	size_t len;
	for (;;) {
		struct sd_error lerr = {0};
		rc = io_getline(src, &line, &len, &lerr);
		if (rc == 0)
			break;
		uint32_t lineno = (uint32_t)io_lineno(src);
		const char *why = NULL;
		struct asn_range r = {.line = lineno};
		bool skip = false;
		if (rc == SD_ELIMIT) {
			why = "line longer than 65536 bytes";
		} else if (rc < 0) {
			*err = lerr;
			goto fail;
		} else if (len == 0 || line[0] == '#') {
			continue;
		} else {
			why = parse_line(db, line, len, &r, &skip);
		}
		if (why && !strcmp(why, "out of memory")) {
			rc = sd_error_set(err, SD_ENOMEM, "out of memory");
			goto fail;
		}
		if (why) {
			if ((rc = owners_bad_line(io_name(src), lineno, why,
						  &db->bad_lines, max_errors, err)))
				goto fail;
			continue;
		}
		if (skip)
			continue;
		if (db->nranges == cap) {
			if (cap >= ASN_MAX_RANGES) {
				rc = sd_error_set(err, SD_ELIMIT,
						  "%s: more than %u ranges", io_name(src),
						  ASN_MAX_RANGES);
				goto fail;
			}
			size_t ncap = cap ? cap * 2 : 4096;
			void *p = realloc(db->ranges, ncap * sizeof(*db->ranges));
			if (!p) {
				rc = sd_error_set(err, SD_ENOMEM, "out of memory");
				goto fail;
			}
			db->ranges = p;
			cap = ncap;
		}
		db->ranges[db->nranges++] = r;
	}
	if (db->nranges)
		qsort(db->ranges, db->nranges, sizeof(*db->ranges), cmp_range);
	/* overlapping ranges would make the answer depend on the search
	 * path: the later one is reported and dropped */
	size_t w = 0;
	for (size_t i = 0; i < db->nranges; i++) {
		if (w && net_addr_cmp(&db->ranges[i].lo, &db->ranges[w - 1].hi) <= 0) {
			char why[64];
			snprintf(why, sizeof(why), "range overlaps the one on line %u",
				 db->ranges[w - 1].line);
			if ((rc = owners_bad_line(io_name(src), db->ranges[i].line, why,
						  &db->bad_lines, max_errors, err)))
				goto fail;
			continue;
		}
		db->ranges[w++] = db->ranges[i];
	}
	db->nranges = w;
	if (!db->nranges) {
		rc = sd_error_set(err, SD_EPARSE, "%s: no AS range in the file",
				  io_name(src));
		goto fail;
	}
	io_close(src);
	return 0;
fail:
	io_close(src);
	return rc;
}
