#include "server/server.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"
#include "server/changes.h"
#include "server/http.h"
#include "server/log.h"
#include "server/privdrop.h"
#include "server/routes.h"
#include "server/snapshot.h"
#include "server/tokens.h"

struct watch {
	const char *path;
	struct srv_file_id id; /* of the file last tried */
	int warned;	       /* errno last reported for it */
};

static void describe(const struct srv_snap *s, char *buf, size_t size)
{
	char built[SD_TIME_STRLEN];
	sd_time_format((int64_t)db_build_time(s->db), built, sizeof(built));
	snprintf(buf, size,
		 "built %s, %llu entries, %u campaigns; private copy %.1f MB read and "
		 "validated in %.1f ms",
		 built, (unsigned long long)db_entry_count(s->db),
		 db_campaign_count(s->db), (double)s->copy_len / 1e6,
		 (double)s->load_us / 1e3);
	srv_metrics_snapshot_bytes(s->copy_len, s->load_us);
}

/* Validates the file anew and swaps it in; a bad file leaves the old one. */
static void reload_snapshot(struct srv_ctx *ctx, struct watch *w)
{
	srv_file_id(w->path, &w->id);
	struct sd_error err = {0};
	struct srv_snap *s;
	char what[256];
	if (srv_snap_open(w->path, &s, &err) != 0) {
		srv_metrics_event(SRV_EV_RELOAD_FAILED);
		srv_metrics_snapshot_stale(1); /* /healthz says "degraded" */
		struct srv_snap *old = (struct srv_snap *)srv_slot_get(&ctx->snap);
		char built[SD_TIME_STRLEN];
		sd_time_format((int64_t)db_build_time(old->db), built, sizeof(built));
		snprintf(what, sizeof(what), "built %s, %llu entries", built,
			 (unsigned long long)db_entry_count(old->db));
		srv_ref_put(&old->ref);
		srv_log("refused the new snapshot: %s; still serving the old one (%s)",
			err.msg, what);
		return;
	}
	describe(s, what, sizeof(what));
	struct srv_snap *prev = (struct srv_snap *)srv_slot_get(&ctx->snap);
	srv_changes_record(prev ? prev->db : NULL, s->db); /* /api/v1/changes */
	if (prev)
		srv_ref_put(&prev->ref);
	srv_slot_swap(&ctx->snap, &s->ref);
	srv_metrics_snapshot_stale(0);
	srv_metrics_event(SRV_EV_RELOAD_OK);
	srv_log("reloaded snapshot %s (%s)", w->path, what);
}

static void reload_tokens(struct srv_ctx *ctx, struct watch *w)
{
	srv_file_id(w->path, &w->id);
	struct sd_error err = {0};
	struct srv_tokens *t;
	if (srv_tokens_load(w->path, &t, &err) != 0) {
		srv_metrics_event(SRV_EV_TOKENS_RELOAD_FAILED);
		srv_metrics_tokens_stale(1); /* /healthz says "degraded" */
		srv_log("refused the new tokens file: %s; the old tokens stay in force "
			"(revoked tokens keep working until a reload succeeds)",
			err.msg);
		return;
	}
	srv_metrics_tokens_stale(0);
	srv_slot_swap(&ctx->tokens, &t->ref);
	srv_metrics_event(SRV_EV_TOKENS_RELOAD_OK);
	srv_log("reloaded %zu tokens from %s", t->n, w->path);
}

/* True when the file needs a reload: it was replaced or changed, or it
 * went missing (or cannot be looked at) since the last poll. A file gone
 * is a failed reload like any other: the reload that follows fails to
 * open it, which logs why, counts it and marks the server degraded, once
 * until the file comes back (a rename in progress, or a deleted tokens
 * file that must not go unnoticed while its tokens stay in force). */
static bool changed(struct watch *w)
{
	struct srv_file_id now;
	if (!w->path)
		return false;
	srv_file_id(w->path, &now);
	if (now.present) {
		w->warned = 0;
		return !srv_file_id_same(&now, &w->id);
	}
	if (now.error == w->warned)
		return false; /* already reported */
	w->warned = now.error;
	return true;
}

static void print_listening(const struct srv_config *cfg, struct srv_http *h)
{
	for (size_t i = 0; i < cfg->nlisten; i++) {
		const struct sockaddr *sa = (const struct sockaddr *)&cfg->listen[i];
		char a[NET_ADDR_STRLEN];
		struct net_addr na;
		srv_sockaddr_addr(sa, &na);
		net_addr_format(&na, a, sizeof(a));
		unsigned port = srv_http_port(h, i);
		if (!port) /* this address was skipped */
			continue;
		bool v6 = sa->sa_family == AF_INET6;
		srv_log("listening on http://%s%s%s:%u/", v6 ? "[" : "", a, v6 ? "]" : "",
			port);
	}
}

int srv_run(const struct srv_config *cfg)
{
	/* Blocked before anything starts a thread (the HTTP workers, any
	 * helper a library starts): every thread inherits the mask, so a stop
	 * signal, even one sent while the snapshot loads, reaches only the
	 * sigtimedwait below and ends in a clean stop. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	struct sd_error err = {0};
	struct srv_snap *snap;
	struct srv_tokens *tokens = NULL;
	if (srv_snap_open(cfg->db_path, &snap, &err) != 0) {
		srv_log("%s", err.msg);
		return err.code;
	}
	if (cfg->tokens_path ? srv_tokens_load(cfg->tokens_path, &tokens, &err)
			     : !(tokens = srv_tokens_empty())) {
		srv_log("%s", cfg->tokens_path ? err.msg : "out of memory");
		srv_ref_put(&snap->ref);
		return cfg->tokens_path ? err.code : SD_ENOMEM;
	}
	struct srv_ctx ctx = {
	    .policy = cfg->policy,
	    .trust = {cfg->trust, cfg->ntrust},
	    .rl = srv_ratelimit_new(),
	    .anon_rate = cfg->anon_rate,
	    .anon_burst = cfg->anon_burst,
	};
	srv_slot_init(&ctx.snap, &snap->ref);
	srv_slot_init(&ctx.tokens, &tokens->ref);
	struct watch wdb = {cfg->db_path, {0}, 0}, wtok = {cfg->tokens_path, {0}, 0};
	srv_file_id(wdb.path, &wdb.id);
	srv_file_id(wtok.path, &wtok.id);
	char what[256];
	describe(snap, what, sizeof(what));
	srv_log("serving %s (%s), policy %s, anonymous detail %s, %zu tokens",
		cfg->db_path, what, cfg->policy.mode == SRV_POLICY_OPEN ? "open" : "self",
		cfg->policy.anon_detail == REPORT_FULL ? "full" : "verdict", tokens->n);

	signal(SIGPIPE, SIG_IGN);

	struct srv_http_config hc = {
	    .listen = cfg->listen,
	    .listen_text = cfg->listen_text,
	    .nlisten = cfg->nlisten,
	    .threads = cfg->threads,
	    .max_conns = cfg->max_conns,
	    .per_ip = cfg->per_ip,
	    .idle_timeout = cfg->idle_timeout,
	    .deadline = cfg->deadline,
	    .header_deadline = cfg->header_deadline,
	    .min_send_rate = cfg->min_send_rate,
	    .v6_prefix = cfg->v6_prefix,
	    .optional = cfg->listen_optional,
	};
	struct srv_http *http = NULL;
	int rc = ctx.rl ? srv_http_start(&ctx, &hc, &http, &err)
			: sd_error_set(&err, SD_ENOMEM, "out of memory");
	if (rc == 0) {
		print_listening(cfg, http);
		rc = srv_drop_privileges(cfg->user, &err);
	}
	if (rc == 0 && cfg->tokens_path) {
		/* a file read as root that the dropped user cannot read again
		 * would make every reload fail, and revoked tokens live on */
		struct srv_tokens *again;
		rc = srv_tokens_load(cfg->tokens_path, &again, &err);
		if (rc == 0) {
			srv_ref_put(&again->ref);
		} else {
			struct sd_error why = err;
			sd_error_set(&err, rc,
				     "the tokens file must stay readable after the "
				     "privilege drop (--user %s), or no reload could "
				     "revoke a token: %s",
				     cfg->user, why.msg);
		}
	}
	if (rc != 0) {
		srv_log("%s", err.msg);
		goto out;
	}

	for (;;) {
		struct timespec tick = {(time_t)(cfg->watch_ms / 1000),
					(long)(cfg->watch_ms % 1000) * 1000000L};
		int sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGINT || sig == SIGTERM) {
			srv_log("stopping on signal %d", sig);
			break;
		}
		if (sig == SIGHUP) {
			srv_log("SIGHUP: reloading");
			reload_snapshot(&ctx, &wdb);
			if (wtok.path)
				reload_tokens(&ctx, &wtok);
		} else {
			if (changed(&wdb))
				reload_snapshot(&ctx, &wdb);
			if (changed(&wtok))
				reload_tokens(&ctx, &wtok);
		}
		srv_http_reap(http, srv_now_ms());
	}
out:
	srv_http_stop(http);
	srv_slot_destroy(&ctx.snap);
	srv_slot_destroy(&ctx.tokens);
	srv_ratelimit_free(ctx.rl);
	return rc;
}
