/* HTTP requests in a capture, and the answers of those made to a proxy.
 *
 * A request made to a proxy (an absolute URI, or CONNECT host:port) makes
 * its server a proxy asked for the target (docs/correlate.md, "roles") only
 * if the proxy served it, as Zeek and EVE records say with their status.
 * So such a request waits, in a bounded table, for the status line of its
 * response on the same connection: the n-th final response answers the
 * n-th request (pipelining), and its status sets TEL_ANSWERED, plus
 * TEL_DECLINED when not served (tel_http_status: 2xx/3xx, CONNECT 2xx). A
 * request whose answer never comes (the connection closed, evicted or
 * idle, the end of the capture, the table full) is emitted without either.
 * The record keeps the request's time and packet number; only its place
 * in the output moves, to where the answer (or the end) was read. Any
 * other request is emitted at once. */

#include <stdlib.h>
#include <string.h>

#include "telemetry/backend.h"
#include "telemetry/http_req.h"
#include "telemetry/pcap_impl.h"
#include "telemetry/pcap_limits.h"

static bool same_addr(const struct net_addr *a, const struct net_addr *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* Emits h, answered with status when answered, and frees its slot. */
static void held_emit(struct pcapr *r, struct http_held *h, bool answered,
		      unsigned status)
{
	struct out_slot *s = push(r, TEL_HTTP, h->ts, h->position);
	if (s) {
		set_endpoints(s, &h->client, h->cport, &h->server, h->sport, PROTO_TCP);
		set_name(s, h->name, h->name_len);
		s->rec.flags |= TEL_VIA_PROXY;
		s->path = h->path;
		s->rec.path = h->path; /* NULL for CONNECT, as before */
		s->rec.path_len = h->path_len;
		h->path = NULL;
		if (answered) {
			s->rec.flags |= TEL_ANSWERED;
			tel_http_status(&s->rec, status);
		}
	}
	free(h->path);
	h->path = NULL;
	h->used = false;
	r->held_count--;
}

static bool held_on(const struct http_held *h, const struct net_addr *a, uint16_t pa,
		    const struct net_addr *b, uint16_t pb)
{
	return h->used && h->cport == pa && h->sport == pb && same_addr(&h->client, a) &&
	       same_addr(&h->server, b);
}

/* Of the flow's (either direction), or of all when f is NULL. */
static bool held_of(const struct http_held *h, const struct flowt_flow *f)
{
	if (!f)
		return h->used;
	return held_on(h, &f->orig, f->oport, &f->resp, f->rport) ||
	       held_on(h, &f->resp, f->rport, &f->orig, f->oport);
}

static struct http_held *held_oldest(struct pcapr *r, const struct flowt_flow *f)
{
	struct http_held *best = NULL;
	for (size_t i = 0; i < PCAPR_HTTP_HELD; i++)
		if (held_of(&r->held[i], f) && (!best || r->held[i].order < best->order))
			best = &r->held[i];
	return best;
}

/* The answer of the oldest waiting request of f (or of any) is given up. */
static void give_up(struct pcapr *r, struct flowt_flow *f, const char *limit, bool *said)
{
	struct http_held *h = held_oldest(r, f);
	if (!h)
		return;
	if (!*said) {
		*said = true;
		if (r->base.report) {
			char where[600], why[300];
			snprintf(where, sizeof(where), "%s:%s%llu", io_name(r->base.src),
				 r->base.unit, (unsigned long long)r->npkt);
			snprintf(
			    why, sizeof(why),
			    "more proxied HTTP requests wait for their answer than "
			    "%s allows: the oldest is emitted unanswered and teaches "
			    "no proxy (each such is counted as skipped; said once a "
			    "file)",
			    limit);
			r->base.report(r->base.report_ctx, where, why);
		}
	}
	skipped(r);
	/* the flow the request came on, when it is f, has one fewer */
	if (f)
		f->http_held--;
	else {
		struct flowt_flow *hf = flowt_find(r->flows, &h->client, h->cport,
						   &h->server, h->sport, PROTO_TCP);
		if (hf && hf->http_held)
			hf->http_held--;
	}
	held_emit(r, h, false, 0);
}

static void emit_now(struct pcapr *r, const struct pkt_info *p, const struct httpr_req *q,
		     int64_t ts)
{
	struct out_slot *s = push(r, TEL_HTTP, ts, r->npkt);
	if (!s)
		return;
	set_ends(s, p);
	set_name(s, q->host, q->host_len);
	/* the path points into libpcap's packet buffer, valid until the next
	 * packet is read, which is after this record is handed out */
	s->rec.path = q->path;
	s->rec.path_len = q->path_len;
	if (q->via_proxy)
		s->rec.flags |= TEL_VIA_PROXY;
}

void pcapr_http_request(struct pcapr *r, struct flowt_flow *f, const struct pkt_info *p,
			const struct httpr_req *q, int64_t ts)
{
	/* a retransmitted request is the same request: it waits for the same
	 * answer */
	if (!f->http_reqs || p->tcp_seq != f->http_req_seq)
		f->http_reqs++;
	f->http_req_seq = p->tcp_seq;
	if (!q->via_proxy) {
		emit_now(r, p, q, ts);
		return;
	}
	if (!r->held && !(r->held = calloc(PCAPR_HTTP_HELD, sizeof(*r->held)))) {
		emit_now(r, p, q, ts); /* out of memory: as before, unanswered */
		return;
	}
	if (f->http_held == PCAPR_HTTP_HELD_PER_FLOW)
		give_up(r, f, "PCAPR_HTTP_HELD_PER_FLOW", &r->held_flow_said);
	if (r->held_count == PCAPR_HTTP_HELD)
		give_up(r, NULL, "PCAPR_HTTP_HELD", &r->held_all_said);
	struct http_held *h = NULL;
	for (size_t i = 0; i < PCAPR_HTTP_HELD && !h; i++)
		if (!r->held[i].used)
			h = &r->held[i];
	char *path = NULL;
	if (!h || (q->path_len && !(path = malloc(q->path_len)))) {
		emit_now(r, p, q, ts);
		return;
	}
	if (q->path_len)
		memcpy(path, q->path, q->path_len);
	h->used = true;
	h->req_no = f->http_reqs;
	h->order = r->held_order++;
	h->ts = ts;
	h->position = r->npkt;
	h->client = p->src;
	h->server = p->dst;
	h->cport = p->sport;
	h->sport = p->dport;
	h->connect = q->is_connect;
	h->name_len = q->host_len > DNSW_MAX_NAME_TEXT ? DNSW_MAX_NAME_TEXT : q->host_len;
	if (h->name_len)
		memcpy(h->name, q->host, h->name_len);
	h->path = path;
	h->path_len = q->path_len;
	r->held_count++;
	f->http_held++;
}

void pcapr_http_response(struct pcapr *r, struct flowt_flow *f, const struct pkt_info *p,
			 unsigned status)
{
	/* an interim response (100 Continue, 103 Early Hints) comes before the
	 * final one; 101 Switching Protocols is final */
	if (status < 200 && status != 101)
		return;
	if (f->http_resps == f->http_reqs)
		return; /* no request waits: a retransmission, or a body */
	f->http_resps++;
	if (!f->http_held)
		return;
	for (size_t i = 0; i < PCAPR_HTTP_HELD; i++) {
		struct http_held *h = &r->held[i];
		/* sent back by the request's server to its client */
		if (!held_on(h, &p->dst, p->dport, &p->src, p->sport) ||
		    h->req_no != f->http_resps)
			continue;
		if (h->connect && status >= 200 && status < 300)
			f->connect_served = true;
		f->http_held--;
		held_emit(r, h, true, status);
	}
}

void pcapr_http_flow_end(struct pcapr *r, struct flowt_flow *f)
{
	if (!f->http_held || !r->held)
		return;
	struct http_held *h;
	while ((h = held_oldest(r, f)))
		held_emit(r, h, false, 0);
	f->http_held = 0;
}

void pcapr_http_free(struct pcapr *r)
{
	for (size_t i = 0; r->held && i < PCAPR_HTTP_HELD; i++)
		free(r->held[i].path);
	free(r->held);
	for (size_t i = 0; i < r->out_count; i++)
		free(r->out[(r->out_head + i) % PCAPR_OUT_QUEUE].path);
	free(r->handed_path);
}
