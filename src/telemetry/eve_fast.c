#include "telemetry/eve_fast.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define EF_MAX_DEPTH 32

struct scan {
	const char *p, *e;
	struct eve_fast *out;
	/* the line's quote index (eve_index.h) when the line is clean, else
	 * NULL; b is the start of the line */
	const uint64_t *q;
	size_t nw;
	const char *b;
};

static inline void ws(struct scan *s)
{
	/* Suricata writes no whitespace: one compare in the common case */
	if (s->p >= s->e || (unsigned char)*s->p > ' ')
		return;
	while (s->p < s->e &&
	       (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* At the opening quote of a string in a clean line: every byte of the
 * line is valid string content, and the next quote closes the string. */
static inline int indexed_string(struct scan *s, struct ef_str *out)
{
	size_t i = (size_t)(s->p - s->b) + 1, w = i >> 6;
	uint64_t m = w < s->nw ? s->q[w] >> (i & 63) : 0;
	while (!m) {
		if (++w >= s->nw)
			return EF_FALLBACK; /* unterminated */
		m = s->q[w];
		i = w << 6;
	}
	const char *p = s->b + i + (size_t)__builtin_ctzll(m);
	if (out) {
		out->s = s->p + 1;
		out->n = (size_t)(p - s->p - 1);
		out->esc = false;
	}
	s->p = p + 1;
	return EF_OK;
}

/* At the opening quote. Plain ASCII, no control bytes, simple escapes
 * only; anything else falls back. */
__attribute__((noinline)) static int bytewise_string(struct scan *s, struct ef_str *out)
{
	const char *p = s->p + 1, *e = s->e;
	bool esc = false;
	for (;;) {
#ifdef __SSE2__
		const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'),
			      lo = _mm_set1_epi8(0x20);
		while (p + 16 <= e) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
			/* signed compare: bytes >= 0x80 are negative, so this
			 * also catches every non-ASCII byte */
			__m128i m = _mm_or_si128(
			    _mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)),
			    _mm_cmplt_epi8(v, lo));
			unsigned bits = (unsigned)_mm_movemask_epi8(m);
			if (bits) {
				p += __builtin_ctz(bits);
				break;
			}
			p += 16;
		}
#endif
		while (p < e && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20 &&
		       (unsigned char)*p < 0x80)
			p++;
		if (p >= e)
			return EF_FALLBACK;
		if (*p == '"')
			break;
		if (*p != '\\')
			return EF_FALLBACK; /* control or non-ASCII byte */
		if (p + 1 >= e || !strchr("\"\\/bfnrt", p[1]) || p[1] == 0)
			return EF_FALLBACK; /* \u and bad escapes */
		esc = true;
		p += 2;
	}
	if (out) {
		out->s = s->p + 1;
		out->n = (size_t)(p - s->p - 1);
		out->esc = esc;
	}
	s->p = p + 1;
	return EF_OK;
}

static inline int string(struct scan *s, struct ef_str *out)
{
	return s->q ? indexed_string(s, out) : bytewise_string(s, out);
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Plain numbers only: no exponent, at most 18 integer digits (so jansson's
 * own range checks can never trip). */
static int number(struct scan *s, struct ef_num *out)
{
	const char *p = s->p, *e = s->e;
	bool neg = false, real = false;
	if (p < e && *p == '-') {
		neg = true;
		p++;
	}
	const char *d = p;
	if (p >= e || !digit(*p))
		return EF_FALLBACK;
	if (*p == '0' && p + 1 < e && digit(p[1]))
		return EF_FALLBACK;
	uint64_t v = 0;
	while (p < e && digit(*p))
		v = v * 10 + (uint64_t)(*p++ - '0');
	if (p - d > 18)
		return EF_FALLBACK;
	if (p < e && *p == '.') {
		real = true;
		p++;
		const char *f = p;
		while (p < e && digit(*p))
			p++;
		if (p == f || p - f > 30)
			return EF_FALLBACK;
	}
	if (p < e && (*p == 'e' || *p == 'E'))
		return EF_FALLBACK;
	if (out) {
		out->set = !real && !neg;
		out->v = v;
		if (neg && !real && v == 0)
			out->set = true; /* -0 is the integer 0 */
	}
	s->p = p;
	return EF_OK;
}

static int value(struct scan *s, int depth, int container);

/* The wanted keys, by container and length: a switch and one inlined
 * fixed-size compare instead of a walk through a table with memcmp calls
 * (most keys of a record are not wanted, and this runs for every key). */
#define IS(lit) (!memcmp(k->s, lit, sizeof(lit) - 1))
static int lookup(int container, const struct ef_str *k, int *child)
{
	*child = -1;
	if (k->esc)
		return -2; /* an escaped key might spell a wanted one */
	switch (container) {
	case -2:
		switch (k->n) {
		case 3:
			if (IS("dns"))
				return *child = EK_DNS;
			if (IS("tls"))
				return *child = EK_TLS;
			return -1;
		case 4:
			if (IS("flow"))
				return *child = EK_FLOW;
			if (IS("http"))
				return *child = EK_HTTP;
			return -1;
		case 5:
			return IS("proto") ? EK_PROTO : IS("alert") ? EK_ALERT : -1;
		case 6:
			return IS("src_ip") ? EK_SRC_IP : -1;
		case 7:
			if (IS("netflow"))
				return *child = EK_NETFLOW;
			return IS("dest_ip")   ? EK_DEST_IP
			       : IS("flow_id") ? EK_FLOW_ID
					       : -1;
		case 8:
			return IS("src_port") ? EK_SRC_PORT : -1;
		case 9:
			return IS("timestamp")	 ? EK_TIMESTAMP
			       : IS("dest_port") ? EK_DEST_PORT
						 : -1;
		case 10:
			return IS("event_type") ? EK_EVENT_TYPE : -1;
		}
		return -1;
	case EK_FLOW:
		switch (k->n) {
		case 5:
			return IS("start") ? EK_F_START : -1;
		case 13:
			return IS("pkts_toserver")   ? EK_F_PTS
			       : IS("pkts_toclient") ? EK_F_PTC
						     : -1;
		case 14:
			return IS("bytes_toserver")   ? EK_F_BTS
			       : IS("bytes_toclient") ? EK_F_BTC
						      : -1;
		}
		return -1;
	case EK_NETFLOW:
		if (k->n == 5)
			return IS("bytes") ? EK_NF_BYTES : IS("start") ? EK_NF_START : -1;
		return k->n == 4 && IS("pkts") ? EK_NF_PKTS : -1;
	case EK_DNS:
		switch (k->n) {
		case 4:
			return IS("type") ? EK_DNS_TYPE : -1;
		case 5: /* v3 and alert layouts: only the full reader */
			return IS("query") ? EK_DNS_OTHER : -1;
		case 6:
			return IS("rrname") ? EK_DNS_RRNAME : -1;
		case 7:
			return IS("queries") ? EK_DNS_OTHER : -1;
		}
		return -1;
	case EK_TLS:
		return k->n == 3 && IS("sni") ? EK_TLS_SNI : -1;
	case EK_HTTP:
		switch (k->n) {
		case 3:
			return IS("url") ? EK_HTTP_URL : -1;
		case 6:
			return IS("status") ? EK_HTTP_STATUS : -1;
		case 8:
			return IS("hostname") ? EK_HTTP_HOSTNAME : -1;
		}
		return -1;
	}
	return -1;
}
#undef IS

/* container: -2 the top level, an EK_ container key, or -1 (not tracked) */
static int object(struct scan *s, int depth, int container)
{
	if (depth > EF_MAX_DEPTH)
		return EF_FALLBACK;
	s->p++; /* '{' */
	ws(s);
	if (s->p < s->e && *s->p == '}') {
		s->p++;
		return EF_OK;
	}
	for (;;) {
		if (s->p >= s->e || *s->p != '"')
			return EF_FALLBACK;
		struct ef_str k;
		if (string(s, &k))
			return EF_FALLBACK;
		ws(s);
		if (s->p >= s->e || *s->p != ':')
			return EF_FALLBACK;
		s->p++;
		ws(s);
		int child = -1,
		    key = container == -1 ? -1 : lookup(container, &k, &child);
		if (key == -2)
			return EF_FALLBACK;
		if (key >= 0) {
			struct eve_fast *o = s->out;
			if (o->seen & (1ull << key))
				return EF_FALLBACK; /* duplicate: jansson keeps the last
						     */
			o->seen |= 1ull << key;
			if (s->p < s->e && *s->p == '"') {
				if (string(s, &o->str[key]))
					return EF_FALLBACK;
			} else if (s->p < s->e && (*s->p == '-' || digit(*s->p))) {
				if (number(s, &o->num[key]))
					return EF_FALLBACK;
			} else if (s->p < s->e && *s->p == '{' && child >= 0) {
				if (object(s, depth + 1, child))
					return EF_FALLBACK;
			} else if (value(s, depth + 1, -1)) {
				return EF_FALLBACK;
			}
		} else if (value(s, depth + 1, -1)) {
			return EF_FALLBACK;
		}
		ws(s);
		if (s->p >= s->e)
			return EF_FALLBACK;
		if (*s->p == '}') {
			s->p++;
			return EF_OK;
		}
		if (*s->p != ',')
			return EF_FALLBACK;
		s->p++;
		ws(s);
	}
}

static int array(struct scan *s, int depth)
{
	if (depth > EF_MAX_DEPTH)
		return EF_FALLBACK;
	s->p++;
	ws(s);
	if (s->p < s->e && *s->p == ']') {
		s->p++;
		return EF_OK;
	}
	for (;;) {
		if (value(s, depth + 1, -1))
			return EF_FALLBACK;
		ws(s);
		if (s->p >= s->e)
			return EF_FALLBACK;
		if (*s->p == ']') {
			s->p++;
			return EF_OK;
		}
		if (*s->p != ',')
			return EF_FALLBACK;
		s->p++;
		ws(s);
	}
}

static int literal(struct scan *s, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(s->e - s->p) < n || memcmp(s->p, lit, n))
		return EF_FALLBACK;
	s->p += n;
	return EF_OK;
}

static int value(struct scan *s, int depth, int container)
{
	if (s->p >= s->e)
		return EF_FALLBACK;
	switch (*s->p) {
	case '{':
		return object(s, depth, container);
	case '[':
		return array(s, depth);
	case '"':
		return string(s, NULL);
	case 't':
		return literal(s, "true");
	case 'f':
		return literal(s, "false");
	case 'n':
		return literal(s, "null");
	default:
		return number(s, NULL);
	}
}

int eve_fast_scan(const char *line, size_t len, struct eve_fast *out)
{
	struct scan s = {line, line + len, out, NULL, 0, line};
	if (out->kernel != EVE_KERNEL_NONE &&
	    eve_index_build(line, len, out->kernel, &out->ix)) {
		s.q = out->ix.quote;
		s.nw = out->ix.nwords;
	}
	out->seen = 0;
	for (int i = 0; i < EK_COUNT; i++) {
		out->str[i].s = NULL;
		out->num[i].set = false;
	}
	ws(&s);
	if (s.p >= s.e || *s.p != '{')
		return EF_FALLBACK;
	if (object(&s, 1, -2))
		return EF_FALLBACK;
	ws(&s);
	return s.p == s.e ? EF_OK : EF_FALLBACK;
}

size_t eve_fast_decode(const struct ef_str *s, char *buf)
{
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		char c = s->s[i];
		if (c == '\\' && i + 1 < s->n) {
			c = s->s[++i];
			switch (c) {
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			default:
				break; /* " \ / stand for themselves */
			}
		}
		buf[k++] = c;
	}
	return k;
}
