/* sighted info: what a snapshot holds. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/files.h"
#include "core/plural.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "report/report.h"

#define CMD "info"

static void help(FILE *out)
{
	fprintf(out,
		"usage: sighted info [--json] SNAPSHOT.sdb\n"
		"\n"
		"Validates a snapshot and describes it: content identifier (a hash of\n"
		"its contents that ignores the build time, docs/db-format.md), build\n"
		"time, size, entries by kind, and per campaign its window, entries,\n"
		"sightings and time range.\n"
		"\n"
		"      --json   one JSON object\n"
		"  -h, --help   this text\n"
		"Exit status: 0 valid, 2 usage, 3 unreadable or corrupt, 4 write\n"
		"error on standard output.\n");
}

struct campaign_stats {
	uint64_t entries, count;
	uint32_t first, last;
};

struct stats {
	const struct db *db;
	uint64_t v4_hosts, v4_prefixes, v6_hosts, v6_prefixes;
	struct campaign_stats *c;
};

static int tally(const struct db_entry *e, void *p)
{
	struct stats *st = p;
	bool v4 = net_prefix_is_v4(&e->prefix), host = e->prefix.len == 128;
	if (v4)
		host ? st->v4_hosts++ : st->v4_prefixes++;
	else
		host ? st->v6_hosts++ : st->v6_prefixes++;
	for (uint32_t i = 0; i < e->nsightings; i++) {
		struct db_sighting s;
		db_entry_sighting(st->db, e, i, &s);
		struct campaign_stats *c = &st->c[s.campaign];
		c->entries++;
		c->count += s.count;
		if (s.first_seen && (!c->first || s.first_seen < c->first))
			c->first = s.first_seen;
		if (s.last_seen > c->last)
			c->last = s.last_seen;
	}
	return 0;
}

/* The inputs the snapshot was read from (docs/db-format.md, INPUTS). */
static json_t *info_inputs(const struct db *db)
{
	json_t *a = json_array();
	for (uint64_t i = 0; i < db_input_count(db); i++) {
		struct io_ident id;
		char head[33], content[33];
		const char *label = db_input_get(db, i, &id);
		io_hash128_format(&id.head, head);
		io_hash128_format(&id.content, content);
		json_t *x = json_object();
		json_object_set_new(x, "label", json_string(label));
		json_object_set_new(x, "size", json_integer((json_int_t)id.size));
		json_object_set_new(x, "start", json_integer((json_int_t)id.start));
		json_object_set_new(x, "end", json_integer((json_int_t)id.end));
		json_object_set_new(x, "head", json_string(head));
		json_object_set_new(x, "content", json_string(content));
		json_array_append_new(a, x);
	}
	return a;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'J'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool json = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'J':
			json = true;
			break;
		case 'h':
			help(stdout);
			return EXIT_OK;
		default:
			help(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_error(CMD, "give exactly one snapshot");
		help(stderr);
		return EXIT_USAGE;
	}
	int fs = cli_check_stdout(CMD, (const char *const *)argv + optind, 1);
	if (fs != EXIT_OK)
		return fs;
	struct sd_error err = {0};
	struct db *db;
	if (db_open(argv[optind], &db, &err)) {
		cli_error(CMD, "%s", err.msg);
		return cli_exit_for(err.code);
	}
	uint32_t nc = db_campaign_count(db);
	struct stats st = {.db = db, .c = calloc(nc ? nc : 1, sizeof(*st.c))};
	if (!st.c) {
		db_close(db);
		cli_error(CMD, "out of memory");
		return EXIT_FAIL;
	}
	db_foreach(db, tally, &st);

	json_t *o = json_object();
	json_object_set_new(o, "path", json_string(argv[optind]));
	json_object_set_new(o, "format_version", json_integer(db_format_version(db)));
	json_object_set_new(o, "size", json_integer((json_int_t)db_file_size(db)));
	char content_id[DB_CONTENT_ID_STRLEN];
	db_content_id(db, content_id);
	json_object_set_new(o, "content_id", json_string(content_id));
	json_object_set_new(o, "built", report_time((uint32_t)db_build_time(db)));
	json_object_set_new(o, "entries", json_integer((json_int_t)db_entry_count(db)));
	json_object_set_new(o, "ipv4_addresses", json_integer((json_int_t)st.v4_hosts));
	json_object_set_new(o, "ipv4_prefixes", json_integer((json_int_t)st.v4_prefixes));
	json_object_set_new(o, "ipv6_addresses", json_integer((json_int_t)st.v6_hosts));
	json_object_set_new(o, "ipv6_prefixes", json_integer((json_int_t)st.v6_prefixes));
	json_t *camps = json_array();
	for (uint32_t i = 0; i < nc; i++) {
		json_t *co = report_campaign(db, i);
		json_object_set_new(co, "entries",
				    json_integer((json_int_t)st.c[i].entries));
		json_object_set_new(co, "total_count",
				    json_integer((json_int_t)st.c[i].count));
		json_object_set_new(co, "first_seen", report_time(st.c[i].first));
		json_object_set_new(co, "last_seen", report_time(st.c[i].last));
		json_array_append_new(camps, co);
	}
	json_object_set_new(o, "campaigns", camps);
	json_object_set_new(o, "inputs", info_inputs(db));

	if (json) {
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		putchar('\n');
	} else {
		printf("snapshot:   %s (format %u, %llu bytes, valid)\n", argv[optind],
		       db_format_version(db), (unsigned long long)db_file_size(db));
		printf("inputs:     %llu files or byte ranges read\n",
		       (unsigned long long)db_input_count(db));
		printf("content id: %s\n", content_id);
		printf("built:      %s\n",
		       json_string_value(json_object_get(o, "built")));
		printf("entries:    %llu (IPv4: %llu address%s, %llu prefix%s; "
		       "IPv6: %llu address%s, %llu prefix%s)\n",
		       (unsigned long long)db_entry_count(db),
		       (unsigned long long)st.v4_hosts, sd_plural(st.v4_hosts, "", "es"),
		       (unsigned long long)st.v4_prefixes,
		       sd_plural(st.v4_prefixes, "", "es"),
		       (unsigned long long)st.v6_hosts, sd_plural(st.v6_hosts, "", "es"),
		       (unsigned long long)st.v6_prefixes,
		       sd_plural(st.v6_prefixes, "", "es"));
		for (uint32_t i = 0; i < nc; i++) {
			struct db_campaign dc;
			db_campaign_get(db, i, &dc);
			char ws[SD_TIME_STRLEN], we[SD_TIME_STRLEN], f[SD_TIME_STRLEN],
			    l[SD_TIME_STRLEN];
			sd_time_format(dc.window_start, ws, sizeof(ws));
			sd_time_format(dc.window_end, we, sizeof(we));
			sd_time_format(st.c[i].first, f, sizeof(f));
			sd_time_format(st.c[i].last, l, sizeof(l));
			printf("campaign:   %s%s%s%s\n", dc.name, *dc.title ? " — " : "",
			       dc.title, "");
			printf("  window:   %s .. %s\n", *ws ? ws : "open",
			       *we ? we : "open");
			printf("  entries:  %llu, sighted %llu times",
			       (unsigned long long)st.c[i].entries,
			       (unsigned long long)st.c[i].count);
			if (*f)
				printf(", from %s to %s", f, l);
			putchar('\n');
			if (*dc.advisory)
				printf("  advisory: %s\n", dc.advisory);
		}
	}
	json_decref(o);
	free(st.c);
	db_close(db);
	return cli_finish_stdout(CMD);
}

const struct cli_command cli_cmd_info = {
    "info", "validate a snapshot and describe its contents", run};
