/* Differential fuzzer for the EVE hot path: whenever the hand-rolled
 * scanner (eve_fast.c) takes a line on itself, jansson must accept the same
 * line and the jansson reader must produce the very same record (or the
 * same skip). Any difference aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/source.h"
#include "telemetry/backend.h"
#include "telemetry/eve_fast.h"

static struct tel_backend *backend(void)
{
	static struct tel_backend *b;
	if (!b) {
		struct sd_error err;
		struct io_source *src;
		struct tel_options opt = {0};
		if (io_open("/dev/null", &src, &err) || tel_eve_open(src, &opt, &b, &err))
			abort();
	}
	return b;
}

static void same(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "eve fast path and jansson differ: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tel_backend *b = backend();
	const char *line = (const char *)data;
	struct tel_record a, j;
	int ra = eve_line(b, line, size, 7, &a, EVE_FAST_ONLY);
	if (ra == 2)
		return 0; /* handed over: nothing to compare */
	/* keep the fast record's strings: they may live in the backend */
	char name[65536], path[65536];
	same(ra == 0 || ra == 1, "fast path result code");
	if (ra == 1) {
		memcpy(name, a.name, a.name_len);
		memcpy(path, a.path, a.path_len);
	}
	int rj = eve_line(b, line, size, 7, &j, EVE_JSON_ONLY);
	same(ra == rj, "accepted by one, not the other (or skip vs record)");
	if (ra != 1)
		return 0;
	same(a.ts == j.ts, "ts");
	same(a.kind == j.kind, "kind");
	same(a.flags == j.flags, "flags");
	same(!memcmp(&a.client, &j.client, sizeof(a.client)), "client");
	same(!memcmp(&a.server, &j.server, sizeof(a.server)), "server");
	same(a.client_port == j.client_port, "client_port");
	same(a.server_port == j.server_port, "server_port");
	same(a.proto == j.proto, "proto");
	same(a.name_len == j.name_len && !memcmp(name, j.name, a.name_len), "name");
	same(a.path_len == j.path_len && !memcmp(path, j.path, a.path_len), "path");
	same(a.nanswers == j.nanswers, "answers");
	same(a.bytes == j.bytes, "bytes");
	same(a.packets == j.packets, "packets");
	same(a.position == j.position, "position");
	return 0;
}
