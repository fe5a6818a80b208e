/* Squid access.log, native ("squid") and "combined" logformats. The client
 * is the proxy's client; the requested host (CONNECT host:port, or the host
 * of an absolute URL) is the name, and the path of an absolute URL the
 * path. Every record is TEL_VIA_PROXY; the server, when the log names one
 * (HIER_DIRECT/addr), is the upstream address the proxy contacted.
 * Native times are epoch seconds; "combined" times carry their offset
 * (%tl's default), and one written without it (a logformat with
 * %{%d/%b/%Y:%H:%M:%S}tl) is the proxy's local time (--tz). */
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "telemetry/backend.h"
#include "telemetry/field.h"

struct squid {
	struct tel_backend base;
};

static void squid_close(struct tel_backend *b)
{
	free(b);
}

struct tok {
	const char *s;
	size_t n;
};

/* splits on runs of spaces; returns the token count (at most max) */
static int split_ws(const char *s, size_t len, struct tok *t, int max)
{
	int n = 0;
	const char *e = s + len;
	while (s < e && n < max) {
		while (s < e && *s == ' ')
			s++;
		if (s == e)
			break;
		const char *b = s;
		while (s < e && *s != ' ')
			s++;
		t[n].s = b;
		t[n].n = (size_t)(s - b);
		n++;
	}
	return n;
}

/* method + URL -> name/path/port; NULL, or why it is unusable */
static const char *request(const char *m, size_t ml, const char *u, size_t ul,
			   struct tel_record *rec)
{
	if (ml == 7 && !memcmp(m, "CONNECT", 7)) {
		if (!tel_split_hostport(u, ul, &rec->name, &rec->name_len,
					&rec->server_port))
			return "CONNECT port is not a port number 0-65535";
		return rec->name_len > 0 ? NULL : "URL names no host";
	}
	const char *h, *p;
	size_t hl, pl;
	if (tel_split_url(u, ul, &h, &hl, &p, &pl) && hl > 0) {
		rec->name = h;
		rec->name_len = hl;
		rec->path = p;
		rec->path_len = pl;
		return NULL;
	}
	return "URL names no host";
}

/* "HIER_DIRECT/127.0.0.161", "DIRECT/1.2.3.4", "HIER_NONE/-" */
static void upstream(const struct tok *t, struct tel_record *rec)
{
	const char *slash = memchr(t->s, '/', t->n);
	if (slash && tel_addr(slash + 1, t->n - (size_t)(slash - t->s) - 1, &rec->server))
		rec->flags |= TEL_HAS_SERVER;
}

static void status(const char *s, size_t n, struct tel_record *rec)
{
	uint64_t st;
	if (tel_parse_u64(s, n, &st) && st >= 100 && st < 500)
		rec->flags |= TEL_ANSWERED;
}

static const char *native(const char *line, size_t len, struct tel_record *rec)
{
	struct tok t[10];
	int n = split_ws(line, len, t, 10);
	if (n < 7)
		return "fewer than 7 fields (native squid format)";
	if (!tel_parse_epoch(t[0].s, t[0].n, &rec->ts))
		return "time is not an epoch time";
	if (!tel_addr(t[2].s, t[2].n, &rec->client))
		return "client is not an address";
	const char *slash = memchr(t[3].s, '/', t[3].n);
	if (slash)
		status(slash + 1, t[3].n - (size_t)(slash - t[3].s) - 1, rec);
	const char *why = request(t[5].s, t[5].n, t[6].s, t[6].n, rec);
	if (why)
		return why;
	if (n > 8)
		upstream(&t[8], rec);
	return NULL;
}

/* [29/Mar/2023:13:55:06 +0000], or [29/Mar/2023:13:55:06] in local time */
static bool clf_time(struct tel_clock *c, const char *s, size_t n, int64_t *out)
{
	if (n < 22 || s[0] != '[' || s[3] != '/' || s[7] != '/' || s[12] != ':')
		return false;
	int d = tel_2digits(s + 1), mon = tel_month(s + 4), hms = tel_hms(s + 13);
	int y1 = tel_2digits(s + 8), y2 = tel_2digits(s + 10);
	if (d < 1 || !mon || hms < 0 || y1 < 0 || y2 < 0)
		return false;
	int64_t local =
	    sd_days_from_civil(y1 * 100 + y2, (unsigned)mon, (unsigned)d) * 86400 + hms;
	if (n == 22 && s[21] == ']') {
		*out = tel_clock_local(c, local);
		return true;
	}
	if (n < 28 || s[21] != ' ')
		return false;
	int oh = tel_2digits(s + 23), om = tel_2digits(s + 25);
	if (oh < 0 || om < 0 || (s[22] != '+' && s[22] != '-'))
		return false;
	int off = (oh * 60 + om) * 60 * (s[22] == '-' ? -1 : 1);
	*out = local - off;
	return true;
}

static const char *combined(struct tel_clock *c, const char *line, size_t len,
			    struct tel_record *rec)
{
	const char *e = line + len;
	const char *sp = memchr(line, ' ', len);
	if (!sp || !tel_addr(line, (size_t)(sp - line), &rec->client))
		return "client is not an address";
	const char *lb = memchr(sp, '[', (size_t)(e - sp));
	const char *rb = lb ? memchr(lb, ']', (size_t)(e - lb)) : NULL;
	if (!rb || !clf_time(c, lb, (size_t)(rb - lb + 1), &rec->ts))
		return "no [dd/Mon/yyyy:hh:mm:ss +zzzz] time";
	const char *q1 = memchr(rb, '"', (size_t)(e - rb));
	const char *q2 = q1 ? memchr(q1 + 1, '"', (size_t)(e - q1 - 1)) : NULL;
	if (!q2)
		return "no quoted request";
	struct tok t[3];
	if (split_ws(q1 + 1, (size_t)(q2 - q1 - 1), t, 3) < 2)
		return "request is not \"METHOD URL ...\"";
	const char *why = request(t[0].s, t[0].n, t[1].s, t[1].n, rec);
	if (why)
		return why;
	struct tok st[1];
	if (split_ws(q2 + 1, (size_t)(e - q2 - 1), st, 1) == 1)
		status(st[0].s, st[0].n, rec);
	return NULL;
}

static int squid_line(struct tel_backend *b, const char *line, size_t len, uint64_t ln,
		      struct tel_record *rec, const char **why, struct sd_error *err)
{
	(void)err;
	tel_record_start(rec, ln, TEL_HTTP);
	/* native starts with an epoch time, combined with an address */
	const char *sp = memchr(line, ' ', len);
	int64_t t;
	bool is_native = sp && memchr(line, '.', (size_t)(sp - line)) &&
			 tel_parse_epoch(line, (size_t)(sp - line), &t);
	*why = is_native ? native(line, len, rec) : combined(&b->clock, line, len, rec);
	if (*why)
		return TEL_LINE_MALFORMED;
	rec->flags |= TEL_HAS_CLIENT | TEL_VIA_PROXY;
	rec->proto = 6;
	tel_strip_dot(rec->name, &rec->name_len);
	return TEL_LINE_RECORD;
}

static int squid_next(struct tel_backend *b, struct tel_record *rec, struct sd_error *err)
{
	return tel_backend_next_line(b, squid_line, rec, err);
}

static const struct tel_backend_ops squid_ops = {squid_next, squid_close};

int tel_squid_open(struct io_source *src, const struct tel_options *opt,
		   struct tel_backend **out, struct sd_error *err)
{
	(void)opt;
	struct squid *s =
	    tel_backend_new(sizeof(*s), &squid_ops, TEL_FMT_SQUID, src, err);
	if (!s)
		return err->code;
	*out = &s->base;
	return 0;
}
