/* CRYPTO frames → contiguous stream → TLS ClientHello. See quic_hello.h. */
#include "telemetry/quic_hello.h"

#include <stdbool.h>
#include <string.h>

#include "telemetry/quic_initial.h"

#define FRAME_PADDING 0x00
#define FRAME_PING 0x01
#define FRAME_ACK 0x02
#define FRAME_ACK_ECN 0x03
#define FRAME_CRYPTO 0x06
#define FRAME_CONNECTION_CLOSE 0x1c
#define TLS_HANDSHAKE 22
#define TLS_CLIENT_HELLO 1

void quich_init(struct quich_stream *s)
{
	s->contiguous = 0;
	memset(s->have, 0, sizeof(s->have));
}

static bool has(const struct quich_stream *s, size_t i)
{
	return s->have[i / 8] & (1u << (i % 8));
}

static void mark(struct quich_stream *s, size_t i)
{
	s->have[i / 8] |= (uint8_t)(1u << (i % 8));
}

/* Bits are set and scanned a byte at a time where they can be: a
 * thousand-byte frame is a memset, not a thousand shifts. */
static void store(struct quich_stream *s, size_t off, const uint8_t *p, size_t n)
{
	memcpy(s->rec + 5 + off, p, n);
	size_t i = off, end = off + n;
	for (; i < end && i % 8; i++)
		mark(s, i);
	size_t whole = (end - i) / 8;
	memset(s->have + i / 8, 0xff, whole);
	for (i += whole * 8; i < end; i++)
		mark(s, i);
	size_t c = s->contiguous;
	while (c < QUICH_MAX_CRYPTO && c % 8 && has(s, c))
		c++;
	while (c < QUICH_MAX_CRYPTO && s->have[c / 8] == 0xff) /* c % 8 == 0 here */
		c += 8;
	while (c < QUICH_MAX_CRYPTO && has(s, c))
		c++;
	s->contiguous = c;
}

/* n varints in a row; false when one runs past the end */
static bool skip_varints(const uint8_t *p, size_t len, size_t *off, int n)
{
	uint64_t v;
	while (n-- > 0)
		if (!quici_varint(p, len, off, &v))
			return false;
	return true;
}

static bool skip_ack(const uint8_t *p, size_t len, size_t *off, bool ecn)
{
	uint64_t ranges;
	/* largest acknowledged, delay, range count, first range */
	if (!skip_varints(p, len, off, 2) || !quici_varint(p, len, off, &ranges) ||
	    !skip_varints(p, len, off, 1))
		return false;
	/* each range is two varints of at least one byte: the count from the
	 * packet cannot make this loop outlast the bytes */
	for (uint64_t i = 0; i < ranges; i++)
		if (!skip_varints(p, len, off, 2))
			return false;
	return !ecn || skip_varints(p, len, off, 3);
}

static enum quich_result frames(struct quich_stream *s, const uint8_t *p, size_t len,
				const char **why)
{
	size_t off = 0;
	while (off < len) {
		uint64_t type, a, n;
		if (!quici_varint(p, len, &off, &type))
			break;
		switch (type) {
		case FRAME_PADDING: /* usually the rest of the packet: skip the run */
			while (off < len && p[off] == FRAME_PADDING)
				off++;
			continue;
		case FRAME_PING:
			continue;
		case FRAME_ACK:
		case FRAME_ACK_ECN:
			if (!skip_ack(p, len, &off, type == FRAME_ACK_ECN)) {
				*why = "QUIC ACK frame runs past its Initial packet";
				return QUICH_MALFORMED;
			}
			continue;
		case FRAME_CONNECTION_CLOSE:
			if (!skip_varints(p, len, &off, 2) ||
			    !quici_varint(p, len, &off, &n) || n > len - off) {
				*why = "QUIC CONNECTION_CLOSE frame runs past its "
				       "Initial packet";
				return QUICH_MALFORMED;
			}
			off += (size_t)n;
			continue;
		case FRAME_CRYPTO:
			if (!quici_varint(p, len, &off, &a) ||
			    !quici_varint(p, len, &off, &n) || n > len - off) {
				*why = "QUIC CRYPTO frame runs past its Initial packet";
				return QUICH_MALFORMED;
			}
			if (a > QUICH_MAX_CRYPTO || n > QUICH_MAX_CRYPTO - a) {
				*why = "QUIC CRYPTO data reaches past QUICH_MAX_CRYPTO "
				       "(18432 bytes); ClientHello not read";
				return QUICH_MALFORMED;
			}
			store(s, (size_t)a, p + off, (size_t)n);
			off += (size_t)n;
			continue;
		default:
			*why = "QUIC Initial packet holds a frame type an Initial may "
			       "not carry";
			return QUICH_MALFORMED;
		}
	}
	if (off < len) {
		*why = "QUIC frame type runs past its Initial packet";
		return QUICH_MALFORMED;
	}
	return QUICH_NEED_MORE;
}

enum quich_result quich_add(struct quich_stream *s, const uint8_t *p, size_t len,
			    char name[TLSH_MAX_NAME + 1], size_t *name_len,
			    const char **why)
{
	*name_len = 0;
	enum quich_result rc = frames(s, p, len, why);
	if (rc != QUICH_NEED_MORE)
		return rc;
	const uint8_t *hs = s->rec + 5;
	if (s->contiguous < 4)
		return QUICH_NEED_MORE;
	if (hs[0] != TLS_CLIENT_HELLO) {
		*why = "QUIC client CRYPTO stream does not start with a ClientHello";
		return QUICH_MALFORMED;
	}
	size_t total = 4 + ((size_t)hs[1] << 16 | (size_t)hs[2] << 8 | hs[3]);
	if (total > QUICH_MAX_CRYPTO) {
		*why = "QUIC ClientHello is longer than QUICH_MAX_CRYPTO (18432 bytes)";
		return QUICH_MALFORMED;
	}
	s->rec[0] = TLS_HANDSHAKE;
	s->rec[1] = 3;
	s->rec[2] = 3;
	s->rec[3] = (uint8_t)(total >> 8);
	s->rec[4] = (uint8_t)total;
	size_t have = s->contiguous < total ? s->contiguous : total;
	size_t need;
	enum tlsh_result t = tlsh_parse(s->rec, 5 + have, name, name_len, &need, why);
	switch (t) {
	case TLSH_SNI:
		return QUICH_SNI;
	case TLSH_NO_SNI:
		return QUICH_NO_SNI;
	case TLSH_NEED_MORE:
		if (have < total)
			return QUICH_NEED_MORE;
		*why = "QUIC ClientHello lengths run past the message";
		return QUICH_MALFORMED;
	default:
		return QUICH_MALFORMED;
	}
}
