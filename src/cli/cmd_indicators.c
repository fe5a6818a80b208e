/* sighted indicators: load, validate and list indicator files the way
 * correlate would use them, with a summary of what could not be used. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign/campaign.h"
#include "cli/cli.h"
#include "cli/files.h"
#include "cli/options.h"
#include "cli/terminal.h"
#include "core/timeutil.h"
#include "correlate/indset.h"

#define CMD "indicators"

static void help(FILE *out)
{
	fprintf(
	    out,
	    "usage: sighted indicators [options] [FILE...]\n"
	    "\n"
	    "Loads indicator files (and/or a campaign's bundled ones), checks every\n"
	    "value and lists the network indicators correlate would match, with a\n"
	    "summary of what is unusable (file hashes, unsupported types and\n"
	    "patterns, shared infrastructure, malformed values).\n"
	    "\n"
	    "  -c, --campaign NAME     also load campaign NAME's indicator files\n"
	    "      --campaigns DIR     campaign definitions (default: the first of\n"
	    "                          $SIGHTED_CAMPAIGNS, /etc/sighted/campaigns,\n"
	    "                          the installed share/sighted/campaigns,\n"
	    "                          data/campaigns that has NAME.conf)\n"
	    "  -f, --format FMT        plain, csv, stix, misp or auto (default: auto)\n"
	    "  -l, --label CAMPAIGN    campaign label for values whose file names none\n"
	    "  -s, --source LABEL      source label (default: the file name)\n"
	    "      --include LABEL     keep only rows labelled LABEL (repeatable)\n"
	    "      --misp-all          MISP: also attributes with to_ids false, and\n"
	    "                          the addresses of domain|ip attributes\n"
	    "      --json              one JSON document: indicators and counts\n"
	    "      --csv               CSV: "
	    "kind,value,campaign,source,shared,valid_from,valid_until\n"
	    "  -v, --verbose           report every unusable value, hashes included\n"
	    "  -q, --quiet             no per-value reports, only the summary\n"
	    "  -h, --help              this text\n"
	    "\n"
	    "Formats are described in docs/indicators.md. Malformed, unsupported and\n"
	    "shared-host values are reported on stderr as file:line: why.\n"
	    "Exit status: 0 loaded, 2 usage, 3 a file is unreadable or not in its "
	    "format, 4 write error.\n");
}

struct rep {
	bool quiet, verbose;
};

static void report(void *ctx, const char *where, const char *kind, const char *why)
{
	const struct rep *r = ctx;
	if (r->quiet)
		return;
	if (!r->verbose && (!strcmp(kind, "hash") || !strcmp(kind, "filtered")))
		return;
	cli_report(where, kind, why);
}

static void csv_field(FILE *out, const char *s)
{
	if (!s)
		s = "";
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void fmt_time(int64_t t, char *buf, size_t size)
{
	buf[0] = '\0';
	if (t)
		sd_time_format(t, buf, size);
}

static int run(int argc, char **argv)
{
	enum { O_CAMPAIGNS = 256, O_INCLUDE, O_MISPALL, O_JSON, O_CSV };
	static const struct option opts[] = {
	    {"campaign", required_argument, NULL, 'c'},
	    {"campaigns", required_argument, NULL, O_CAMPAIGNS},
	    {"format", required_argument, NULL, 'f'},
	    {"label", required_argument, NULL, 'l'},
	    {"source", required_argument, NULL, 's'},
	    {"include", required_argument, NULL, O_INCLUDE},
	    {"misp-all", no_argument, NULL, O_MISPALL},
	    {"json", no_argument, NULL, O_JSON},
	    {"csv", no_argument, NULL, O_CSV},
	    {"verbose", no_argument, NULL, 'v'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *campaign = NULL, *dir = campaign_default_dir();
	struct rep rep = {false, false};
	struct ind_load_opts lo = {.report = report, .report_ctx = &rep};
	bool json = false, csv = false;
	struct cli_mode m = {0, NULL};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:f:l:s:vqh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			campaign = optarg;
			break;
		case O_CAMPAIGNS:
			dir = optarg;
			break;
		case 'f': {
			int f = ind_format_parse(optarg);
			if (f < 0) {
				cli_error(
				    CMD,
				    "unknown format '%s' (plain, csv, stix, misp, auto)",
				    optarg);
				return EXIT_USAGE;
			}
			lo.format = (enum ind_format)f;
			break;
		}
		case 'l':
			lo.campaign = optarg;
			break;
		case 's':
			lo.source = optarg;
			break;
		case O_INCLUDE:
			if (lo.ninclude == IND_MAX_INCLUDE) {
				cli_error(CMD, "more than IND_MAX_INCLUDE (%d) --include",
					  IND_MAX_INCLUDE);
				return EXIT_USAGE;
			}
			lo.include[lo.ninclude++] = optarg;
			break;
		case O_MISPALL:
			lo.misp_all = true;
			break;
		case O_JSON:
		case O_CSV:
			if (!cli_set_mode(CMD, &m, c, c == O_JSON ? "--json" : "--csv"))
				return EXIT_USAGE;
			json = c == O_JSON;
			csv = c == O_CSV;
			break;
		case 'v':
			rep.verbose = true;
			break;
		case 'q':
			rep.quiet = true;
			break;
		case 'h':
			help(stdout);
			return EXIT_OK;
		default:
			help(stderr);
			return EXIT_USAGE;
		}
	}
	if (rep.quiet && rep.verbose) {
		cli_error(CMD, "--quiet and --verbose exclude each other");
		return EXIT_USAGE;
	}
	if (!campaign && optind == argc) {
		cli_error(CMD, "no indicator file and no --campaign (try --help)");
		return EXIT_USAGE;
	}
	int fs = cli_check_stdout(CMD, (const char *const *)argv + optind,
				  (size_t)(argc - optind));
	if (fs != EXIT_OK)
		return fs;
	struct campaign_def def;
	struct sd_error err = {0};
	bool have_def = false;
	if (campaign) {
		if (campaign_find(dir, campaign, &def, &err)) {
			cli_error(CMD, "%s", err.msg);
			return cli_exit_for(err.code);
		}
		have_def = true;
	}
	struct ind_set *set;
	int rc =
	    corr_indset_load(have_def ? &def : NULL, (const char *const *)argv + optind,
			     (size_t)(argc - optind), &lo, &set, &err);
	if (have_def)
		campaign_free(&def);
	if (rc) {
		cli_error(CMD, "%s", err.msg);
		return cli_exit_for(rc);
	}
	char summary[1024];
	corr_indset_summary(set, summary, sizeof(summary));
	const struct ind_stats *st = ind_set_stats_const(set);
	if (json) {
		json_t *arr = json_array(), *doc = json_object();
		for (size_t i = 0; i < ind_set_size(set); i++) {
			const struct ind_indicator *d = ind_set_at(set, i);
			json_t *o = json_object();
			char t[SD_TIME_STRLEN];
			json_object_set_new(o, "kind",
					    json_string(ind_kind_name(d->kind)));
			json_object_set_new(o, "value", json_string(d->value));
			if (d->kind == IND_URL) {
				json_object_set_new(o, "host", json_string(d->host));
				json_object_set_new(o, "path", json_string(d->path));
			}
			json_object_set_new(o, "campaign",
					    d->campaign ? json_string(d->campaign)
							: json_null());
			json_object_set_new(o, "source",
					    d->source ? json_string(d->source)
						      : json_null());
			json_object_set_new(o, "shared",
					    json_boolean(d->flags & IND_SHARED));
			fmt_time(d->valid_from, t, sizeof(t));
			json_object_set_new(o, "valid_from",
					    t[0] ? json_string(t) : json_null());
			fmt_time(d->valid_until, t, sizeof(t));
			json_object_set_new(o, "valid_until",
					    t[0] ? json_string(t) : json_null());
			json_array_append_new(arr, o);
		}
		json_t *cnt = json_pack(
		    "{sIsIsIsIsIsIsIsIsIsIsI}", "network", (json_int_t)ind_set_size(set),
		    "addresses", (json_int_t)ind_set_count(set, IND_ADDR), "prefixes",
		    (json_int_t)ind_set_count(set, IND_PREFIX), "domains",
		    (json_int_t)ind_set_count(set, IND_DOMAIN), "urls",
		    (json_int_t)ind_set_count(set, IND_URL), "hashes",
		    (json_int_t)st->hashes, "unsupported", (json_int_t)st->unsupported,
		    "shared", (json_int_t)st->shared, "malformed",
		    (json_int_t)st->malformed, "duplicates", (json_int_t)st->duplicates,
		    "filtered", (json_int_t)st->filtered);
		json_object_set_new(doc, "indicators", arr);
		json_object_set_new(doc, "counts", cnt);
		json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(doc);
	} else {
		if (csv)
			puts("kind,value,campaign,source,shared,valid_from,valid_until");
		for (size_t i = 0; i < ind_set_size(set); i++) {
			const struct ind_indicator *d = ind_set_at(set, i);
			char f[SD_TIME_STRLEN], u[SD_TIME_STRLEN];
			fmt_time(d->valid_from, f, sizeof(f));
			fmt_time(d->valid_until, u, sizeof(u));
			if (csv) {
				printf("%s,", ind_kind_name(d->kind));
				csv_field(stdout, d->value);
				fputc(',', stdout);
				csv_field(stdout, d->campaign);
				fputc(',', stdout);
				csv_field(stdout, d->source);
				printf(",%s,%s,%s\n",
				       d->flags & IND_SHARED ? "yes" : "no", f, u);
			} else {
				/* values and labels come from the files: escaped */
				printf("%-7s ", ind_kind_name(d->kind));
				cli_write_escaped(stdout, d->value, strlen(d->value));
				printf("%s  [", d->flags & IND_SHARED
						    ? " (shared host: path only)"
						    : "");
				const char *cn = d->campaign ? d->campaign : "-";
				cli_write_escaped(stdout, cn, strlen(cn));
				printf("]%s%s%s%s\n", f[0] ? " from " : "", f,
				       u[0] ? " until " : "", u);
			}
		}
	}
	fprintf(stderr, "%s\n", summary);
	ind_set_free(set);
	return cli_finish_stdout(CMD);
}

const struct cli_command cli_cmd_indicators = {
    .name = CMD,
    .summary = "load, validate and list indicator files",
    .run = run,
};
