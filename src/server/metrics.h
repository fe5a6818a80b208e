/* Counters for /metrics (Prometheus text format 0.0.4): requests by route
 * and status, a latency histogram, reloads, slow clients cut off, rate
 * limiting. Lock-free: relaxed atomic adds on fixed arrays. */
#ifndef SD_SERVER_METRICS_H
#define SD_SERVER_METRICS_H

#include <stdint.h>

#include "server/escape.h"

enum srv_route {
	SRV_ROUTE_PAGE,
	SRV_ROUTE_ASSET,
	SRV_ROUTE_CHECK_SELF,
	SRV_ROUTE_CHECK,
	SRV_ROUTE_BULK,
	SRV_ROUTE_CAMPAIGNS,
	SRV_ROUTE_STATS,
	SRV_ROUTE_OPENAPI,
	SRV_ROUTE_HEALTH,
	SRV_ROUTE_METRICS,
	SRV_ROUTE_CHANGES,
	SRV_ROUTE_OTHER,
	SRV_ROUTE_COUNT
};

enum srv_event {
	SRV_EV_RELOAD_OK,
	SRV_EV_RELOAD_FAILED,
	SRV_EV_TOKENS_RELOAD_OK,
	SRV_EV_TOKENS_RELOAD_FAILED,
	SRV_EV_SLOW_CLIENT_CUT,
	SRV_EV_RATE_LIMITED,
	SRV_EV_SLOW_READER_CUT,	  /* answer drained slower than the minimum rate */
	SRV_EV_PER_ADDR_REFUSED,  /* over the per-address connection limit */
	SRV_EV_DROPPED_WHEN_FULL, /* oldest unfinished, to make room */
	SRV_EV_BAD_REQUEST,	  /* malformed framing or forwarding header */
	SRV_EV_BODY_REFUSED,	  /* answered from the header, body never read */
	SRV_EV_LOG_SUPPRESSED,	  /* log lines dropped by the log rate limit */
	SRV_EV_COUNT
};

void srv_metrics_request(enum srv_route r, int status, uint64_t micros);
void srv_metrics_event(enum srv_event e);
uint64_t srv_metrics_event_count(enum srv_event e);

/* Gauges set by the reload loop. */
void srv_metrics_tokens_stale(int stale);
int srv_metrics_tokens_is_stale(void);
/* 1 while the snapshot file on disk could not be loaded (the old one
 * serves). */
void srv_metrics_snapshot_stale(int stale);
int srv_metrics_snapshot_is_stale(void);
void srv_metrics_snapshot_bytes(uint64_t bytes, uint64_t load_us);
/* A connection handed over by the kernel (+1) or closed (-1). */
void srv_metrics_connection(int delta);

/* Appends the exposition text. build_time is the snapshot's (0: none). */
void srv_metrics_render(struct srv_buf *out, uint64_t build_time, uint64_t now,
			uint64_t entries);

#endif
