/* sighted merge: join snapshots built apart. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "db/merge.h"

#define CMD "merge"

static void help(FILE *out)
{
	fprintf(
	    out,
	    "usage: sighted merge [options] -o OUT.sdb IN.sdb...\n"
	    "\n"
	    "Combines snapshots: identical keys are joined per campaign (earliest\n"
	    "first seen, latest last seen, summed count, union of evidence and\n"
	    "sources). Associative and commutative: shards can be merged in any\n"
	    "order and grouping, and give the same bytes. The inputs the\n"
	    "snapshots were read from are joined too (ranges of one file that\n"
	    "meet become the file); an input read into two snapshots would be\n"
	    "counted twice and is refused, naming it.\n"
	    "\n"
	    "  -o, --output FILE      snapshot to write (atomically)\n"
	    "      --dedupe           of two snapshots where one read all the inputs\n"
	    "                         of the other, keep only the first one\n"
	    "      --build-time TIME  build time (default: the latest of the inputs)\n"
	    "  -h, --help             this text\n"
	    "Exit status: 0 written, 2 usage, 3 unreadable, corrupt or shared input,\n"
	    "4 write failure.\n");
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"build-time", required_argument, NULL, 'B'},
	    {"dedupe", no_argument, NULL, 'D'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *output = NULL;
	uint32_t build = 0;
	bool dedupe = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'B':
			if (!cli_parse_time(CMD, "--build-time", optarg, &build))
				return EXIT_USAGE;
			break;
		case 'D':
			dedupe = true;
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
			  !output ? "no output file (-o OUT.sdb)"
				  : "no snapshot to merge");
		help(stderr);
		return EXIT_USAGE;
	}
	struct sd_error err = {0};
	size_t n = (size_t)(argc - optind);
	struct db_builder *b = db_builder_new();
	struct db **dbs = calloc(n, sizeof(*dbs));
	bool *skip = calloc(n, sizeof(*skip));
	if (!b || !dbs || !skip) {
		cli_error(CMD, "out of memory");
		db_builder_free(b);
		free(dbs);
		free(skip);
		return EXIT_FAIL;
	}
	uint64_t latest = 0;
	int status = EXIT_OK;
	for (size_t i = 0; i < n && status == EXIT_OK; i++) {
		if (db_open(argv[optind + (int)i], &dbs[i], &err)) {
			cli_error(CMD, "%s", err.msg);
			status = EXIT_DATA;
		}
	}
	if (status == EXIT_OK && db_merge_plan(dbs, n, dedupe, skip, &err)) {
		cli_error(CMD, "%s", err.msg);
		status = cli_exit_for(err.code);
	}
	for (size_t i = 0; i < n && status == EXIT_OK; i++) {
		if (skip[i]) {
			fprintf(stderr,
				"sighted merge: %s: every input already in another "
				"snapshot: skipped (--dedupe)\n",
				argv[optind + (int)i]);
			continue;
		}
		if (db_build_time(dbs[i]) > latest)
			latest = db_build_time(dbs[i]);
		if (db_merge_into(b, dbs[i], &err)) {
			cli_error(CMD, "%s: %s", argv[optind + (int)i], err.msg);
			status = cli_exit_for(err.code);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (dbs[i])
			db_close(dbs[i]);
	free(dbs);
	free(skip);
	if (status == EXIT_OK &&
	    db_builder_write(b, output, build ? build : latest, &err)) {
		cli_error(CMD, "%s", err.msg);
		status = EXIT_FAIL;
	}
	db_builder_free(b);
	return status;
}

const struct cli_command cli_cmd_merge = {
    "merge", "combine snapshots (associative and commutative)", run};
