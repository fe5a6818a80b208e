#include "server/metrics.h"

#include <stdatomic.h>

static const int statuses[] = {200, 400, 401, 403, 404, 405,
			       410, 413, 415, 429, 500, 503};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]))
#define STATUS_OTHER NSTATUS

/* latency bucket upper bounds in microseconds */
static const uint64_t bounds[] = {100,	 250,	500,	1000,	2500,	5000,	10000,
				  25000, 50000, 100000, 250000, 500000, 1000000};
#define NBOUNDS (sizeof(bounds) / sizeof(bounds[0]))

static atomic_uint_fast64_t requests[SRV_ROUTE_COUNT][NSTATUS + 1];
static atomic_uint_fast64_t latency[NBOUNDS + 1];
static atomic_uint_fast64_t latency_sum_us;
static atomic_uint_fast64_t events[SRV_EV_COUNT];
static atomic_int tokens_stale, snapshot_stale;
static atomic_uint_fast64_t snap_bytes, snap_load_us;
static atomic_int_fast64_t conns_open;

/* the counters added after the first six, rendered from a table */
static const struct {
	enum srv_event ev;
	const char *name, *help;
} more[] = {
    {SRV_EV_SLOW_READER_CUT, "sighted_slow_readers_cut_total",
     "Connections closed for reading an answer slower than --min-send-rate."},
    {SRV_EV_PER_ADDR_REFUSED, "sighted_connections_refused_per_address_total",
     "Connections closed at once for passing --per-ip from one address or IPv6 "
     "prefix."},
    {SRV_EV_DROPPED_WHEN_FULL, "sighted_connections_dropped_when_full_total",
     "Unfinished connections closed to make room when the table was nearly full."},
    {SRV_EV_BAD_REQUEST, "sighted_bad_requests_total",
     "Requests refused with 400 for their framing or forwarding headers."},
    {SRV_EV_BODY_REFUSED, "sighted_bodies_refused_total",
     "Requests answered from their header alone, the body never read."},
    {SRV_EV_LOG_SUPPRESSED, "sighted_log_lines_suppressed_total",
     "Log lines about malformed requests dropped by the log rate limit."},
};

void srv_metrics_tokens_stale(int stale)
{
	atomic_store_explicit(&tokens_stale, stale, memory_order_relaxed);
}

int srv_metrics_tokens_is_stale(void)
{
	return atomic_load_explicit(&tokens_stale, memory_order_relaxed);
}

void srv_metrics_snapshot_stale(int stale)
{
	atomic_store_explicit(&snapshot_stale, stale, memory_order_relaxed);
}

int srv_metrics_snapshot_is_stale(void)
{
	return atomic_load_explicit(&snapshot_stale, memory_order_relaxed);
}

void srv_metrics_snapshot_bytes(uint64_t bytes, uint64_t load_us)
{
	atomic_store_explicit(&snap_bytes, bytes, memory_order_relaxed);
	atomic_store_explicit(&snap_load_us, load_us, memory_order_relaxed);
}

void srv_metrics_connection(int delta)
{
	atomic_fetch_add_explicit(&conns_open, delta, memory_order_relaxed);
}

static const char *const route_names[SRV_ROUTE_COUNT] = {
    "page",  "asset",	"check_self", "check",	 "bulk",    "campaigns",
    "stats", "openapi", "healthz",    "metrics", "changes", "other",
};

void srv_metrics_request(enum srv_route r, int status, uint64_t micros)
{
	size_t si = STATUS_OTHER;
	for (size_t i = 0; i < NSTATUS; i++)
		if (statuses[i] == status)
			si = i;
	if (r >= SRV_ROUTE_COUNT)
		r = SRV_ROUTE_OTHER;
	atomic_fetch_add_explicit(&requests[r][si], 1, memory_order_relaxed);
	size_t b = 0;
	while (b < NBOUNDS && micros > bounds[b])
		b++;
	atomic_fetch_add_explicit(&latency[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&latency_sum_us, micros, memory_order_relaxed);
}

void srv_metrics_event(enum srv_event e)
{
	atomic_fetch_add_explicit(&events[e], 1, memory_order_relaxed);
}

uint64_t srv_metrics_event_count(enum srv_event e)
{
	return atomic_load_explicit(&events[e], memory_order_relaxed);
}

void srv_metrics_render(struct srv_buf *o, uint64_t build_time, uint64_t now,
			uint64_t entries)
{
	srv_buf_puts(
	    o, "# HELP sighted_http_requests_total HTTP requests by route and status.\n"
	       "# TYPE sighted_http_requests_total counter\n");
	for (int r = 0; r < SRV_ROUTE_COUNT; r++)
		for (size_t s = 0; s <= NSTATUS; s++) {
			uint64_t v =
			    atomic_load_explicit(&requests[r][s], memory_order_relaxed);
			if (!v)
				continue;
			if (s == STATUS_OTHER)
				srv_buf_printf(o,
					       "sighted_http_requests_total{route=\"%s\","
					       "status=\"other\"} %llu\n",
					       route_names[r], (unsigned long long)v);
			else
				srv_buf_printf(o,
					       "sighted_http_requests_total{route=\"%s\","
					       "status=\"%d\"} %llu\n",
					       route_names[r], statuses[s],
					       (unsigned long long)v);
		}
	srv_buf_puts(o, "# HELP sighted_http_request_duration_seconds Time from the "
			"request's arrival to its answer.\n"
			"# TYPE sighted_http_request_duration_seconds histogram\n");
	uint64_t cum = 0;
	for (size_t b = 0; b <= NBOUNDS; b++) {
		cum += atomic_load_explicit(&latency[b], memory_order_relaxed);
		if (b < NBOUNDS)
			srv_buf_printf(o,
				       "sighted_http_request_duration_seconds_bucket{le="
				       "\"%g\"} %llu\n",
				       (double)bounds[b] / 1e6, (unsigned long long)cum);
		else
			srv_buf_printf(o,
				       "sighted_http_request_duration_seconds_bucket{le="
				       "\"+Inf\"} %llu\n",
				       (unsigned long long)cum);
	}
	srv_buf_printf(
	    o,
	    "sighted_http_request_duration_seconds_sum %.6f\n"
	    "sighted_http_request_duration_seconds_count %llu\n",
	    (double)atomic_load_explicit(&latency_sum_us, memory_order_relaxed) / 1e6,
	    (unsigned long long)cum);
	srv_buf_printf(
	    o,
	    "# HELP sighted_snapshot_reloads_total Snapshot reloads by result.\n"
	    "# TYPE sighted_snapshot_reloads_total counter\n"
	    "sighted_snapshot_reloads_total{result=\"ok\"} %llu\n"
	    "sighted_snapshot_reloads_total{result=\"failed\"} %llu\n"
	    "# HELP sighted_tokens_reloads_total Tokens file reloads by result.\n"
	    "# TYPE sighted_tokens_reloads_total counter\n"
	    "sighted_tokens_reloads_total{result=\"ok\"} %llu\n"
	    "sighted_tokens_reloads_total{result=\"failed\"} %llu\n"
	    "# HELP sighted_slow_clients_cut_total Connections closed for not sending a "
	    "request in time.\n"
	    "# TYPE sighted_slow_clients_cut_total counter\n"
	    "sighted_slow_clients_cut_total %llu\n"
	    "# HELP sighted_rate_limited_total Requests refused with 429.\n"
	    "# TYPE sighted_rate_limited_total counter\n"
	    "sighted_rate_limited_total %llu\n",
	    (unsigned long long)srv_metrics_event_count(SRV_EV_RELOAD_OK),
	    (unsigned long long)srv_metrics_event_count(SRV_EV_RELOAD_FAILED),
	    (unsigned long long)srv_metrics_event_count(SRV_EV_TOKENS_RELOAD_OK),
	    (unsigned long long)srv_metrics_event_count(SRV_EV_TOKENS_RELOAD_FAILED),
	    (unsigned long long)srv_metrics_event_count(SRV_EV_SLOW_CLIENT_CUT),
	    (unsigned long long)srv_metrics_event_count(SRV_EV_RATE_LIMITED));
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		srv_buf_printf(o, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n",
			       more[i].name, more[i].help, more[i].name, more[i].name,
			       (unsigned long long)srv_metrics_event_count(more[i].ev));
	srv_buf_printf(
	    o,
	    "# HELP sighted_tokens_reload_failing 1 while the last tokens file reload "
	    "failed (old tokens in force).\n"
	    "# TYPE sighted_tokens_reload_failing gauge\n"
	    "sighted_tokens_reload_failing %d\n"
	    "# HELP sighted_snapshot_reload_failing 1 while the snapshot file could "
	    "not be loaded (the old snapshot serves).\n"
	    "# TYPE sighted_snapshot_reload_failing gauge\n"
	    "sighted_snapshot_reload_failing %d\n"
	    "# HELP sighted_snapshot_memory_bytes Bytes of the private in-memory copy "
	    "of the served snapshot.\n"
	    "# TYPE sighted_snapshot_memory_bytes gauge\n"
	    "sighted_snapshot_memory_bytes %llu\n"
	    "# HELP sighted_snapshot_load_seconds Time the last snapshot took to read, "
	    "copy and validate.\n"
	    "# TYPE sighted_snapshot_load_seconds gauge\n"
	    "sighted_snapshot_load_seconds %.6f\n"
	    "# HELP sighted_connections_open Connections accepted and not yet closed "
	    "(a silent one held by deferred accept is not counted until handed over).\n"
	    "# TYPE sighted_connections_open gauge\n"
	    "sighted_connections_open %lld\n",
	    srv_metrics_tokens_is_stale(), srv_metrics_snapshot_is_stale(),
	    (unsigned long long)atomic_load_explicit(&snap_bytes, memory_order_relaxed),
	    (double)atomic_load_explicit(&snap_load_us, memory_order_relaxed) / 1e6,
	    (long long)atomic_load_explicit(&conns_open, memory_order_relaxed));
	if (build_time) {
		srv_buf_printf(
		    o,
		    "# HELP sighted_snapshot_age_seconds Seconds since the served "
		    "snapshot was built.\n"
		    "# TYPE sighted_snapshot_age_seconds gauge\n"
		    "sighted_snapshot_age_seconds %lld\n"
		    "# HELP sighted_snapshot_build_time_seconds When the served snapshot "
		    "was built (Unix time).\n"
		    "# TYPE sighted_snapshot_build_time_seconds gauge\n"
		    "sighted_snapshot_build_time_seconds %llu\n"
		    "# HELP sighted_snapshot_entries Entries in the served snapshot.\n"
		    "# TYPE sighted_snapshot_entries gauge\n"
		    "sighted_snapshot_entries %llu\n",
		    (long long)now - (long long)build_time,
		    (unsigned long long)build_time, (unsigned long long)entries);
	}
}
