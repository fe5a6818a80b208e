/* HTTP requests in a capture, and the answers of those made to a proxy.
 *
 * A request made to a proxy (an absolute URI, or CONNECT host:port) makes
 * its server a proxy asked for the target (docs/correlate.md, "roles") only
 * if the proxy served it, as Zeek and EVE records say with their status.
 * The client may be a scanner lying about what it asked, and it controls
 * everything it sends: how many requests, in which segments, with which
 * sequence numbers, and status lines of its own. So only the first
 * request of a connection is paired, and only when nothing is ambiguous:
 * the client's SYN was read and the request starts at its initial
 * sequence number + 1 (no client byte before it), and the answer is the
 * final status line the server's first bytes carry (after its SYN-ACK's
 * number + 1, past whole interim responses). Until then the request
 * waits, in a bounded table; a client segment over its bytes that differs
 * from them (another "retransmission") leaves it unanswered. The answer
 * sets TEL_ANSWERED, plus TEL_DECLINED when not served (tel_http_status:
 * 2xx/3xx, CONNECT 2xx). A request whose answer never comes (the
 * connection closed, evicted or idle, the end of the capture, the table
 * full) is emitted without either, and so is every other proxied request
 * (the second on a keep-alive connection, ...): it is emitted at once.
 * The record keeps the request's time and packet number; only its place
 * in the output moves, to where the answer (or the end) was read. */

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

static bool from_orig(const struct flowt_flow *f, const struct pkt_info *p)
{
	return f->oport == p->sport && same_addr(&f->orig, &p->src);
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
	free(h->bytes);
	h->bytes = NULL;
	h->used = false;
	r->held_count--;
}

/* The request f holds (a flow holds one at most: its first), or NULL. */
static struct http_held *held_of(struct pcapr *r, const struct flowt_flow *f)
{
	if (!f->http_held || !r->held)
		return NULL;
	struct http_held *h = &r->held[f->http_held - 1];
	/* the slot is freed only with the flow's mark cleared; checked anyway,
	 * so that a stale mark could never hand over another flow's request */
	if (h->used && h->cport == f->oport && h->sport == f->rport &&
	    same_addr(&h->client, &f->orig) && same_addr(&h->server, &f->resp))
		return h;
	return NULL;
}

/* f's held request is emitted unanswered. */
static void let_go(struct pcapr *r, struct flowt_flow *f)
{
	struct http_held *h = held_of(r, f);
	if (h)
		held_emit(r, h, false, 0);
	f->http_held = 0;
}

/* The table is full: the request waiting longest is given up. */
static void give_up_oldest(struct pcapr *r)
{
	struct http_held *h = NULL;
	for (size_t i = 0; i < PCAPR_HTTP_HELD; i++)
		if (r->held[i].used && (!h || r->held[i].order < h->order))
			h = &r->held[i];
	if (!h)
		return;
	if (!r->held_all_said) {
		r->held_all_said = true;
		if (r->base.report) {
			char where[600];
			snprintf(where, sizeof(where), "%s:%s%llu", io_name(r->base.src),
				 r->base.unit, (unsigned long long)r->npkt);
			r->base.report(
			    r->base.report_ctx, where,
			    "more proxied HTTP requests wait for their answer "
			    "than PCAPR_HTTP_HELD allows: the oldest is emitted "
			    "unanswered and teaches no proxy (each such is "
			    "counted as skipped; said once a file)");
		}
	}
	skipped(r);
	struct flowt_flow *hf =
	    flowt_find(r->flows, &h->client, h->cport, &h->server, h->sport, PROTO_TCP);
	if (hf)
		hf->http_held = 0;
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

/* The request starts the client's byte stream: nothing the client sent
 * can have been answered before it. */
static bool first_of_connection(const struct flowt_flow *f, const struct pkt_info *p)
{
	return f->orig_syn && f->resp_syn && !f->orig_data && !f->http_held &&
	       !f->http_paired && from_orig(f, p) && p->tcp_seq == f->orig_isn + 1;
}

void pcapr_http_request(struct pcapr *r, struct flowt_flow *f, const struct pkt_info *p,
			const struct httpr_req *q, int64_t ts)
{
	if (!q->via_proxy || !first_of_connection(f, p)) {
		emit_now(r, p, q, ts);
		return;
	}
	if (!r->held && !(r->held = calloc(PCAPR_HTTP_HELD, sizeof(*r->held)))) {
		emit_now(r, p, q, ts); /* out of memory: as before, unanswered */
		return;
	}
	if (r->held_count == PCAPR_HTTP_HELD)
		give_up_oldest(r);
	size_t slot = 0;
	while (slot < PCAPR_HTTP_HELD && r->held[slot].used)
		slot++;
	struct http_held *h = slot < PCAPR_HTTP_HELD ? &r->held[slot] : NULL;
	char *path = NULL;
	uint8_t *bytes = malloc(p->payload_len);
	if (!h || !bytes || (q->path_len && !(path = malloc(q->path_len)))) {
		free(bytes);
		emit_now(r, p, q, ts);
		return;
	}
	if (q->path_len)
		memcpy(path, q->path, q->path_len);
	memcpy(bytes, p->payload, p->payload_len);
	h->used = true;
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
	h->seq = p->tcp_seq;
	h->bytes = bytes;
	h->len = p->payload_len;
	r->held_count++;
	_Static_assert(PCAPR_HTTP_HELD < UINT16_MAX, "a flow marks its slot + 1");
	f->http_held = (uint16_t)(slot + 1);
}

void pcapr_http_client_data(struct pcapr *r, struct flowt_flow *f,
			    const struct pkt_info *p)
{
	struct http_held *h = held_of(r, f);
	if (!h || !from_orig(f, p))
		return;
	/* offsets from the request's first byte, modulo 2^32 as TCP counts */
	uint32_t start = p->tcp_seq - h->seq;
	int64_t from = (int32_t)start, to = from + (int64_t)p->payload_len;
	int64_t lo = from > 0 ? from : 0;
	int64_t hi = to < (int64_t)h->len ? to : (int64_t)h->len;
	if (lo >= hi)
		return; /* before or past the request: a body, a next request */
	/* the same bytes again are a retransmission; other bytes at the same
	 * place are something only one of the two ends took */
	if (memcmp(h->bytes + lo, p->payload + (lo - from), (size_t)(hi - lo)))
		let_go(r, f);
}

/* The server's first bytes cannot answer the first request. */
static void unpaired(struct pcapr *r, struct flowt_flow *f)
{
	f->http_paired = true;
	let_go(r, f);
}

bool pcapr_http_response(struct pcapr *r, struct flowt_flow *f, const struct pkt_info *p)
{
	/* sent back by the server, while the first request may still be
	 * answered */
	if (from_orig(f, p) || f->http_paired || !f->orig_syn ||
	    (f->orig_data && !f->http_held))
		return false;
	if (!f->resp_syn) {
		unpaired(r, f); /* where its bytes start is not known */
		return false;
	}
	int32_t at = (int32_t)(p->tcp_seq - f->resp_next);
	if (at < 0)
		return false; /* a retransmission of an interim response */
	unsigned status;
	if (at > 0 || !httpr_status(p->payload, p->payload_len, &status)) {
		unpaired(r, f); /* bytes not captured, or not a status line */
		return false;
	}
	/* an interim response (100 Continue, 103 Early Hints) comes before the
	 * final one; 101 Switching Protocols is final. A final one in the same
	 * segment after an interim one is not looked for: unanswered. */
	if (status < 200 && status != 101) {
		const uint8_t *end = memmem(p->payload, p->payload_len, "\r\n\r\n", 4);
		if (!end || end + 4 != p->payload + p->payload_len)
			unpaired(r, f);
		else
			f->resp_next += (uint32_t)p->payload_len;
		return true;
	}
	f->http_paired = true;
	struct http_held *h = held_of(r, f);
	if (!h)
		return true;
	if (h->connect && status >= 200 && status < 300)
		f->connect_served = true;
	f->http_held = 0;
	held_emit(r, h, true, status);
	return true;
}

void pcapr_http_flow_end(struct pcapr *r, struct flowt_flow *f)
{
	let_go(r, f);
}

void pcapr_http_free(struct pcapr *r)
{
	for (size_t i = 0; r->held && i < PCAPR_HTTP_HELD; i++) {
		free(r->held[i].path);
		free(r->held[i].bytes);
	}
	free(r->held);
	for (size_t i = 0; i < r->out_count; i++)
		free(r->out[(r->out_head + i) % PCAPR_OUT_QUEUE].path);
	free(r->handed_path);
}
