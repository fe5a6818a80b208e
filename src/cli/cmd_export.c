/* sighted export: a snapshot (or indicator files) in the formats defenders'
 * tools read. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "campaign/campaign.h"
#include "cli/cli.h"
#include "cli/files.h"
#include "cli/options.h"
#include "correlate/indset.h"
#include "db/db.h"
#include "export/export.h"
#include "export/export_ind.h"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: sighted export --format FORMAT [--campaign C] [--min-confidence L]\n"
	    "                      [--reporter NAME] SNAPSHOT -o FILE\n"
	    "       sighted export --format FORMAT [--campaign C] [--name NAME]\n"
	    "                      --indicators [FILE...] -o OUT\n"
	    "\n"
	    "Writes the entries of SNAPSHOT, or the network indicators of indicator\n"
	    "files (plain, CSV, STIX 2.1, MISP), in a format another tool reads; every\n"
	    "file is written to a temporary name and renamed into place when complete.\n"
	    "\n"
	    "snapshot formats:\n");
	for (const struct export_format *f = export_formats; f->name; f++)
		fprintf(out, "  %-9s %s\n", f->name, f->summary);
	fprintf(out, "indicator formats (with --indicators):\n");
	for (const struct export_ind_format *f = export_ind_formats; f->name; f++)
		fprintf(out, "  %-9s %s\n", f->name, f->summary);
	fprintf(
	    out,
	    "\n"
	    "options:\n"
	    "  -f, --format FORMAT      output format (required)\n"
	    "  -o, --output FILE        where to write (required); '-' is standard\n"
	    "                           output, except for mmdb and suricata\n"
	    "  -c, --campaign C         snapshot: only sightings of campaign C;\n"
	    "                           indicators: campaign C's indicator files (from\n"
	    "                           its definition) besides any FILE given\n"
	    "  -m, --min-confidence L   only sightings at least this sure (low, medium, "
	    "high)\n"
	    "      --reporter NAME      STIX: name of the reporting identity (default "
	    "sighted)\n"
	    "      --indicators         the arguments are indicator files, not a "
	    "snapshot\n"
	    "      --name NAME          nftables table, ipset and iprep name (default "
	    "sighted):\n"
	    "                           a letter, then letters, digits and '_', at "
	    "most 28\n"
	    "  -q, --quiet              no per-value reports on unusable indicators\n"
	    "      --allow-broad        write prefixes broader than /8 (IPv4) or /16\n"
	    "                           (IPv6), 0.0.0.0/0 included; left out with a\n"
	    "                           reason by default\n"
	    "      --campaigns DIR      campaign definitions (default: the search path\n"
	    "                           in 'sighted import --help'): for --indicators "
	    "--campaign,\n"
	    "                           and for STIX, whose sightings name indicators\n"
	    "  -h, --help               this text\n"
	    "Formats are described in docs/export-FORMAT.md.\n"
	    "Exit status: 0 written, 2 usage, 3 bad snapshot or indicator file,\n"
	    "4 write failure.\n");
}

static void report(void *ctx, const char *where, const char *kind, const char *why)
{
	if (*(const bool *)ctx || !strcmp(kind, "hash") || !strcmp(kind, "filtered"))
		return;
	cli_report(where, kind, why);
}

static void summary(const char *out, const struct export_stats *st, const char *what)
{
	fprintf(stderr,
		"sighted export: %s: %llu %s written (%llu left out by the filter, "
		"%llu the format cannot hold), %llu bytes\n",
		strcmp(out, "-") ? out : "standard output",
		(unsigned long long)st->entries, what, (unsigned long long)st->filtered,
		(unsigned long long)st->skipped, (unsigned long long)st->bytes);
}

static void progress(void *ctx, const char *what, uint64_t done, uint64_t total)
{
	cli_progress_update(ctx, "export %s: %llu of %llu entries (%.0f%%)", what,
			    (unsigned long long)done, (unsigned long long)total,
			    total ? 100.0 * (double)done / (double)total : 100.0);
}

/* STIX: each campaign's indicators from its definition, so sightings can
 * name an indicator; a campaign without one is named itself. */
static const struct ind_set **stix_sets(const struct db *db, const char *dir)
{
	uint32_t n = db_campaign_count(db);
	const struct ind_set **sets = calloc(n + 1, sizeof(*sets));
	bool quiet = true;
	struct ind_load_opts lo = {.report = report, .report_ctx = &quiet};
	for (uint32_t i = 0; sets && i < n; i++) {
		struct db_campaign dc;
		struct campaign_def def;
		struct sd_error err = {0};
		struct ind_set *set = NULL;
		db_campaign_get(db, i, &dc);
		if (campaign_find(dir, dc.name, &def, &err)) {
			fprintf(stderr,
				"sighted export: %s: no campaign definition (%s); "
				"its sightings name the campaign\n",
				dc.name, err.msg);
			continue;
		}
		if (def.nindicators && corr_indset_load(&def, NULL, 0, &lo, &set, &err))
			fprintf(stderr, "sighted export: %s: indicators not loaded: %s\n",
				dc.name, err.msg);
		sets[i] = set;
		campaign_free(&def);
	}
	return sets;
}

static void stix_sets_free(const struct ind_set **sets, uint32_t n)
{
	for (uint32_t i = 0; sets && i < n; i++)
		ind_set_free((struct ind_set *)sets[i]);
	free(sets);
}

struct broad_report {
	const char *snapshot;
	bool quiet;
};

static void report_broad(void *ctx, const struct db_entry *e)
{
	const struct broad_report *b = ctx;
	if (b->quiet)
		return;
	char p[NET_PREFIX_STRLEN];
	net_prefix_format(&e->prefix, p, sizeof(p));
	fprintf(stderr, "%s: %s: broad: %s; left out\n", b->snapshot, p, NET_BROAD_WHY);
}

/* Checks the output of --indicators: a file, or for suricata a directory
 * whose files must not be inputs either. */
static int check_indicators_output(const char *format, const char *out,
				   const char *const *inputs, size_t nin)
{
	bool dir = !strcmp(format, "suricata");
	const struct cli_output o = {
	    "-o", out, dir ? "suricata writes a directory of files: give one" : NULL,
	    dir};
	return dir ? cli_check_dir_files("export", &o, export_ind_suricata_files, inputs,
					 nin)
		   : cli_check_files("export", &o, 1, inputs, nin);
}

static int run_indicators(const char *format, const char *out, const char *campaign,
			  const char *dir, const char *name, bool quiet, bool allow_broad,
			  char **files, size_t nfiles)
{
	const struct export_ind_format *fmt = export_ind_format_find(format);
	if (!fmt) {
		cli_error("export", "'%s' is not an indicator format (see --help)",
			  format);
		return EXIT_USAGE;
	}
	struct ind_load_opts lo = {
	    .report = report, .report_ctx = &quiet, .allow_broad = allow_broad};
	struct ind_set *set = NULL;
	struct sd_error err = {0};
	struct campaign_def def;
	if (campaign && campaign_find(dir, campaign, &def, &err)) {
		cli_error("export", "%s", err.msg);
		return cli_exit_for(err.code);
	}
	if (campaign) { /* the campaign's definition and own files are inputs too */
		const char *ins[CAMPAIGN_MAX_FILES + 1];
		size_t nins = 0;
		ins[nins++] = def.path;
		for (size_t k = 0; k < def.nindicators; k++)
			ins[nins++] = def.indicators[k];
		int fs = check_indicators_output(format, out, ins, nins);
		if (fs != EXIT_OK) {
			campaign_free(&def);
			return fs;
		}
	}
	/* the same set `sighted correlate --campaign` matches with */
	int rc = corr_indset_load(campaign ? &def : NULL, (const char *const *)files,
				  nfiles, &lo, &set, &err);
	if (campaign)
		campaign_free(&def);
	if (rc) {
		cli_error("export", "%s", err.msg);
		return cli_exit_for(rc);
	}
	struct export_ind_opts io = {.name = name};
	struct export_stats st = {0};
	rc = fmt->write(set, &io, out, &st, &err);
	ind_set_free(set);
	if (rc) {
		cli_error("export", "%s", err.msg);
		return cli_exit_for_write(rc);
	}
	summary(out, &st, "indicators");
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"output", required_argument, NULL, 'o'},
	    {"campaign", required_argument, NULL, 'c'},
	    {"min-confidence", required_argument, NULL, 'm'},
	    {"reporter", required_argument, NULL, 'r'},
	    {"indicators", no_argument, NULL, 'i'},
	    {"name", required_argument, NULL, 'n'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"campaigns", required_argument, NULL, 'C'},
	    {"allow-broad", no_argument, NULL, 256},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *format = NULL, *out = NULL, *campaign = NULL, *minconf = NULL;
	const char *name = NULL, *campaigns = campaign_default_dir();
	bool indicators = false, quiet = false;
	struct export_opts eo = {0};
	int fstatus;
	export_filter_init(&eo.filter);
	int c;
	optind = 1;
	/* no -i: in correlate -i takes a file (docs/sighted.1, "Short options") */
	while ((c = getopt_long(argc, argv, "f:o:c:m:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'c':
			campaign = optarg;
			break;
		case 'm':
			minconf = optarg;
			break;
		case 'r':
			eo.reporter = optarg;
			break;
		case 'i':
			indicators = true;
			break;
		case 'n':
			name = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'C':
			campaigns = optarg;
			break;
		case 256:
			eo.filter.allow_broad = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!format || !out || (optind == argc && !(indicators && campaign)) ||
	    (!indicators && optind != argc - 1)) {
		cli_error("export", "%s",
			  !format      ? "--format is required"
			  : !out       ? "-o FILE is required"
			  : indicators ? "give indicator files or --campaign"
				       : "give exactly one SNAPSHOT");
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *why = name ? export_ind_name_check(name) : NULL;
	if (why) { /* written into files nft, ipset and Suricata load as root */
		cli_error("export",
			  "--name '%s': %s (a letter, then up to %d letters, digits "
			  "or '_')",
			  name, why, EXPORT_IND_NAME_MAX - 1);
		return EXIT_USAGE;
	}
	if (indicators) {
		if ((fstatus = check_indicators_output(
			 format, out, (const char *const *)argv + optind,
			 (size_t)(argc - optind))) != EXIT_OK)
			return fstatus;
		if (minconf) {
			cli_error(
			    "export",
			    "--min-confidence applies to snapshots, not indicators");
			return EXIT_USAGE;
		}
		return run_indicators(format, out, campaign, campaigns, name, quiet,
				      eo.filter.allow_broad, argv + optind,
				      (size_t)(argc - optind));
	}
	const struct export_format *fmt = export_format_find(format);
	if (!fmt && export_ind_format_find(format)) {
		cli_error("export",
			  "format '%s' writes indicators: add --indicators FILE...",
			  format);
		return EXIT_USAGE;
	}
	if (!fmt) {
		cli_error("export", "unknown format '%s' (see --help)", format);
		return EXIT_USAGE;
	}
	if (minconf &&
	    db_confidence_parse(minconf, strlen(minconf), &eo.filter.min_confidence)) {
		cli_error("export", "--min-confidence: '%s' is not low, medium or high",
			  minconf);
		return EXIT_USAGE;
	}
	/* renaming over the snapshot being read would replace it */
	const struct cli_output o = {
	    "-o", out,
	    fmt->write == export_mmdb ? "MMDB is written by offset: give a file" : NULL,
	    false};
	if ((fstatus = cli_check_files("export", &o, 1,
				       (const char *const *)argv + optind, 1)) != EXIT_OK)
		return fstatus;
	struct sd_error err = {0};
	struct db *db = NULL;
	int rc = db_open(argv[optind], &db, &err);
	if (rc) {
		cli_error("export", "%s", err.msg);
		return cli_exit_for(rc);
	}
	if (campaign) {
		eo.filter.campaign = db_campaign_find(db, campaign);
		if (eo.filter.campaign < 0) {
			cli_error("export", "campaign '%s' is not in %s", campaign,
				  argv[optind]);
			db_close(db);
			return EXIT_USAGE;
		}
	}
	eo.build_time = db_build_time(db);
	struct cli_progress prog;
	cli_progress_init(&prog);
	eo.progress = progress;
	eo.progress_ctx = &prog;
	const struct ind_set **sets = NULL;
	if (fmt->write == export_stix) {
		sets = stix_sets(db, campaigns);
		eo.campaign_indicators = sets;
	}
	struct broad_report br = {argv[optind], quiet};
	export_broad_entries(db, &eo.filter, report_broad, &br);
	struct export_stats st = {0};
	rc = fmt->write(db, &eo, out, &st, &err);
	cli_progress_done(&prog);
	stix_sets_free(sets, db_campaign_count(db));
	db_close(db);
	if (rc) {
		cli_error("export", "%s", err.msg);
		return cli_exit_for_write(rc);
	}
	summary(out, &st, "entries");
	return EXIT_OK;
}

const struct cli_command cli_cmd_export = {
    "export",
    "write a snapshot (MMDB, rbldnsd, CSV, JSON Lines, STIX) or indicators (Zeek, "
    "Suricata, nftables, ipset, dnset)",
    run,
};
