/* `sighted serve`: the web checker and its HTTP API (docs/server.md). */
#ifndef SD_SERVER_SERVER_H
#define SD_SERVER_SERVER_H

#include <stdbool.h>
#include <sys/socket.h>

#include "net/addr.h"
#include "server/limits.h"
#include "server/policy.h"

struct srv_config {
	const char *db_path;
	const char *tokens_path; /* NULL: no tokens */
	struct sockaddr_storage listen[SRV_MAX_LISTEN];
	const char *listen_text[SRV_MAX_LISTEN];
	bool listen_optional[SRV_MAX_LISTEN];
	size_t nlisten;
	struct net_prefix trust[SRV_MAX_TRUST];
	size_t ntrust;
	struct srv_policy policy;
	double anon_rate, anon_burst;
	unsigned threads, max_conns, per_ip, idle_timeout, deadline;
	unsigned header_deadline, min_send_rate, v6_prefix;
	unsigned watch_ms; /* how often the files are checked for changes */
	const char *user;  /* dropped to when started as root */
};

/* Serves until SIGTERM or SIGINT; SIGHUP reloads the snapshot and the
 * tokens. Returns an sd_err code (0 after a clean stop). */
int srv_run(const struct srv_config *cfg);

#endif
