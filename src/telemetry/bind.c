/* BIND 9 query log (querylog yes): "DD-Mon-YYYY HH:MM:SS.mmm [queries:
 * info: ]client [@0x...] ADDR#PORT [(NAME)]: [view V: ]query: NAME CLASS
 * TYPE FLAGS (SERVER)", or the same after a syslog prefix. Lines of other
 * categories are skipped. Times are the server's local time (--tz), except
 * an ISO 8601 time with a "Z" or offset; a syslog prefix has no year
 * (telemetry/clock.h). */
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "telemetry/backend.h"
#include "telemetry/field.h"

struct bindlog {
	struct tel_backend base;
};

static void bind_close(struct tel_backend *b)
{
	free(b);
}

/* time at the start of the line; false if none recognised (ts stays 0) */
static bool line_time(struct bindlog *r, const char *s, size_t n, int64_t *ts)
{
	/* 28-Nov-2026 01:04:44.236 */
	if (n >= 20 && s[2] == '-' && s[6] == '-' && s[11] == ' ') {
		int d = tel_2digits(s), mon = tel_month(s + 3), hms = tel_hms(s + 12);
		int y1 = tel_2digits(s + 7), y2 = tel_2digits(s + 9);
		if (d < 1 || !mon || hms < 0 || y1 < 0 || y2 < 0)
			return false;
		*ts = tel_clock_local(
		    &r->base.clock,
		    sd_days_from_civil(y1 * 100 + y2, (unsigned)mon, (unsigned)d) *
			    86400 +
			hms);
		return true;
	}
	/* 2026-11-28T01:04:44.236Z (print-time iso8601) */
	if (n >= 19 && s[4] == '-' && s[10] == 'T') {
		const char *sp = memchr(s, ' ', n);
		const char *why;
		return tel_clock_parse(&r->base.clock, s, sp ? (size_t)(sp - s) : n, ts,
				       &why);
	}
	return tel_clock_syslog(&r->base.clock, s, n, ts) != 0;
}

static const char *parse(struct bindlog *r, const char *line, size_t len,
			 struct tel_record *rec)
{
	const char *e = line + len;
	const char *c = memmem(line, len, "client ", 7);
	line_time(r, line, len, &rec->ts);
	c += 7;
	if (e - c > 3 && c[0] == '@') {
		const char *sp = memchr(c, ' ', (size_t)(e - c));
		if (!sp)
			return "nothing after the client object";
		c = sp + 1;
	}
	const char *hash = c;
	while (hash < e && *hash != '#' && *hash != ' ')
		hash++;
	if (hash == e || *hash != '#' || !tel_addr(c, (size_t)(hash - c), &rec->client))
		return "client is not ADDRESS#PORT";
	const char *pe = hash + 1;
	while (pe < e && *pe >= '0' && *pe <= '9')
		pe++;
	if (!tel_parse_port(hash + 1, (size_t)(pe - hash - 1), &rec->client_port))
		return "client port is not a number";
	const char *q = memmem(pe, (size_t)(e - pe), "query: ", 7);
	q += 7;
	const char *ne = memchr(q, ' ', (size_t)(e - q));
	if (!ne || ne == q)
		return "no name after 'query:'";
	rec->name = q;
	rec->name_len = (size_t)(ne - q);
	/* the server address the query arrived at, in the last (...) */
	if (e > q && e[-1] == ')') {
		const char *lp = e - 1;
		while (lp > ne && *lp != '(')
			lp--;
		if (*lp == '(' && tel_addr(lp + 1, (size_t)(e - lp - 2), &rec->server))
			rec->flags |= TEL_HAS_SERVER;
	}
	/* flags: 'T' is TCP */
	const char *fl = ne;
	for (int i = 0; i < 2 && fl; i++) {
		fl = memchr(fl + 1, ' ', (size_t)(e - fl - 1));
	}
	rec->proto = 17;
	if (fl) {
		const char *fe = memchr(fl + 1, ' ', (size_t)(e - fl - 1));
		if (fe && memchr(fl + 1, 'T', (size_t)(fe - fl - 1)))
			rec->proto = 6;
	}
	return NULL;
}

static int bind_line(struct tel_backend *b, const char *line, size_t len, uint64_t ln,
		     struct tel_record *rec, const char **why, struct sd_error *err)
{
	(void)err;
	const char *c = memmem(line, len, "client ", 7);
	if (!c || !memmem(c, len - (size_t)(c - line), "query: ", 7))
		return TEL_LINE_SKIPPED; /* another category, or start-up chatter */
	tel_record_start(rec, ln, TEL_DNS);
	if ((*why = parse((struct bindlog *)b, line, len, rec)))
		return TEL_LINE_MALFORMED;
	rec->flags |= TEL_HAS_CLIENT;
	tel_strip_dot(rec->name, &rec->name_len);
	return TEL_LINE_RECORD;
}

static int bind_next(struct tel_backend *b, struct tel_record *rec, struct sd_error *err)
{
	return tel_backend_next_line(b, bind_line, rec, err);
}

static const struct tel_backend_ops bind_ops = {bind_next, bind_close};

int tel_bind_open(struct io_source *src, const struct tel_options *opt,
		  struct tel_backend **out, struct sd_error *err)
{
	struct bindlog *r =
	    tel_backend_new(sizeof(*r), &bind_ops, TEL_FMT_BIND, src, err);
	if (!r)
		return err->code;
	(void)opt;
	*out = &r->base;
	return 0;
}
