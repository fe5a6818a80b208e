/* sighted check: is an address or prefix listed? */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/files.h"
#include "cli/options.h"
#include "cli/terminal.h"
#include "core/csv.h"
#include "core/limits.h"
#include "db/db.h"
#include "io/source.h"
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
	    "      --json         JSON Lines: one object per query\n"
	    "      --csv          CSV: one row per query and sighting, with a header\n"
	    "      --max-inside N entries listed inside a prefix (default 1000)\n"
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

struct check {
	const struct db *db;
	enum mode mode;
	size_t max_inside;
	bool any_listed, any_error;
};

static void csv_field(const char *s)
{
	/* quote always when needed; a leading = + - @ is neutralised so a
	 * spreadsheet never evaluates a field as a formula */
	bool formula = s[0] && strchr("=+-@", s[0]);
	bool q = strpbrk(s, ",\"\n\r") != NULL || formula;
	if (!q) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	if (formula)
		putchar('\'');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void join_array(json_t *a, char *buf, size_t size, const char *sep)
{
	size_t pos = 0, i;
	json_t *x;
	buf[0] = '\0';
	json_array_foreach(a, i, x)
	{
		int n = snprintf(buf + pos, size - pos, "%s%s", i ? sep : "",
				 json_string_value(x) ? json_string_value(x) : "");
		if (n < 0 || (size_t)n >= size - pos)
			break;
		pos += (size_t)n;
	}
}

static void csv_rows(json_t *res, json_t *entry, const char *relation)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(entry, "sightings"), i, s)
	{
		char ev[64], src[1024];
		join_array(json_object_get(s, "evidence"), ev, sizeof(ev), ";");
		join_array(json_object_get(s, "sources"), src, sizeof(src), ";");
		const char *f[] = {jstr(res, "query"),
				   "true",
				   relation,
				   jstr(entry, "key"),
				   jstr(s, "campaign"),
				   jstr(s, "first_seen"),
				   jstr(s, "last_seen")};
		for (size_t k = 0; k < 7; k++) {
			csv_field(f[k]);
			putchar(',');
		}
		printf("%lld,",
		       (long long)json_integer_value(json_object_get(s, "count")));
		csv_field(ev);
		putchar(',');
		csv_field(jstr(s, "confidence"));
		putchar(',');
		csv_field(src);
		putchar('\n');
	}
}

static void text_entry(json_t *entry, const char *indent)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(entry, "sightings"), i, s)
	{
		char ev[64], src[1024];
		join_array(json_object_get(s, "evidence"), ev, sizeof(ev), ",");
		join_array(json_object_get(s, "sources"), src, sizeof(src), ", ");
		printf("%s%s  %s", indent, jstr(entry, "key"), jstr(s, "campaign"));
		if (*jstr(s, "title"))
			printf(" (%s)", jstr(s, "title"));
		printf("\n%s    seen %lld time%s", indent,
		       (long long)json_integer_value(json_object_get(s, "count")),
		       json_integer_value(json_object_get(s, "count")) == 1 ? "" : "s");
		if (*jstr(s, "first_seen"))
			printf(" from %s to %s", jstr(s, "first_seen"),
			       jstr(s, "last_seen"));
		printf("; evidence: %s; confidence: %s\n", ev, jstr(s, "confidence"));
		if (*src)
			printf("%s    sources: %s\n", indent, src);
	}
}

static void output(struct check *c, json_t *res)
{
	switch (c->mode) {
	case MODE_QUIET:
		return;
	case MODE_JSON:
		json_dumpf(res, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
		putchar('\n');
		return;
	case MODE_CSV: {
		size_t i;
		json_t *e;
		bool rows = false;
		json_array_foreach(json_object_get(res, "matches"), i, e)
		{
			csv_rows(res, e, "covering");
			rows = true;
		}
		json_t *inside = json_object_get(res, "inside");
		json_array_foreach(json_object_get(inside, "entries"), i, e)
		{
			if (!strcmp(jstr(e, "key"), jstr(res, "query")))
				continue; /* already a covering match */
			csv_rows(res, e, "inside");
			rows = true;
		}
		if (!rows) {
			csv_field(jstr(res, "query"));
			fputs(",false,,,,,,,,,\n", stdout);
		}
		return;
	}
	case MODE_TEXT: {
		bool listed = json_is_true(json_object_get(res, "listed"));
		printf("%s: %s\n", jstr(res, "query"), listed ? "LISTED" : "not listed");
		size_t i;
		json_t *e;
		json_array_foreach(json_object_get(res, "matches"), i, e)
		    text_entry(e, "  ");
		json_t *inside = json_object_get(res, "inside");
		if (inside && json_integer_value(json_object_get(inside, "count"))) {
			printf("  %lld listed entr%s inside%s:\n",
			       (long long)json_integer_value(
				   json_object_get(inside, "count")),
			       json_integer_value(json_object_get(inside, "count")) == 1
				   ? "y"
				   : "ies",
			       json_is_true(json_object_get(inside, "truncated"))
				   ? " (first ones shown)"
				   : "");
			json_array_foreach(json_object_get(inside, "entries"), i, e)
			    text_entry(e, "    ");
		}
		return;
	}
	}
}

static void report_bad(struct check *c, const char *text, size_t len, const char *where,
		       int rc, const char *why)
{
	if (len > 80)
		len = 80;
	c->any_error = true;
	/* the query as given, control bytes and invalid UTF-8 escaped: valid
	 * JSON, and nothing that drives a terminal */
	char q[81 * 4];
	cli_escape(q, sizeof(q), text, len);
	fprintf(stderr, "sighted " CMD ": %s'%s': %s\n", where, q, why); /* escaped */
	if (c->mode == MODE_JSON) {
		json_t *o = json_pack("{s:s, s:s}", "query", q, "error", why);
		if (o)
			output(c, o);
		json_decref(o);
	} else if (c->mode == MODE_CSV) {
		/* the query text is kept so a row traces back to its input;
		 * the reason is on stderr */
		csv_field(q);
		fputs(",error,,,,,,,,,\n", stdout);
	}
	(void)rc;
}

/* contained: 1 or 0 when the caller already knows whether an address is
 * covered (from a batched lookup), -1 when it does not. */
static void answer(struct check *c, const struct net_prefix *p, int contained)
{
	if (p->len == 128 && contained < 0)
		contained = db_contains(c->db, &p->addr);
	if (c->mode == MODE_QUIET && p->len == 128) {
		c->any_listed |= contained > 0;
		return;
	}
	/* the common case in a stream, answered without building JSON */
	if (p->len == 128 && !contained) {
		char buf[NET_ADDR_STRLEN];
		switch (c->mode) {
		case MODE_TEXT:
			net_addr_format(&p->addr, buf, sizeof(buf));
			printf("%s: not listed\n", buf);
			return;
		case MODE_CSV:
			net_addr_format(&p->addr, buf, sizeof(buf));
			printf("%s,false,,,,,,,,,\n", buf);
			return;
		case MODE_QUIET:
			return;
		case MODE_JSON:
			break;
		}
	}
	json_t *res = report_lookup(c->db, p, REPORT_FULL, c->max_inside);
	if (!res) {
		c->any_error = true;
		cli_error(CMD, "out of memory");
		return;
	}
	if (json_is_true(json_object_get(res, "listed")))
		c->any_listed = true;
	output(c, res);
	json_decref(res);
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
		report_bad(c, f.s, f.len, "", rc, why);
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
			report_bad(c, pend[i].text, pend[i].len, where, pend[i].rc,
				   pend[i].why);
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
			cli_error(CMD, "%s", err.msg);
			c->any_error = true;
			if (rc != SD_ELIMIT)
				break;
			continue;
		}
		/* a byte-order mark, as Windows tools write, before the first
		 * query (import accepts it too) */
		if (io_lineno(src) == 1 && len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3)) {
			line += 3;
			len -= 3;
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
	    {"json", no_argument, NULL, 'J'},
	    {"csv", no_argument, NULL, 'C'},
	    {"max-inside", required_argument, NULL, 'M'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *dbpath = cli_default_db();
	struct check c = {.mode = MODE_TEXT, .max_inside = REPORT_MAX_INSIDE};
	int opt;
	struct cli_mode mode = {MODE_TEXT, NULL};
	optind = 1;
	while ((opt = getopt_long(argc, argv, "d:qh", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dbpath = optarg;
			break;
		case 'J':
		case 'C':
		case 'q':
			if (!cli_set_mode(CMD, &mode,
					  opt == 'J'   ? MODE_JSON
					  : opt == 'C' ? MODE_CSV
						       : MODE_QUIET,
					  opt == 'J'   ? "--json"
					  : opt == 'C' ? "--csv"
						       : "--quiet"))
				return EXIT_USAGE;
			c.mode = (enum mode)mode.mode;
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
		return cli_exit_for(err.code);
	}
	c.db = db;
	if (c.mode == MODE_CSV)
		puts("query,listed,relation,key,campaign,first_seen,last_seen,count,"
		     "evidence,confidence,sources");
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
	db_close(db);
	if (cli_finish_stdout(CMD) != EXIT_OK)
		return EXIT_FAIL;
	if (c.any_error)
		return EXIT_DATA;
	return c.any_listed ? EXIT_OK : EXIT_NOT_LISTED;
}

const struct cli_command cli_cmd_check = {
    "check", "is an address or prefix listed? (CLI lookup)", run};
