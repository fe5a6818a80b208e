/* sighted notify: tell each network owner what concerns them, by mail. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/files.h"
#include "cli/options.h"
#include "cli/owners_load.h"
#include "owners/mail.h"
#include "owners/outdir.h"
#include "owners/rows.h"
#include "owners/smtp.h"
#include "owners/state.h"

#define CMD "notify"

static void help(FILE *out)
{
	fprintf(
	    out,
	    "usage: sighted notify --owners FILE --from ADDR (--smtp URL --state FILE |\n"
	    "                      --dry-run DIR) [options] SNAPSHOT.sdb\n"
	    "\n"
	    "Mails every owner with sightings in its networks one message: a short\n"
	    "summary and its CSV report attached (the same bytes as `sighted report`\n"
	    "writes to owners/ID.csv). The state file records each report sent, so a\n"
	    "rerun after a crash or a failure sends what is missing and never the\n"
	    "same report twice. See docs/owners.md.\n"
	    "\n"
	    "      --owners FILE      owner registry (CSV: owner,name,contacts,scope)\n"
	    "      --asn-db FILE      origin AS data: GeoLite2-ASN MaxMind DB or ip2asn "
	    "TSV\n"
	    "      --since OLD.sdb    only sightings added or changed since OLD\n"
	    "      --from ADDR        sender (From: and the SMTP envelope)\n"
	    "      --smtp URL         smtp://HOST[:PORT] or smtps://HOST[:PORT] (TLS)\n"
	    "      --starttls         require STARTTLS on smtp:// (fail without it;\n"
	    "                         without it, STARTTLS is used when offered and\n"
	    "                         required when credentials are given)\n"
	    "      --smtp-plaintext   allow credentials over smtp:// without TLS (a\n"
	    "                         local relay or tests only)\n"
	    "      --netrc FILE       credentials for the SMTP host (else the "
	    "environment:\n"
	    "                         SIGHTED_SMTP_USER, SIGHTED_SMTP_PASSWORD)\n"
	    "      --smtp-cacert FILE verify the SMTP server's certificate with the CA\n"
	    "                         certificates (PEM) in FILE instead of the "
	    "system's\n"
	    "                         (a relay with a private CA); verification is\n"
	    "                         never turned off\n"
	    "      --state FILE       what was sent (created if missing)\n"
	    "      --dry-run DIR      write OWNER.eml files (and summary.json) to DIR\n"
	    "                         instead of sending; DIR is replaced as a whole\n"
	    "      --retries N        further attempts after a failed delivery, 0 to "
	    "100\n"
	    "                         (default 3)\n"
	    "      --backoff SECONDS  wait before the first retry, doubled each time\n"
	    "                         (default 5, at most 300 between attempts; "
	    "decimals\n"
	    "                         allowed)\n"
	    "      --timeout SECONDS  for one SMTP attempt, whole seconds from 1 to "
	    "3600\n"
	    "                         (default 60)\n"
	    "      --date TIME        Date: of the messages (default "
	    "$SOURCE_DATE_EPOCH,\n"
	    "                         else now)\n"
	    "      --max-errors N     bad registry or ASN lines tolerated (default 0)\n"
	    "  -v, --verbose          print the SMTP dialogue (libcurl) on stderr\n"
	    "  -h, --help             this text\n"
	    "Exit status: 0 every owner with something new was notified (or already\n"
	    "had been), 2 usage, 3 bad input, 4 some delivery failed (each is named on\n"
	    "stderr; rerun to retry them; also when TLS is required and the server\n"
	    "has none, or its certificate does not verify: then nothing is sent).\n");
}

struct notify {
	struct owners_job j;
	const char *from, *state_path, *dry_dir;
	struct owners_smtp_opts smtp_opts;
	struct owners_smtp *smtp;
	struct owners_state *state;
	struct outdir out; /* --dry-run */
	unsigned long retries;
	double backoff;
	time_t date;
	uint64_t sent, skipped, failed, nocontact;
	/* why no message can be sent (no TLS, an untrusted certificate): the
	 * run stops; NULL while it can */
	const char *stop;
};

/* Everything --dry-run writes: an earlier directory holding anything else
 * is not replaced. */
static const char *const dry_run_files[] = {"summary.json", "*.eml", NULL};
static const struct outdir_kind dry_run_kind = {"notify --dry-run", dry_run_files};

/* A number of seconds or attempts as the user writes it: digits, and
 * when decimals are allowed a point and more digits; no sign, space,
 * exponent or hex (strtod would take them). */
static bool parse_num(const char *opt, const char *val, bool decimals, double min,
		      double max, double *out)
{
	size_t digits = strspn(val, "0123456789");
	bool ok = digits > 0 && digits <= 9;
	if (ok && val[digits] == '.' && decimals) {
		size_t frac = strspn(val + digits + 1, "0123456789");
		ok = frac > 0 && frac <= 9 && !val[digits + 1 + frac];
	} else {
		ok = ok && !val[digits];
	}
	char *end;
	errno = 0;
	double v = ok ? strtod(val, &end) : 0;
	if (!ok || errno || *end || v < min || v > max) {
		cli_error(CMD, "%s wants %s from %g to %g, not '%s'", opt,
			  decimals ? "a number" : "a whole number", min, max, val);
		return false;
	}
	*out = v;
	return true;
}

/* A file read later, by libcurl, mid-run: a wrong name is a usage error
 * now, before any connection. O_NONBLOCK: a FIFO must not hang the check. */
static bool readable_file(const char *opt, const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		cli_error(CMD, "%s %s: %s", opt, path, strerror(errno));
		return false;
	}
	struct stat st;
	bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	close(fd);
	if (!regular)
		cli_error(CMD, "%s %s: not a regular file", opt, path);
	return regular;
}

static void pause_for(double seconds)
{
	struct timespec ts = {(time_t)seconds,
			      (long)((seconds - (double)(time_t)seconds) * 1e9)};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int deliver(struct notify *n, const struct owner *o, const char *msg, size_t len,
		   struct sd_error *err)
{
	double wait = n->backoff;
	for (unsigned long attempt = 0;; attempt++) {
		enum owners_smtp_failure why_failed;
		if (owners_smtp_send(n->smtp, o, msg, len, &why_failed, err) == 0)
			return 0;
		if (why_failed == OWNERS_SMTP_NO_TLS) {
			n->stop = "no message can be sent without TLS";
			return err->code;
		}
		if (why_failed == OWNERS_SMTP_UNTRUSTED) {
			n->stop = "no message can be sent to a server whose "
				  "certificate does not verify";
			return err->code;
		}
		bool permanent = why_failed == OWNERS_SMTP_PERMANENT;
		if (permanent || attempt >= n->retries) {
			char why[sizeof(err->msg)];
			snprintf(why, sizeof(why), "%s", err->msg);
			return sd_error_set(err, SD_EIO, "%s after %lu attempt%s: %s",
					    permanent ? "refused" : "failed", attempt + 1,
					    attempt ? "s" : "", why);
		}
		fprintf(stderr,
			"sighted notify: %s: attempt %lu failed (%s); retrying in %gs\n",
			o->id, attempt + 1, err->msg, wait);
		pause_for(wait);
		wait = wait * 2 > OWNERS_SMTP_MAX_BACKOFF ? OWNERS_SMTP_MAX_BACKOFF
							  : wait * 2;
	}
}

/* --dry-run: the messages go into a directory published as a whole
 * (owners/outdir.h), with a summary.json saying what was written. */
static int write_eml(struct notify *n, const struct owner *o, const char *msg, size_t len,
		     struct sd_error *err)
{
	char name[OWNERS_MAX_ID + 8];
	snprintf(name, sizeof(name), "%s.eml", o->id);
	FILE *fp = outdir_create(&n->out, NULL, name, err);
	if (!fp)
		return err->code;
	fwrite(msg, 1, len, fp);
	return outdir_close(&n->out, fp, name, err);
}

static int finish_dry_run(struct notify *n, struct sd_error *err)
{
	FILE *fp = outdir_create(&n->out, NULL, "summary.json", err);
	if (!fp)
		return err->code;
	char id[DB_CONTENT_ID_STRLEN];
	db_content_id(n->j.snap, id);
	fprintf(fp,
		"{\n  \"content_id\": \"%s\",\n  \"messages\": %llu,\n  "
		"\"already_sent\": %llu,\n  \"without_contact\": %llu\n}\n",
		id, (unsigned long long)n->sent, (unsigned long long)n->skipped,
		(unsigned long long)n->nocontact);
	int rc = outdir_close(&n->out, fp, "summary.json", err);
	return rc ? rc : outdir_commit(&n->out, err);
}

/* One owner: its CSV, digest, message; then send or write it. Returns 0
 * or an error that stops the run (a failed delivery does not). */
static int one_owner(struct notify *n, uint32_t oi)
{
	const struct owner *o = &n->j.reg->owners[oi];
	const struct owners_group *g = &n->j.group;
	size_t b = g->start[oi], cnt = g->start[oi + 1] - b;
	if (!cnt)
		return 0;
	char *csv = NULL, *msg = NULL;
	size_t csv_len = 0, msg_len = 0;
	struct sd_error err = {0};
	FILE *fp = open_memstream(&csv, &csv_len);
	if (!fp ||
	    owners_rows_write(fp, OWNERS_ROWS_CSV, n->j.snap, n->j.asn, g->hits + b,
			      cnt) ||
	    fclose(fp)) {
		free(csv);
		cli_error(CMD, "out of memory");
		return EXIT_FAIL;
	}
	char digest[OWNERS_DIGEST_STRLEN], id[DB_CONTENT_ID_STRLEN];
	owners_mail_digest(csv, csv_len, digest);
	db_content_id(n->j.snap, id);
	int status = EXIT_OK;
	if (n->state && owners_state_sent(n->state, o->id, digest)) {
		fprintf(stderr, "sighted notify: %s: already sent (report %.16s)\n",
			o->id, digest);
		n->skipped++;
		goto done;
	}
	if (!o->ncontacts) {
		fprintf(stderr, "sighted notify: %s: FAILED: no contact address in %s\n",
			o->id, n->j.owners_path);
		n->nocontact++;
		goto done;
	}
	struct owners_mail m = {
	    .from = n->from,
	    .owner = o,
	    .snap = n->j.snap,
	    .since = n->j.since,
	    .hits = g->hits + b,
	    .nhits = cnt,
	    .addresses = g->addresses[oi],
	    .csv = csv,
	    .csv_len = csv_len,
	    .date = n->date,
	};
	if (owners_mail_compose(&m, &msg, &msg_len)) {
		cli_error(CMD, "out of memory");
		status = EXIT_FAIL;
		goto done;
	}
	if (n->dry_dir) {
		if (write_eml(n, o, msg, msg_len, &err)) {
			cli_error(CMD, "%s", err.msg);
			status = EXIT_FAIL;
			goto done;
		}
		fprintf(stderr,
			"sighted notify: %s: written to %s/%s.eml (%zu sightings)\n",
			o->id, n->dry_dir, o->id, cnt);
		n->sent++;
		goto done;
	}
	if (deliver(n, o, msg, msg_len, &err)) {
		fprintf(stderr, "sighted notify: %s: FAILED: %s\n", o->id, err.msg);
		n->failed++;
		if (n->stop) /* every other owner would fail the same way */
			status = EXIT_FAIL;
		goto done;
	}
	n->sent++;
	fprintf(stderr, "sighted notify: %s: sent to %u recipient%s (%zu sightings)\n",
		o->id, o->ncontacts, o->ncontacts == 1 ? "" : "s", cnt);
	if (n->state && owners_state_record(n->state, o->id, digest, id, &err)) {
		/* sent but not recorded: a rerun would send it again */
		cli_error(CMD, "%s", err.msg);
		status = EXIT_FAIL;
	}
done:
	free(csv);
	free(msg);
	return status;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"owners", required_argument, NULL, 'O'},
	    {"asn-db", required_argument, NULL, 'A'},
	    {"since", required_argument, NULL, 'S'},
	    {"from", required_argument, NULL, 'F'},
	    {"smtp", required_argument, NULL, 'U'},
	    {"starttls", no_argument, NULL, 'T'},
	    {"smtp-plaintext", no_argument, NULL, 'P'},
	    {"netrc", required_argument, NULL, 'N'},
	    {"smtp-cacert", required_argument, NULL, 'C'},
	    {"state", required_argument, NULL, 's'},
	    {"dry-run", required_argument, NULL, 'D'},
	    {"retries", required_argument, NULL, 'r'},
	    {"backoff", required_argument, NULL, 'b'},
	    {"timeout", required_argument, NULL, 't'},
	    {"date", required_argument, NULL, 'd'},
	    {"max-errors", required_argument, NULL, 'E'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct notify n = {.j = {.cmd = CMD}, .retries = 3, .backoff = 5};
	double num;
	uint32_t date = 0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 'O':
			n.j.owners_path = optarg;
			break;
		case 'A':
			n.j.asn_path = optarg;
			break;
		case 'S':
			n.j.since_path = optarg;
			break;
		case 'F':
			n.from = optarg;
			break;
		case 'U':
			n.smtp_opts.url = optarg;
			break;
		case 'T':
			n.smtp_opts.starttls = true;
			break;
		case 'P':
			n.smtp_opts.plaintext_auth = true;
			break;
		case 'N':
			n.smtp_opts.netrc = optarg;
			break;
		case 'C':
			n.smtp_opts.cacert = optarg;
			break;
		case 's':
			n.state_path = optarg;
			break;
		case 'D':
			n.dry_dir = optarg;
			break;
		case 'r':
			if (!parse_num("--retries", optarg, false, 0, 100, &num))
				return EXIT_USAGE;
			n.retries = (unsigned long)num;
			break;
		case 'b':
			if (!parse_num("--backoff", optarg, true, 0,
				       OWNERS_SMTP_MAX_BACKOFF, &n.backoff))
				return EXIT_USAGE;
			break;
		case 't':
			if (!parse_num("--timeout", optarg, false, 1, 3600, &num))
				return EXIT_USAGE;
			n.smtp_opts.timeout = (long)num;
			break;
		case 'd':
			if (!cli_parse_time(CMD, "--date", optarg, &date))
				return EXIT_USAGE;
			break;
		case 'E':
			if (!cli_parse_max_errors(CMD, optarg, &n.j.max_errors))
				return EXIT_USAGE;
			break;
		case 'v':
			n.smtp_opts.verbose = true;
			break;
		case 'h':
			help(stdout);
			return EXIT_OK;
		default:
			help(stderr);
			return EXIT_USAGE;
		}
	}
	const char *why = !n.j.owners_path ? "no owner registry (--owners FILE)"
			  : !n.from	   ? "no sender (--from ADDR)"
			  : !n.dry_dir && !n.smtp_opts.url
			      ? "no --smtp URL (or --dry-run DIR)"
			  : n.dry_dir && n.smtp_opts.url ? "--dry-run and --smtp conflict"
			  : !n.dry_dir && !n.state_path	 ? "no --state FILE"
			  : optind != argc - 1		 ? "give exactly one snapshot"
							 : NULL;
	if (why) {
		cli_error(CMD, "%s", why);
		help(stderr);
		return EXIT_USAGE;
	}
	if (!owners_mail_address_ok(n.from, strlen(n.from))) {
		cli_error(CMD, "--from: '%s' is not a plain mail address (local@domain)",
			  n.from);
		return EXIT_USAGE;
	}
	/* a mistyped credentials file is found now, not owner by owner as a
	 * refused login, each retried with backoff */
	if (n.smtp_opts.netrc && !readable_file("--netrc", n.smtp_opts.netrc))
		return EXIT_USAGE;
	if (n.smtp_opts.cacert && !readable_file("--smtp-cacert", n.smtp_opts.cacert))
		return EXIT_USAGE;
	n.j.snap_path = argv[optind];
	n.smtp_opts.from = n.from;
	n.date = (time_t)cli_build_time(date);
	struct sd_error err = {0};
	const struct cli_output outs[] = {
	    {"--dry-run", n.dry_dir, "a dry run writes a directory of files: give one",
	     true},
	    {"--state", n.state_path, "the state file is read and rewritten: give a path",
	     false},
	};
	const char *inputs[OWNERS_JOB_MAX_INPUTS];
	int fs = cli_check_files(CMD, outs, 2, inputs, owners_job_inputs(&n.j, inputs));
	if (fs != EXIT_OK)
		return fs;
	/* the directory is replaced as a whole: it must not hold an input */
	const char *more[] = {n.state_path, n.smtp_opts.netrc, n.smtp_opts.cacert};
	if (n.dry_dir && owners_job_inside(&n.j, n.dry_dir, more, 3))
		return EXIT_USAGE;
	if (n.dry_dir && outdir_begin(&n.out, n.dry_dir, &dry_run_kind, &err)) {
		cli_error(CMD, "%s", err.msg);
		return cli_exit_for_write(err.code);
	}
	if (!n.dry_dir && owners_smtp_new(&n.smtp_opts, &n.smtp, &err)) {
		cli_error(CMD, "%s", err.msg);
		return cli_exit_for(err.code);
	}
	int status = owners_job_load(&n.j);
	if (status == EXIT_OK && n.state_path &&
	    owners_state_open(n.state_path, n.dry_dir != NULL, &n.state, &err)) {
		cli_error(CMD, "%s", err.msg);
		status = cli_exit_for(err.code);
	}
	signal(SIGPIPE, SIG_IGN);
	for (uint32_t o = 0; status == EXIT_OK && o < n.j.reg->count; o++)
		status = one_owner(&n, o);
	if (n.stop)
		cli_error(CMD, "stopped: %s", n.stop);
	if (n.dry_dir && status == EXIT_OK && finish_dry_run(&n, &err)) {
		cli_error(CMD, "%s", err.msg);
		status = EXIT_FAIL;
	}
	if (n.dry_dir)
		outdir_abort(&n.out);
	if (n.state && owners_state_close(n.state, &err)) {
		cli_error(CMD, "%s", err.msg);
		status = EXIT_FAIL;
	}
	if (n.j.reg)
		fprintf(stderr,
			"sighted notify: %llu %s, %llu already sent, %llu failed, %llu "
			"without "
			"contact\n",
			(unsigned long long)n.sent, n.dry_dir ? "written" : "sent",
			(unsigned long long)n.skipped, (unsigned long long)n.failed,
			(unsigned long long)n.nocontact);
	if (status == EXIT_OK && (n.failed || n.nocontact))
		status = EXIT_FAIL;
	owners_smtp_free(n.smtp);
	owners_job_free(&n.j);
	return status;
}

const struct cli_command cli_cmd_notify = {
    "notify", "mail each network owner its report (SMTP, idempotent)", run};
