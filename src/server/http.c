#include "server/http.h"

#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "server/answer_cache.h"
#include "server/conns.h"
#include "server/framing.h"
#include "server/headers.h"
#include "server/limits.h"
#include "server/listen.h"
#include "server/log.h"
#include "server/metrics.h"

/* One daemon per listening address and worker thread: with more than one
 * thread, each has its own listening socket on the address (SO_REUSEPORT),
 * so the kernel hands each new connection to one thread's accept queue and
 * wakes that thread alone. A thread pool sharing one socket woke every
 * worker for each connection (bench/serve.sh, new connection per
 * request). */
struct worker {
	struct srv_http *h;
	struct srv_answer_cache answers; /* touched by this daemon's thread only */
};

struct srv_http {
	struct srv_ctx *ctx;
	struct MHD_Daemon **d;
	struct worker **w; /* w[i] is d[i]'s */
	size_t n;
	unsigned port[SRV_MAX_LISTEN]; /* 0: the address was skipped */
	struct srv_conns *conns;
};

/* One request in progress (MHD's con_cls), made when its request line
 * arrives (the URI log callback). */
struct req {
	uint64_t start_us;
	char *body;
	size_t len, cap;
	bool too_large;
	bool header_seen;	     /* the handler has run once */
	bool admitted;		     /* srv_preflight let the body in */
	bool nul_in_uri;	     /* %00 in the raw request target */
	bool discard;		     /* refused: the body is read and dropped */
	struct srv_response refusal; /* sent once the chunked body is read */
	struct net_addr client;
};

uint64_t srv_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static struct srv_conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

static void peer_of(struct MHD_Connection *c, struct net_addr *out)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	srv_sockaddr_addr(ci ? ci->client_addr : NULL, out);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct srv_http *h = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		struct net_addr peer;
		peer_of(c, &peer);
		if (ci)
			*socket_ctx =
			    srv_conns_open(h->conns, ci->connect_fd, &peer, srv_now_ms());
		srv_metrics_connection(1);
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		srv_metrics_connection(-1);
		/* MHD calls this before it closes the socket, so the reaper,
		 * which holds the same lock, never shuts down a reused fd */
		srv_conns_close(h->conns, *socket_ctx);
		*socket_ctx = NULL;
	}
}

static bool has_nul_escape(const char *uri)
{
	for (const char *p = strchr(uri, '%'); p; p = strchr(p + 1, '%'))
		if (p[1] == '0' && p[2] == '0')
			return true;
	return false;
}

/* Called once the request line is in, before the header: the short header
 * deadline starts here. uri is the raw request target, before MHD decodes
 * it (and cuts it at a decoded NUL). */
static void *on_request_line(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)cls;
	srv_conn_request_line(conn_of(c), srv_now_ms());
	struct req *r = calloc(1, sizeof(*r));
	if (r) {
		r->start_us = mono_us();
		r->nul_in_uri = uri && has_nul_escape(uri);
	}
	return r;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)toe;
	struct req *r = *con_cls;
	if (r) {
		srv_response_free(&r->refusal);
		free(r->body);
		free(r);
		*con_cls = NULL;
	}
	srv_conn_answered(conn_of(c), srv_now_ms());
}

struct xff {
	char buf[SRV_MAX_XFF + 1];
	size_t len;
	bool too_long;
};

static enum MHD_Result collect_xff(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	(void)kind;
	struct xff *x = cls;
	if (strcasecmp(key, "X-Forwarded-For") || !value)
		return MHD_YES;
	size_t n = strlen(value), sep = x->len ? 1 : 0;
	if (n + sep > SRV_MAX_XFF - x->len) {
		x->too_long = true; /* refused whole, never cut */
		return MHD_NO;
	}
	if (sep)
		x->buf[x->len++] = ',';
	memcpy(x->buf + x->len, value, n);
	x->len += n;
	x->buf[x->len] = 0;
	return MHD_YES;
}

/* The answer's producer seen through MHD's reader callback: each piece
 * handed over moves the connection's send deadline. */
struct mhd_stream {
	ssize_t (*read)(void *stream, char *buf, size_t max);
	void (*free)(void *stream);
	void *stream;
	struct srv_conn *conn;
};

static ssize_t mhd_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct mhd_stream *w = cls;
	ssize_t n = w->read(w->stream, buf, max);
	if (n == 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (n < 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	srv_conn_sent_more(w->conn, (uint64_t)n);
	return n;
}

static void mhd_free(void *cls)
{
	struct mhd_stream *w = cls;
	w->free(w->stream);
	free(w);
}

static struct MHD_Response *make_response(struct srv_response *rs, struct srv_conn *k)
{
	struct MHD_Response *m;
	if (rs->stream_read) {
		struct mhd_stream *w = malloc(sizeof(*w));
		if (!w)
			return NULL;
		*w = (struct mhd_stream){rs->stream_read, rs->stream_free, rs->stream, k};
		m = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024,
						      mhd_read, w, mhd_free);
		if (!m) {
			free(w);
			return NULL;
		}
		rs->stream_read = NULL; /* MHD owns it now */
		rs->stream_free = NULL;
		rs->stream = NULL;
		srv_conn_sending(k, srv_now_ms(), 0);
		return m;
	}
	m = MHD_create_response_from_buffer(rs->len, rs->body,
					    rs->body_static ? MHD_RESPMEM_PERSISTENT
							    : MHD_RESPMEM_MUST_FREE);
	if (m) {
		rs->body = NULL; /* MHD owns it now */
		srv_conn_sending(k, srv_now_ms(), rs->len);
	}
	return m;
}

static void add_headers(struct MHD_Response *m, const struct srv_response *rs)
{
	for (const struct srv_header *hd = srv_security_headers; hd->name; hd++)
		MHD_add_response_header(m, hd->name, hd->value);
	MHD_add_response_header(m, "Content-Type", rs->type);
	MHD_add_response_header(m, "Cache-Control",
				rs->cacheable ? "public, max-age=300" : "no-store");
	if (rs->retry_after) {
		char v[16];
		snprintf(v, sizeof(v), "%u", rs->retry_after);
		MHD_add_response_header(m, "Retry-After", v);
	}
	if (rs->allow)
		MHD_add_response_header(m, "Allow", rs->allow);
	if (rs->www_authenticate)
		MHD_add_response_header(m, "WWW-Authenticate",
					"Bearer realm=\"sighted\"");
	if (rs->close)
		MHD_add_response_header(m, MHD_HTTP_HEADER_CONNECTION, "close");
}

/* answers: the sending thread's kept answers, or NULL to keep none */
static enum MHD_Result send_response(struct MHD_Connection *c, struct srv_response *rs,
				     const struct req *r,
				     struct srv_answer_cache *answers)
{
	srv_metrics_request(rs->route, rs->status, r ? mono_us() - r->start_us : 0);
	struct srv_conn *k = conn_of(c);
	uint64_t hash = 0;
	bool keep = answers && srv_answer_reusable(rs);
	struct MHD_Response *m = keep ? srv_answer_cache_find(answers, rs, &hash) : NULL;
	if (m) {
		srv_conn_sending(k, srv_now_ms(), rs->len);
		enum MHD_Result ok = MHD_queue_response(c, (unsigned)rs->status, m);
		srv_response_free(rs);
		return ok;
	}
	const char *body = rs->body;
	size_t len = rs->len;
	m = make_response(rs, k);
	if (!m) {
		srv_response_free(rs);
		return MHD_NO;
	}
	add_headers(m, rs);
	enum MHD_Result ok = MHD_queue_response(c, (unsigned)rs->status, m);
	if (keep)
		srv_answer_cache_put(answers, m, hash, body, len, rs);
	else
		MHD_destroy_response(m);
	srv_response_free(rs);
	return ok;
}

static void fill_request(struct MHD_Connection *c, const char *url, const char *method,
			 const struct req *r, struct srv_request *rq)
{
	*rq = (struct srv_request){
	    .method = method,
	    .path = url,
	    .arg_ip = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "ip"),
	    .arg_since = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "since"),
	    .authorization =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"),
	    .content_type =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type"),
	    .body = r->body,
	    .body_len = r->len,
	    .body_too_large = r->too_large,
	    .admitted = r->admitted,
	    .client = r->client,
	    .now_ms = srv_now_ms(),
	};
}

/* Sends a refusal and closes the connection. libmicrohttpd 0.9.75 drops
 * an answer queued before a chunked body is read, so then the body is read
 * and dropped (never stored; the request deadline bounds it) and the
 * answer goes out after it. */
static enum MHD_Result refuse_now(struct MHD_Connection *c, struct req *r,
				  struct srv_response *rs, bool chunked)
{
	rs->close = true;
	if (!chunked)
		return send_response(c, rs, r, NULL);
	r->refusal = *rs;
	r->discard = true;
	return MHD_YES;
}

/* The header is complete: refuse what must not reach a handler, find the
 * client, and decide about a body before reading a byte of it. Answering
 * now makes MHD close the connection, which is what a refusal wants. */
static enum MHD_Result on_header(struct srv_http *h, struct MHD_Connection *c,
				 const char *url, const char *method, const char *version,
				 struct req *r)
{
	r->header_seen = true;
	srv_conn_header_done(conn_of(c), srv_now_ms());
	struct net_addr peer;
	peer_of(c, &peer);
	r->client = peer;
	const char *code = "bad_request";
	struct srv_framing f;
	const char *why = srv_framing_check(c, version, &f);
	if (!why && r->nul_in_uri) {
		code = "bad_address";
		why = "the request holds an escaped NUL byte (%00)";
	}
	if (!why && h->ctx->trust.n) {
		struct xff x = {.len = 0};
		x.buf[0] = 0;
		MHD_get_connection_values(c, MHD_HEADER_KIND, collect_xff, &x);
		if (srv_client_addr(&peer, x.len || x.too_long ? x.buf : NULL,
				    x.too_long ? SRV_MAX_XFF + 1 : x.len, &h->ctx->trust,
				    &r->client, &why) != 0)
			code = "bad_forwarded";
	}
	struct srv_request rq;
	fill_request(c, url, method, r, &rq);
	struct srv_response rs;
	if (why) {
		char who[NET_ADDR_STRLEN];
		net_addr_format(&peer, who, sizeof(who));
		srv_metrics_event(SRV_EV_BAD_REQUEST);
		srv_log_limited("refused a request from %s: %s", who, why);
		srv_refuse(h->ctx, &rq, 400, code, why, &rs);
		return refuse_now(c, r, &rs, f.chunked);
	}
	if (!f.has_body)
		return MHD_YES; /* answered on the next call, keeping keep-alive */
	rq.body_too_large = r->too_large = f.content_length > SRV_MAX_BODY;
	if (srv_preflight(h->ctx, &rq, &rs))
		return refuse_now(c, r, &rs, f.chunked);
	r->admitted = true;
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **con_cls)
{
	struct worker *w = cls;
	struct req *r = *con_cls;
	if (!r) {
		r = on_request_line(NULL, "", c);
		if (!r)
			return MHD_NO;
		*con_cls = r;
	}
	if (!r->header_seen)
		return on_header(w->h, c, url, method, version, r);
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (r->discard)
			return MHD_YES;
		if (r->too_large || n > SRV_MAX_BODY - r->len) {
			r->too_large = true;
			return MHD_YES;
		}
		if (r->len + n > r->cap) {
			size_t cap = r->cap ? r->cap : 4096;
			while (cap < r->len + n)
				cap *= 2;
			char *b = realloc(r->body, cap);
			if (!b)
				return MHD_NO;
			r->body = b;
			r->cap = cap;
		}
		memcpy(r->body + r->len, upload, n);
		r->len += n;
		return MHD_YES;
	}
	if (r->discard) {
		struct srv_response rs = r->refusal;
		r->refusal = (struct srv_response){0};
		return send_response(c, &rs, r, NULL);
	}
	struct srv_request rq;
	fill_request(c, url, method, r, &rq);
	struct srv_response rs;
	srv_handle(w->h->ctx, &rq, &rs);
	return send_response(c, &rs, r, &w->answers);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = 0;
	/* most of what MHD logs is caused by a client: rate-limited */
	srv_log_limited("http: %s", msg);
}

/* The daemon for one worker thread on sa; reuse: its listening socket
 * shares the port with the other threads' (SO_REUSEPORT). */
static struct MHD_Daemon *start_daemon(struct srv_http *h, struct worker *w,
				       const struct srv_http_config *cfg,
				       const struct sockaddr *sa, bool dual, bool reuse)
{
	unsigned flags =
	    MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_TURBO;
	if (sa->sa_family == AF_INET6)
		flags |= dual ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
	uint16_t port =
	    ntohs(sa->sa_family == AF_INET6 ? ((const struct sockaddr_in6 *)sa)->sin6_port
					    : ((const struct sockaddr_in *)sa)->sin_port);
	/* The per-address limit is ours (conns.c), not MHD's, so it can
	 * count IPv6 prefixes and spare a trusted proxy. */
	struct MHD_OptionItem opts[] = {
	    {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL},
	    {MHD_OPTION_SOCK_ADDR, 0, (void *)sa},
	    /* above the table's own limit, which makes room first; each
	     * thread may take all of it, as the kernel spreads connections
	     * over the threads' sockets by a hash, not by load */
	    {MHD_OPTION_CONNECTION_LIMIT, cfg->max_conns + cfg->max_conns / 4, NULL},
	    {MHD_OPTION_CONNECTION_TIMEOUT, cfg->idle_timeout, NULL},
	    {MHD_OPTION_CONNECTION_MEMORY_LIMIT, SRV_CONN_MEMORY, NULL},
	    {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_request_line, h},
	    {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL},
	    {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, h},
	    {reuse ? MHD_OPTION_LISTENING_ADDRESS_REUSE : MHD_OPTION_END, 1, NULL},
	    {MHD_OPTION_END, 0, NULL},
	};
	return MHD_start_daemon(flags, port, NULL, NULL, on_request, w, MHD_OPTION_ARRAY,
				opts, MHD_OPTION_END);
}

static void set_port(struct sockaddr_storage *ss, unsigned port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
}

/* Stops the daemon started last, then gives up its thread's answers. */
static void stop_last(struct srv_http *h)
{
	h->n--;
	MHD_stop_daemon(h->d[h->n]);
	srv_answer_cache_clear(&h->w[h->n]->answers);
	free(h->w[h->n]);
}

/* The daemons of listening address i, one per thread. Returns false when
 * the address cannot be listened on; none of its daemons is left. */
static bool start_address(struct srv_http *h, const struct srv_http_config *cfg, size_t i)
{
	struct sockaddr_storage ss = cfg->listen[i];
	bool v6 = ss.ss_family == AF_INET6;
	bool dual =
	    v6 && IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr);
	bool reuse = cfg->threads > 1;
	unsigned port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
				 : ((struct sockaddr_in *)&ss)->sin_port);
	int why;
	/* SO_REUSEPORT would let the threads join a server already there
	 * (port 0 is always a fresh one) */
	if (reuse && port && !srv_listen_port_free((struct sockaddr *)&ss, dual, &why))
		return false;
	size_t first = h->n;
	for (unsigned t = 0; t < cfg->threads; t++) {
		struct worker *w = calloc(1, sizeof(*w));
		struct MHD_Daemon *d =
		    w ? start_daemon(h, w, cfg, (struct sockaddr *)&ss, dual, reuse)
		      : NULL;
		if (!d) {
			free(w);
			while (h->n > first)
				stop_last(h);
			return false;
		}
		w->h = h;
		h->w[h->n] = w;
		h->d[h->n++] = d;
		const union MHD_DaemonInfo *li =
		    MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
		int e = li ? srv_listen_defer_accept(li->listen_fd) : EBADF;
		if (e && t == 0) /* it only saves work: serve without it */
			srv_log(
			    "warning: %s: cannot defer accepting (TCP_DEFER_ACCEPT): %s",
			    cfg->listen_text[i], strerror(e));
		if (!port) { /* the others join the port the first was given */
			const union MHD_DaemonInfo *di =
			    MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
			port = di ? di->port : 0;
			if (!port) {
				while (h->n > first)
					stop_last(h);
				return false;
			}
			set_port(&ss, port);
		}
	}
	h->port[i] = port;
	return true;
}

int srv_http_start(struct srv_ctx *ctx, const struct srv_http_config *cfg,
		   struct srv_http **out, struct sd_error *err)
{
	*out = NULL;
	struct srv_http *h = calloc(1, sizeof(*h));
	size_t nlisten = cfg->nlisten < SRV_MAX_LISTEN ? cfg->nlisten : SRV_MAX_LISTEN;
	unsigned threads = cfg->threads ? cfg->threads : 1;
	if (h) {
		h->d = calloc(nlisten * threads + 1, sizeof(*h->d));
		h->w = calloc(nlisten * threads + 1, sizeof(*h->w));
	}
	if (!h || !h->d || !h->w) {
		if (h) {
			free(h->d);
			free(h->w);
		}
		free(h);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	h->ctx = ctx;
	struct srv_conn_limits lim = {
	    .max_conns = cfg->max_conns * (unsigned)(cfg->nlisten ? cfg->nlisten : 1),
	    .per_addr = cfg->per_ip,
	    .v6_prefix = cfg->v6_prefix,
	    .header_ms = cfg->header_deadline * 1000u,
	    .request_ms = cfg->deadline * 1000u,
	    .min_send_rate = cfg->min_send_rate,
	    .trust = &ctx->trust,
	};
	h->conns = srv_conns_new(&lim);
	if (!h->conns) {
		free(h->d);
		free(h->w);
		free(h);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	bool any = false;
	for (size_t i = 0; i < nlisten; i++) {
		if (start_address(h, cfg, i)) {
			any = true;
			continue;
		}
		if (cfg->optional && cfg->optional[i]) {
			srv_log("warning: cannot listen on %s; skipped",
				cfg->listen_text[i]);
			continue;
		}
		sd_error_set(err, SD_EIO,
			     "cannot listen on %s (address in use, "
			     "not available, or needs privileges)",
			     cfg->listen_text[i]);
		srv_http_stop(h);
		return err ? err->code : SD_EIO;
	}
	if (!any) {
		srv_http_stop(h);
		return sd_error_set(err, SD_EIO, "no address to listen on");
	}
	*out = h;
	return SD_OK;
}

void srv_http_reap(struct srv_http *h, uint64_t now_ms)
{
	srv_conns_reap(h->conns, now_ms);
}

unsigned srv_http_port(const struct srv_http *h, size_t i)
{
	return i < SRV_MAX_LISTEN ? h->port[i] : 0;
}

void srv_http_stop(struct srv_http *h)
{
	if (!h)
		return;
	while (h->n)
		stop_last(h);
	/* every connection is closed now, so the table is empty */
	srv_conns_free(h->conns);
	free(h->d);
	free(h->w);
	free(h);
}
