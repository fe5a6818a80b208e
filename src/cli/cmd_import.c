/* sighted import: published lists of impacted addresses -> snapshot. */
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign/campaign.h"
#include "cli/cli.h"
#include "cli/files.h"
#include "cli/options.h"
#include "core/evidence.h"
#include "lists/import.h"
#include "lists/list_reader.h"

#define CMD "import"

static void help(FILE *out)
{
	fprintf(
	    out,
	    "usage: sighted import [options] -o OUT.sdb LIST...\n"
	    "\n"
	    "Builds a snapshot from lists of impacted addresses as others publish\n"
	    "them. LIST is a file ('-' for stdin), gzip or zstd compressed or not.\n"
	    "\n"
	    "  -o, --output FILE       snapshot to write (atomically)\n"
	    "  -f, --format FMT        plain, csv, jsonl or auto (default: auto)\n"
	    "  -c, --campaign NAME     campaign of lines that do not name one\n"
	    "  -s, --source LABEL      source of lines that do not name one\n"
	    "                          (default: the list's file name)\n"
	    "      --campaigns DIR     campaign definitions (default: the first of\n"
	    "                          $SIGHTED_CAMPAIGNS, /etc/sighted/campaigns,\n"
	    "                          the installed share/sighted/campaigns,\n"
	    "                          data/campaigns that has NAME.conf)\n"
	    "      --first-seen TIME   first seen for lines without one\n"
	    "      --last-seen TIME    last seen for lines without one\n"
	    "      --confidence LVL    low, medium or high for lines without one\n"
	    "      --allow-hostbits    mask prefixes like 192.0.2.1/24 instead of\n"
	    "                          rejecting them\n"
	    "      --allow-broad       take prefixes broader than /8 (IPv4) or /16\n"
	    "                          (IPv6), 0.0.0.0/0 included (refused by default)\n"
	    "      --strict            stop at the first bad line\n"
	    "      --max-errors N      tolerate N bad lines, stop at the next (0: at\n"
	    "                          the first; -1 or unlimited: no limit, the\n"
	    "                          default)\n"
	    "      --build-time TIME   snapshot build time (default: SOURCE_DATE_EPOCH\n"
	    "                          or now)\n"
	    "  -q, --quiet             no per-line reports, only the summary\n"
	    "  -h, --help              this text\n"
	    "\n"
	    "Formats: plain (one address or prefix per line, '#' comments, defanged\n"
	    "forms like 203.0.113[.]7), CSV with a header row (an address column and\n"
	    "optional first_seen, last_seen, count, campaign, source, confidence,\n"
	    "evidence), JSON Lines (objects with the same member names).\n"
	    "Lines dated outside their campaign's window are rejected.\n"
	    "Exit status: 0 written, 2 usage, 3 bad input, 4 write failure.\n");
}

/* The callbacks of the pipeline: its reports go to stderr. */
struct import_ui {
	struct cli_progress prog;
	const char *path; /* the list being read */
};

static void on_bad_line(void *ctx, const char *msg)
{
	(void)ctx;
	cli_message(msg);
}

static void on_warning(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "sighted import: warning: %s\n", msg);
}

static void on_progress(void *ctx, uint64_t accepted)
{
	struct import_ui *ui = ctx;
	cli_progress_update(&ui->prog, "%s: %llu lines accepted", ui->path,
			    (unsigned long long)accepted);
}

/* Why a list gave no entry at all (a bad input, exit 3). */
static void no_entry(const char *path, const struct list_import_stats *fs)
{
	if (fs->no_campaign)
		cli_error(CMD,
			  "%s: no line names a campaign: give --campaign "
			  "NAME (or a campaign column)",
			  path);
	else if (fs->rejected)
		cli_error(CMD, "%s: no usable line (wrong --format?)", path);
	else
		cli_error(CMD,
			  "%s: no entry (empty, or only blank lines and "
			  "comments)",
			  path);
}

static int run(int argc, char **argv)
{
	enum {
		O_CAMPAIGNS = 256,
		O_FIRST,
		O_LAST,
		O_CONF,
		O_HOSTBITS,
		O_STRICT,
		O_MAXERR,
		O_BUILD,
		O_BROAD
	};
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"format", required_argument, NULL, 'f'},
	    {"campaign", required_argument, NULL, 'c'},
	    {"source", required_argument, NULL, 's'},
	    {"campaigns", required_argument, NULL, O_CAMPAIGNS},
	    {"first-seen", required_argument, NULL, O_FIRST},
	    {"last-seen", required_argument, NULL, O_LAST},
	    {"confidence", required_argument, NULL, O_CONF},
	    {"allow-hostbits", no_argument, NULL, O_HOSTBITS},
	    {"allow-broad", no_argument, NULL, O_BROAD},
	    {"strict", no_argument, NULL, O_STRICT},
	    {"max-errors", required_argument, NULL, O_MAXERR},
	    {"build-time", required_argument, NULL, O_BUILD},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *output = NULL, *source = NULL;
	int fmt = LIST_AUTO;
	uint32_t build = 0;
	unsigned flags = 0;
	struct import_ui ui = {.path = NULL};
	struct list_import_opts o = {
	    .campaign_dir = campaign_default_dir(),
	    .max_errors = UINT64_MAX,
	    .bad_line = on_bad_line,
	    .warning = on_warning,
	    .progress = on_progress,
	    .ctx = &ui,
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:f:c:s:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'f':
			if ((fmt = list_format_parse(optarg)) < 0) {
				cli_error(CMD,
					  "unknown format '%s' (plain, csv, jsonl, auto)",
					  optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c':
			o.campaign = optarg;
			break;
		case 's':
			source = optarg;
			break;
		case O_CAMPAIGNS:
			o.campaign_dir = optarg;
			break;
		case O_FIRST:
			if (!cli_parse_time(CMD, "--first-seen", optarg, &o.first_seen))
				return EXIT_USAGE;
			break;
		case O_LAST:
			if (!cli_parse_time(CMD, "--last-seen", optarg, &o.last_seen))
				return EXIT_USAGE;
			break;
		case O_CONF:
			if (db_confidence_parse(optarg, strlen(optarg), &o.confidence)) {
				cli_error(CMD,
					  "--confidence '%s': use low, medium or high",
					  optarg);
				return EXIT_USAGE;
			}
			break;
		case O_HOSTBITS:
			flags |= LIST_ALLOW_HOSTBITS;
			break;
		case O_BROAD:
			flags |= LIST_ALLOW_BROAD;
			break;
		case O_STRICT:
			o.strict = true;
			break;
		case O_MAXERR:
			if (!cli_parse_max_errors(CMD, optarg, &o.max_errors))
				return EXIT_USAGE;
			break;
		case O_BUILD:
			if (!cli_parse_time(CMD, "--build-time", optarg, &build))
				return EXIT_USAGE;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'h':
			help(stdout);
			return EXIT_OK;
		default:
			help(stderr);
			return EXIT_USAGE;
		}
	}
	if (!output || optind >= argc) {
		cli_error(CMD, "%s",
			  !output ? "no output file (-o OUT.sdb)" : "no list to import");
		help(stderr);
		return EXIT_USAGE;
	}

	/* the lists, and -c's definition (read before the snapshot is written) */
	size_t nlists = (size_t)(argc - optind);
	const char **ins = calloc(nlists + 1, sizeof(*ins));
	if (!ins) {
		cli_error(CMD, "out of memory");
		return EXIT_FAIL;
	}
	memcpy(ins, argv + optind, nlists * sizeof(*ins));
	struct campaign_def def;
	struct sd_error derr = {0};
	bool have_def =
	    o.campaign && campaign_find(o.campaign_dir, o.campaign, &def, &derr) == 0;
	if (have_def && def.path)
		ins[nlists] = def.path;
	const struct cli_output out = {"-o", output, CLI_SNAPSHOT_NOT_STDOUT, false};
	int status = cli_check_files(CMD, &out, 1, ins, nlists + (ins[nlists] != NULL));
	if (have_def)
		campaign_free(&def);
	free(ins);
	if (status != EXIT_OK)
		return status;
	struct sd_error err = {0};
	struct list_import_stats total = {0};
	struct list_import *im;
	cli_progress_init(&ui.prog);
	if (list_import_new(&o, &im, &err)) {
		cli_error(CMD, "%s", err.msg);
		return cli_exit_for(err.code);
	}
	for (int fi = optind; fi < argc && status == EXIT_OK; fi++) {
		const char *path = argv[fi];
		struct io_source *src;
		struct list_reader *lr;
		if (io_open(path, &src, &err) ||
		    list_open(src, (enum list_format)fmt, flags, &lr, &err)) {
			cli_error(CMD, "%s", err.msg);
			status = cli_exit_for(err.code);
			break;
		}
		char *pathcopy = strdup(path);
		const char *default_source =
		    source ? source : (pathcopy ? basename(pathcopy) : path);
		struct list_import_stats fs;
		ui.path = path;
		if (list_import_file(im, lr, default_source, &fs, &err)) {
			cli_error(CMD, "%s", err.msg);
			status = cli_exit_for(err.code);
		}
		cli_progress_done(&ui.prog);
		fprintf(stderr, "%s: %s, %llu accepted, %llu rejected, %llu duplicate\n",
			io_name(list_source(lr)), list_format_name(list_format_of(lr)),
			(unsigned long long)fs.accepted, (unsigned long long)fs.rejected,
			(unsigned long long)fs.duplicate);
		if (status == EXIT_OK && fs.accepted == 0 && fs.duplicate == 0) {
			no_entry(path, &fs);
			status = EXIT_DATA;
		}
		/* provenance: what this snapshot was read from */
		if (status == EXIT_OK &&
		    list_import_provenance(im, path, default_source, &err)) {
			cli_error(CMD, "%s", err.msg);
			status = cli_exit_for(err.code);
		}
		total.accepted += fs.accepted;
		total.rejected += fs.rejected;
		total.duplicate += fs.duplicate;
		list_close(lr);
		free(pathcopy);
	}
	if (status == EXIT_OK) {
		if (list_import_write(im, output, cli_build_time(build), &err)) {
			cli_error(CMD, "%s", err.msg);
			status = cli_exit_for_write(err.code);
		} else if (argc - optind > 1) {
			fprintf(stderr,
				"total: %llu accepted, %llu rejected, %llu duplicate\n",
				(unsigned long long)total.accepted,
				(unsigned long long)total.rejected,
				(unsigned long long)total.duplicate);
		}
	}
	list_import_free(im);
	return status;
}

const struct cli_command cli_cmd_import = {
    "import", "build a snapshot from published lists of impacted addresses", run};
