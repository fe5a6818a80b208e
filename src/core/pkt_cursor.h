/* A bounds-checked cursor over untrusted packet bytes with a sticky error
 * (after Knot DNS's wire_ctx): the first read past the end sets `bad`, every
 * later read returns zeros and moves nothing, and the parser checks `bad`
 * once where it matters. No read can leave [p, end), whatever the lengths
 * in the packet say; every length is compared as `n > avail`, which cannot
 * overflow. */
#ifndef SD_CORE_PKT_CURSOR_H
#define SD_CORE_PKT_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct pkt_cursor {
	const uint8_t *base; /* start of the buffer (DNS pointers are offsets from it) */
	size_t len;
	size_t off;
	bool bad;
};

static inline void pkt_cur_init(struct pkt_cursor *c, const uint8_t *p, size_t len)
{
	c->base = p;
	c->len = len;
	c->off = 0;
	c->bad = false;
}

static inline size_t pkt_cur_avail(const struct pkt_cursor *c)
{
	return c->bad ? 0 : c->len - c->off;
}

static inline const uint8_t *pkt_cur_ptr(const struct pkt_cursor *c)
{
	return c->base + c->off;
}

/* True when n more bytes are there; sets the sticky error otherwise. */
static inline bool pkt_cur_need(struct pkt_cursor *c, size_t n)
{
	if (c->bad || n > c->len - c->off) {
		c->bad = true;
		return false;
	}
	return true;
}

static inline void pkt_cur_skip(struct pkt_cursor *c, size_t n)
{
	if (pkt_cur_need(c, n))
		c->off += n;
}

static inline void pkt_cur_seek(struct pkt_cursor *c, size_t off)
{
	if (c->bad || off > c->len)
		c->bad = true;
	else
		c->off = off;
}

static inline uint8_t pkt_cur_u8(struct pkt_cursor *c)
{
	if (!pkt_cur_need(c, 1))
		return 0;
	return c->base[c->off++];
}

static inline uint16_t pkt_cur_u16(struct pkt_cursor *c)
{
	if (!pkt_cur_need(c, 2))
		return 0;
	const uint8_t *p = c->base + c->off;
	c->off += 2;
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t pkt_cur_u24(struct pkt_cursor *c)
{
	if (!pkt_cur_need(c, 3))
		return 0;
	const uint8_t *p = c->base + c->off;
	c->off += 3;
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t pkt_cur_u32(struct pkt_cursor *c)
{
	if (!pkt_cur_need(c, 4))
		return 0;
	const uint8_t *p = c->base + c->off;
	c->off += 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Little-endian, for the loopback/null link header. */
static inline uint32_t pkt_cur_u32le(struct pkt_cursor *c)
{
	if (!pkt_cur_need(c, 4))
		return 0;
	const uint8_t *p = c->base + c->off;
	c->off += 4;
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static inline void pkt_cur_copy(struct pkt_cursor *c, void *dst, size_t n)
{
	if (!pkt_cur_need(c, n)) {
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, c->base + c->off, n);
	c->off += n;
}

/* A sub-cursor over the next n bytes (consumed from c). */
static inline struct pkt_cursor pkt_cur_sub(struct pkt_cursor *c, size_t n)
{
	struct pkt_cursor s = {c->base + c->off, 0, 0, true};
	if (pkt_cur_need(c, n)) {
		s.len = n;
		s.bad = false;
		c->off += n;
	}
	return s;
}

#endif
