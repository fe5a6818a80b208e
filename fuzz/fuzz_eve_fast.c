/* Differential fuzzer for the EVE hot path: whenever the hand-rolled
 * scanner (eve_fast.c) takes a line on itself, jansson must accept the same
 * line and the jansson reader must produce the very same record (or the
 * same skip). The scanner runs once per quote-index kernel (eve_index.h:
 * none, scalar, SSE2, AVX2 where the CPU has them): every kernel must build
 * the same index as the scalar one (also when it indexes while it copies
 * the line, as the reader's batches do, and the copy must be exact), and
 * the scanner must give the same answer with each, and the same again when
 * the line is indexed while copied and its keys are handed over as from
 * the reader's scan thread (EVE_PIPED), with each kernel. Any difference
 * aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "io/source.h"
#include "telemetry/backend.h"
#include "telemetry/eve_fast.h"
#include "telemetry/eve_index.h"

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

/* A record with its strings copied out (they may live in the backend). */
struct kept {
	int rc;
	struct tel_record r;
	char name[65536], path[65536];
};

static void keep(struct kept *k, int rc, const struct tel_record *r)
{
	k->rc = rc;
	k->r = *r;
	if (rc == 1) {
		memcpy(k->name, r->name, r->name_len);
		memcpy(k->path, r->path, r->path_len);
	}
}

static void same_record(const struct kept *a, const struct tel_record *j)
{
	same(a->r.ts == j->ts, "ts");
	same(a->r.kind == j->kind, "kind");
	same(a->r.flags == j->flags, "flags");
	same(!memcmp(&a->r.client, &j->client, sizeof(j->client)), "client");
	same(!memcmp(&a->r.server, &j->server, sizeof(j->server)), "server");
	same(a->r.client_port == j->client_port, "client_port");
	same(a->r.server_port == j->server_port, "server_port");
	same(a->r.proto == j->proto, "proto");
	same(a->r.name_len == j->name_len && !memcmp(a->name, j->name, j->name_len),
	     "name");
	same(a->r.path_len == j->path_len && !memcmp(a->path, j->path, j->path_len),
	     "path");
	same(a->r.nanswers == j->nanswers, "answers");
	same(a->r.bytes == j->bytes, "bytes");
	same(a->r.packets == j->packets, "packets");
	same(a->r.position == j->position, "position");
}

/* Every kernel indexes the line as the scalar one does, and indexing
 * while copying (eve_index_copy, as the EVE reader's batches do) gives the
 * same index and an exact copy, with every kernel. */
static void same_index(const char *line, size_t size)
{
	static struct eve_index want, got;
	static uint64_t quote[EVE_INDEX_WORDS];
	static char copy[SD_MAX_LINE + 64];
	bool clean = eve_index_build(line, size, EVE_KERNEL_SCALAR, &want);
	static const enum eve_kernel ks[] = {EVE_KERNEL_SCALAR, EVE_KERNEL_SSE2,
					     EVE_KERNEL_AVX2, EVE_KERNEL_AUTO,
					     EVE_KERNEL_NONE};
	for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		if (!eve_kernel_available(ks[i]))
			continue;
		bool none = ks[i] == EVE_KERNEL_NONE;
		if (!none) {
			bool c = eve_index_build(line, size, ks[i], &got);
			same(c == clean, "kernels disagree on a clean line");
			if (clean)
				same(got.nwords == want.nwords && got.esc == want.esc &&
					 !memcmp(got.quote, want.quote,
						 (want.nwords + 1) *
						     sizeof(want.quote[0])),
				     "kernels disagree on the quote index");
		}
		if (size > SD_MAX_LINE)
			continue;
		bool esc;
		memset(copy, 0x5a, size + 64);
		bool c = eve_index_copy(line, size, copy, ks[i], quote, &esc);
		same(!memcmp(copy, line, size) && (unsigned char)copy[size] == 0x5a,
		     "the copy made while indexing is not the line");
		same(c == (clean && !none), "indexing while copying: another answer");
		if (c)
			same(esc == want.esc &&
				 !memcmp(quote, want.quote,
					 (want.nwords + 1) * sizeof(want.quote[0])),
			     "indexing while copying: another quote index");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tel_backend *b = backend();
	const char *line = (const char *)data;
	static struct kept a, k;
	struct tel_record r, j;
	same_index(line, size);
	/* the byte-by-byte scanner first, then each kernel's index */
	eve_set_kernel(b, EVE_KERNEL_NONE);
	keep(&a, eve_line(b, line, size, 7, &r, EVE_FAST_ONLY), &r);
	static const enum eve_kernel ks[] = {EVE_KERNEL_SCALAR, EVE_KERNEL_SSE2,
					     EVE_KERNEL_AVX2, EVE_KERNEL_AUTO};
	for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		if (!eve_kernel_available(ks[i]))
			continue;
		eve_set_kernel(b, ks[i]);
		keep(&k, eve_line(b, line, size, 7, &r, EVE_FAST_ONLY), &r);
		same(k.rc == a.rc, "the index changes the scanner's answer");
		if (a.rc == 1)
			same_record(&a, &k.r);
	}
	/* indexing while copying, and the hand-over from the scan thread
	 * (eve_pipe.h), change nothing, with any kernel */
	for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		if (!eve_kernel_available(ks[i]))
			continue;
		eve_set_kernel(b, ks[i]);
		keep(&k, eve_line(b, line, size, 7, &r, EVE_PIPED), &r);
		same(k.rc == a.rc, "the scan thread's hand-over changes the answer");
		if (a.rc == 1)
			same_record(&a, &k.r);
	}
	eve_set_kernel(b, EVE_KERNEL_AUTO);
	if (a.rc == 2)
		return 0; /* handed over: nothing to compare */
	same(a.rc == 0 || a.rc == 1, "fast path result code");
	int rj = eve_line(b, line, size, 7, &j, EVE_JSON_ONLY);
	same(a.rc == rj, "accepted by one, not the other (or skip vs record)");
	if (a.rc == 1)
		same_record(&a, &j);
	return 0;
}
