/* DNS wire format: header, first question, A/AAAA answers. */
#include "telemetry/dns_wire.h"

#include <stdio.h>
#include <string.h>

#include "core/pkt_cursor.h"

#define DNS_TYPE_A 1
#define DNS_TYPE_AAAA 28
#define DNS_CLASS_IN 1

/* Reads a possibly compressed name at c's position and leaves c just after
 * it (after the first pointer, if any). text may be NULL to only skip.
 * Loops are impossible to follow forever: at most DNSW_MAX_POINTERS jumps
 * and DNSW_MAX_NAME_WIRE bytes of name. */
static int read_name(struct pkt_cursor *c, char *text, size_t *text_len, const char **why)
{
	struct pkt_cursor r = *c; /* reads here; c only moves over the inline part */
	bool jumped = false;
	int hops = 0;
	size_t wire = 1, n = 0;
	for (;;) {
		uint8_t l = pkt_cur_u8(&r);
		if (r.bad) {
			*why = "DNS name runs past the end of the message";
			return DNSW_TRUNCATED;
		}
		if ((l & 0xc0) == 0xc0) {
			uint8_t lo = pkt_cur_u8(&r);
			if (r.bad) {
				*why = "DNS compression pointer is cut short";
				return DNSW_TRUNCATED;
			}
			if (!jumped)
				*c = r;
			jumped = true;
			if (++hops > DNSW_MAX_POINTERS) {
				*why = "DNS name has a compression pointer loop";
				return DNSW_MALFORMED;
			}
			size_t target = (size_t)(l & 0x3f) << 8 | lo;
			if (target >= r.len) {
				*why = "DNS compression pointer points past the message";
				return DNSW_MALFORMED;
			}
			r.off = target;
			continue;
		}
		if (l & 0xc0) {
			*why = "DNS label type is reserved (0x40 or 0x80)";
			return DNSW_MALFORMED;
		}
		if (l == 0)
			break;
		wire += 1u + l;
		if (wire > DNSW_MAX_NAME_WIRE) {
			*why = "DNS name is longer than 255 bytes";
			return DNSW_MALFORMED;
		}
		const uint8_t *p = pkt_cur_ptr(&r);
		pkt_cur_skip(&r, l);
		if (r.bad) {
			*why = "DNS label runs past the end of the message";
			return DNSW_TRUNCATED;
		}
		if (!text)
			continue;
		if (n)
			text[n++] = '.';
		for (size_t i = 0; i < l; i++) {
			uint8_t ch = p[i];
			if (ch > ' ' && ch < 0x7f && ch != '.' && ch != '\\')
				text[n++] = (char)ch;
			else
				n += (size_t)snprintf(text + n, 5, "\\%03u", ch);
		}
	}
	if (!jumped)
		*c = r;
	if (text) {
		if (n == 0)
			text[n++] = '.';
		text[n] = '\0';
		*text_len = n;
	}
	return DNSW_OK;
}

static void answers(struct pkt_cursor *c, unsigned count, struct dnsw_msg *out)
{
	const char *why;
	if (count > DNSW_MAX_RRS)
		count = DNSW_MAX_RRS;
	for (unsigned i = 0; i < count; i++) {
		int rc = read_name(c, NULL, NULL, &why);
		if (rc != DNSW_OK) {
			out->answer_error = why;
			return;
		}
		uint16_t type = pkt_cur_u16(c), cls = pkt_cur_u16(c);
		pkt_cur_skip(c, 4); /* TTL */
		uint16_t rdlen = pkt_cur_u16(c);
		struct pkt_cursor rd = pkt_cur_sub(c, rdlen);
		if (c->bad) {
			out->answer_error =
			    "DNS answer record runs past the end of the message";
			return;
		}
		if (cls != DNS_CLASS_IN || out->nanswers == DNSW_MAX_ANSWERS)
			continue;
		struct net_addr *a = &out->answers[out->nanswers];
		if (type == DNS_TYPE_A && rdlen == 4) {
			net_addr_from_v4(a, pkt_cur_u32(&rd));
			out->nanswers++;
		} else if (type == DNS_TYPE_AAAA && rdlen == 16) {
			pkt_cur_copy(&rd, a->b, 16);
			out->nanswers++;
		} else if (type == DNS_TYPE_A || type == DNS_TYPE_AAAA) {
			out->answer_error = "DNS A/AAAA record has a wrong data length";
			return;
		}
	}
}

enum dnsw_result dnsw_parse(const uint8_t *msg, size_t len, struct dnsw_msg *out,
			    const char **why)
{
	struct pkt_cursor c;
	pkt_cur_init(&c, msg, len);
	out->id = pkt_cur_u16(&c);
	uint16_t flags = pkt_cur_u16(&c);
	uint16_t qd = pkt_cur_u16(&c), an = pkt_cur_u16(&c);
	pkt_cur_skip(&c, 4); /* authority and additional counts */
	out->response = flags >> 15;
	out->opcode = (flags >> 11) & 15;
	out->rcode = flags & 15;
	out->nanswers = 0;
	out->qname_len = 0;
	out->qname[0] = '\0';
	out->answer_error = NULL;
	if (c.bad) {
		*why = "DNS header is cut short";
		return DNSW_TRUNCATED;
	}
	if (qd == 0) {
		*why = "DNS message has no question";
		return DNSW_NO_QUESTION;
	}
	int rc = read_name(&c, out->qname, &out->qname_len, why);
	if (rc != DNSW_OK)
		return rc;
	out->qtype = pkt_cur_u16(&c);
	out->qclass = pkt_cur_u16(&c);
	if (c.bad) {
		*why = "DNS question is cut short";
		return DNSW_TRUNCATED;
	}
	if (!out->response || an == 0)
		return DNSW_OK;
	/* later questions (qdcount > 1 is legal but unused) come before answers */
	for (unsigned i = 1; i < qd; i++) {
		if (read_name(&c, NULL, NULL, why) != DNSW_OK) {
			out->answer_error = *why;
			return DNSW_OK;
		}
		pkt_cur_skip(&c, 4);
		if (c.bad) {
			out->answer_error = "DNS question is cut short";
			return DNSW_OK;
		}
		if (i >= DNSW_MAX_RRS)
			return DNSW_OK;
	}
	answers(&c, an, out);
	return DNSW_OK;
}
