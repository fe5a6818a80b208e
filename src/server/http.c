#include "server/http.h"

#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "server/headers.h"
#include "server/limits.h"
#include "server/log.h"

/* One open connection, for the slow-client cut-off. since_ms is when the
 * connection opened or its last request was answered: a client must send
 * its next whole request within the deadline after it. */
struct conn {
	struct conn *prev, *next;
	int fd;
	atomic_uint_fast64_t since_ms;
	bool cut;
};

struct srv_http {
	struct srv_ctx *ctx;
	struct MHD_Daemon *d[SRV_MAX_LISTEN];
	size_t n;
	unsigned deadline_ms;
	pthread_mutex_t mu; /* guards the conn list */
	struct conn head;
};

/* One request in progress (MHD's con_cls). */
struct req {
	uint64_t start_us;
	char *body;
	size_t len, cap;
	bool too_large;
};

uint64_t srv_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct srv_http *h = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		struct conn *k = calloc(1, sizeof(*k));
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (!k || !ci) {
			free(k);
			return;
		}
		k->fd = ci->connect_fd;
		atomic_init(&k->since_ms, srv_now_ms());
		pthread_mutex_lock(&h->mu);
		k->next = h->head.next;
		k->prev = &h->head;
		h->head.next->prev = k;
		h->head.next = k;
		pthread_mutex_unlock(&h->mu);
		*socket_ctx = k;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		/* MHD calls this before it closes the socket, so the reaper,
		 * which holds the same lock, never shuts down a reused fd */
		struct conn *k = *socket_ctx;
		if (!k)
			return;
		pthread_mutex_lock(&h->mu);
		k->prev->next = k->next;
		k->next->prev = k->prev;
		pthread_mutex_unlock(&h->mu);
		free(k);
		*socket_ctx = NULL;
	}
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)toe;
	struct req *r = *con_cls;
	if (r) {
		free(r->body);
		free(r);
		*con_cls = NULL;
	}
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *k = ci ? ci->socket_context : NULL;
	if (k)
		atomic_store_explicit(&k->since_ms, srv_now_ms(), memory_order_relaxed);
}

void srv_http_reap(struct srv_http *h, uint64_t now_ms)
{
	pthread_mutex_lock(&h->mu);
	for (struct conn *k = h->head.next; k != &h->head; k = k->next) {
		uint64_t since = atomic_load_explicit(&k->since_ms, memory_order_relaxed);
		if (!k->cut && now_ms > since && now_ms - since > h->deadline_ms) {
			/* MHD sees the connection fail and closes it itself */
			shutdown(k->fd, SHUT_RDWR);
			k->cut = true;
			srv_metrics_event(SRV_EV_SLOW_CLIENT_CUT);
		}
	}
	pthread_mutex_unlock(&h->mu);
}

struct xff {
	char buf[SRV_MAX_XFF + 1];
	size_t len;
};

static enum MHD_Result collect_xff(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	(void)kind;
	struct xff *x = cls;
	if (strcasecmp(key, "X-Forwarded-For") || !value)
		return MHD_YES;
	size_t n = strlen(value);
	if (x->len && x->len < SRV_MAX_XFF)
		x->buf[x->len++] = ',';
	if (n > SRV_MAX_XFF - x->len)
		n = SRV_MAX_XFF - x->len;
	memcpy(x->buf + x->len, value, n);
	x->len += n;
	x->buf[x->len] = 0;
	return MHD_YES;
}

static enum MHD_Result send_response(struct MHD_Connection *c, struct srv_response *rs)
{
	struct MHD_Response *m = MHD_create_response_from_buffer(
	    rs->len, rs->body,
	    rs->body_static ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_FREE);
	if (!m) {
		srv_response_free(rs);
		return MHD_NO;
	}
	rs->body = NULL; /* MHD owns it now */
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
	enum MHD_Result ok = MHD_queue_response(c, (unsigned)rs->status, m);
	MHD_destroy_response(m);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **con_cls)
{
	(void)version;
	struct srv_http *h = cls;
	struct req *r = *con_cls;
	bool post = !strcmp(method, "POST") || !strcmp(method, "PUT");
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->start_us = mono_us();
		*con_cls = r;
		/* Answering on this first call would make MHD close the
		 * connection (a response "before the request is complete"),
		 * so requests are answered on the next call, keeping
		 * keep-alive; only an oversized body is refused at once. */
		const char *cl = post ? MHD_lookup_connection_value(c, MHD_HEADER_KIND,
								    "Content-Length")
				      : NULL;
		if (!cl || strtoull(cl, NULL, 10) <= SRV_MAX_BODY)
			return MHD_YES;
		r->too_large = true;
	} else if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
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

	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct net_addr peer;
	srv_sockaddr_addr(ci ? ci->client_addr : NULL, &peer);
	struct srv_request rq = {
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
	    .now_ms = srv_now_ms(),
	};
	if (h->ctx->trust.n) {
		struct xff x = {.len = 0};
		x.buf[0] = 0;
		MHD_get_connection_values(c, MHD_HEADER_KIND, collect_xff, &x);
		srv_client_addr(&peer, x.len ? x.buf : NULL, &h->ctx->trust, &rq.client);
	} else {
		rq.client = peer;
	}
	struct srv_response rs;
	srv_handle(h->ctx, &rq, &rs);
	srv_metrics_request(rs.route, rs.status, mono_us() - r->start_us);
	return send_response(c, &rs);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = 0;
	srv_log("http: %s", msg);
}

int srv_http_start(struct srv_ctx *ctx, const struct srv_http_config *cfg,
		   struct srv_http **out, struct sd_error *err)
{
	*out = NULL;
	struct srv_http *h = calloc(1, sizeof(*h));
	if (!h)
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	h->ctx = ctx;
	h->deadline_ms = cfg->deadline * 1000u;
	pthread_mutex_init(&h->mu, NULL);
	h->head.next = h->head.prev = &h->head;
	for (size_t i = 0; i < cfg->nlisten && i < SRV_MAX_LISTEN; i++) {
		const struct sockaddr *sa = (const struct sockaddr *)&cfg->listen[i];
		unsigned flags =
		    MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_TURBO;
		if (sa->sa_family == AF_INET6) {
			const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
			flags |= IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr)
				     ? MHD_USE_DUAL_STACK
				     : MHD_USE_IPv6;
		}
		uint16_t port = ntohs(sa->sa_family == AF_INET6
					  ? ((const struct sockaddr_in6 *)sa)->sin6_port
					  : ((const struct sockaddr_in *)sa)->sin_port);
		/* MHD_OPTION_LISTENING_ADDRESS_REUSE is left out on purpose:
		 * MHD sets SO_REUSEADDR by default, and the option would add
		 * SO_REUSEPORT, letting a second server share the port
		 * silently instead of failing to start. */
		struct MHD_OptionItem opts[] = {
		    {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL},
		    {MHD_OPTION_SOCK_ADDR, 0, (void *)sa},
		    {MHD_OPTION_CONNECTION_LIMIT, cfg->max_conns, NULL},
		    {MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip, NULL},
		    {MHD_OPTION_CONNECTION_TIMEOUT, cfg->idle_timeout, NULL},
		    {MHD_OPTION_CONNECTION_MEMORY_LIMIT, SRV_CONN_MEMORY, NULL},
		    {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL},
		    {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, h},
		    {cfg->threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END,
		     cfg->threads, NULL},
		    {MHD_OPTION_END, 0, NULL},
		};
		struct MHD_Daemon *d =
		    MHD_start_daemon(flags, port, NULL, NULL, on_request, h,
				     MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
		if (!d) {
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
		h->d[h->n++] = d;
	}
	if (!h->n) {
		srv_http_stop(h);
		return sd_error_set(err, SD_EIO, "no address to listen on");
	}
	*out = h;
	return SD_OK;
}

size_t srv_http_count(const struct srv_http *h)
{
	return h->n;
}

unsigned srv_http_port(const struct srv_http *h, size_t i)
{
	const union MHD_DaemonInfo *di =
	    i < h->n ? MHD_get_daemon_info(h->d[i], MHD_DAEMON_INFO_BIND_PORT) : NULL;
	return di ? di->port : 0;
}

void srv_http_stop(struct srv_http *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++)
		MHD_stop_daemon(h->d[i]);
	/* every connection is closed now, so the list is empty */
	pthread_mutex_destroy(&h->mu);
	free(h);
}
