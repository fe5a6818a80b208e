/* What every telemetry backend shares: the common part of a backend,
 * malformed-input reports, the line reader and loop, a fresh record and the HTTP
 * request target. The dispatcher (reader.c) only sniffs and forwards. */
#include "telemetry/backend.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/limits.h"
#include "telemetry/field.h"

void tel_backend_init(struct tel_backend *b, const struct tel_backend_ops *ops,
		      enum tel_format format, struct io_source *src)
{
	memset(b, 0, sizeof(*b));
	b->ops = ops;
	b->format = format;
	b->src = src;
	b->unit = "";
}

void tel_backend_malformed(struct tel_backend *b, uint64_t pos, const char *fmt, ...)
{
	b->stats.malformed++;
	if (!b->report)
		return;
	char where[600], why[512];
	snprintf(where, sizeof(where), "%s:%s%llu", io_name(b->src), b->unit,
		 (unsigned long long)pos);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	b->report(b->report_ctx, where, why);
}

int tel_backend_getline(struct tel_backend *b, const char **line, size_t *len,
			struct sd_error *err)
{
	for (;;) {
		int rc = b->spans ? io_getline_span(b->src, line, len, err)
				  : io_getline(b->src, line, len, err);
		if (rc == 1 && io_lineno(b->src) == 1) {
			size_t bom = sd_bom_len(*line, *len); /* Windows tools */
			*line += bom;
			*len -= bom;
		}
		if (rc != SD_ELIMIT)
			return rc;
		tel_backend_malformed(b, io_lineno(b->src),
				      "line longer than SD_MAX_LINE (%d bytes), skipped",
				      SD_MAX_LINE);
	}
}

int tel_backend_next_line(struct tel_backend *b, tel_line_fn parse,
			  struct tel_record *rec, struct sd_error *err)
{
	const char *line;
	size_t len;
	int rc;
	while ((rc = tel_backend_getline(b, &line, &len, err)) == 1) {
		if (len == 0)
			continue;
		uint64_t ln = io_lineno(b->src);
		const char *why = NULL;
		rc = parse(b, line, len, ln, rec, &why, err);
		if (rc < 0 || rc == TEL_LINE_RECORD)
			return rc;
		if (rc == TEL_LINE_SKIPPED)
			b->stats.skipped++;
		else if (rc == TEL_LINE_MALFORMED)
			tel_backend_malformed(b, ln, "%s", why);
	}
	return rc;
}

const char *tel_backend_why(struct tel_backend *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b->why, sizeof(b->why), fmt, ap);
	va_end(ap);
	return b->why;
}

void *tel_backend_new(size_t size, const struct tel_backend_ops *ops,
		      enum tel_format format, struct io_source *src, struct sd_error *err)
{
	struct tel_backend *b = calloc(1, size);
	if (!b) {
		sd_error_set(err, SD_ENOMEM, "out of memory");
		return NULL;
	}
	tel_backend_init(b, ops, format, src);
	return b;
}

/* The authority form of a CONNECT request target (RFC 9112 3.2.3):
 * host ":" port, nothing else. */
static bool authority_form(const char *uri, size_t ulen, const char **h, size_t *hl)
{
	uint16_t port;
	if (!ulen || uri[0] == '/' || uri[ulen - 1] == ':')
		return false;
	for (size_t i = 0; i < ulen; i++)
		if (strchr("/?#@", uri[i]) || (unsigned char)uri[i] <= ' ')
			return false;
	tel_split_hostport(uri, ulen, h, hl, &port);
	return *hl && port; /* 0: no port, or not a number */
}

bool tel_http_target(struct tel_record *rec, const char *host, size_t hlen,
		     const char *uri, size_t ulen)
{
	const char *h, *p;
	size_t hl, pl;
	uint16_t port;
	if (host) {
		tel_split_hostport(host, hlen, &h, &hl, &port);
		tel_strip_dot(h, &hl);
		rec->name = h;
		rec->name_len = hl;
	}
	if (!uri)
		return false;
	if (tel_split_url(uri, ulen, &h, &hl, &p, &pl)) {
		rec->path = p;
		rec->path_len = pl;
		if (!rec->name_len) {
			tel_strip_dot(h, &hl);
			rec->name = h;
			rec->name_len = hl;
		}
		return true;
	}
	/* CONNECT host:port: the tunnel's far end is the target, whatever
	 * the Host header says, and there is no path */
	if (authority_form(uri, ulen, &h, &hl)) {
		tel_strip_dot(h, &hl);
		rec->name = h;
		rec->name_len = hl;
		return true;
	}
	rec->path = uri;
	rec->path_len = ulen;
	return false;
}

void tel_http_status(struct tel_record *rec, uint64_t status)
{
	bool connect = (rec->flags & TEL_VIA_PROXY) && !rec->path_len;
	if (status < 200 || status >= (connect ? 300 : 400))
		rec->flags |= TEL_DECLINED;
}

void tel_dns_rcode(struct tel_record *rec, uint64_t rcode)
{
	if (rcode == 2 || rcode == 4 || rcode == 5)
		rec->flags |= TEL_DECLINED;
}
