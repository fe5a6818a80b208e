/* DNS in captures: a query and its response become one record, as in
 * Zeek's dns.log (the rules are at the top of pcap_reader.c). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/pkt_cursor.h"
#include "telemetry/pcap_impl.h"

/* ---- DNS ---- */

struct dns_pending *pcapr_dns_oldest(struct pcapr *r)
{
	if (!r->dns_count)
		return NULL;
	return &r->dns[(r->dns_head + PCAPR_DNS_PENDING - r->dns_count) %
		       PCAPR_DNS_PENDING];
}

static void dns_emit(struct pcapr *r, const struct dns_pending *q,
		     const struct dnsw_msg *resp)
{
	struct out_slot *s = push(r, TEL_DNS, q->ts, q->position);
	if (!s)
		return;
	set_endpoints(s, &q->client, q->cport, &q->server, q->sport, q->proto);
	set_name(s, q->qname, q->qname_len);
	if (resp) {
		s->rec.flags |= TEL_ANSWERED;
		tel_dns_rcode(&s->rec, resp->rcode);
		memcpy(s->answers, resp->answers,
		       resp->nanswers * sizeof(resp->answers[0]));
		s->rec.answers = s->answers;
		s->rec.nanswers = resp->nanswers;
	}
}

/* Drops the oldest waiting query, emitting it if it was never answered. */
void pcapr_dns_pop(struct pcapr *r)
{
	struct dns_pending *q = pcapr_dns_oldest(r);
	if (q->state == DNS_PENDING)
		dns_emit(r, q, NULL);
	q->state = DNS_EMPTY;
	r->dns_count--;
}

static struct dns_pending *dns_find(struct pcapr *r, const struct net_addr *client,
				    uint16_t cport, const struct net_addr *server,
				    uint16_t sport, uint8_t proto, uint16_t id)
{
	for (size_t i = 0; i < r->dns_count; i++) {
		struct dns_pending *q =
		    &r->dns[(r->dns_head + PCAPR_DNS_PENDING - 1 - i) %
			    PCAPR_DNS_PENDING];
		if (q->id == id && q->cport == cport && q->sport == sport &&
		    q->proto == proto && !memcmp(&q->client, client, sizeof(*client)) &&
		    !memcmp(&q->server, server, sizeof(*server)))
			return q;
	}
	return NULL;
}

static void dns_message(struct pcapr *r, const struct pkt_info *p, const uint8_t *m,
			size_t len, bool partial_ok, bool multicast, int64_t ts)
{
	struct dnsw_msg *msg = &r->msg;
	const char *why;
	enum dnsw_result rc = dnsw_parse(m, len, msg, &why);
	/* A partial message (cut by the snap length, or a TCP segment that
	 * may not even start a message) proves nothing by failing. */
	if (rc == DNSW_NO_QUESTION || (rc != DNSW_OK && partial_ok)) {
		skipped(r);
		return;
	}
	if (rc != DNSW_OK) {
		tel_backend_malformed(&r->base, r->npkt, "%s", why);
		return;
	}
	if (msg->opcode != 0) { /* NOTIFY, UPDATE: not a lookup */
		skipped(r);
		return;
	}
	if (msg->answer_error)
		tel_backend_malformed(&r->base, r->npkt, "%s (question kept)",
				      msg->answer_error);
	if (multicast) {
		/* mDNS and LLMNR: the query goes to a group and any host may
		 * answer, so responses cannot be paired; the query says who
		 * asked, a response does not */
		if (msg->response) {
			skipped(r);
			return;
		}
		struct dns_pending tmp = {.proto = p->proto,
					  .id = msg->id,
					  .client = p->src,
					  .cport = p->sport,
					  .server = p->dst,
					  .sport = p->dport,
					  .ts = ts,
					  .position = r->npkt};
		memcpy(tmp.qname, msg->qname, msg->qname_len + 1);
		tmp.qname_len = msg->qname_len;
		dns_emit(r, &tmp, NULL);
		return;
	}
	if (!msg->response) {
		if (dns_find(r, &p->src, p->sport, &p->dst, p->dport, p->proto,
			     msg->id)) {
			skipped(r); /* retransmitted query */
			return;
		}
		if (r->dns_count == PCAPR_DNS_PENDING)
			pcapr_dns_pop(r);
		struct dns_pending *q = &r->dns[r->dns_head];
		r->dns_head = (r->dns_head + 1) % PCAPR_DNS_PENDING;
		r->dns_count++;
		q->state = DNS_PENDING;
		q->proto = p->proto;
		q->id = msg->id;
		q->client = p->src;
		q->cport = p->sport;
		q->server = p->dst;
		q->sport = p->dport;
		q->ts = ts;
		q->position = r->npkt;
		memcpy(q->qname, msg->qname, msg->qname_len + 1);
		q->qname_len = msg->qname_len;
		return;
	}
	struct dns_pending *q =
	    dns_find(r, &p->dst, p->dport, &p->src, p->sport, p->proto, msg->id);
	if (q && q->state == DNS_DONE) {
		skipped(r); /* duplicate response */
		return;
	}
	if (q) {
		dns_emit(r, q, msg);
		q->state = DNS_DONE;
		return;
	}
	/* the query was not captured: the response's receiver asked */
	struct dns_pending tmp = {.state = DNS_PENDING,
				  .proto = p->proto,
				  .id = msg->id,
				  .client = p->dst,
				  .cport = p->dport,
				  .server = p->src,
				  .sport = p->sport,
				  .ts = ts,
				  .position = r->npkt};
	memcpy(tmp.qname, msg->qname, msg->qname_len + 1);
	tmp.qname_len = msg->qname_len;
	dns_emit(r, &tmp, msg);
}

void pcapr_dns_udp(struct pcapr *r, const struct pkt_info *p, bool multicast, int64_t ts)
{
	dns_message(r, p, p->payload, p->payload_len, p->truncated, multicast, ts);
}

/* DNS over TCP: each message behind a two-byte length (RFC 1035 4.2.2).
 * Segments are not reassembled: a message cut by the segment end is read
 * as far as it goes (the question is nearly always there) and skipped if
 * that is not far enough, since a continuation segment cannot be told from
 * garbage without the stream. */
void pcapr_dns_tcp(struct pcapr *r, const struct pkt_info *p, int64_t ts)
{
	struct pkt_cursor c;
	pkt_cur_init(&c, p->payload, p->payload_len);
	for (int n = 0; pkt_cur_avail(&c) >= 2; n++) {
		if (n == PCAPR_MAX_DNS_PER_SEGMENT) {
			skipped(r); /* PCAPR_MAX_DNS_PER_SEGMENT */
			return;
		}
		size_t mlen = pkt_cur_u16(&c);
		size_t avail = pkt_cur_avail(&c);
		bool partial = mlen > avail;
		const uint8_t *m = pkt_cur_ptr(&c);
		dns_message(r, p, m, partial ? avail : mlen, partial, false, ts);
		if (partial)
			return;
		pkt_cur_skip(&c, mlen);
	}
	if (pkt_cur_avail(&c) == 1)
		skipped(r);
}
