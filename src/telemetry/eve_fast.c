#include "telemetry/eve_fast.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define EF_MAX_DEPTH 32

struct scan {
	const char *p, *e;
	struct eve_fast *out;
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

/* At the opening quote. Plain ASCII, no control bytes, simple escapes
 * only; anything else falls back. */
static int string(struct scan *s, struct ef_str *out)
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
static inline __attribute__((always_inline)) int
lookup(int container, const struct ef_str *k, int *child)
{
	*child = -1;
	/* an escaped key is never a wanted one: the escapes the scanner
	 * takes (not \u) stand for a quote, '\\', '/' or a control byte */
	if (k->esc)
		return -1;
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
			return IS("dest_ip") ? EK_DEST_IP : -1;
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
		if (key >= 0) {
			struct eve_fast *o = s->out;
			if (o->keys->seen & (1ull << key))
				return EF_FALLBACK; /* duplicate: jansson keeps the last
						     */
			o->keys->seen |= 1ull << key;
			o->keys->at[key] = (uint8_t)o->n;
			struct ef_item *it = &o->item[o->n++];
			*it =
			    (struct ef_item){.key = (uint8_t)key, .kind = EF_ITEM_OTHER};
			if (s->p < s->e && *s->p == '"') {
				struct ef_str v;
				if (string(s, &v))
					return EF_FALLBACK;
				it->s = v.s;
				it->n = (uint32_t)v.n; /* a line is <= SD_MAX_LINE */
				it->esc = v.esc;
				it->kind = EF_ITEM_STR;
			} else if (s->p < s->e && (*s->p == '-' || digit(*s->p))) {
				struct ef_num v;
				if (number(s, &v))
					return EF_FALLBACK;
				it->v = v.v;
				it->kind = v.set ? EF_ITEM_NUM : EF_ITEM_OTHER;
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

/* --- the clean-line path: the same grammar and the same answers as the
 * functions above (the fuzzer checks it), for a line that eve_index.h
 * found clean. No byte of such a line needs checking inside a string (its
 * escapes were checked by the index).
 * The line ends with '}' (clean_scan checks it first), so a position
 * just past a '{', '[', ',' or ':' the walk has read, or past a key's
 * closing quote, is inside the line: none of those can be its last byte,
 * and the walk tests no bound there. A value can end the line (a nested
 * object's '}'): CNEXT tests the bound after every value.
 * It reads the compact form Suricata writes, with no whitespace between
 * tokens: a line with some fails here and is read again by the
 * byte-by-byte path, which gives the same answer (so the common line pays
 * no whitespace test at every token). Each function takes the position
 * and returns the one after what it read, or NULL to fall back. --- */

struct clean {
	const char *b, *e; /* the line */
	const uint64_t *q; /* its quote index */
	size_t n;
	bool esc; /* the line has escapes */
	struct eve_fast *out;
};

/* At an opening quote: the closing one, the next quote in the index (the
 * index's stop bit past the end ends the search: unterminated). */
static inline const char *cstring_end(const struct clean *c, const char *p)
{
	size_t i = (size_t)(p - c->b) + 1, w = i >> 6;
	uint64_t m = c->q[w] >> (i & 63);
	while (!m) {
		m = c->q[++w];
		i = w << 6;
	}
	i += (size_t)__builtin_ctzll(m);
	return i < c->n ? c->b + i : NULL;
}

/* number() on a pointer; a clean line ends with '}' (clean_scan), so a
 * run of digits ends before the line does */
static inline const char *cnumber(const char *p, const char *e, struct ef_item *out)
{
	bool neg = false, real = false;
	if (*p == '-') {
		neg = true;
		p++;
	}
	const char *d = p;
	if (!digit(*p))
		return NULL;
	if (*p == '0' && digit(p[1]))
		return NULL;
	uint64_t v = 0;
	while (digit(*p))
		v = v * 10 + (uint64_t)(*p++ - '0');
	if (p - d > 18)
		return NULL;
	if (*p == '.') {
		real = true;
		p++;
		const char *f = p;
		while (digit(*p))
			p++;
		if (p == f || p - f > 30)
			return NULL;
	}
	if (*p == 'e' || *p == 'E')
		return NULL;
	if (out) {
		/* -0 is the integer 0 */
		out->kind = !real && (!neg || v == 0) ? EF_ITEM_NUM : EF_ITEM_OTHER;
		out->v = v;
	}
	(void)e;
	return p;
}

static inline const char *cliteral(const char *p, const char *e, const char *lit,
				   size_t n)
{
	return (size_t)(e - p) >= n && !memcmp(p, lit, n) ? p + n : NULL;
}

static const char *cobject(const struct clean *c, const char *p, int depth,
			   int container);
static const char *cskip_object(const struct clean *c, const char *p, int depth);
static const char *carray(const struct clean *c, const char *p, int depth);

/* A string at p, read and dropped: the position after it (or NULL). */
static inline const char *cstring_skip(const struct clean *c, const char *p)
{
	const char *q = cstring_end(c, p);
	return q ? q + 1 : NULL;
}

/* Any value at p (p < e), read and dropped. */
static inline const char *cvalue(const struct clean *c, const char *p, int depth)
{
	switch (*p) {
	case '"':
		return cstring_skip(c, p);
	case '{':
		return cskip_object(c, p, depth);
	case '[':
		return carray(c, p, depth);
	case 't':
		return cliteral(p, c->e, "true", 4);
	case 'f':
		return cliteral(p, c->e, "false", 5);
	case 'n':
		return cliteral(p, c->e, "null", 4);
	default:
		return cnumber(p, c->e, NULL);
	}
}

/* After a member's value at p: 1 at the container's end, 0 after a ','
 * (p moved past either), -1 otherwise */
#define CNEXT(p, e, close)                                                               \
	(!(p) || (p) >= (e) ? -1                                                         \
	 : *(p) == (close)  ? ((p)++, 1)                                                 \
	 : *(p) == ','	    ? ((p)++, 0)                                                 \
			    : -1)

/* An object none of whose keys is wanted: each member's grammar only. */
static const char *cskip_object(const struct clean *c, const char *p, int depth)
{
	const char *e = c->e;
	if (depth > EF_MAX_DEPTH)
		return NULL;
	p++;
	if (*p == '}')
		return p + 1;
	for (;;) {
		if (*p != '"')
			return NULL;
		const char *q = cstring_end(c, p);
		if (!q || q[1] != ':')
			return NULL;
		/* most dropped values are strings: no call for those */
		p = q[2] == '"' ? cstring_skip(c, q + 2) : cvalue(c, q + 2, depth + 1);
		int r = CNEXT(p, e, '}');
		if (r)
			return r > 0 ? p : NULL;
	}
}

/* An object with wanted keys; inlined into the top level's own copy
 * (ctop), where the container is a constant and the lookup's switch on it
 * folds away */
static inline __attribute__((always_inline)) const char *
cobject_in(const struct clean *c, const char *p, int depth, int container)
{
	const char *e = c->e;
	if (depth > EF_MAX_DEPTH)
		return NULL;
	p++;
	if (*p == '}')
		return p + 1;
	for (;;) {
		if (*p != '"')
			return NULL;
		const char *q = cstring_end(c, p);
		if (!q || q[1] != ':')
			return NULL;
		struct ef_str k = {p + 1, (size_t)(q - p - 1), false};
		p = q + 2;
		int child = -1, key = lookup(container, &k, &child);
		if (key >= 0) {
			struct eve_fast *o = c->out;
			if (o->keys->seen & (1ull << key))
				return NULL; /* duplicate: jansson keeps the last */
			o->keys->seen |= 1ull << key;
			o->keys->at[key] = (uint8_t)o->n;
			struct ef_item *it = &o->item[o->n++];
			*it =
			    (struct ef_item){.key = (uint8_t)key, .kind = EF_ITEM_OTHER};
			if (*p == '"') {
				if (!(q = cstring_end(c, p)))
					return NULL;
				size_t n = (size_t)(q - p - 1);
				it->s = p + 1;
				it->n = (uint32_t)n; /* a line is <= SD_MAX_LINE */
				it->esc = c->esc && memchr(p + 1, '\\', n);
				it->kind = EF_ITEM_STR;
				p = q + 1;
			} else if (*p == '-' || digit(*p)) {
				p = cnumber(p, e, it);
			} else if (*p == '{' && child >= 0) {
				p = cobject(c, p, depth + 1, child);
			} else {
				p = cvalue(c, p, depth + 1);
			}
		} else {
			p = *p == '"' ? cstring_skip(c, p) : cvalue(c, p, depth + 1);
		}
		int r = CNEXT(p, e, '}');
		if (r)
			return r > 0 ? p : NULL;
	}
}

static const char *cobject(const struct clean *c, const char *p, int depth, int container)
{
	return cobject_in(c, p, depth, container);
}

static const char *ctop(const struct clean *c, const char *p)
{
	return cobject_in(c, p, 1, -2);
}

static const char *carray(const struct clean *c, const char *p, int depth)
{
	const char *e = c->e;
	if (depth > EF_MAX_DEPTH)
		return NULL;
	p++;
	if (*p == ']')
		return p + 1;
	for (;;) {
		p = cvalue(c, p, depth + 1);
		int r = CNEXT(p, e, ']');
		if (r)
			return r > 0 ? p : NULL;
	}
}

static int clean_scan(const char *line, size_t len, const uint64_t *quote, bool esc,
		      struct eve_fast *out)
{
	struct clean c = {line, line + len, quote, len, esc, out};
	if (*line != '{' || line[len - 1] != '}')
		return EF_FALLBACK;
	const char *p = ctop(&c, line);
	return p == c.e ? EF_OK : EF_FALLBACK;
}

static void clear(struct eve_fast *out)
{
	out->keys->seen = 0;
	out->keys->item = out->item;
	out->n = 0;
}

/* The byte-by-byte path. */
static int byte_scan(const char *line, size_t len, struct eve_fast *out)
{
	struct scan s = {line, line + len, out};
	ws(&s);
	if (s.p >= s.e || *s.p != '{')
		return EF_FALLBACK;
	if (object(&s, 1, -2))
		return EF_FALLBACK;
	ws(&s);
	return s.p == s.e ? EF_OK : EF_FALLBACK;
}

int eve_fast_scan(const char *line, size_t len, struct eve_fast *out)
{
	clear(out);
	if (out->kernel != EVE_KERNEL_NONE && len &&
	    eve_index_build(line, len, out->kernel, &out->ix)) {
		if (clean_scan(line, len, out->ix.quote, out->ix.esc, out) == EF_OK)
			return EF_OK;
		clear(out); /* whitespace between tokens, or not valid */
	}
	return byte_scan(line, len, out);
}

int eve_fast_scan_indexed(const char *line, size_t len, const uint64_t *quote, bool esc,
			  struct eve_fast *out)
{
	clear(out);
	if (quote && len) {
		if (clean_scan(line, len, quote, esc, out) == EF_OK)
			return EF_OK;
		clear(out);
	}
	return byte_scan(line, len, out);
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
