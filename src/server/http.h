/* The HTTP transport: libmicrohttpd daemons (one per listening address
 * and worker thread, each with its own epoll and, with several threads,
 * its own SO_REUSEPORT socket) feeding srv_handle, with the connection
 * limits and the slow-client cut-off. */
#ifndef SD_SERVER_HTTP_H
#define SD_SERVER_HTTP_H

#include <stdint.h>
#include <sys/socket.h>

#include "core/error.h"
#include "server/routes.h"

struct srv_http_config {
	const struct sockaddr_storage *listen;
	const char *const *listen_text; /* for messages */
	size_t nlisten;
	unsigned threads;	  /* per listening address */
	unsigned max_conns;	  /* per listening address */
	unsigned per_ip;	  /* connections from one address or v6 prefix */
	unsigned v6_prefix;	  /* IPv6 prefix length counted as one address */
	unsigned idle_timeout;	  /* seconds */
	unsigned header_deadline; /* seconds from request line to end of header */
	unsigned deadline;	  /* seconds to send one whole request */
	unsigned min_send_rate;	  /* bytes per second an answer must drain at */
	/* a listen address that cannot be bound is skipped with a warning
	 * rather than fatal (the default [::1] on a host without IPv6) */
	const bool *optional;
};

struct srv_http;

int srv_http_start(struct srv_ctx *ctx, const struct srv_http_config *cfg,
		   struct srv_http **out, struct sd_error *err);
/* Closes connections past their deadline (conns.h; called about once a
 * second). */
void srv_http_reap(struct srv_http *h, uint64_t now_ms);
/* The port listening address i is bound to (for --listen 127.0.0.1:0), or
 * 0 when it was skipped. */
unsigned srv_http_port(const struct srv_http *h, size_t i);
void srv_http_stop(struct srv_http *h);

/* CLOCK_MONOTONIC milliseconds: rate limiter and deadlines. */
uint64_t srv_now_ms(void);

#endif
