/* sighted merge: join snapshots built apart. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/files.h"
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
	    "order and grouping with the same result.\n"
	    "\n"
	    "  -o, --output FILE      snapshot to write (atomically)\n"
	    "      --build-time TIME  build time (default: the latest of the inputs)\n"
	    "  -h, --help             this text\n"
	    "Exit status: 0 written, 2 usage (the output is an input, -o -),\n"
	    "3 unreadable or corrupt input, 4 write failure.\n");
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"build-time", required_argument, NULL, 'B'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *output = NULL;
	uint32_t build = 0;
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
	const struct cli_output out = {"-o", output, CLI_SNAPSHOT_NOT_STDOUT, false};
	int fstatus = cli_check_files(CMD, &out, 1, (const char *const *)argv + optind,
				      (size_t)(argc - optind));
	if (fstatus != EXIT_OK)
		return fstatus;
	struct sd_error err = {0};
	struct db_builder *b = db_builder_new();
	if (!b) {
		cli_error(CMD, "out of memory");
		return EXIT_FAIL;
	}
	uint64_t latest = 0;
	int status = EXIT_OK;
	for (int i = optind; i < argc && status == EXIT_OK; i++) {
		struct db *db;
		if (db_open(argv[i], &db, &err)) {
			cli_error(CMD, "%s", err.msg);
			status = cli_exit_for(err.code);
			break;
		}
		if (db_build_time(db) > latest)
			latest = db_build_time(db);
		if (db_merge_into(b, db, &err)) {
			cli_error(CMD, "%s: %s", argv[i], err.msg);
			status = cli_exit_for(err.code);
		}
		db_close(db);
	}
	if (status == EXIT_OK &&
	    db_builder_write(b, output, build ? build : latest, &err)) {
		cli_error(CMD, "%s", err.msg);
		status = cli_exit_for_write(err.code);
	}
	db_builder_free(b);
	return status;
}

const struct cli_command cli_cmd_merge = {
    "merge", "combine snapshots (associative and commutative)", run};
