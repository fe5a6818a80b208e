/* dnsmasq query log (log-queries, optionally =extra): syslog lines
 * "Mon dd HH:MM:SS [host ]dnsmasq[pid]: [serial addr/port ]query[TYPE] NAME
 * from CLIENT". Only query lines are records; replies, forwards and cache
 * lines are skipped. The syslog time is local and has no year
 * (telemetry/clock.h decides both). */
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "telemetry/backend.h"
#include "telemetry/field.h"

struct dnsmasq {
	struct tel_backend base;
};

static void dm_close(struct tel_backend *b)
{
	free(b);
}

static const char *parse(struct dnsmasq *r, const char *line, size_t len,
			 struct tel_record *rec)
{
	const char *e = line + len;
	if (tel_clock_syslog(&r->base.clock, line, len, &rec->ts)) {
		/* the year and zone applied */
	} else if (len > 19 && line[4] == '-' && line[10] == 'T') {
		/* RFC 3339 syslog (rsyslog's high-precision format) */
		const char *sp = memchr(line, ' ', len);
		const char *why;
		if (!sp || !tel_clock_parse(&r->base.clock, line, (size_t)(sp - line),
					    &rec->ts, &why))
			return "time is not a syslog or RFC 3339 time";
	} else {
		return "no syslog time at the start";
	}
	const char *q = memmem(line, len, "query[", 6);
	/* log-queries=extra: "serial addr/port query[...]" */
	const char *colon = memmem(line, (size_t)(q - line), "]: ", 3);
	if (colon) {
		const char *p = colon + 3;
		const char *sp = memchr(p, ' ', (size_t)(q - p));
		if (sp && sp + 1 < q) {
			const char *a = sp + 1, *ae = q - 1;
			const char *slash = memchr(a, '/', (size_t)(ae - a));
			if (slash && !tel_parse_port(slash + 1, (size_t)(ae - slash - 1),
						     &rec->client_port))
				return "port after ADDRESS/ is not a port number 0-65535";
		}
	}
	const char *rb = memchr(q, ']', (size_t)(e - q));
	if (!rb || rb + 2 > e || rb[1] != ' ')
		return "query[TYPE] not followed by a name";
	const char *name = rb + 2;
	const char *ne = memchr(name, ' ', (size_t)(e - name));
	if (!ne || ne == name)
		return "no name after query[TYPE]";
	rec->name = name;
	rec->name_len = (size_t)(ne - name);
	if ((size_t)(e - ne) < 6 || memcmp(ne, " from ", 6))
		return "no 'from CLIENT' after the name";
	const char *c = ne + 6;
	if (!tel_addr(c, (size_t)(e - c), &rec->client))
		return "client after 'from' is not an address";
	return NULL;
}

static int dm_line(struct tel_backend *b, const char *line, size_t len, uint64_t ln,
		   struct tel_record *rec, const char **why, struct sd_error *err)
{
	(void)err;
	if (!memmem(line, len, "query[", 6))
		return TEL_LINE_SKIPPED;
	tel_record_start(rec, ln, TEL_DNS);
	rec->proto = 17;
	if ((*why = parse((struct dnsmasq *)b, line, len, rec)))
		return TEL_LINE_MALFORMED;
	rec->flags |= TEL_HAS_CLIENT;
	tel_strip_dot(rec->name, &rec->name_len);
	return TEL_LINE_RECORD;
}

static int dm_next(struct tel_backend *b, struct tel_record *rec, struct sd_error *err)
{
	return tel_backend_next_line(b, dm_line, rec, err);
}

static const struct tel_backend_ops dm_ops = {dm_next, dm_close};

int tel_dnsmasq_open(struct io_source *src, const struct tel_options *opt,
		     struct tel_backend **out, struct sd_error *err)
{
	struct dnsmasq *r =
	    tel_backend_new(sizeof(*r), &dm_ops, TEL_FMT_DNSMASQ, src, err);
	(void)opt;
	if (!r)
		return err->code;
	*out = &r->base;
	return 0;
}
