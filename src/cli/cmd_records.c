/* sighted records: prints the normalised records a telemetry file yields,
 * the way the matcher sees them. A debugging aid for "why did (not) this
 * log line match?" and the end-to-end test vehicle of the readers. */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/files.h"
#include "cli/options.h"
#include "cli/terminal.h"
#include "core/timeutil.h"
#include "io/source.h"
#include "net/addr.h"
#include "report/rows.h"
#include "telemetry/field.h"
#include "telemetry/reader.h"

enum out_mode { OUT_TEXT, OUT_JSON, OUT_CSV };

static void usage(FILE *o)
{
	fprintf(
	    o,
	    "usage: sighted records [--format F] [--columns MAP] [--year Y]\n"
	    "                       [--json|--csv] [--quiet] FILE...\n"
	    "\n"
	    "Prints the normalised telemetry records (flow, dns, tls, http) read from\n"
	    "each FILE ('-' for stdin; gzip and zstd are decompressed transparently).\n"
	    "\n"
	    "  -f, --format F force the format: zeek, zeek-json, eve, nfdump, pcap, "
	    "csv,\n"
	    "                 squid, bind, dnsmasq (default: detected from the content)\n"
	    "  --columns MAP  generic CSV column map, e.g.\n"
	    "                 time=frame.time_epoch,client=ip.src,client=ipv6.src,...\n"
	    "                 (see docs/telemetry.md for the roles)\n"
	    "  --year Y       year for logs whose timestamps carry none (dnsmasq, "
	    "syslog);\n"
	    "                 default: the file's modification year\n"
	    "  --json         JSON Lines, one object per record\n"
	    "  --csv          CSV with a header row\n"
	    "  -q, --quiet    no per-file summary on stderr\n"
	    "  --count        print no records, only the per-file summary (on stdout):\n"
	    "                 measures the readers alone\n"
	    "\n"
	    "Malformed records are reported on stderr as file:line: why. Exit status:\n"
	    "0 every file read, 2 usage, 3 a file unreadable, undetectable,\n"
	    "truncated, or with no well-formed record, 4 write error.\n");
}

static const char *kind_name(enum tel_kind k)
{
	switch (k) {
	case TEL_FLOW:
		return "flow";
	case TEL_DNS:
		return "dns";
	case TEL_TLS:
		return "tls";
	case TEL_HTTP:
		return "http";
	}
	return "?";
}

static void report(void *ctx, const char *where, const char *why)
{
	(void)ctx;
	cli_error("records", "%s: %s", where, why);
}

static void flags_text(unsigned f, char *buf, size_t size)
{
	buf[0] = 0;
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
	    {TEL_VIA_PROXY, "via_proxy"},
	    {TEL_ANSWERED, "answered"},
	    {TEL_DIR_UNKNOWN, "dir_unknown"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (f & names[i].bit) {
			if (buf[0])
				strncat(buf, " ", size - strlen(buf) - 1);
			strncat(buf, names[i].name, size - strlen(buf) - 1);
		}
}

static void print_record(FILE *o, enum out_mode mode, const char *file,
			 const struct tel_record *r)
{
	char ts[SD_TIME_STRLEN], c[NET_ADDR_STRLEN], s[NET_ADDR_STRLEN], fl[64];
	sd_time_format(r->ts, ts, sizeof(ts));
	c[0] = s[0] = 0;
	if (r->flags & TEL_HAS_CLIENT)
		net_addr_format(&r->client, c, sizeof(c));
	if (r->flags & TEL_HAS_SERVER)
		net_addr_format(&r->server, s, sizeof(s));
	flags_text(r->flags, fl, sizeof(fl));
	if (mode == OUT_JSON) {
		json_t *j = json_object();
		json_object_set_new(j, "file", json_string(file));
		json_object_set_new(j, "position", json_integer((json_int_t)r->position));
		json_object_set_new(j, "ts", r->ts ? json_string(ts) : json_null());
		json_object_set_new(j, "kind", json_string(kind_name(r->kind)));
		json_object_set_new(j, "client", c[0] ? json_string(c) : json_null());
		json_object_set_new(j, "client_port", json_integer(r->client_port));
		json_object_set_new(j, "server", s[0] ? json_string(s) : json_null());
		json_object_set_new(j, "server_port", json_integer(r->server_port));
		json_object_set_new(j, "proto", json_integer(r->proto));
		json_object_set_new(j, "name",
				    json_stringn_nocheck(r->name, r->name_len));
		json_object_set_new(j, "path",
				    json_stringn_nocheck(r->path, r->path_len));
		json_t *a = json_array();
		for (size_t i = 0; i < r->nanswers; i++) {
			char buf[NET_ADDR_STRLEN];
			net_addr_format(&r->answers[i], buf, sizeof(buf));
			json_array_append_new(a, json_string(buf));
		}
		json_object_set_new(j, "answers", a);
		json_object_set_new(j, "bytes", json_integer((json_int_t)r->bytes));
		json_object_set_new(j, "packets", json_integer((json_int_t)r->packets));
		json_t *fa = json_array();
		char *save = NULL;
		for (char *t = strtok_r(fl, " ", &save); t;
		     t = strtok_r(NULL, " ", &save))
			json_array_append_new(fa, json_string(t));
		json_object_set_new(j, "flags", fa);
		json_dumpf(j, o, JSON_COMPACT | JSON_ENSURE_ASCII);
		fputc('\n', o);
		json_decref(j);
		return;
	}
	char answers[TEL_MAX_ANSWERS * NET_ADDR_STRLEN];
	answers[0] = 0;
	for (size_t i = 0; i < r->nanswers; i++) {
		char buf[NET_ADDR_STRLEN];
		net_addr_format(&r->answers[i], buf, sizeof(buf));
		if (strlen(answers) + strlen(buf) + 2 > sizeof(answers))
			break;
		if (i)
			strcat(answers, " ");
		strcat(answers, buf);
	}
	if (mode == OUT_CSV) {
		report_csv_field_fp(o, file);
		fprintf(o, ",%" PRIu64 ",%s,%s,%s,%u,%s,%u,%u,", r->position, ts,
			kind_name(r->kind), c, r->client_port, s, r->server_port,
			r->proto);
		report_csv_field_fpn(o, r->name, r->name_len);
		fputc(',', o);
		report_csv_field_fpn(o, r->path, r->path_len);
		fprintf(o, ",%s,%" PRIu64 ",%" PRIu64 ",%s\n", answers, r->bytes,
			r->packets, fl);
		return;
	}
	/* text: one line, tab-separated, fixed column order; names are
	 * printed with control bytes and invalid UTF-8 escaped so a hostile
	 * log cannot drive the terminal */
	fprintf(o, "%s\t%s\t%s\t%u\t%s\t%u\t%u\t", ts[0] ? ts : "-", kind_name(r->kind),
		c[0] ? c : "-", r->client_port, s[0] ? s : "-", r->server_port, r->proto);
	for (int k = 0; k < 2; k++) {
		const char *p = k ? r->path : r->name;
		size_t n = k ? r->path_len : r->name_len;
		if (!n)
			fputc('-', o);
		else /* invalid UTF-8 and C1 controls too */
			cli_write_escaped(o, p, n);
		fputc('\t', o);
	}
	fprintf(o, "%s\t%" PRIu64 "\t%" PRIu64 "\t%s\n", answers[0] ? answers : "-",
		r->bytes, r->packets, fl[0] ? fl : "-");
}

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"columns", required_argument, NULL, 'c'},
	    {"year", required_argument, NULL, 'y'},
	    {"json", no_argument, NULL, 'J'},
	    {"csv", no_argument, NULL, 'C'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"count", no_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct tel_options opt = {0};
	enum out_mode mode = OUT_TEXT;
	bool quiet = false, count = false;
	int c;
	struct cli_mode m = {OUT_TEXT, NULL};
	optind = 1;
	/* only -f, -q and -h are short: -c, -j, -y mean other things in other
	 * commands (docs/sighted.1, "Short options") */
	while ((c = getopt_long(argc, argv, "f:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': {
			int f = tel_format_parse(optarg);
			if (f < 0) {
				cli_error("records", "unknown format '%s' (try --help)",
					  optarg);
				return EXIT_USAGE;
			}
			opt.format = (enum tel_format)f;
			break;
		}
		case 'c': {
			struct sd_error e = {0};
			if (tel_columns_check(optarg, &e)) {
				cli_error("records", "%s", e.msg);
				return EXIT_USAGE;
			}
			opt.column_map = optarg;
			break;
		}
		case 'y': {
			uint64_t y;
			if (cli_u64_why(optarg, &y) || y < 1970 || y > 2105) {
				cli_error("records",
					  "--year wants a year between 1970 and 2105");
				return EXIT_USAGE;
			}
			opt.year = (int)y;
			break;
		}
		case 'J':
		case 'C':
			if (!cli_set_mode("records", &m, c == 'J' ? OUT_JSON : OUT_CSV,
					  c == 'J' ? "--json" : "--csv"))
				return EXIT_USAGE;
			mode = (enum out_mode)m.mode;
			break;
		case 'q':
			quiet = true;
			break;
		case 'n':
			count = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (opt.format == TEL_FMT_CSV && !opt.column_map) {
		cli_error("records", "--format csv needs a column map (--columns "
				     "role=column,...; docs/telemetry.md)");
		return EXIT_USAGE;
	}
	if (count && mode != OUT_TEXT) {
		cli_error("records", "--count prints no records: --json/--csv do not "
				     "apply");
		return EXIT_USAGE;
	}
	int fs = cli_check_stdout("records", (const char *const *)argv + optind,
				  (size_t)(argc - optind));
	if (fs != EXIT_OK)
		return fs;
	if (mode == OUT_CSV && !count)
		printf(
		    "file,position,ts,kind,client,client_port,server,server_port,proto,"
		    "name,path,answers,bytes,packets,flags\n");
	int status = EXIT_OK;
	/* a reader gone (`| head`) ends the work: the rest would go nowhere */
	for (int i = optind; i < argc && !ferror(stdout); i++) {
		struct sd_error err = {0};
		struct io_source *src;
		struct tel_reader *r;
		if (io_open(argv[i], &src, &err) || tel_open(src, &opt, &r, &err)) {
			cli_error("records", "%s", err.msg);
			status = EXIT_DATA;
			continue;
		}
		tel_set_report(r, report, NULL);
		struct tel_record rec;
		int rc = 0;
		const char *name = strcmp(argv[i], "-") ? argv[i] : "(stdin)";
		while (!ferror(stdout) && (rc = tel_next(r, &rec, &err)) == 1)
			if (!count)
				print_record(stdout, mode, name, &rec);
		if (rc < 0) {
			fflush(stdout);
			cli_error("records", "%s", err.msg);
			status = EXIT_DATA;
		}
		const struct tel_stats *st = tel_stats(r);
		if (rc >= 0 && st->records == 0 && st->malformed > 0) {
			cli_error("records",
				  "%s: no well-formed record, %" PRIu64
				  " malformed (wrong --format?)",
				  name, st->malformed);
			status = EXIT_DATA;
		}
		if (!quiet || count)
			fprintf(count ? stdout : stderr,
				"%s: %s, %" PRIu64 " records, %" PRIu64
				" malformed, %" PRIu64 " skipped\n",
				name, tel_format_name(tel_format_of(r)), st->records,
				st->malformed, st->skipped);
		tel_close(r);
	}
	if (cli_finish_stdout("records") != EXIT_OK)
		return EXIT_FAIL;
	return status;
}

const struct cli_command cli_cmd_records = {
    "records",
    "print the normalised records of telemetry files",
    run,
};
