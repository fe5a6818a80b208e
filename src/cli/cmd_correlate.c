/* sighted correlate: campaign indicators x network telemetry -> sightings. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "campaign/campaign.h"
#include "cli/cli.h"
#include "cli/files.h"
#include "cli/options.h"
#include "core/plural.h"
#include "core/timeutil.h"
#include "correlate/indset.h"
#include "correlate/inputs.h"
#include "correlate/output.h"
#include "correlate/roles.h"
#include "correlate/run.h"
#include "io/ident.h"

#define CMD "correlate"
#define MAX_INDICATOR_FILES 256
#define MAX_ROLE_FILES 4096

static void help(FILE *out)
{
	fprintf(
	    out,
	    "usage: sighted correlate --campaign NAME [options] -o OUT.sdb LOG...\n"
	    "\n"
	    "Matches network telemetry (Zeek, Suricata EVE, nfdump CSV, pcap/pcapng,\n"
	    "generic CSV, Squid, BIND, dnsmasq; gzip/zstd transparently) against a\n"
	    "campaign's indicators and writes the clients seen talking to its\n"
	    "infrastructure as a snapshot (check, merge, info and serve read it).\n"
	    "\n"
	    "  -c, --campaign NAME     campaign definition (window, metadata, indicator\n"
	    "                          files); with --indicators it may name no file\n"
	    "      --campaigns DIR     campaign definitions (default: the first of\n"
	    "                          $SIGHTED_CAMPAIGNS, /etc/sighted/campaigns,\n"
	    "                          the installed share/sighted/campaigns,\n"
	    "                          data/campaigns that has NAME.conf)\n"
	    "  -i, --indicators FILE   more indicator files (repeatable; "
	    "docs/indicators.md)\n"
	    "      --misp-all          MISP: also attributes with to_ids false, and\n"
	    "                          the addresses of domain|ip attributes\n"
	    "      --allow-broad       take indicator prefixes broader than /8 (IPv4)\n"
	    "                          or /16 (IPv6) (refused by default)\n"
	    "  -o, --output FILE       snapshot to write (atomically)\n"
	    "      --sightings FILE    also JSON Lines, one per client x indicator,\n"
	    "                          with evidence, example server and sources\n"
	    "                          ('-': standard output)\n"
	    "  -j, --jobs N            files read in parallel (default: cores)\n"
	    "  -f, --format FMT        force the telemetry format: zeek, zeek-json, "
	    "eve,\n"
	    "                          nfdump, pcap, csv, squid, bind, dnsmasq\n"
	    "      --columns MAP       generic CSV column map (docs/telemetry.md)\n"
	    "      --year Y            year for syslog-style times without one\n"
	    "                          (dnsmasq, BIND syslog; default: the file's\n"
	    "                          time, or the campaign window when that time\n"
	    "                          is outside it)\n"
	    "      --tz ZONE           time zone of times logged without one (nfdump\n"
	    "                          CSV, BIND, syslog, CSV; IANA name, default\n"
	    "                          UTC)\n"
	    "  -s, --source LABEL      source label of the sightings (default: each\n"
	    "                          input's file name)\n"
	    "      --proxy ADDR        ADDR is a proxy: all the lookups and connections\n"
	    "                          it makes are its clients' (repeatable;\n"
	    "                          proxies seen on the wire are learnt, and leave\n"
	    "                          out only what clients were seen asking them "
	    "for)\n"
	    "      --keep-proxies      write the exchanges proxies and resolvers\n"
	    "                          forwarded for their clients anyway\n"
	    "      --learn-proxies FILE  write the proxy/resolver roles learnt from the\n"
	    "                          inputs (the requests that explain them) and\n"
	    "                          given to FILE; without -o or --sightings only\n"
	    "                          the records that teach roles are matched\n"
	    "      --proxies FILE      roles to use, as --learn-proxies writes them\n"
	    "                          (repeatable; learning goes on as well)\n"
	    "      --range START:END   read only the lines that start in bytes\n"
	    "                          [START, END) of the one input (uncompressed,\n"
	    "                          line-oriented; END may be empty: to the end)\n"
	    "      --max-errors N      tolerate N malformed records, stop at the next\n"
	    "                          (0: at the first; -1 or unlimited: no limit,\n"
	    "                          the default)\n"
	    "      --build-time TIME   snapshot build time (default: SOURCE_DATE_EPOCH\n"
	    "                          or now)\n"
	    "  -q, --quiet             no per-record reports, only the summaries\n"
	    "  -h, --help              this text\n"
	    "\n"
	    "The client is the local side: the querier of an indicator name, the\n"
	    "originator of a flow/TLS/HTTP exchange with an indicator, the responder\n"
	    "of a flow from one. Records outside the campaign window are not matched.\n"
	    "Confidence: dns alone low; flow medium (high when answered); tls, http\n"
	    "high; inbound from an indicator medium (docs/correlate.md).\n"
	    "Exit status: 0 done, 2 usage (an output that is an input, -o -),\n"
	    "3 a file unreadable, truncated, with no well-formed record, or\n"
	    "--max-errors passed (what was found is still written; when no input\n"
	    "could be read at all nothing is), 4 write failure.\n");
}

struct ctx {
	bool quiet;
	struct cli_progress prog;
	double t0;
	size_t nfiles;
};

static void report(void *c, const char *where, const char *why)
{
	if (!((struct ctx *)c)->quiet)
		cli_report(where, NULL, why);
}

static void ind_report(void *c, const char *where, const char *kind, const char *why)
{
	const struct ctx *x = c;
	if (x->quiet || !strcmp(kind, "hash") || !strcmp(kind, "filtered"))
		return;
	cli_report(where, kind, why);
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(void *c, const struct corr_progress *p, size_t sightings)
{
	struct ctx *x = c;
	double dt = seconds() - x->t0;
	cli_progress_update(&x->prog,
			    "correlate: %.1f MB read, %llu records (%.0f/s), %llu/%zu "
			    "files, %zu sightings",
			    (double)p->bytes / 1e6, (unsigned long long)p->records,
			    dt > 0 ? (double)p->records / dt : 0.0,
			    (unsigned long long)p->files_done, x->nfiles, sightings);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* START:END, END empty meaning the end of the file. */
static bool parse_range(const char *arg, uint64_t *start, uint64_t *end)
{
	const char *colon = strchr(arg, ':');
	char first[32];
	if (!colon || (size_t)(colon - arg) >= sizeof(first) || colon == arg) {
		cli_error(CMD, "--range %s: expected START:END (bytes)", arg);
		return false;
	}
	memcpy(first, arg, (size_t)(colon - arg));
	first[colon - arg] = '\0';
	if (!cli_parse_u64(CMD, "--range", first, start))
		return false;
	*end = UINT64_MAX;
	if (colon[1] && !cli_parse_u64(CMD, "--range", colon + 1, end))
		return false;
	if (*end < *start) {
		cli_error(CMD, "--range %s: END is before START", arg);
		return false;
	}
	return true;
}

/* --proxy ADDR and --proxies FILE; 0 or an exit status. */
static int given_roles(struct corr_roles *roles, const char *const *addrs, size_t naddrs,
		       const char *const *files, size_t nfiles)
{
	for (size_t k = 0; k < naddrs; k++) {
		struct net_addr a;
		const char *why;
		if (net_addr_parse(addrs[k], strlen(addrs[k]), &a, &why)) {
			cli_error(CMD, "--proxy %s: %s", addrs[k], why);
			return EXIT_USAGE;
		}
		if (corr_roles_add(roles, &a, CORR_ROLE_PROXY)) {
			cli_error(CMD, "--proxy %s: too many roles", addrs[k]);
			return EXIT_FAIL;
		}
	}
	for (size_t k = 0; k < nfiles; k++) {
		struct sd_error err = {0};
		int rc = corr_roles_load(roles, files[k], &err);
		if (rc) {
			cli_error(CMD, "--proxies: %s", err.msg);
			return cli_exit_for(rc);
		}
	}
	return 0;
}

static unsigned long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) ? 0 : (unsigned long long)st.st_size;
}

static int run(int argc, char **argv)
{
	enum {
		O_CAMPAIGNS = 256,
		O_MISPALL,
		O_SIGHTINGS,
		O_COLUMNS,
		O_YEAR,
		O_PROXY,
		O_KEEPPROXY,
		O_MAXERR,
		O_BUILD,
		O_TZ,
		O_BROAD,
		O_LEARN,
		O_PROXIES,
		O_RANGE
	};
	static const struct option opts[] = {
	    {"campaign", required_argument, NULL, 'c'},
	    {"campaigns", required_argument, NULL, O_CAMPAIGNS},
	    {"indicators", required_argument, NULL, 'i'},
	    {"misp-all", no_argument, NULL, O_MISPALL},
	    {"output", required_argument, NULL, 'o'},
	    {"sightings", required_argument, NULL, O_SIGHTINGS},
	    {"jobs", required_argument, NULL, 'j'},
	    {"format", required_argument, NULL, 'f'},
	    {"columns", required_argument, NULL, O_COLUMNS},
	    {"year", required_argument, NULL, O_YEAR},
	    {"tz", required_argument, NULL, O_TZ},
	    {"allow-broad", no_argument, NULL, O_BROAD},
	    {"source", required_argument, NULL, 's'},
	    {"proxy", required_argument, NULL, O_PROXY},
	    {"keep-proxies", no_argument, NULL, O_KEEPPROXY},
	    {"max-errors", required_argument, NULL, O_MAXERR},
	    {"build-time", required_argument, NULL, O_BUILD},
	    {"learn-proxies", required_argument, NULL, O_LEARN},
	    {"proxies", required_argument, NULL, O_PROXIES},
	    {"range", required_argument, NULL, O_RANGE},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *campaign = NULL, *dir = campaign_default_dir();
	const char *output = NULL, *jsonl = NULL, *source = NULL;
	const char *indfiles[MAX_INDICATOR_FILES];
	size_t nind = 0;
	const char *proxies[MAX_ROLE_FILES];
	size_t nproxies = 0;
	const char *role_files[MAX_ROLE_FILES];
	size_t nrole_files = 0;
	const char *learn_out = NULL;
	bool ranged = false;
	uint64_t range_start = 0, range_end = UINT64_MAX;
	struct ctx cx = {0};
	struct ind_load_opts lo = {.report = ind_report, .report_ctx = &cx};
	struct corr_run_opts ro = {
	    .report = report, .report_ctx = &cx, .error_limit = CORR_NO_ERROR_LIMIT};
	bool keep_proxies = false;
	uint32_t build = 0;
	uint64_t u;
	int c;
	struct sd_error err = {0};
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:i:o:j:f:s:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			campaign = optarg;
			break;
		case O_CAMPAIGNS:
			dir = optarg;
			break;
		case 'i':
			if (nind == MAX_INDICATOR_FILES) {
				cli_error(CMD, "more than %d --indicators",
					  MAX_INDICATOR_FILES);
				return EXIT_USAGE;
			}
			indfiles[nind++] = optarg;
			break;
		case O_MISPALL:
			lo.misp_all = true;
			break;
		case O_BROAD:
			lo.allow_broad = true;
			break;
		case 'o':
			output = optarg;
			break;
		case O_SIGHTINGS:
			jsonl = optarg;
			break;
		case 'j':
			if (!cli_parse_u64(CMD, "--jobs", optarg, &u))
				return EXIT_USAGE;
			if (u < 1 || u > CORR_MAX_THREADS) {
				cli_error(CMD, "--jobs must be 1..%d", CORR_MAX_THREADS);
				return EXIT_USAGE;
			}
			ro.threads = (unsigned)u;
			break;
		case 'f': {
			int f = tel_format_parse(optarg);
			if (f < 0) {
				cli_error(CMD, "unknown format '%s'", optarg);
				return EXIT_USAGE;
			}
			ro.tel.format = (enum tel_format)f;
			break;
		}
		case O_COLUMNS:
			if (tel_columns_check(optarg, &err)) {
				cli_error(CMD, "%s", err.msg);
				return EXIT_USAGE;
			}
			ro.tel.column_map = optarg;
			break;
		case O_YEAR:
			if (!cli_parse_u64(CMD, "--year", optarg, &u))
				return EXIT_USAGE;
			if (u < 1970 || u > 2105) {
				cli_error(CMD, "--year must be 1970..2105");
				return EXIT_USAGE;
			}
			ro.tel.year = (int)u;
			break;
		case O_TZ: {
			const char *why;
			if (sd_tz_check(optarg, &why)) {
				cli_error(CMD, "--tz %s: %s", optarg, why);
				return EXIT_USAGE;
			}
			ro.tel.tz = optarg;
			break;
		}
		case 's':
			source = optarg;
			break;
		case O_LEARN:
			learn_out = optarg;
			break;
		case O_PROXIES:
			if (nrole_files == MAX_ROLE_FILES) {
				cli_error(CMD, "more than %d --proxies", MAX_ROLE_FILES);
				return EXIT_USAGE;
			}
			role_files[nrole_files++] = optarg;
			break;
		case O_RANGE:
			if (!parse_range(optarg, &range_start, &range_end))
				return EXIT_USAGE;
			ranged = true;
			break;
		case O_PROXY:
			if (nproxies == MAX_ROLE_FILES) {
				cli_error(CMD, "too many --proxy");
				return EXIT_USAGE;
			}
			proxies[nproxies++] = optarg;
			break;
		case O_KEEPPROXY:
			keep_proxies = true;
			break;
		case O_MAXERR:
			if (!cli_parse_max_errors(CMD, optarg, &ro.error_limit))
				return EXIT_USAGE;
			break;
		case O_BUILD:
			if (!cli_parse_time(CMD, "--build-time", optarg, &build))
				return EXIT_USAGE;
			break;
		case 'q':
			cx.quiet = true;
			break;
		case 'h':
			help(stdout);
			return EXIT_OK;
		default:
			help(stderr);
			return EXIT_USAGE;
		}
	}
	if (!campaign) {
		cli_error(CMD, "--campaign is required (try --help)");
		return EXIT_USAGE;
	}
	if (ro.tel.format == TEL_FMT_CSV && !ro.tel.column_map) {
		cli_error(CMD, "--format csv needs a column map (--columns "
			       "role=column,...; docs/telemetry.md)");
		return EXIT_USAGE;
	}
	if (!output && !jsonl && !learn_out) {
		cli_error(CMD, "nothing to write: give -o OUT.sdb, --sightings FILE "
			       "and/or --learn-proxies FILE");
		return EXIT_USAGE;
	}
	if (optind == argc) {
		cli_error(CMD, "no telemetry file given");
		return EXIT_USAGE;
	}
	if (ranged && argc - optind != 1) {
		cli_error(CMD, "--range reads part of one file: give exactly one input");
		return EXIT_USAGE;
	}
	if (ranged && !strcmp(argv[optind], "-")) {
		cli_error(CMD, "--range needs a regular file, not stdin");
		return EXIT_USAGE;
	}
	struct campaign_def def;
	bool have_def = true;
	if (campaign_find(dir, campaign, &def, &err)) {
		if (err.code != SD_ENOTFOUND || nind == 0) {
			cli_error(CMD, "%s", err.msg);
			return cli_exit_for(err.code);
		}
		/* an ad-hoc campaign: only a name, an open window */
		have_def = false;
		memset(&def, 0, sizeof(def));
		def.name = (char *)campaign;
	}
	/* every file read: the telemetry, --indicators, --proxies, the
	 * campaign's definition and its own indicator files */
	size_t nlogs = (size_t)(argc - optind);
	const char **ins =
	    calloc(nlogs + nind + nrole_files + def.nindicators + 2, sizeof(*ins));
	if (!ins) {
		if (have_def)
			campaign_free(&def);
		cli_error(CMD, "out of memory");
		return EXIT_FAIL;
	}
	size_t nins = 0;
	for (size_t k = 0; k < nlogs; k++)
		ins[nins++] = argv[optind + k];
	for (size_t k = 0; k < nind; k++)
		ins[nins++] = indfiles[k];
	for (size_t k = 0; k < nrole_files; k++)
		ins[nins++] = role_files[k];
	if (have_def && def.path)
		ins[nins++] = def.path;
	for (size_t k = 0; have_def && k < def.nindicators; k++)
		ins[nins++] = def.indicators[k];
	const struct cli_output outs[] = {
	    {"-o", output, CLI_SNAPSHOT_NOT_STDOUT, false},
	    {"--sightings", jsonl, NULL, false},
	    {"--learn-proxies", learn_out, NULL, false},
	};
	int fstatus = cli_check_files(CMD, outs, 3, ins, nins);
	free(ins);
	if (fstatus != EXIT_OK) {
		if (have_def)
			campaign_free(&def);
		return fstatus;
	}
	struct ind_set *set = NULL;
	int rc =
	    corr_indset_load(have_def ? &def : NULL, indfiles, nind, &lo, &set, &err);
	int status = EXIT_OK;
	struct corr_agg *agg = NULL;
	struct corr_roles *roles = NULL;
	struct io_ident *ids = NULL, *out_ids = NULL;
	uint32_t *id_source = NULL;
	size_t *dup = NULL, *orig = NULL;
	bool *have = NULL;
	const char **labels = NULL;
	struct corr_input *inputs = NULL;
	struct corr_file_result *res = NULL;
	if (rc) {
		cli_error(CMD, "%s", err.msg);
		status = cli_exit_for(rc);
		goto out;
	}
	char summary[1024];
	corr_indset_summary(set, summary, sizeof(summary));
	fprintf(stderr, "%s: %s\n", campaign, summary);
	if (ind_set_size(set) == 0)
		fprintf(stderr, "%s: no network indicators: nothing can be sighted\n",
			campaign);

	size_t nfiles = (size_t)(argc - optind);
	agg = corr_agg_new();
	roles = corr_roles_new();
	labels = calloc(nfiles, sizeof(*labels));
	inputs = calloc(nfiles, sizeof(*inputs));
	res = calloc(nfiles, sizeof(*res));
	ids = calloc(nfiles, sizeof(*ids));
	id_source = calloc(nfiles, sizeof(*id_source));
	if (!agg || !roles || !labels || !inputs || !res || !ids || !id_source) {
		cli_error(CMD, "out of memory");
		status = EXIT_FAIL;
		goto out;
	}
	if ((status = given_roles(roles, proxies, nproxies, role_files, nrole_files)))
		goto out;
	ro.learn = roles;
	ro.learn_only = !output && !jsonl;
	/* the same file or content twice would count every record twice */
	dup = calloc(nfiles, sizeof(*dup));
	have = calloc(nfiles, sizeof(*have));
	orig = calloc(nfiles, sizeof(*orig)); /* input -> argv index */
	out_ids = calloc(nfiles, sizeof(*out_ids));
	if (!dup || !have || !orig || !out_ids) {
		cli_error(CMD, "out of memory");
		status = EXIT_FAIL;
		goto out;
	}
	if ((rc = corr_inputs_dedupe((const char *const *)argv + optind, nfiles,
				     range_start, range_end, dup, ids, have, &err))) {
		cli_error(CMD, "%s", err.msg);
		status = cli_exit_for(rc);
		goto out;
	}
	size_t nlabels = 0, nin = 0;
	for (size_t k = 0; k < nfiles; k++) {
		const char *path = argv[optind + k];
		if (dup[k] != CORR_NOT_DUP) {
			fprintf(stderr, "%s: same %s as %s (%llu bytes): read once\n",
				path, have[k] ? "content" : "file", argv[optind + dup[k]],
				(unsigned long long)file_size(path));
			continue;
		}
		const char *l = source ? source : base_name(path);
		size_t id;
		for (id = 0; id < nlabels && strcmp(labels[id], l); id++)
			;
		if (id == nlabels)
			labels[nlabels++] = l;
		orig[nin] = k;
		inputs[nin++] = (struct corr_input){path, (uint32_t)id, ranged,
						    range_start, range_end};
	}
	nfiles = nin;
	struct corr_rules rules = {
	    .set = set,
	    .window_start = have_def ? def.window_start : 0,
	    .window_end = have_def ? def.window_end : 0,
	};
	cli_progress_init(&cx.prog);
	cx.t0 = seconds();
	cx.nfiles = nfiles;
	ro.progress = cx.prog.enabled ? progress : NULL;
	ro.progress_ctx = &cx;
	struct sd_error rerr = {0};
	rc = corr_run(&rules, agg, inputs, nfiles, &ro, res, &rerr);
	cli_progress_done(&cx.prog);
	size_t nread = 0;
	for (size_t k = 0; k < nfiles; k++) {
		struct corr_file_result *r = &res[k];
		/* every line malformed: most likely a wrong --format */
		if (!r->error && r->records == 0 && r->malformed > 0) {
			r->error = SD_EFORMAT;
			snprintf(r->message, sizeof(r->message),
				 "no well-formed record, %llu malformed (wrong "
				 "--format?)",
				 (unsigned long long)r->malformed);
		}
		if (r->records > 0) /* a truncated file still gave records */
			nread++;
		fprintf(stderr,
			"%s: %s, %llu records, %llu matched, %llu outside the window, "
			"%llu malformed, %llu skipped%s%s%s%s\n",
			inputs[k].path, r->format ? r->format : "-",
			(unsigned long long)r->records, (unsigned long long)r->matched,
			(unsigned long long)r->outside, (unsigned long long)r->malformed,
			(unsigned long long)r->skipped, r->assumed[0] ? "; " : "",
			r->assumed, r->error ? "; error: " : "",
			r->error ? r->message : "");
		if (r->error)
			status = EXIT_DATA;
	}
	if ((!rc || rc == SD_ELIMIT) && nread == 0 && !ranged && (output || jsonl)) {
		/* an empty snapshot would replace a good one with nothing */
		if (rc)
			cli_error(CMD, "%s", rerr.msg);
		cli_error(CMD,
			  "no input could be read (missing, unreadable, empty "
			  "or unrecognised): nothing written%s%s%s",
			  output ? ", " : "", output ? output : "",
			  output ? " left as it was" : "");
		status = EXIT_DATA;
		goto out;
	}
	/* identities: computed while reading, else up front, else now */
	size_t nids = 0;
	for (size_t k = 0; k < nfiles; k++) {
		struct io_ident ident;
		struct sd_error ierr = {0};
		size_t a = orig[k];
		if (have[a])
			ident = ids[a];
		else if (res[k].have_ident)
			ident = res[k].ident;
		else if (!strcmp(inputs[k].path, "-") ||
			 io_ident_file(inputs[k].path, range_start, range_end, &ident,
				       &ierr))
			continue; /* stdin, not a regular file, or gone: none */
		out_ids[nids] = ident;
		id_source[nids++] = inputs[k].source;
	}
	if (rc) {
		/* past --max-errors what was found is still written */
		cli_error(CMD, "%s", rerr.msg);
		status = rc == SD_ELIMIT ? EXIT_DATA : cli_exit_for(rc);
		if (rc != SD_ELIMIT)
			goto out;
	}
	struct db_campaign_meta meta = {
	    .name = campaign,
	    .title = have_def ? def.title : NULL,
	    .advisory = have_def ? def.advisory : NULL,
	    .remediation = have_def ? def.remediation : NULL,
	    .window_start = have_def ? def.window_start : 0,
	    .window_end = have_def ? def.window_end : 0,
	};
	struct corr_output co = {
	    .sdb_path = output,
	    .jsonl_path = jsonl,
	    .campaign = &meta,
	    .sources = labels,
	    .nsources = nlabels,
	    .build_time = cli_build_time(build),
	    .keep_proxies = keep_proxies,
	    .roles = roles,
	    .inputs = out_ids,
	    .input_source = id_source,
	    .ninputs = nids,
	};
	if (learn_out && (rc = corr_roles_write(roles, learn_out, &err))) {
		cli_error(CMD, "%s", err.msg);
		status = EXIT_FAIL;
		goto out;
	}
	if (learn_out)
		fprintf(stderr, "%s: %zu prox%s, %zu resolver%s written to %s\n",
			campaign, corr_roles_count(roles, CORR_ROLE_PROXY),
			sd_plural(corr_roles_count(roles, CORR_ROLE_PROXY), "y", "ies"),
			corr_roles_count(roles, CORR_ROLE_RESOLVER),
			sd_plural(corr_roles_count(roles, CORR_ROLE_RESOLVER), "", "s"),
			learn_out);
	if (!output && !jsonl)
		goto out;
	struct corr_output_stats os;
	if ((rc = corr_write(agg, set, &co, &os, &err))) {
		cli_error(CMD, "%s", err.msg);
		status = cli_exit_for_write(rc);
		goto out;
	}
	fprintf(stderr,
		"%s: %llu client%s sighted (%llu high, %llu medium, %llu low "
		"confidence), %llu client x indicator sighting%s\n",
		campaign, (unsigned long long)os.clients, sd_plural(os.clients, "", "s"),
		(unsigned long long)os.by_conf[DB_CONF_HIGH],
		(unsigned long long)os.by_conf[DB_CONF_MEDIUM],
		(unsigned long long)os.by_conf[DB_CONF_LOW],
		(unsigned long long)os.sightings, sd_plural(os.sightings, "", "s"));
	if (os.proxy_dropped)
		fprintf(stderr,
			"%s: %llu sighting%s of proxies left out: exchanges that %zu "
			"prox%s and %zu resolver%s forwarded for their clients "
			"(--keep-proxies to write them)\n",
			campaign, (unsigned long long)os.proxy_dropped,
			sd_plural(os.proxy_dropped, "", "s"),
			corr_roles_count(roles, CORR_ROLE_PROXY),
			sd_plural(corr_roles_count(roles, CORR_ROLE_PROXY), "y", "ies"),
			corr_roles_count(roles, CORR_ROLE_RESOLVER),
			sd_plural(corr_roles_count(roles, CORR_ROLE_RESOLVER), "", "s"));
out:
	corr_roles_free(roles);
	free(dup);
	free(have);
	free(orig);
	free(out_ids);
	free(ids);
	free(id_source);
	free(labels);
	free(inputs);
	free(res);
	corr_agg_free(agg);
	ind_set_free(set);
	if (have_def)
		campaign_free(&def);
	return status;
}

const struct cli_command cli_cmd_correlate = {
    .name = CMD,
    .summary = "match telemetry against a campaign's indicators",
    .run = run,
};
