#include "server/framing.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct scan {
	const char *why;
	unsigned hosts, lengths, encodings;
	const char *length, *encoding;
};

static bool is_tchar(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= 'A' && ch <= 'Z') || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/* libmicrohttpd 0.9.75 parses the header in place: a name ends where its
 * ':' was, and its value starts after the spaces that follow. It joins an
 * obs-folded continuation onto a reallocated copy of the *name* (so
 * "X-A: one\r\n two" arrives as "X-Atwo: one"); such a name no longer sits
 * just before its value, which is how a fold is told apart. */
static bool adjacent(const char *key, const char *value)
{
	size_t k = strlen(key);
	if (value <= key || (size_t)(value - key) <= k || (size_t)(value - key) > k + 65)
		return false;
	for (const char *p = key + k + 1; p < value; p++)
		if (*p != ' ' && *p != '\t')
			return false;
	return true;
}

static enum MHD_Result scan_one(void *cls, enum MHD_ValueKind kind, const char *key,
				const char *value)
{
	(void)kind;
	struct scan *s = cls;
	if (!*key) {
		s->why = "a header line has no name";
		return MHD_NO;
	}
	for (const char *p = key; *p; p++)
		if (!is_tchar((unsigned char)*p)) {
			s->why = "a header name holds a character that is not allowed "
				 "(space before the colon?)";
			return MHD_NO;
		}
	if (!value || !adjacent(key, value)) {
		s->why = "a header is folded over several lines (obs-fold)";
		return MHD_NO;
	}
	if (!strcasecmp(key, "Host")) {
		s->hosts++;
	} else if (!strcasecmp(key, "Content-Length")) {
		if (s->lengths++ && strcmp(s->length, value)) {
			s->why = "Content-Length is given twice with different values";
			return MHD_NO;
		}
		s->length = value;
	} else if (!strcasecmp(key, "Transfer-Encoding")) {
		s->encodings++;
		s->encoding = value;
	}
	return MHD_YES;
}

const char *srv_framing_check(struct MHD_Connection *c, const char *version,
			      struct srv_framing *out)
{
	*out = (struct srv_framing){0};
	struct scan s = {0};
	MHD_get_connection_values(c, MHD_HEADER_KIND, scan_one, &s);
	/* MHD reads a body by its own reading of the header (the first
	 * Transfer-Encoding, compared whole), whatever is refused here: the
	 * caller needs to know when MHD is reading it chunked */
	const char *te =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding");
	out->chunked = te && !strcasecmp(te, "chunked");
	if (s.why)
		return s.why;
	if (s.encodings && s.lengths)
		return "Content-Length and Transfer-Encoding are both given";
	if (s.encodings > 1 || (s.encodings && strcasecmp(s.encoding, "chunked")))
		return "the only Transfer-Encoding accepted is a single 'chunked'";
	if (!strcmp(version, MHD_HTTP_VERSION_1_1) && s.hosts != 1)
		return s.hosts ? "an HTTP/1.1 request has more than one Host header"
			       : "an HTTP/1.1 request has no Host header";
	if (s.hosts > 1)
		return "the request has more than one Host header";
	if (s.lengths) {
		const char *p = s.length;
		uint64_t v = 0;
		if (!*p)
			return "Content-Length is empty";
		for (; *p; p++) {
			if (*p < '0' || *p > '9' || v > UINT64_MAX / 10 - 10)
				return "Content-Length is not a number";
			v = v * 10 + (uint64_t)(*p - '0');
		}
		out->content_length = v;
		out->has_body = v > 0;
	}
	if (s.encodings)
		out->has_body = true;
	return NULL;
}
