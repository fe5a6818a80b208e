/* HTTP/1.x request head (RFC 9112 section 3): method SP target SP version,
 * then header fields up to an empty line; a response's status line
 * (section 4): version SP 3DIGIT SP reason. */
#include "telemetry/http_req.h"

#include <string.h>
#include <strings.h>

static const char *const methods[] = {"GET",	 "POST",    "HEAD",  "PUT",  "DELETE",
				      "OPTIONS", "CONNECT", "PATCH", "TRACE"};

static const char *find(const char *p, const char *end, char ch)
{
	const char *q = memchr(p, ch, (size_t)(end - p));
	return q ? q : end;
}

/* Splits "host[:port]" or "[v6]:port" and keeps the host only. */
static void set_host(struct httpr_req *out, const char *s, size_t n)
{
	if (n && s[0] == '[') {
		const char *e = memchr(s, ']', n);
		if (e) {
			out->host = s + 1;
			out->host_len = (size_t)(e - s - 1);
			return;
		}
	}
	const char *colon = memchr(s, ':', n);
	out->host = s;
	out->host_len = colon ? (size_t)(colon - s) : n;
}

static bool is_tchar_upper(char ch)
{
	return ch >= 'A' && ch <= 'Z';
}

enum httpr_result httpr_parse(const uint8_t *bytes, size_t len, struct httpr_req *out,
			      const char **why)
{
	const char *p = (const char *)bytes;
	if (len > HTTPR_MAX_HEAD)
		len = HTTPR_MAX_HEAD;
	const char *end = p + len;
	memset(out, 0, sizeof(*out));
	size_t m = 0;
	while (m < len && is_tchar_upper(p[m]))
		m++;
	if (m == len || p[m] != ' ') {
		*why = "not an HTTP request";
		return HTTPR_NOT_HTTP;
	}
	bool known = false;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i]) == m && memcmp(methods[i], p, m) == 0)
			known = true;
	if (!known) {
		*why = "not an HTTP request";
		return HTTPR_NOT_HTTP;
	}
	out->method = p;
	out->method_len = m;
	out->is_connect = m == 7 && memcmp(p, "CONNECT", 7) == 0;

	const char *eol = find(p, end, '\n');
	if (eol == end) {
		*why = "HTTP request line continues in the next segment";
		return HTTPR_NEED_MORE;
	}
	const char *line_end = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
	const char *target = p + m + 1;
	const char *sp = find(target, line_end, ' ');
	if (sp == line_end || sp == target || line_end - sp < 9 ||
	    memcmp(sp + 1, "HTTP/1.", 7) != 0) {
		*why = "HTTP request line is not 'METHOD target HTTP/1.x'";
		return HTTPR_MALFORMED;
	}
	size_t tlen = (size_t)(sp - target);
	for (size_t i = 0; i < tlen; i++)
		if ((unsigned char)target[i] <= ' ' || (unsigned char)target[i] >= 0x7f) {
			*why = "HTTP request target holds a space or control byte";
			return HTTPR_MALFORMED;
		}

	bool have_host = false;
	if (out->is_connect) {
		set_host(out, target, tlen);
		out->via_proxy = true;
		have_host = true;
	} else if (target[0] == '/') {
		out->path = target;
		out->path_len = tlen;
	} else if (tlen == 1 && target[0] == '*') {
		/* OPTIONS *: no path */
	} else {
		/* absolute-form: scheme "://" authority [path]; the authority
		 * overrides any Host header (RFC 9112 3.2.2) */
		const char *sep = tlen > 3 ? memmem(target, tlen, "://", 3) : NULL;
		if (!sep) {
			*why =
			    "HTTP request target is neither a path nor an absolute URI";
			return HTTPR_MALFORMED;
		}
		const char *auth = sep + 3;
		const char *auth_end = find(auth, sp, '/');
		const char *q = find(auth, auth_end, '?');
		auth_end = q;
		const char *at = memchr(auth, '@', (size_t)(auth_end - auth));
		if (at) /* userinfo is not the host */
			auth = at + 1;
		set_host(out, auth, (size_t)(auth_end - auth));
		out->path = auth_end;
		out->path_len = (size_t)(sp - auth_end);
		out->via_proxy = true;
		have_host = true;
	}
	if (have_host)
		return HTTPR_OK;

	/* header fields, up to the empty line or the end of the bytes */
	for (const char *h = eol + 1; h < end;) {
		const char *e = find(h, end, '\n');
		const char *le = e > h && e[-1] == '\r' ? e - 1 : e;
		if (le == h || e == end) /* end of head, or a line cut short */
			break;
		if (le - h > 5 && strncasecmp(h, "host:", 5) == 0) {
			const char *v = h + 5;
			while (v < le && (*v == ' ' || *v == '\t'))
				v++;
			const char *ve = le;
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			set_host(out, v, (size_t)(ve - v));
			break;
		}
		h = e + 1;
	}
	return HTTPR_OK;
}

bool httpr_status(const uint8_t *p, size_t len, unsigned *status)
{
	/* "HTTP/1.x" SP 3DIGIT, then SP (the reason) or the end of the line */
	if (len < 12 || memcmp(p, "HTTP/1.", 7) != 0 || p[7] < '0' || p[7] > '9' ||
	    p[8] != ' ')
		return false;
	unsigned v = 0;
	for (size_t i = 9; i < 12; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	if (len > 12 && p[12] != ' ' && p[12] != '\r' && p[12] != '\n')
		return false;
	if (v < 100)
		return false;
	*status = v;
	return true;
}
