/* sighted report: one report per network owner. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/files.h"
#include "cli/owners_load.h"
#include "owners/publish.h"

#define CMD "report"

static void help(FILE *out)
{
	fprintf(
	    out,
	    "usage: sighted report --owners FILE [--asn-db FILE] [--since OLD.sdb]\n"
	    "                      -o DIR SNAPSHOT.sdb\n"
	    "\n"
	    "Groups the snapshot's sightings by the networks that own the addresses\n"
	    "(docs/owners.md) and writes, atomically, a report directory\n"
	    "(docs/report.md): owners/ID.csv and owners/ID.jsonl per owner with\n"
	    "sightings (with AS number and name), index.csv (every owner with its\n"
	    "counts), unowned-by-as.csv (what no owner covers, per AS) and\n"
	    "summary.json. An entry inside several owners' scopes goes to each.\n"
	    "\n"
	    "      --owners FILE      owner registry (CSV: owner,name,contacts,scope)\n"
	    "      --asn-db FILE      origin AS data: GeoLite2-ASN MaxMind DB or ip2asn "
	    "TSV\n"
	    "      --since OLD.sdb    only sightings added or changed since OLD\n"
	    "  -o, --output DIR       report directory (replaced as a whole)\n"
	    "      --max-errors N     bad registry or ASN lines tolerated (default 0;\n"
	    "                         -1 or 'unlimited': no limit)\n"
	    "  -h, --help             this text\n"
	    "Exit status: 0 written, 2 usage, 3 bad input (unreadable snapshot, bad\n"
	    "registry or ASN lines beyond --max-errors), 4 write failure.\n");
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"owners", required_argument, NULL, 'O'},
	    {"asn-db", required_argument, NULL, 'A'},
	    {"since", required_argument, NULL, 'S'},
	    {"output", required_argument, NULL, 'o'},
	    {"max-errors", required_argument, NULL, 'E'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct owners_job j = {.cmd = CMD};
	const char *output = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'O':
			j.owners_path = optarg;
			break;
		case 'A':
			j.asn_path = optarg;
			break;
		case 'S':
			j.since_path = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'E':
			if (!cli_parse_max_errors(CMD, optarg, &j.max_errors))
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
	if (!j.owners_path || !output || optind != argc - 1) {
		cli_error(CMD, "%s",
			  !j.owners_path ? "no owner registry (--owners FILE)"
			  : !output	 ? "no output directory (-o DIR)"
					 : "give exactly one snapshot");
		help(stderr);
		return EXIT_USAGE;
	}
	j.snap_path = argv[optind];
	const struct cli_output out = {
	    "-o", output, "a report is a directory of files: give one", true};
	const char *inputs[OWNERS_JOB_MAX_INPUTS];
	int fs = cli_check_files(CMD, &out, 1, inputs, owners_job_inputs(&j, inputs));
	if (fs != EXIT_OK)
		return fs;
	/* the directory is replaced as a whole: it must not hold an input */
	if (owners_job_inside(&j, output, NULL, 0))
		return EXIT_USAGE;
	int status = owners_job_load(&j);
	struct sd_error err = {0};
	if (status == EXIT_OK &&
	    owners_publish(output, j.snap, j.since, j.reg, j.asn, &j.group, &err)) {
		cli_error(CMD, "%s", err.msg);
		status = cli_exit_for_write(err.code);
	}
	if (status == EXIT_OK) {
		uint32_t with = 0;
		for (uint32_t o = 0; o < j.reg->count; o++)
			with += j.group.start[o + 1] > j.group.start[o];
		fprintf(stderr,
			"%s: %u of %u owners have sightings (%zu owner rows); %llu "
			"sightings at %llu addresses no owner covers\n",
			output, with, j.reg->count, j.group.nhits,
			(unsigned long long)j.group.unowned_sightings,
			(unsigned long long)j.group.unowned_addresses);
	}
	owners_job_free(&j);
	return status;
}

const struct cli_command cli_cmd_report = {
    "report", "per-owner reports of sightings (owner registry, AS numbers)", run};
