#include "server/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "server/metrics.h"

static void vlog(const char *fmt, va_list ap)
{
	char line[1024];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	size_t n =
	    strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ sighted serve: ", &tm);
	int k = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	if (k < 0)
		return;
	n += (size_t)k < sizeof(line) - n - 1 ? (size_t)k : sizeof(line) - n - 2;
	line[n++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, n);
	(void)w;
}

void srv_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

static pthread_mutex_t limit_mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t window_s, in_window, dropped;

void srv_log_limited(const char *fmt, ...)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = (uint64_t)ts.tv_sec, was_dropped = 0;
	pthread_mutex_lock(&limit_mu);
	if (now != window_s) {
		window_s = now;
		in_window = 0;
	}
	bool ok = in_window < SRV_LOG_MALFORMED_PER_S;
	if (ok) {
		in_window++;
		was_dropped = dropped;
		dropped = 0;
	} else {
		dropped++;
	}
	pthread_mutex_unlock(&limit_mu);
	if (!ok) {
		srv_metrics_event(SRV_EV_LOG_SUPPRESSED);
		return;
	}
	if (was_dropped)
		srv_log("(%llu similar lines about bad requests not logged)",
			(unsigned long long)was_dropped);
	va_list ap;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}
