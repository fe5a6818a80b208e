/* sighted export: a snapshot (or indicator files) in the formats defenders'
 * tools read. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "db/db.h"
#include "export/export.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: sighted export --format FORMAT [--campaign C] [--min-confidence L]\n"
		"                      [--reporter NAME] SNAPSHOT -o FILE\n"
		"\n"
		"Writes the entries of SNAPSHOT in a format another tool reads; the file is\n"
		"written to a temporary name and renamed into place when complete.\n"
		"\n"
		"formats:\n");
	for (const struct export_format *f = export_formats; f->name; f++)
		fprintf(out, "  %-9s %s\n", f->name, f->summary);
	fprintf(out,
		"\n"
		"options:\n"
		"  -f, --format FORMAT      output format (required)\n"
		"  -o, --output FILE        where to write (required)\n"
		"  -c, --campaign C         only sightings of campaign C\n"
		"  -m, --min-confidence L   only sightings at least this sure (low, medium, high)\n"
		"      --reporter NAME      STIX: name of the reporting identity (default sighted)\n"
		"  -h, --help               this text\n"
		"Formats are described in docs/export-FORMAT.md.\n"
		"Exit status: 0 written, 2 usage, 3 bad snapshot, 4 write failure.\n");
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"campaign", required_argument, NULL, 'c'},
		{"min-confidence", required_argument, NULL, 'm'},
		{"reporter", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *format = NULL, *out = NULL, *campaign = NULL, *minconf = NULL;
	struct export_opts eo = {0};
	export_filter_init(&eo.filter);
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:c:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'o': out = optarg; break;
		case 'c': campaign = optarg; break;
		case 'm': minconf = optarg; break;
		case 'r': eo.reporter = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (!format || !out || optind != argc - 1) {
		cli_error("export", "%s", !format ? "--format is required"
					  : !out ? "-o FILE is required"
						 : "give exactly one SNAPSHOT");
		usage(stderr);
		return EXIT_USAGE;
	}
	const struct export_format *fmt = export_format_find(format);
	if (!fmt) {
		cli_error("export", "unknown format '%s' (see --help)", format);
		return EXIT_USAGE;
	}
	if (minconf && db_confidence_parse(minconf, strlen(minconf),
					   &eo.filter.min_confidence)) {
		cli_error("export", "--min-confidence: '%s' is not low, medium or high",
			  minconf);
		return EXIT_USAGE;
	}
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
	struct export_stats st = {0};
	rc = fmt->write(db, &eo, out, &st, &err);
	db_close(db);
	if (rc) {
		cli_error("export", "%s", err.msg);
		return rc == SD_ENOMEM || rc == SD_EIO || (rc < 0 && rc > -1000)
			       ? EXIT_FAIL : cli_exit_for(rc);
	}
	fprintf(stderr,
		"sighted export: %s: %llu entries written (%llu left out by the filter, "
		"%llu the format cannot hold), %llu bytes\n",
		out, (unsigned long long)st.entries, (unsigned long long)st.filtered,
		(unsigned long long)st.skipped, (unsigned long long)st.bytes);
	return EXIT_OK;
}

const struct cli_command cli_cmd_export = {
	"export", "write a snapshot as MMDB, rbldnsd, CSV, JSON Lines or STIX", run,
};
