/* The pending-hello table of quic_reasm.h: a linear scan over
 * QUICR_MAX_PENDING slots, which is cheaper than hashing at this size. */
#include "telemetry/quic_reasm.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "telemetry/quic_initial.h"

/* largest UDP payload: the decrypted frames of one datagram go here */
#define UDP_MAX_PAYLOAD 65535

struct slot {
	bool used;
	struct net_addr client, server;
	uint16_t cport, sport;
	uint8_t dcid[QUICI_MAX_CID];
	size_t dcid_len;
	int64_t ts;
	uint64_t position;
	struct quich_stream *stream; /* allocated on first use, kept */
};

struct quicr {
	struct slot slot[QUICR_MAX_PENDING];
	struct quici_keycache keys;
	uint8_t plain[UDP_MAX_PAYLOAD];
};

struct quicr *quicr_new(void)
{
	return calloc(1, sizeof(struct quicr));
}

void quicr_free(struct quicr *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < QUICR_MAX_PENDING; i++)
		free(t->slot[i].stream);
	free(t);
}

size_t quicr_pending(const struct quicr *t)
{
	size_t n = 0;
	for (size_t i = 0; t && i < QUICR_MAX_PENDING; i++)
		n += t->slot[i].used;
	return n;
}

static bool same(const struct slot *s, const struct pkt_info *p,
		 const struct quici_packet *q)
{
	return s->used && s->cport == p->sport && s->sport == p->dport &&
	       s->dcid_len == q->dcid_len && !memcmp(s->dcid, q->dcid, q->dcid_len) &&
	       !memcmp(&s->client, &p->src, sizeof(p->src)) &&
	       !memcmp(&s->server, &p->dst, sizeof(p->dst));
}

static struct slot *find_or_take(struct quicr *t, const struct pkt_info *p,
				 const struct quici_packet *q, int64_t ts,
				 uint64_t position, unsigned *given_up)
{
	struct slot *free_slot = NULL, *oldest = NULL;
	for (size_t i = 0; i < QUICR_MAX_PENDING; i++) {
		struct slot *s = &t->slot[i];
		if (same(s, p, q))
			return s;
		if (!s->used && !free_slot)
			free_slot = s;
		if (s->used && (!oldest || s->ts < oldest->ts))
			oldest = s;
	}
	struct slot *s = free_slot ? free_slot : oldest;
	if (!s->stream && !(s->stream = malloc(sizeof(*s->stream))))
		return NULL;
	if (s->used)
		(*given_up)++; /* QUICR_MAX_PENDING */
	s->used = true;
	s->client = p->src;
	s->server = p->dst;
	s->cport = p->sport;
	s->sport = p->dport;
	memcpy(s->dcid, q->dcid, q->dcid_len);
	s->dcid_len = q->dcid_len;
	s->ts = ts;
	s->position = position;
	quich_init(s->stream);
	return s;
}

enum quicr_result quicr_datagram(struct quicr *t, const struct pkt_info *p, int64_t ts,
				 uint64_t position, struct quicr_hello *out,
				 unsigned *given_up)
{
	*given_up = 0;
	enum quicr_result res = QUICR_NOT_CLIENT;
	const uint8_t *d = p->payload;
	size_t len = p->payload_len;
	/* coalesced packets (RFC 9000 12.2): every Initial in the datagram;
	 * a short header or a packet that cannot be delimited ends the walk */
	while (len && (d[0] & 0x80)) {
		struct quici_packet q;
		size_t used;
		enum quici_result rc = quici_open(d, len, &t->keys, t->plain, &q, &used);
		if (rc == QUICI_NOT_QUIC)
			break;
		d += used;
		len -= used;
		if (rc != QUICI_OK)
			continue;
		struct slot *s = find_or_take(t, p, &q, ts, position, given_up);
		if (!s)
			break; /* out of memory: the hello is not read */
		res = QUICR_PENDING;
		out->rc = quich_add(s->stream, q.payload, q.payload_len, out->name,
				    &out->name_len, &out->why);
		if (out->rc != QUICH_NEED_MORE) {
			out->ts = s->ts;
			out->position = s->position;
			s->used = false;
			return QUICR_DONE;
		}
	}
	return res;
}
