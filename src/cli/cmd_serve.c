/* sighted serve: the web checker and HTTP API. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "core/error.h"
#include "server/listen.h"
#include "server/server.h"
#include "server/stats_as.h"
#include "server/tokens.h"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: sighted serve [--db F] [--listen ADDR:PORT]... [--policy self|open]\n"
	    "                     [--tokens FILE] [--trust-proxy CIDR]... [options]\n"
	    "       sighted serve --new-token NAME --scope PREFIX[,PREFIX...]\n"
	    "                     [--token-rate R] [--token-burst B] [--token-bulk N]\n"
	    "       sighted serve --hash-token < secret\n"
	    "\n"
	    "Serves the web checker and its JSON API (docs/server.md) from a snapshot.\n"
	    "\n"
	    "  --db F               snapshot to serve (default $SIGHTED_DB or "
	    "sighted.sdb);\n"
	    "                       reloaded on SIGHUP and when the file is replaced\n"
	    "  --listen ADDR:PORT   address to listen on, repeatable; IPv6 in brackets,\n"
	    "                       [::]:PORT for dual stack, port 0 for any free port\n"
	    "                       (default 127.0.0.1:8080 and [::1]:8080)\n"
	    "  --policy self|open   self (default): anonymous callers learn only about\n"
	    "                       their own address; open: any single address\n"
	    "  --anon-detail verdict|full\n"
	    "                       what anonymous answers show: the verdict and "
	    "campaign\n"
	    "                       (default), or also dates, counts and evidence\n"
	    "  --tokens FILE        hashed API tokens with their scopes and limits\n"
	    "                       (docs/tokens.md); reloaded like the snapshot\n"
	    "  --trust-proxy CIDR   believe X-Forwarded-For from these peers only,\n"
	    "                       repeatable (the rightmost untrusted hop is the "
	    "client)\n"
	    "  --rate R             anonymous requests per second per client (default "
	    "5)\n"
	    "  --burst B            anonymous burst per client (default 20)\n"
	    "  --threads N          worker threads per address (default: cores)\n"
	    "  --max-connections N  open connections per address (default %d)\n"
	    "  --per-ip N           open connections from one client address, or one\n"
	    "                       IPv6 prefix (default %d; a --trust-proxy peer is\n"
	    "                       exempt)\n"
	    "  --ipv6-prefix LEN    IPv6 prefix length counted as one client for\n"
	    "                       --per-ip (default %d)\n"
	    "  --idle-timeout S     close connections idle this long (default %d)\n"
	    "  --header-deadline S  close connections whose header takes longer than\n"
	    "                       this after its request line (default %d)\n"
	    "  --request-deadline S close connections that take longer than this to\n"
	    "                       send one whole request, header and body (default "
	    "%d)\n"
	    "  --min-send-rate B    bytes per second a client must read an answer at,\n"
	    "                       after a grace of --request-deadline (default %d)\n"
	    "  --user NAME          user to become after binding when started as root\n"
	    "                       (default nobody)\n"
	    "  --watch-interval MS  how often the files are checked (default 1000)\n"
	    "  --asn-db FILE        origin AS data (GeoLite2-ASN MaxMind DB or ip2asn\n"
	    "                       TSV): sightings per AS in /api/v1/stats and /stats\n"
	    "\n"
	    "Token helpers (print, then exit):\n"
	    "  --new-token NAME     make a random token; prints the secret (line 1, give "
	    "it\n"
	    "                       to the holder) and its tokens-file line (line 2)\n"
	    "  --hash-token         read a secret on stdin, print its tokens-file hash\n"
	    "\n"
	    "Logs go to stderr. Stops on SIGTERM or SIGINT; exit status 0 after a clean\n"
	    "stop, 2 usage, 3 unusable snapshot or tokens file, 4 cannot listen.\n",
	    SRV_MAX_CONNECTIONS, SRV_MAX_PER_IP, SRV_V6_PREFIX, SRV_IDLE_TIMEOUT,
	    SRV_HEADER_DEADLINE, SRV_REQUEST_DEADLINE, SRV_MIN_SEND_RATE);
}

static bool parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	uint64_t v;
	if (cli_u64_why(s, &v) || v < min || v > max)
		return false;
	*out = (unsigned)v;
	return true;
}

static bool parse_pos(const char *s, double *out)
{
	/* strtod would skip blanks and take a sign or a hexadecimal number */
	if ((*s < '0' || *s > '9') && *s != '.')
		return false;
	if (strpbrk(s, "xX"))
		return false;
	char *end;
	double v = strtod(s, &end);
	if (!*s || *end || !(v >= 0) || v > 1e6)
		return false;
	*out = v;
	return true;
}

static int hash_token(void)
{
	char buf[SRV_MAX_TOKEN + 2];
	if (!fgets(buf, sizeof(buf), stdin)) {
		cli_error("serve", "--hash-token: no secret on stdin");
		return EXIT_USAGE;
	}
	size_t n = strcspn(buf, "\r\n");
	if (n < SRV_MIN_TOKEN || n > SRV_MAX_TOKEN) {
		cli_error("serve", "--hash-token: a secret is %d to %d characters",
			  SRV_MIN_TOKEN, SRV_MAX_TOKEN);
		return EXIT_USAGE;
	}
	uint8_t h[32];
	char hex[72];
	srv_token_hash(buf, n, h);
	srv_token_hash_hex(h, hex);
	printf("%s\n", hex);
	return EXIT_OK;
}

static int new_token(const char *name, const char *scope, const char *rate,
		     const char *burst, const char *bulk)
{
	if (!scope) {
		cli_error("serve", "--new-token needs --scope PREFIX[,PREFIX...]");
		return EXIT_USAGE;
	}
	char secret[44], hex[72], line[8192];
	uint8_t h[32];
	struct sd_error err = {0};
	if (srv_token_generate(secret, &err)) {
		cli_error("serve", "%s", err.msg);
		return EXIT_FAIL;
	}
	srv_token_hash(secret, strlen(secret), h);
	srv_token_hash_hex(h, hex);
	snprintf(line, sizeof(line), "%s name=%s scope=%s%s%s%s%s%s%s", hex, name, scope,
		 rate ? " rate=" : "", rate ? rate : "", burst ? " burst=" : "",
		 burst ? burst : "", bulk ? " bulk=" : "", bulk ? bulk : "");
	/* the same parser as the server's: a bad name or scope fails here */
	struct srv_tokens *t;
	if (srv_tokens_parse(line, strlen(line), "--new-token", &t, &err)) {
		cli_error("serve", "%s", err.msg);
		return EXIT_USAGE;
	}
	srv_ref_put(&t->ref);
	printf("%s\n%s\n", secret, line);
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	enum {
		O_DB = 256,
		O_LISTEN,
		O_POLICY,
		O_DETAIL,
		O_TOKENS,
		O_TRUST,
		O_RATE,
		O_BURST,
		O_THREADS,
		O_MAXCONN,
		O_PERIP,
		O_IDLE,
		O_DEADLINE,
		O_USER,
		O_WATCH,
		O_NEWTOKEN,
		O_HASHTOKEN,
		O_SCOPE,
		O_TRATE,
		O_TBURST,
		O_TBULK,
		O_HELP,
		O_ASNDB,
		O_V6PREFIX,
		O_HDEADLINE,
		O_SENDRATE,
	};
	static const struct option opts[] = {
	    {"db", required_argument, NULL, O_DB},
	    {"listen", required_argument, NULL, O_LISTEN},
	    {"policy", required_argument, NULL, O_POLICY},
	    {"anon-detail", required_argument, NULL, O_DETAIL},
	    {"tokens", required_argument, NULL, O_TOKENS},
	    {"trust-proxy", required_argument, NULL, O_TRUST},
	    {"rate", required_argument, NULL, O_RATE},
	    {"burst", required_argument, NULL, O_BURST},
	    {"threads", required_argument, NULL, O_THREADS},
	    {"max-connections", required_argument, NULL, O_MAXCONN},
	    {"per-ip", required_argument, NULL, O_PERIP},
	    {"idle-timeout", required_argument, NULL, O_IDLE},
	    {"request-deadline", required_argument, NULL, O_DEADLINE},
	    {"user", required_argument, NULL, O_USER},
	    {"watch-interval", required_argument, NULL, O_WATCH},
	    {"new-token", required_argument, NULL, O_NEWTOKEN},
	    {"hash-token", no_argument, NULL, O_HASHTOKEN},
	    {"scope", required_argument, NULL, O_SCOPE},
	    {"token-rate", required_argument, NULL, O_TRATE},
	    {"token-burst", required_argument, NULL, O_TBURST},
	    {"token-bulk", required_argument, NULL, O_TBULK},
	    {"help", no_argument, NULL, O_HELP},
	    {"asn-db", required_argument, NULL, O_ASNDB},
	    {"ipv6-prefix", required_argument, NULL, O_V6PREFIX},
	    {"header-deadline", required_argument, NULL, O_HDEADLINE},
	    {"min-send-rate", required_argument, NULL, O_SENDRATE},
	    {NULL, 0, NULL, 0},
	};
	static struct srv_config cfg;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	cfg = (struct srv_config){
	    .db_path = cli_default_db(),
	    .policy = {SRV_POLICY_SELF, REPORT_VERDICT},
	    .anon_rate = 5,
	    .anon_burst = 20,
	    .threads = cores > 0 && cores < 256 ? (unsigned)cores : 2,
	    .max_conns = SRV_MAX_CONNECTIONS,
	    .per_ip = SRV_MAX_PER_IP,
	    .idle_timeout = SRV_IDLE_TIMEOUT,
	    .deadline = SRV_REQUEST_DEADLINE,
	    .header_deadline = SRV_HEADER_DEADLINE,
	    .min_send_rate = SRV_MIN_SEND_RATE,
	    .v6_prefix = SRV_V6_PREFIX,
	    .watch_ms = 1000,
	    .user = "nobody",
	};
	const char *asn_db = NULL;
	const char *newtok = NULL, *scope = NULL, *trate = NULL, *tburst = NULL,
		   *tbulk = NULL;
	bool hashtok = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		const char *why = NULL;
		switch (c) {
		case O_DB:
			cfg.db_path = optarg;
			break;
		case O_LISTEN:
			if (cfg.nlisten >= SRV_MAX_LISTEN)
				why = "too many --listen addresses (limit "
				      "SRV_MAX_LISTEN, 16)";
			else if (srv_listen_parse(optarg, &cfg.listen[cfg.nlisten],
						  &why) == 0)
				cfg.listen_text[cfg.nlisten++] = optarg;
			break;
		case O_POLICY:
			if (srv_policy_parse(optarg, &cfg.policy.mode))
				why = "--policy is self or open";
			break;
		case O_DETAIL:
			if (srv_detail_parse(optarg, &cfg.policy.anon_detail))
				why = "--anon-detail is verdict or full";
			break;
		case O_TOKENS:
			cfg.tokens_path = optarg;
			break;
		case O_TRUST:
			if (cfg.ntrust >= SRV_MAX_TRUST)
				why = "too many --trust-proxy prefixes (limit "
				      "SRV_MAX_TRUST, 64)";
			else if (net_prefix_parse(optarg, strlen(optarg),
						  &cfg.trust[cfg.ntrust], 0, &why) == 0)
				cfg.ntrust++;
			break;
		case O_RATE:
			if (!parse_pos(optarg, &cfg.anon_rate))
				why = "--rate is a number of requests per second (0 "
				      "disables)";
			break;
		case O_BURST:
			if (!parse_pos(optarg, &cfg.anon_burst) || cfg.anon_burst < 1)
				why = "--burst is a number >= 1";
			break;
		case O_THREADS:
			if (!parse_uint(optarg, 1, 256, &cfg.threads))
				why = "--threads is 1 to 256";
			break;
		case O_MAXCONN:
			if (!parse_uint(optarg, 1, 1000000, &cfg.max_conns))
				why = "--max-connections is 1 to 1000000";
			break;
		case O_PERIP:
			if (!parse_uint(optarg, 1, 1000000, &cfg.per_ip))
				why = "--per-ip is 1 to 1000000";
			break;
		case O_IDLE:
			if (!parse_uint(optarg, 1, 3600, &cfg.idle_timeout))
				why = "--idle-timeout is 1 to 3600 seconds";
			break;
		case O_DEADLINE:
			if (!parse_uint(optarg, 1, 3600, &cfg.deadline))
				why = "--request-deadline is 1 to 3600 seconds";
			break;
		case O_V6PREFIX:
			if (!parse_uint(optarg, 1, 128, &cfg.v6_prefix))
				why = "--ipv6-prefix is 1 to 128";
			break;
		case O_HDEADLINE:
			if (!parse_uint(optarg, 1, 3600, &cfg.header_deadline))
				why = "--header-deadline is 1 to 3600 seconds";
			break;
		case O_SENDRATE:
			if (!parse_uint(optarg, 1, 1000000000, &cfg.min_send_rate))
				why =
				    "--min-send-rate is 1 to 1000000000 bytes per second";
			break;
		case O_USER:
			cfg.user = optarg;
			break;
		case O_ASNDB:
			asn_db = optarg;
			break;
		case O_WATCH:
			if (!parse_uint(optarg, 10, 3600000, &cfg.watch_ms))
				why = "--watch-interval is 10 to 3600000 milliseconds";
			break;
		case O_NEWTOKEN:
			newtok = optarg;
			break;
		case O_HASHTOKEN:
			hashtok = true;
			break;
		case O_SCOPE:
			scope = optarg;
			break;
		case O_TRATE:
			trate = optarg;
			break;
		case O_TBURST:
			tburst = optarg;
			break;
		case O_TBULK:
			tbulk = optarg;
			break;
		case 'h':
		case O_HELP:
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
		if (why) {
			cli_error("serve", "%s: %s", optarg, why);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("serve", "unexpected argument '%s' (try --help)", argv[optind]);
		return EXIT_USAGE;
	}
	if (hashtok)
		return hash_token();
	if (newtok)
		return new_token(newtok, scope, trate, tburst, tbulk);
	if (!cfg.nlisten) {
		const char *why;
		static const char *const def[] = {"127.0.0.1:8080", "[::1]:8080"};
		for (int i = 0; i < 2; i++) {
			srv_listen_parse(def[i], &cfg.listen[i], &why);
			cfg.listen_text[i] = def[i];
		}
		cfg.listen_optional[1] = true;
		cfg.nlisten = 2;
	}
	struct sd_error asn_err = {0};
	if (asn_db && srv_stats_as_open(asn_db, &asn_err)) {
		cli_error("serve", "%s", asn_err.msg);
		return EXIT_DATA;
	}
	int rc = srv_run(&cfg);
	srv_stats_as_close();
	if (rc == SD_EIO)
		return EXIT_FAIL;
	return cli_exit_for(rc);
}

const struct cli_command cli_cmd_serve = {
    .name = "serve",
    .summary = "serve the web checker and HTTP API",
    .run = run,
};
