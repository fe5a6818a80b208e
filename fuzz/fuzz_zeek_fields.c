/* Covers the hand-written hot paths of the Zeek TSV reader in
 * src/telemetry/field.c and field.h, each against the plain code it
 * replaces:
 *   tel_addr_wide (SSSE3 dotted quads and IPv6 groups) against
 *     net_addr_parse, with every amount of readable room after the text;
 *   tel_parse_port_wide and tel_parse_u64_wide (SWAR) against
 *     tel_parse_port and tel_parse_u64;
 *   tel_parse_epoch (and its inline SWAR path for Zeek's own layout,
 *     tel_parse_epoch_zeek) against a digit loop; tel_proto_inline
 *     against tel_proto;
 *   tel_split_fields against a byte loop, for every wanted column, split
 *     in one call or resumed from any recorded column;
 *   the Zeek TSV reader with a prefilter (which splits a rejected flow
 *     only up to its address columns) against the reader without one:
 *     the same records, malformed lines and messages, and every field of
 *     a record the prefilter let through;
 *   the reader taking its lines in place from a mapping of the file
 *     (io_getline_span, not NUL-terminated) against reading the file with
 *     read(): the same records to the last byte of their names, paths and
 *     answers, the same malformed lines and messages.
 * The input is the text; its first byte also picks the separator. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "io/source.h"
#include "net/addr.h"
#include "telemetry/field.h"
#include "telemetry/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_addr(const char *s, size_t n)
{
	struct net_addr want, got;
	const char *why;
	bool ok = n && net_addr_parse(s, n, &want, &why) == 0;
	/* the text at the end of a buffer of 64 bytes, so each amount of
	 * room after it (and so each path) is taken */
	char buf[64 + 64];
	if (n > 64)
		return;
	for (size_t room = n; room <= 64; room += (room < n + 50 ? 1 : 7)) {
		char *p = buf + 64 - (room - n) - n;
		memset(buf, 'x', sizeof(buf));
		memcpy(p, s, n);
		memset(&got, 0xa5, sizeof(got));
		bool r = tel_addr_wide(p, n, p + room, &got);
		if (r != ok || (ok && memcmp(&got, &want, sizeof(want)) != 0))
			abort();
		if (ok != tel_addr(p, n, &got) ||
		    (ok && memcmp(&got, &want, sizeof(want))))
			abort();
	}
}

static void check_port(const char *s, size_t n)
{
	char buf[32];
	if (n > 16)
		return;
	uint16_t want = 0, got = 0;
	bool ok = tel_parse_port(s, n, &want);
	for (size_t room = n; room <= 16; room++) {
		memset(buf, '7', sizeof(buf));
		memcpy(buf, s, n);
		if (tel_parse_port_wide(buf, n, buf + room, &got) != ok ||
		    (ok && got != want))
			abort();
		uint64_t w64 = 0, g64 = 0;
		bool ok64 = tel_parse_u64(s, n, &w64);
		if (tel_parse_u64_wide(buf, n, buf + room, &g64) != ok64 ||
		    (ok64 && g64 != w64))
			abort();
	}
}

/* epoch seconds by a digit loop: up to 12 digits, then nothing or a dot
 * and digits; btest's X's give 0 */
static bool epoch_ref(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	int64_t v = 0;
	while (i < n && i < 12 && s[i] >= '0' && s[i] <= '9')
		v = v * 10 + (s[i++] - '0');
	if (i == 0 || (i < n && s[i] != '.')) {
		if (!n || s[0] != 'X')
			return false;
		for (size_t j = 0; j < n; j++)
			if (s[j] != 'X' && s[j] != '.')
				return false;
		*out = 0;
		return true;
	}
	for (size_t j = i + 1; j < n; j++)
		if (s[j] < '0' || s[j] > '9')
			return false;
	*out = v;
	return true;
}

static void check_epoch_proto(const char *s, size_t n)
{
	int64_t want = -1, got = -1, fast = -1;
	bool ok = epoch_ref(s, n, &want);
	if (tel_parse_epoch(s, n, &got) != ok || (ok && got != want))
		abort();
	got = -1;
	if (tel_parse_epoch_inline(s, n, &got) != ok || (ok && got != want))
		abort();
	if (tel_parse_epoch_zeek(s, n, &fast) && (!ok || fast != want))
		abort();
	if (tel_proto_inline(s, n) != tel_proto(s, n))
		abort();
}

/* the byte loop: ends of every column, the count */
static int split_ref(const char *s, size_t len, char sep, uint32_t *e, int max)
{
	int n = 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] == sep) {
			if (n < max)
				e[n] = (uint32_t)i;
			n++;
		}
	if (n < max)
		e[n] = (uint32_t)len;
	return n + 1;
}

static void check_split(const char *s, size_t len, char sep)
{
	enum { MAXC = 64 };
	uint32_t ref[MAXC + 1];
	int cols = split_ref(s, len, sep, ref, MAXC + 1);
	uint32_t e[MAXC + 40];
	for (int want = -1; want < MAXC && want < cols + 2; want++) {
		int n = tel_split_fields(s, len, sep, 0, 0, e, want);
		if (n != cols)
			abort();
		for (int k = 0; k <= want && k < cols; k++)
			if (e[k] != ref[k])
				abort();
		/* resumed after column r, as the reader does past its
		 * prefilter */
		for (int r = 0; r < want && r < cols - 1; r++) {
			memset(e, 0xff, sizeof(e));
			if (tel_split_fields(s, len, sep, ref[r] + 1, r + 1, e, want) !=
			    cols)
				abort();
			for (int k = r + 1; k <= want && k < cols; k++)
				if (e[k] != ref[k])
					abort();
		}
	}
}

/* rejects about half the flows, by their addresses and time */
static bool half(void *ctx, const struct tel_record *rec)
{
	(void)ctx;
	return ((rec->client.b[15] ^ rec->server.b[15] ^ (unsigned)rec->ts) & 1) != 0;
}

struct seen {
	char text[4096];
	size_t len;
};

static void note(void *ctx, const char *where, const char *why)
{
	struct seen *s = ctx;
	int k =
	    snprintf(s->text + s->len, sizeof(s->text) - s->len, "%s %s|", where, why);
	if (k > 0 && (size_t)k < sizeof(s->text) - s->len)
		s->len += (size_t)k;
}

enum { MAX_RECS = 256 };

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

/* what a record's pointers point at, while they are valid */
static uint64_t record_text(const struct tel_record *r)
{
	uint64_t h = 1469598103934665603ull;
	h = fnv(h, &r->name_len, sizeof(r->name_len));
	h = fnv(h, r->name, r->name_len);
	h = fnv(h, &r->path_len, sizeof(r->path_len));
	h = fnv(h, r->path, r->path_len);
	h = fnv(h, &r->nanswers, sizeof(r->nanswers));
	return fnv(h, r->answers, r->nanswers * sizeof(*r->answers));
}

/* reads the text as a Zeek TSV log (mapped: through a mapping of the file,
 * else with read()): records into out (at most MAX_RECS) and the digest of
 * their text into text, messages into msgs; returns the number of records */
static size_t read_zeek(const uint8_t *data, size_t size, bool pre, bool mapped,
			struct tel_record *out, uint64_t *text, struct seen *msgs,
			struct tel_stats *st)
{
	memset(msgs, 0, sizeof(*msgs));
	memset(st, 0, sizeof(*st));
	int fd = memfd_create("fuzz", 0);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	lseek(fd, 0, SEEK_SET);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct tel_options opt = {.format = TEL_FMT_ZEEK_TSV};
	if (pre)
		opt.prefilter = half;
	struct sd_error err;
	struct io_source *src;
	struct tel_reader *r;
	size_t n = 0;
	io_map_regular_files(mapped);
	if (io_open(path, &src, &err) == 0 && tel_open(src, &opt, &r, &err) == 0) {
		tel_set_report(r, note, msgs);
		struct tel_record rec;
		while (tel_next(r, &rec, &err) == 1)
			if (n < MAX_RECS) {
				text[n] = record_text(&rec);
				out[n++] = rec;
			}
		*st = *tel_stats(r);
		tel_close(r);
	}
	io_map_regular_files(true);
	close(fd);
	return n;
}

static void check_reader(const uint8_t *data, size_t size)
{
	static struct tel_record a[MAX_RECS], b[MAX_RECS], c[MAX_RECS];
	static uint64_t ta[MAX_RECS], tb[MAX_RECS], tc[MAX_RECS];
	static struct seen ma, mb, mc;
	struct tel_stats sa, sb, sc;
	size_t na = read_zeek(data, size, false, true, a, ta, &ma, &sa);
	size_t nb = read_zeek(data, size, true, true, b, tb, &mb, &sb);
	size_t nc = read_zeek(data, size, false, false, c, tc, &mc, &sc);
	/* mapped against read(): everything, byte for byte */
	if (na != nc || memcmp(&sa, &sc, sizeof(sa)) || ma.len != mc.len ||
	    memcmp(ma.text, mc.text, ma.len))
		abort();
	for (size_t i = 0; i < na; i++) {
		const struct tel_record *x = &a[i], *y = &c[i];
		if (ta[i] != tc[i] || x->ts != y->ts || x->kind != y->kind ||
		    x->flags != y->flags || x->position != y->position ||
		    memcmp(&x->client, &y->client, sizeof(x->client)) ||
		    memcmp(&x->server, &y->server, sizeof(x->server)) ||
		    x->client_port != y->client_port ||
		    x->server_port != y->server_port || x->proto != y->proto ||
		    x->bytes != y->bytes || x->packets != y->packets)
			abort();
	}
	if (na != nb || sa.records != sb.records || sa.malformed != sb.malformed ||
	    sa.skipped != sb.skipped || ma.len != mb.len ||
	    memcmp(ma.text, mb.text, ma.len))
		abort();
	for (size_t i = 0; i < na; i++) {
		const struct tel_record *x = &a[i], *y = &b[i];
		if (x->ts != y->ts || x->kind != y->kind || x->position != y->position ||
		    memcmp(&x->client, &y->client, sizeof(x->client)) ||
		    memcmp(&x->server, &y->server, sizeof(x->server)) ||
		    x->client_port != y->client_port ||
		    x->server_port != y->server_port ||
		    (x->flags & ~(unsigned)(TEL_PARTIAL | TEL_ANSWERED)) !=
			(y->flags & ~(unsigned)(TEL_PARTIAL | TEL_ANSWERED)) ||
		    (x->flags & TEL_PARTIAL))
			abort();
		/* a flow the prefilter let through is read whole */
		if (!(y->flags & TEL_PARTIAL) &&
		    (x->proto != y->proto || x->bytes != y->bytes ||
		     x->packets != y->packets || x->flags != y->flags))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	char sep = (data[0] & 1) ? '\t' : ',';
	check_addr(s, n);
	check_port(s, n);
	check_epoch_proto(s, n);
	if (n <= 4096)
		check_split(s, n, sep);
	check_reader(data + 1, n);
	/* each field of the text on its own, as the reader sees them */
	const char *p = s, *e = s + n;
	while (p <= e) {
		const char *t = memchr(p, sep, (size_t)(e - p));
		size_t l = t ? (size_t)(t - p) : (size_t)(e - p);
		check_addr(p, l);
		check_port(p, l);
		check_epoch_proto(p, l);
		if (!t)
			break;
		p = t + 1;
	}
	return 0;
}
