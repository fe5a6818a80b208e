/* pcap and pcapng through libpcap: packets → flows, DNS transactions, TLS
 * server names and HTTP requests.
 *
 * libpcap reads from a FILE* made with fopencookie over the io_source, so
 * gzip and zstd captures decompress on the way in. One packet can yield
 * several records (a flow pushed out of a full table, a DNS answer, a
 * request); they wait in a small queue with their own string storage.
 *
 * DNS: a query and its response are one record, as in Zeek's dns.log. The
 * query waits in a bounded table; its response (same endpoints and id)
 * adds the answers and TEL_ANSWERED, and the record carries the query's
 * time. A query never answered is emitted when it times out, is pushed out,
 * or at the end. A response whose query was not captured still says who
 * asked: the client is the response's destination, never its source (the
 * resolver). A second response to the same query is dropped (pcap_dns.c).
 *
 * HTTP: a request made to a proxy waits likewise for its response's
 * status line, which says whether the proxy served it (pcap_http.c). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "core/pkt_cursor.h"
#include "telemetry/backend.h"
#include "telemetry/dns_wire.h"
#include "telemetry/flow_table.h"
#include "telemetry/http_req.h"
#include "telemetry/pcap_impl.h"
#include "telemetry/pcap_limits.h"
#include "telemetry/pkt_decode.h"
#include "telemetry/quic_initial.h"
#include "telemetry/quic_reasm.h"
#include "telemetry/tls_hello.h"

/* ---- the FILE* over the io_source ---- */

static ssize_t cookie_read(void *cookie, char *buf, size_t size)
{
	struct pcapr *r = cookie;
	/* No more than the source's current window: io_read drops what it
	 * has copied when a later refill fails, and the packets before a
	 * broken gzip or zstd tail must reach libpcap. */
	const unsigned char *win;
	struct sd_error e;
	sd_error_clear(&e);
	size_t k = io_peek(r->base.src, &win, size, &e);
	if (k == 0 && e.code) {
		r->ioerr = e;
		r->ioerr_set = true;
		errno = EIO;
		return -1;
	}
	long n = k ? io_read(r->base.src, buf, k, &r->ioerr) : 0;
	if (n < 0) {
		r->ioerr_set = true;
		errno = EIO;
		return -1;
	}
	return n;
}

static int cookie_close(void *cookie)
{
	(void)cookie; /* the source belongs to the dispatcher */
	return 0;
}

/* ---- flows ---- */

static void reasm_release(struct pcapr *r, int16_t idx)
{
	if (idx >= 0 && r->reasm)
		r->reasm[idx].used = false;
}

static void emit_flow(struct pcapr *r, const struct flowt_flow *f)
{
	struct out_slot *s = push(r, TEL_FLOW, f->first_ts, f->position);
	if (!s)
		return;
	set_endpoints(s, &f->orig, f->oport, &f->resp, f->rport, f->proto);
	s->rec.bytes = f->bytes;
	s->rec.packets = f->packets;
	if (f->seen_orig && f->seen_resp)
		s->rec.flags |= TEL_ANSWERED;
	if (!f->dir_known)
		s->rec.flags |= TEL_DIR_UNKNOWN;
}

/* Removes f; emits it unless it was already emitted on close. */
static void flow_end(struct pcapr *r, struct flowt_flow *f)
{
	pcapr_http_flow_end(r, f);
	if (f->state == FLOWT_OPEN)
		emit_flow(r, f);
	reasm_release(r, f->reasm);
	flowt_remove(r->flows, f);
}

/* Ports too: on loopback ::1 talks to ::1. */
static bool sent_by_orig(const struct flowt_flow *f, const struct pkt_info *p)
{
	return f->oport == p->sport && !memcmp(&f->orig, &p->src, sizeof(p->src));
}

static void flow_swap(struct flowt_flow *f)
{
	struct net_addr a = f->orig;
	uint16_t p = f->oport;
	f->orig = f->resp;
	f->oport = f->rport;
	f->resp = a;
	f->rport = p;
}

static struct flowt_flow *flow_track(struct pcapr *r, const struct pkt_info *p,
				     int64_t ts)
{
	bool created, evicted;
	struct flowt_flow old;
	struct flowt_flow *f = flowt_get(r->flows, &p->src, p->sport, &p->dst, p->dport,
					 p->proto, &created, &old, &evicted);
	if (evicted) {
		pcapr_http_flow_end(r, &old);
		if (old.state == FLOWT_OPEN)
			emit_flow(r, &old);
		reasm_release(r, old.reasm);
	}
	bool syn = p->proto == PROTO_TCP && (p->tcp_flags & PKT_TCP_SYN);
	bool ack = p->tcp_flags & PKT_TCP_ACK;
	if (!created && f->state == FLOWT_CLOSED && syn && !ack) {
		/* the 5-tuple is reused by a new connection */
		reasm_release(r, f->reasm);
		flowt_remove(r->flows, f);
		f = flowt_get(r->flows, &p->src, p->sport, &p->dst, p->dport, p->proto,
			      &created, &old, &evicted);
	}
	if (created) {
		f->first_ts = ts;
		f->position = r->npkt;
		f->dir_known = p->proto == PROTO_UDP;
	}
	if (syn && !f->dir_known) {
		/* the SYN's sender opened the connection; a SYN-ACK's receiver */
		bool from_src_is_orig = !ack;
		if (sent_by_orig(f, p) != from_src_is_orig)
			flow_swap(f);
		f->dir_known = true;
	}
	if (syn && !ack) {
		/* the client's initial sequence number, known only from a
		 * SYN that opened the flow; a second SYN with another one
		 * leaves it unknown */
		if (created) {
			f->orig_isn = p->tcp_seq;
			f->orig_syn = true;
		} else if (f->orig_isn != p->tcp_seq) {
			f->orig_syn = false;
		}
	}
	if (syn && ack && !sent_by_orig(f, p) && !f->resp_syn_bad) {
		/* the server's first byte follows its SYN-ACK's number */
		if (!f->resp_syn) {
			f->resp_next = p->tcp_seq + 1;
			f->resp_syn = true;
		} else if (f->resp_next != p->tcp_seq + 1) {
			f->resp_syn = false;
			f->resp_syn_bad = true;
		}
	}
	f->last_ts = ts;
	if (f->state == FLOWT_CLOSED)
		return f;
	bool from_orig = sent_by_orig(f, p);
	f->packets++;
	f->bytes += p->ip_len;
	if (from_orig)
		f->seen_orig = true;
	else
		f->seen_resp = true;
	return f;
}

/* After the application layer has been read: RST ends the flow, and so
 * does the first packet without FIN after a FIN from each side (the last
 * ACK, counted as flow exporters count it). */
static void flow_maybe_close(struct pcapr *r, struct flowt_flow *f,
			     const struct pkt_info *p)
{
	if (p->proto != PROTO_TCP || f->state != FLOWT_OPEN)
		return;
	bool from_orig = sent_by_orig(f, p);
	if (p->tcp_flags & PKT_TCP_FIN) {
		if (from_orig)
			f->fin_orig = true;
		else
			f->fin_resp = true;
	}
	bool last_ack = f->fin_orig && f->fin_resp && !(p->tcp_flags & PKT_TCP_FIN);
	if ((p->tcp_flags & PKT_TCP_RST) || last_ack) {
		pcapr_http_flow_end(r, f);
		emit_flow(r, f);
		f->state = FLOWT_CLOSED;
		reasm_release(r, f->reasm);
		f->reasm = -1;
	}
}

/* ---- TLS and HTTP ---- */

static void tls_result(struct pcapr *r, struct flowt_flow *f, const struct pkt_info *p,
		       enum tlsh_result rc, const char *name, size_t name_len,
		       const char *why, int64_t ts, uint64_t pos)
{
	if (rc == TLSH_MALFORMED) {
		tel_backend_malformed(&r->base, pos, "%s", why);
		return;
	}
	if (rc != TLSH_SNI) {
		skipped(r);
		return;
	}
	struct out_slot *s = push(r, TEL_TLS, ts, pos);
	if (!s)
		return;
	set_ends(s, p);
	set_name(s, name, name_len);
	if (f->connect_seen)
		s->rec.flags |= TEL_VIA_PROXY;
	/* the proxy answered the CONNECT 2xx: the tunnel was served */
	if (f->connect_served)
		s->rec.flags |= TEL_ANSWERED;
}

static struct reasm_slot *reasm_take(struct pcapr *r, struct flowt_flow *f)
{
	if (!r->reasm) {
		r->reasm = calloc(PCAPR_TLS_REASM_SLOTS, sizeof(*r->reasm));
		if (!r->reasm)
			return NULL;
	}
	/* a free slot, else the one waiting longest (its hello is given up) */
	int best = 0;
	for (int i = 0; i < PCAPR_TLS_REASM_SLOTS; i++) {
		if (!r->reasm[i].used) {
			best = i;
			break;
		}
		if (r->reasm[i].ts < r->reasm[best].ts)
			best = i;
	}
	struct reasm_slot *s = &r->reasm[best];
	if (s->used) {
		s->owner->reasm = -1;
		skipped(r); /* PCAPR_TLS_REASM_SLOTS */
	}
	s->used = true;
	s->owner = f;
	f->reasm = (int16_t)best;
	return s;
}

/* Returns true when the payload belonged to a ClientHello being
 * reassembled (and has been dealt with). */
static bool tls_continue(struct pcapr *r, struct flowt_flow *f, const struct pkt_info *p)
{
	if (f->reasm < 0)
		return false;
	struct reasm_slot *s = &r->reasm[f->reasm];
	if (s->sport != p->sport || memcmp(&s->sender, &p->src, sizeof(p->src)))
		return false;
	int32_t delta = (int32_t)(p->tcp_seq - s->next_seq);
	if (delta < 0)
		return true; /* retransmission of what we have */
	if (delta > 0) {
		skipped(r); /* a segment is missing: the hello is given up */
		reasm_release(r, f->reasm);
		f->reasm = -1;
		return false;
	}
	size_t k = p->payload_len < s->need - s->len ? p->payload_len : s->need - s->len;
	memcpy(s->buf + s->len, p->payload, k);
	s->len += k;
	s->next_seq += (uint32_t)p->payload_len;
	char name[TLSH_MAX_NAME + 1];
	size_t name_len, need;
	const char *why;
	enum tlsh_result rc = tlsh_parse(s->buf, s->len, name, &name_len, &need, &why);
	if (rc == TLSH_NEED_MORE && s->len < s->need)
		return true;
	reasm_release(r, f->reasm);
	f->reasm = -1;
	if (rc == TLSH_NEED_MORE) /* complete record that still wants more: cannot be */
		rc = TLSH_MALFORMED, why = "TLS ClientHello lengths run past the record";
	/* the record is dated by the hello's first segment */
	tls_result(r, f, p, rc, name, name_len, why, s->ts, s->position);
	return true;
}

static void http(struct pcapr *r, struct flowt_flow *f, const struct pkt_info *p,
		 int64_t ts)
{
	struct httpr_req q;
	const char *why;
	enum httpr_result rc = httpr_parse(p->payload, p->payload_len, &q, &why);
	if (rc == HTTPR_NOT_HTTP)
		return; /* ordinary stream data */
	if (rc == HTTPR_NEED_MORE) {
		skipped(r);
		return;
	}
	if (rc == HTTPR_MALFORMED) {
		tel_backend_malformed(&r->base, r->npkt, "%s", why);
		return;
	}
	if (q.is_connect)
		f->connect_seen = true;
	pcapr_http_request(r, f, p, &q, ts);
}

static void tcp_read(struct pcapr *r, struct flowt_flow *f, const struct pkt_info *p,
		     int64_t ts)
{
	if (tls_continue(r, f, p) || f->tls_seen)
		return;
	char name[TLSH_MAX_NAME + 1];
	size_t name_len, need;
	const char *why;
	enum tlsh_result rc =
	    tlsh_parse(p->payload, p->payload_len, name, &name_len, &need, &why);
	if (rc == TLSH_NOT_HELLO) {
		http(r, f, p, ts);
		return;
	}
	f->tls_seen = true;
	if (rc == TLSH_NEED_MORE) {
		struct reasm_slot *s = reasm_take(r, f);
		if (!s) {
			skipped(r);
			return;
		}
		s->sender = p->src;
		s->sport = p->sport;
		s->len = p->payload_len;
		s->need = need;
		s->next_seq = p->tcp_seq + (uint32_t)p->payload_len;
		s->ts = ts;
		s->position = r->npkt;
		memcpy(s->buf, p->payload, p->payload_len);
		return;
	}
	tls_result(r, f, p, rc, name, name_len, why, ts, r->npkt);
}

static void tcp_payload(struct pcapr *r, struct flowt_flow *f, const struct pkt_info *p,
			int64_t ts)
{
	pcapr_http_client_data(r, f, p);
	if (!pcapr_http_response(r, f, p))
		tcp_read(r, f, p, ts);
	/* after the segment was read: a request in it may be the first */
	if (sent_by_orig(f, p))
		f->orig_data = true;
}

/* QUIC on any UDP port: a client's Initial packets carry its ClientHello
 * (quic_reasm.h). The sender of the Initial is the client. */
static void quic_datagram(struct pcapr *r, struct flowt_flow *f, const struct pkt_info *p,
			  int64_t ts)
{
	if (f->tls_seen ||
	    p->truncated) { /* hello already read; cut by the snap length */
		skipped(r);
		return;
	}
	if (!r->quic && !(r->quic = quicr_new())) {
		skipped(r);
		return;
	}
	struct quicr_hello h;
	unsigned given_up;
	enum quicr_result rc = quicr_datagram(r->quic, p, ts, r->npkt, &h, &given_up);
	r->base.stats.skipped += given_up; /* QUICR_MAX_PENDING */
	if (rc == QUICR_NOT_CLIENT)
		skipped(r);
	if (rc != QUICR_DONE)
		return;
	f->tls_seen = true;
	enum tlsh_result t = h.rc == QUICH_SNI	    ? TLSH_SNI
			     : h.rc == QUICH_NO_SNI ? TLSH_NO_SNI
						    : TLSH_MALFORMED;
	tls_result(r, f, p, t, h.name, h.name_len, h.why, h.ts, h.position);
}

/* ---- packets ---- */

static void packet(struct pcapr *r, const struct pcap_pkthdr *h, const uint8_t *data)
{
	struct pkt_info p;
	const char *why;
	int64_t ts = h->ts.tv_sec;
	if (ts > r->now)
		r->now = ts;
	enum pkt_result rc = pkt_decode(r->link, data, h->caplen, &p, &why);
	if (rc == PKT_SKIP) {
		skipped(r);
		return;
	}
	if (rc == PKT_MALFORMED) {
		tel_backend_malformed(&r->base, r->npkt, "%s", why);
		return;
	}
	struct flowt_flow *f = flow_track(r, &p, ts);
	if (f->state == FLOWT_OPEN && p.payload_len) {
		bool dns = p.sport == DNS_PORT || p.dport == DNS_PORT;
		bool mdns = p.sport == MDNS_PORT || p.dport == MDNS_PORT ||
			    p.sport == LLMNR_PORT || p.dport == LLMNR_PORT;
		if (p.proto == PROTO_UDP && (dns || mdns))
			pcapr_dns_udp(r, &p, !dns, ts);
		else if (p.proto == PROTO_TCP && dns)
			pcapr_dns_tcp(r, &p, ts);
		else if (p.proto == PROTO_TCP)
			tcp_payload(r, f, &p, ts);
		else if (quici_is_initial(p.payload, p.payload_len))
			quic_datagram(r, f, &p, ts);
	}
	flow_maybe_close(r, f, &p);
}

/* One expired DNS query or idle flow per call, so the queue never fills. */
static bool sweep_one(struct pcapr *r)
{
	struct dns_pending *q = pcapr_dns_oldest(r);
	if (q && q->ts + PCAPR_DNS_TIMEOUT_SECS < r->now) {
		pcapr_dns_pop(r);
		return true;
	}
	struct flowt_flow *f = flowt_oldest(r->flows);
	if (f && f->last_ts + FLOWT_IDLE_SECS < r->now) {
		flow_end(r, f);
		return true;
	}
	return false;
}

static bool drain_one(struct pcapr *r)
{
	if (r->dns_count) {
		pcapr_dns_pop(r);
		return true;
	}
	struct flowt_flow *f = flowt_oldest(r->flows);
	if (f) {
		flow_end(r, f);
		return true;
	}
	return false;
}

static void read_failed(struct pcapr *r)
{
	const char *name = io_name(r->base.src);
	unsigned long long n = (unsigned long long)r->npkt;
	if (r->ioerr_set) {
		/* the source's message starts with the file name already */
		const char *why = r->ioerr.msg;
		size_t nl = strlen(name);
		if (!strncmp(why, name, nl) && !strncmp(why + nl, ": ", 2))
			why += nl + 2;
		sd_error_set(&r->fatal, r->ioerr.code,
			     "%s: read failed after %llu packets: %s", name, n, why);
		return;
	}
	const char *msg = pcap_geterr(r->pc);
	bool trunc = strstr(msg, "truncated") != NULL;
	sd_error_set(&r->fatal, trunc ? SD_ETRUNC : SD_ECORRUPT,
		     "%s: %s capture after %llu packets: %s", name,
		     trunc ? "truncated" : "corrupt", n, msg);
}

static int pcapr_next(struct tel_backend *b, struct tel_record *rec, struct sd_error *err)
{
	struct pcapr *r = (struct pcapr *)b;
	for (;;) {
		if (r->out_count) {
			/* a held request's path lives until the next call */
			free(r->handed_path);
			r->handed_path = r->out[r->out_head].path;
			r->out[r->out_head].path = NULL;
			*rec = r->out[r->out_head].rec;
			r->out_head = (r->out_head + 1) % PCAPR_OUT_QUEUE;
			r->out_count--;
			return 1;
		}
		if (r->done) {
			if (r->fatal.code) {
				*err = r->fatal;
				return r->fatal.code;
			}
			return 0;
		}
		if (r->draining) {
			if (!drain_one(r)) {
				/* QUIC hellos whose missing packets never came */
				r->base.stats.skipped += quicr_pending(r->quic);
				r->done = true;
			}
			continue;
		}
		if (sweep_one(r))
			continue;
		struct pcap_pkthdr *h;
		const u_char *data;
		int rc = pcap_next_ex(r->pc, &h, &data);
		if (rc == 1) {
			r->npkt++;
			packet(r, h, data);
		} else if (rc == PCAP_ERROR_BREAK) {
			/* end of file; a short read that libpcap took for the
			 * end is still the source's error */
			if (r->ioerr_set)
				read_failed(r);
			r->draining = true;
		} else {
			/* keep what was found: flush the tables, then fail */
			read_failed(r);
			r->draining = true;
		}
	}
}

static void pcapr_close(struct tel_backend *b)
{
	struct pcapr *r = (struct pcapr *)b;
	if (!r)
		return;
	if (r->pc)
		pcap_close(r->pc); /* closes fp too */
	else if (r->fp)
		fclose(r->fp);
	free(r->iobuf);
	flowt_free(r->flows);
	free(r->dns);
	free(r->reasm);
	pcapr_http_free(r);
	quicr_free(r->quic);
	free(r);
}

static const struct tel_backend_ops pcapr_ops = {pcapr_next, pcapr_close};

int tel_pcap_open(struct io_source *src, const struct tel_options *opt,
		  struct tel_backend **out, struct sd_error *err)
{
	(void)opt;
	*out = NULL;
	struct pcapr *r = calloc(1, sizeof(*r));
	if (!r)
		return sd_error_set(err, SD_ENOMEM, "%s: out of memory", io_name(src));
	tel_backend_init(&r->base, &pcapr_ops, TEL_FMT_PCAP, src);
	r->base.unit = "packet ";
	int rc = SD_ENOMEM;
	r->flows = flowt_new(FLOWT_MAX_FLOWS);
	r->dns = calloc(PCAPR_DNS_PENDING, sizeof(*r->dns));
	r->iobuf = malloc(PCAPR_IO_BUFFER);
	if (!r->flows || !r->dns || !r->iobuf) {
		sd_error_set(err, rc, "%s: out of memory", io_name(src));
		goto fail;
	}
	cookie_io_functions_t io = {.read = cookie_read, .close = cookie_close};
	r->fp = fopencookie(r, "r", io);
	if (!r->fp) {
		rc = sd_error_errno(err, errno, "%s: fopencookie", io_name(src));
		goto fail;
	}
	setvbuf(r->fp, r->iobuf, _IOFBF, PCAPR_IO_BUFFER);
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	r->pc = pcap_fopen_offline(r->fp, ebuf);
	if (!r->pc) {
		if (r->ioerr_set) {
			*err = r->ioerr;
			rc = err->code;
		} else {
			rc = sd_error_set(err, SD_EFORMAT,
					  "%s: not a capture libpcap can read: %s",
					  io_name(src), ebuf);
		}
		goto fail;
	}
	r->link = pcap_datalink(r->pc);
	if (!pkt_link_supported(r->link)) {
		const char *ln = pcap_datalink_val_to_name(r->link);
		rc = sd_error_set(err, SD_EFORMAT,
				  "%s: link type %d (%s) is not supported (Ethernet, "
				  "Linux SLL/SLL2, raw IP, loopback are)",
				  io_name(src), r->link, ln ? ln : "unknown");
		goto fail;
	}
	*out = &r->base;
	return 0;
fail:
	pcapr_close(&r->base);
	return rc;
}
