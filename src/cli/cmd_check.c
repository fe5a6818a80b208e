/* sighted check: is an address or prefix listed? */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/limits.h"
#include "db/db.h"
#include "io/source.h"
#include "report/answer.h"
#include "report/render.h"
#include "report/report.h"

#define CMD "check"

static void help(FILE *out)
{
	fprintf(
	    out,
	    "usage: sighted check [options] ADDRESS|PREFIX...\n"
	    "       sighted check [options] -      (one query per line on stdin)\n"
	    "\n"
	    "Tells whether addresses or prefixes were sighted talking to a\n"
	    "campaign's infrastructure, with the evidence.\n"
	    "\n"
	    "  -d, --db FILE      snapshot (default: $SIGHTED_DB or sighted.sdb)\n"
	    "  -j, --json         JSON Lines: one object per query\n"
	    "      --csv          CSV: one row per query and sighting, with a header\n"
	    "      --max-inside N entries listed inside a prefix (default 1000)\n"
	    "      --listed       print only the queries that are listed (bad queries\n"
	    "                     are still reported on stderr)\n"
	    "  -q, --quiet        print nothing; the exit status tells\n"
	    "  -h, --help         this text\n"
	    "\n"
	    "For an address: every entry covering it (the address itself and any\n"
	    "listed prefix containing it). For a prefix: entries covering it and\n"
	    "the entries inside it, with their count.\n"
	    "Exit status: 0 at least one query listed, 1 none listed, 2 usage,\n"
	    "3 a query could not be parsed or the snapshot is unreadable/corrupt.\n");
}

enum mode { MODE_TEXT, MODE_JSON, MODE_CSV, MODE_QUIET };

/* Output is gathered in one buffer and handed to stdio in blocks of about
 * this size. */
#define CHECK_FLUSH_AT (256 * 1024)

struct check {
	const struct db *db;
	enum mode mode;
	bool listed_only; /* --listed: print the listed queries only */
	size_t max_inside;
	bool any_listed, any_error, write_failed;
	struct sd_buf out;
	struct report_answer *answer; /* reused for every query */
};

static enum report_format format_of(enum mode m)
{
	return m == MODE_JSON ? REPORT_JSON : m == MODE_CSV ? REPORT_CSV : REPORT_TEXT;
}

static void flush_out(struct check *c)
{
	if (!c->write_failed && sd_buf_flush(&c->out, stdout) != 0) {
		c->write_failed = true;
		cli_error(CMD, "write to stdout failed: %s", strerror(errno));
	}
	c->out.len = 0;
}

static void report_bad(struct check *c, const char *text, size_t len, const char *where,
		       const char *why)
{
	if (len > 80)
		len = 80;
	c->any_error = true;
	fprintf(stderr, "sighted check: %s'%.*s': %s\n", where, (int)len, text, why);
	if (c->mode != MODE_QUIET && !c->listed_only)
		report_render_error(&c->out, format_of(c->mode), text, len, why);
}

/* contained: 1 or 0 when the caller already knows whether an address is
 * covered (from a batched lookup), -1 when it does not. */
static void answer(struct check *c, const struct net_prefix *p, int contained)
{
	if (p->len == 128 && contained < 0)
		contained = db_contains(c->db, &p->addr);
	if (p->len == 128 && !contained) {
		/* the common case in a stream: no entry to fetch */
		if (c->mode == MODE_QUIET || c->listed_only)
			return;
		report_answer_unlisted(p, c->answer);
	} else {
		if (c->mode == MODE_QUIET && p->len == 128) {
			c->any_listed = true;
			return;
		}
		if (report_answer_lookup(c->db, p, c->max_inside, c->answer)) {
			c->any_error = true;
			cli_error(CMD, "out of memory");
			return;
		}
		c->any_listed |= c->answer->listed;
		if (c->mode == MODE_QUIET || (c->listed_only && !c->answer->listed))
			return;
	}
	report_render(&c->out, c->db, c->answer, format_of(c->mode), REPORT_FULL);
	if (c->out.len >= CHECK_FLUSH_AT)
		flush_out(c);
}

static int parse_query(const char *text, size_t len, struct net_prefix *p,
		       const char **why, struct sd_field *f)
{
	f->s = (char *)text;
	f->len = len;
	sd_field_trim(f);
	return net_prefix_parse(f->s, f->len, p, 0, why);
}

static void query(struct check *c, const char *text, size_t len)
{
	struct net_prefix p;
	struct sd_field f;
	const char *why;
	int rc = parse_query(text, len, &p, &why, &f);
	if (rc)
		report_bad(c, f.s, f.len, "", why);
	else
		answer(c, &p, -1);
}

/* Stdin is read in blocks of CHECK_BATCH queries so that the addresses of
 * a block are looked up together (db_contains_batch overlaps their memory
 * misses); answers still come out in input order. */
#define CHECK_BATCH 256

struct pending {
	struct net_prefix p;
	int rc;
	const char *why;
	uint64_t lineno;
	size_t len;
	char text[81];
};

static void flush_block(struct check *c, struct pending *pend, size_t n)
{
	struct net_addr addrs[CHECK_BATCH];
	bool hit[CHECK_BATCH];
	size_t idx[CHECK_BATCH], k = 0;
	for (size_t i = 0; i < n; i++)
		if (!pend[i].rc && pend[i].p.len == 128) {
			addrs[k] = pend[i].p.addr;
			idx[k++] = i;
		}
	if (k)
		db_contains_batch(c->db, addrs, k, hit);
	int known[CHECK_BATCH];
	for (size_t i = 0; i < n; i++)
		known[i] = -1;
	for (size_t j = 0; j < k; j++)
		known[idx[j]] = hit[j];
	for (size_t i = 0; i < n; i++) {
		if (pend[i].rc) {
			char where[64];
			snprintf(where, sizeof(where),
				 "(stdin):%llu: ", (unsigned long long)pend[i].lineno);
			report_bad(c, pend[i].text, pend[i].len, where, pend[i].why);
		} else {
			answer(c, &pend[i].p, known[i]);
		}
	}
}

static void query_stream(struct check *c, struct io_source *src)
{
	static struct pending pend[CHECK_BATCH];
	size_t n = 0;
	const char *line;
	size_t len;
	int rc;
	struct sd_error err = {0};
	while ((rc = io_getline(src, &line, &len, &err)) != 0) {
		if (rc < 0) {
			flush_block(c, pend, n);
			n = 0;
			fprintf(stderr, "sighted check: %s\n", err.msg);
			c->any_error = true;
			if (rc != SD_ELIMIT)
				break;
			continue;
		}
		if (len == 0 || line[0] == '#')
			continue;
		struct pending *q = &pend[n];
		struct sd_field f;
		q->rc = parse_query(line, len, &q->p, &q->why, &f);
		q->lineno = io_lineno(src);
		q->len = f.len < 80 ? f.len : 80;
		memcpy(q->text, f.s, q->len);
		q->text[q->len] = '\0';
		if (++n == CHECK_BATCH) {
			flush_block(c, pend, n);
			n = 0;
		}
	}
	flush_block(c, pend, n);
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"json", no_argument, NULL, 'j'},
	    {"csv", no_argument, NULL, 'C'},
	    {"max-inside", required_argument, NULL, 'M'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"listed", no_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *dbpath = cli_default_db();
	struct check c = {.mode = MODE_TEXT, .max_inside = REPORT_MAX_INSIDE};
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "d:jqh", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dbpath = optarg;
			break;
		case 'j':
			c.mode = MODE_JSON;
			break;
		case 'C':
			c.mode = MODE_CSV;
			break;
		case 'q':
			c.mode = MODE_QUIET;
			break;
		case 'L':
			c.listed_only = true;
			break;
		case 'M': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 0 || v > 1000000) {
				cli_error(CMD, "--max-inside '%s': a number 0..1000000",
					  optarg);
				return EXIT_USAGE;
			}
			c.max_inside = (size_t)v;
			break;
		}
		case 'h':
			help(stdout);
			return EXIT_OK;
		default:
			help(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error(CMD, "nothing to check (give addresses, prefixes or '-')");
		help(stderr);
		return EXIT_USAGE;
	}
	struct sd_error err = {0};
	struct db *db;
	if (db_open(dbpath, &db, &err)) {
		cli_error(CMD, "%s", err.msg);
		return EXIT_DATA;
	}
	c.db = db;
	c.answer = calloc(1, sizeof(*c.answer));
	if (!c.answer) {
		cli_error(CMD, "out of memory");
		db_close(db);
		return EXIT_FAIL;
	}
	if (c.mode == MODE_CSV)
		report_render_csv_header(&c.out);
	for (int i = optind; i < argc; i++) {
		if (strcmp(argv[i], "-") != 0) {
			query(&c, argv[i], strlen(argv[i]));
			continue;
		}
		struct io_source *src;
		if (io_open("-", &src, &err)) {
			cli_error(CMD, "%s", err.msg);
			c.any_error = true;
			break;
		}
		query_stream(&c, src);
		io_close(src);
	}
	flush_out(&c);
	sd_buf_free(&c.out);
	report_answer_free(c.answer);
	free(c.answer);
	db_close(db);
	if (!c.write_failed && fflush(stdout) != 0) {
		cli_error(CMD, "write to stdout failed: %s", strerror(errno));
		c.write_failed = true;
	}
	if (c.write_failed)
		return EXIT_FAIL;
	if (c.any_error)
		return EXIT_DATA;
	return c.any_listed ? EXIT_OK : EXIT_NOT_LISTED;
}

const struct cli_command cli_cmd_check = {
    "check", "is an address or prefix listed? (CLI lookup)", run};
