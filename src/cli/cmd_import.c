/* sighted import: published lists of impacted addresses -> snapshot. */
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign/campaign.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "core/intern.h"
#include "core/timeutil.h"
#include "db/builder.h"
#include "io/ident.h"
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
	    "      --campaigns DIR     campaign definitions (default: "
	    "$SIGHTED_CAMPAIGNS\n"
	    "                          or data/campaigns)\n"
	    "      --first-seen TIME   first seen for lines without one\n"
	    "      --last-seen TIME    last seen for lines without one\n"
	    "      --confidence LVL    low, medium or high for lines without one\n"
	    "      --allow-hostbits    mask prefixes like 192.0.2.1/24 instead of\n"
	    "                          rejecting them\n"
	    "      --strict            stop at the first bad line\n"
	    "      --max-errors N      stop after N bad lines (default: no limit)\n"
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

struct import {
	struct db_builder *b;
	struct sd_intern *seen; /* prefix + campaign id, for duplicate counts */
	const char *campaign_dir;
	struct campaign_def defs[64];
	uint16_t def_ids[64];
	size_t ndefs;
	bool quiet;
};

/* Builder id of a campaign, loading its definition on first use. */
static int campaign_id(struct import *im, const char *name, uint16_t *id,
		       const struct campaign_def **def, struct sd_error *err)
{
	for (size_t i = 0; i < im->ndefs; i++)
		if (!strcmp(im->defs[i].name, name)) {
			*id = im->def_ids[i];
			*def = &im->defs[i];
			return 0;
		}
	if (im->ndefs == sizeof(im->defs) / sizeof(im->defs[0]))
		return sd_error_set(err, SD_ELIMIT,
				    "more than 64 distinct campaigns in one import");
	struct campaign_def *d = &im->defs[im->ndefs];
	struct sd_error ferr = {0};
	if (campaign_find(im->campaign_dir, name, d, &ferr) != 0) {
		if (ferr.code != SD_ENOTFOUND)
			return sd_error_set(err, ferr.code, "%s", ferr.msg);
		/* an undefined campaign is allowed, with empty metadata */
		memset(d, 0, sizeof(*d));
		d->name = strdup(name);
		if (!d->name)
			return sd_error_set(err, SD_ENOMEM, "out of memory");
		fprintf(stderr,
			"sighted import: warning: %s; campaign '%s' gets no title, "
			"window or advisory\n",
			ferr.msg, name);
	}
	struct db_campaign_meta m = {d->name,	     d->title,	      d->advisory,
				     d->remediation, d->window_start, d->window_end};
	int rc = db_builder_campaign(im->b, &m, &im->def_ids[im->ndefs], err);
	if (rc) {
		campaign_free(d);
		return rc;
	}
	*id = im->def_ids[im->ndefs];
	*def = d;
	im->ndefs++;
	return 0;
}

static bool outside_window(const struct campaign_def *d, uint32_t first, uint32_t last)
{
	if (d->window_end && first && first > d->window_end)
		return true;
	if (d->window_start && last && last < d->window_start)
		return true;
	return false;
}

struct file_stats {
	uint64_t accepted, rejected, duplicate;
};

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
		O_BUILD
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
	    {"strict", no_argument, NULL, O_STRICT},
	    {"max-errors", required_argument, NULL, O_MAXERR},
	    {"build-time", required_argument, NULL, O_BUILD},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *output = NULL, *campaign = NULL, *source = NULL;
	int fmt = LIST_AUTO;
	uint32_t first = 0, last = 0, build = 0;
	uint8_t confidence = 0;
	unsigned flags = 0;
	bool strict = false;
	uint64_t max_errors = UINT64_MAX;
	struct import im = {.campaign_dir = campaign_default_dir()};
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
			campaign = optarg;
			break;
		case 's':
			source = optarg;
			break;
		case O_CAMPAIGNS:
			im.campaign_dir = optarg;
			break;
		case O_FIRST:
			if (!cli_parse_time(CMD, "--first-seen", optarg, &first))
				return EXIT_USAGE;
			break;
		case O_LAST:
			if (!cli_parse_time(CMD, "--last-seen", optarg, &last))
				return EXIT_USAGE;
			break;
		case O_CONF:
			if (db_confidence_parse(optarg, strlen(optarg), &confidence)) {
				cli_error(CMD,
					  "--confidence '%s': use low, medium or high",
					  optarg);
				return EXIT_USAGE;
			}
			break;
		case O_HOSTBITS:
			flags |= LIST_ALLOW_HOSTBITS;
			break;
		case O_STRICT:
			strict = true;
			break;
		case O_MAXERR:
			if (!cli_parse_u64(CMD, "--max-errors", optarg, &max_errors))
				return EXIT_USAGE;
			break;
		case O_BUILD:
			if (!cli_parse_time(CMD, "--build-time", optarg, &build))
				return EXIT_USAGE;
			break;
		case 'q':
			im.quiet = true;
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

	int status = EXIT_OK;
	struct sd_error err = {0};
	struct file_stats total = {0};
	struct cli_progress prog;
	cli_progress_init(&prog);
	im.b = db_builder_new();
	im.seen = sd_intern_new();
	if (!im.b || !im.seen) {
		cli_error(CMD, "out of memory");
		status = EXIT_FAIL;
		goto out;
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
		struct file_stats fs = {0};
		struct list_entry e;
		int rc;
		while ((rc = list_next(lr, &e, &err)) != LIST_EOF) {
			if (rc < 0) {
				cli_error(CMD, "%s", err.msg);
				status = cli_exit_for(err.code);
				break;
			}
			const char *cname = e.campaign ? e.campaign : campaign;
			uint16_t cid = 0;
			const struct campaign_def *def = NULL;
			if (rc == LIST_ENTRY && !cname) {
				rc = LIST_BAD_LINE;
				sd_error_set(
				    &err, SD_EPARSE,
				    "%s:%llu: no campaign (add a campaign column or "
				    "use --campaign)",
				    io_name(list_source(lr)),
				    (unsigned long long)io_lineno(list_source(lr)));
			}
			if (rc == LIST_ENTRY) {
				struct sd_error cerr = {0};
				if (campaign_id(&im, cname, &cid, &def, &cerr)) {
					cli_error(CMD, "%s", cerr.msg);
					status = cli_exit_for(cerr.code);
					break;
				}
			}
			uint32_t f = e.first_seen ? e.first_seen : first;
			uint32_t l = e.last_seen ? e.last_seen : last;
			/* one known time stands for both (as in the builder) */
			if (!f)
				f = l;
			if (!l)
				l = f;
			if (rc == LIST_ENTRY && f && l && l < f) {
				rc = LIST_BAD_LINE;
				sd_error_set(
				    &err, SD_ERANGE,
				    "%s:%llu: last_seen is before first_seen",
				    io_name(list_source(lr)),
				    (unsigned long long)io_lineno(list_source(lr)));
			}
			if (rc == LIST_ENTRY && outside_window(def, f, l)) {
				rc = LIST_BAD_LINE;
				sd_error_set(
				    &err, SD_ERANGE,
				    "%s:%llu: dated outside the window of campaign '%s'",
				    io_name(list_source(lr)),
				    (unsigned long long)io_lineno(list_source(lr)),
				    cname);
			}
			if (rc == LIST_BAD_LINE) {
				fs.rejected++;
				if (!im.quiet || strict)
					fprintf(stderr, "%s\n", err.msg);
				if (strict || total.rejected + fs.rejected > max_errors) {
					cli_error(CMD,
						  strict ? "stopping at the first bad "
							   "line (--strict)"
							 : "stopping: more than %llu bad "
							   "lines (--max-errors)",
						  (unsigned long long)max_errors);
					status = EXIT_DATA;
					break;
				}
				continue;
			}
			unsigned char key[19];
			memcpy(key, e.prefix.addr.b, 16);
			key[16] = e.prefix.len;
			memcpy(key + 17, &cid, 2);
			uint32_t before = sd_intern_count(im.seen), kid;
			if (sd_intern_put(im.seen, key, sizeof(key), &kid)) {
				cli_error(CMD, "out of memory");
				status = EXIT_FAIL;
				break;
			}
			bool duplicate = sd_intern_count(im.seen) == before;
			const char *srcname = e.source ? e.source : default_source;
			uint32_t set;
			struct db_sighting s = {
			    .first_seen = f,
			    .last_seen = l,
			    .count = e.count,
			    .campaign = cid,
			    .evidence = (uint8_t)(DB_EV_LIST | e.evidence),
			    .confidence = e.confidence ? e.confidence : confidence,
			};
			if (db_builder_sourceset(im.b, &srcname, 1, &set, &err) ||
			    (s.sources = set,
			     db_builder_add(im.b, &e.prefix, &s, &err))) {
				cli_error(CMD, "%s", err.msg);
				status = cli_exit_for(err.code);
				break;
			}
			/* a repeated key is combined with the first, and counted
			 * apart so that accepted counts distinct keys */
			if (duplicate)
				fs.duplicate++;
			else
				fs.accepted++;
			if ((fs.accepted & 0xffff) == 0)
				cli_progress_update(&prog, "%s: %llu lines accepted",
						    path,
						    (unsigned long long)fs.accepted);
		}
		cli_progress_done(&prog);
		fprintf(stderr, "%s: %s, %llu accepted, %llu rejected, %llu duplicate\n",
			io_name(list_source(lr)), list_format_name(list_format_of(lr)),
			(unsigned long long)fs.accepted, (unsigned long long)fs.rejected,
			(unsigned long long)fs.duplicate);
		if (status == EXIT_OK && fs.accepted == 0 && fs.rejected > 0) {
			cli_error(CMD, "%s: no usable line (wrong --format?)", path);
			status = EXIT_DATA;
		}
		/* provenance: what this snapshot was read from (stdin has none) */
		struct io_ident ident;
		struct sd_error ierr = {0};
		if (status == EXIT_OK && strcmp(path, "-") &&
		    !io_ident_file(path, 0, UINT64_MAX, &ident, &ierr) &&
		    db_builder_input(im.b, default_source, &ident, &err)) {
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
		if (db_builder_write(im.b, output, cli_build_time(build), &err)) {
			cli_error(CMD, "%s", err.msg);
			status = cli_exit_for(err.code) == EXIT_DATA
				     ? EXIT_FAIL
				     : cli_exit_for(err.code);
		} else if (argc - optind > 1) {
			fprintf(stderr,
				"total: %llu accepted, %llu rejected, %llu duplicate\n",
				(unsigned long long)total.accepted,
				(unsigned long long)total.rejected,
				(unsigned long long)total.duplicate);
		}
	}
out:
	for (size_t i = 0; i < im.ndefs; i++)
		campaign_free(&im.defs[i]);
	sd_intern_free(im.seen);
	db_builder_free(im.b);
	return status;
}

const struct cli_command cli_cmd_import = {
    "import", "build a snapshot from published lists of impacted addresses", run};
