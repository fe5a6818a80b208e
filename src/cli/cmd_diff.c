/* sighted diff: what changed between two snapshots. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/files.h"
#include "cli/options.h"
#include "core/atomic_file.h"
#include "core/timeutil.h"
#include "db/diff.h"
#include "report/report.h"
#include "report/rows.h"

#define CMD "diff"

static void help(FILE *out)
{
	fprintf(out,
		"usage: sighted diff [--json | --csv] [-o FILE] OLD.sdb NEW.sdb\n"
		"\n"
		"Compares two snapshots key by key and campaign by campaign: sightings\n"
		"added, removed, and changed (first or last seen, count, evidence,\n"
		"confidence or sources differ). One streaming pass over both files.\n"
		"\n"
		"      --json         JSON Lines, one difference a line\n"
		"      --csv          CSV with a header\n"
		"  -o, --output FILE  write there (atomically) instead of stdout\n"
		"  -q, --quiet        no summary on stderr\n"
		"  -h, --help         this text\n"
		"Text lines start with '+' (added), '-' (removed) or '~' (changed).\n"
		"Exit status: 0 no difference, 1 some difference, 2 usage, 3 unreadable\n"
		"or corrupt snapshot, 4 write failure.\n");
}

enum diff_format { FMT_TEXT, FMT_JSON, FMT_CSV };

struct diff_out {
	FILE *fp;
	enum diff_format fmt;
	const struct db *old, *new;
};

static void text_sighting(FILE *fp, const struct db *db, const struct db_sighting *s)
{
	char f[SD_TIME_STRLEN], l[SD_TIME_STRLEN], ev[64];
	sd_time_format(s->first_seen, f, sizeof(f));
	sd_time_format(s->last_seen, l, sizeof(l));
	db_evidence_format(s->evidence, ev, sizeof(ev));
	(void)db;
	fprintf(fp, " first_seen=%s last_seen=%s count=%u evidence=%s confidence=%s",
		*f ? f : "-", *l ? l : "-", s->count, *ev ? ev : "-",
		db_confidence_name(s->confidence));
}

static void text_change(FILE *fp, const struct db_diff_item *d)
{
	char a[SD_TIME_STRLEN], b[SD_TIME_STRLEN];
	const struct db_sighting *o = &d->old_s, *n = &d->new_s;
	if (d->what & DB_DIFF_FIRST) {
		sd_time_format(o->first_seen, a, sizeof(a));
		sd_time_format(n->first_seen, b, sizeof(b));
		fprintf(fp, " first_seen=%s->%s", *a ? a : "-", *b ? b : "-");
	}
	if (d->what & DB_DIFF_LAST) {
		sd_time_format(o->last_seen, a, sizeof(a));
		sd_time_format(n->last_seen, b, sizeof(b));
		fprintf(fp, " last_seen=%s->%s", *a ? a : "-", *b ? b : "-");
	}
	if (d->what & DB_DIFF_COUNT)
		fprintf(fp, " count=%u->%u", o->count, n->count);
	if (d->what & DB_DIFF_EVIDENCE) {
		char ea[64], eb[64];
		db_evidence_format(o->evidence, ea, sizeof(ea));
		db_evidence_format(n->evidence, eb, sizeof(eb));
		fprintf(fp, " evidence=%s->%s", *ea ? ea : "-", *eb ? eb : "-");
	}
	if (d->what & DB_DIFF_CONFIDENCE)
		fprintf(fp, " confidence=%s->%s", db_confidence_name(o->confidence),
			db_confidence_name(n->confidence));
	if (d->what & DB_DIFF_SOURCES)
		fputs(" sources", fp);
}

static int emit(const struct db_diff_item *d, void *p)
{
	struct diff_out *o = p;
	char net[NET_PREFIX_STRLEN], fields[128];
	report_format_prefix(&d->prefix, net, sizeof(net));
	db_diff_fields_format(d->what, fields, sizeof(fields));
	bool has_old = d->change != DB_CHANGE_ADDED,
	     has_new = d->change != DB_CHANGE_REMOVED;
	switch (o->fmt) {
	case FMT_TEXT:
		fprintf(o->fp, "%c %s ", "+-~"[d->change], net);
		report_csv_field_fp(o->fp, d->campaign);
		if (d->change == DB_CHANGE_CHANGED)
			text_change(o->fp, d);
		else if (has_new)
			text_sighting(o->fp, o->new, &d->new_s);
		else
			text_sighting(o->fp, o->old, &d->old_s);
		fputc('\n', o->fp);
		break;
	case FMT_CSV:
		fprintf(o->fp, "%s,%s,", db_change_name(d->change), net);
		report_csv_field_fp(o->fp, fields);
		fputc(',', o->fp);
		if (has_new)
			report_sighting_csv(o->fp, o->new, &d->new_s);
		else
			fputs(",,,,,,", o->fp);
		fputc(',', o->fp);
		if (has_old)
			report_sighting_csv(o->fp, o->old, &d->old_s);
		else
			fputs(",,,,,,", o->fp);
		fputs("\r\n", o->fp);
		break;
	case FMT_JSON:
		fprintf(o->fp, "{\"change\":\"%s\",\"prefix\":\"%s\",\"campaign\":",
			db_change_name(d->change), net);
		report_json_string_fp(o->fp, d->campaign);
		fputs(",\"fields\":[", o->fp);
		for (char *f = fields, *comma; *f;
		     f = comma ? comma + 1 : f + strlen(f)) {
			comma = strchr(f, ',');
			fprintf(o->fp, "%s\"%.*s\"", f == fields ? "" : ",",
				(int)(comma ? (size_t)(comma - f) : strlen(f)), f);
		}
		fputs("],\"old\":", o->fp);
		if (has_old)
			report_sighting_json(o->fp, o->old, &d->old_s);
		else
			fputs("null", o->fp);
		fputs(",\"new\":", o->fp);
		if (has_new)
			report_sighting_json(o->fp, o->new, &d->new_s);
		else
			fputs("null", o->fp);
		fputs("}\n", o->fp);
		break;
	}
	return ferror(o->fp) ? SD_EIO : 0;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'J'},	      {"csv", no_argument, NULL, 'C'},
	    {"output", required_argument, NULL, 'o'}, {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},	      {NULL, 0, NULL, 0},
	};
	struct diff_out out = {.fmt = FMT_TEXT};
	struct cli_mode mode = {FMT_TEXT, NULL};
	const char *output = NULL;
	bool quiet = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'J':
		case 'C':
			if (!cli_set_mode(CMD, &mode, c == 'J' ? FMT_JSON : FMT_CSV,
					  c == 'J' ? "--json" : "--csv"))
				return EXIT_USAGE;
			break;
		case 'o':
			output = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			help(stdout);
			return EXIT_OK;
		default:
			help(stderr);
			return EXIT_USAGE;
		}
	}
	out.fmt = (enum diff_format)mode.mode;
	if (optind != argc - 2) {
		cli_error(CMD, "give two snapshots: OLD.sdb NEW.sdb");
		help(stderr);
		return EXIT_USAGE;
	}
	const char *oldp = argv[optind], *newp = argv[optind + 1];
	const struct cli_output o = {"-o", output ? output : "-", NULL, false};
	int status = cli_check_files(CMD, &o, 1, (const char *const *)argv + optind, 2);
	if (status != EXIT_OK)
		return status;
	struct sd_error err = {0};
	struct db *old = NULL, *new = NULL;
	int rc = db_open(oldp, &old, &err);
	if (!rc)
		rc = db_open(newp, &new, &err);
	if (rc) {
		cli_error(CMD, "%s", err.msg);
		db_close(old);
		return cli_exit_for(rc);
	}
	out.old = old;
	out.new = new;
	struct sd_atomic_file af = {0};
	static char buf[1 << 16];
	if (sd_atomic_open(&af, output ? output : "-", &err)) {
		cli_error(CMD, "%s", err.msg);
		db_close(old);
		db_close(new);
		return cli_exit_for_write(err.code);
	}
	out.fp = af.fp;
	setvbuf(out.fp, buf, _IOFBF, sizeof(buf));
	if (out.fmt == FMT_CSV)
		fputs("change,prefix,fields," REPORT_SIGHTING_CSV_HEADER
		      ",old_campaign,old_first_seen,old_last_seen,old_count,"
		      "old_evidence,old_confidence,old_sources\r\n",
		      out.fp);
	struct db_diff_stats st = {0};
	rc = db_diff(old, new, emit, &out, &st);
	/* SD_EIO is the output's: the commit below names the file and why */
	if (rc && rc != SD_EIO) {
		cli_error(CMD, "could not finish the comparison: %s",
			  rc == SD_ENOMEM ? "out of memory" : "internal error");
		status = EXIT_FAIL;
	}
	if (status == EXIT_OK && sd_atomic_commit(&af, &err)) {
		cli_error(CMD, "%s", err.msg);
		status = cli_exit_for_write(err.code);
	}
	sd_atomic_abort(&af);
	if (!quiet)
		fprintf(stderr,
			"%llu added, %llu removed, %llu changed, %llu unchanged\n",
			(unsigned long long)st.added, (unsigned long long)st.removed,
			(unsigned long long)st.changed, (unsigned long long)st.same);
	db_close(old);
	db_close(new);
	if (status != EXIT_OK)
		return status;
	return st.added || st.removed || st.changed ? EXIT_NOT_LISTED : EXIT_OK;
}

const struct cli_command cli_cmd_diff = {
    "diff", "added, removed and changed sightings between two snapshots", run};
