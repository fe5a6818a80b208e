/* Covers the hand-written hot paths of the Zeek TSV reader in
 * src/telemetry/field.c and field.h, each against the plain code it
 * replaces:
 *   tel_addr_wide (SSSE3 dotted quads and IPv6 groups) against
 *     net_addr_parse, with every amount of readable room after the text;
 *   tel_parse_port_wide and tel_parse_u64_wide (SWAR) against
 *     tel_parse_port and tel_parse_u64;
 *   tel_split_fields against a byte loop, for every wanted column, split
 *     in one call or resumed from any recorded column.
 * The input is the text; its first byte also picks the separator. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/addr.h"
#include "telemetry/field.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	char sep = (data[0] & 1) ? '\t' : ',';
	check_addr(s, n);
	check_port(s, n);
	if (n <= 4096)
		check_split(s, n, sep);
	/* each field of the text on its own, as the reader sees them */
	const char *p = s, *e = s + n;
	while (p <= e) {
		const char *t = memchr(p, sep, (size_t)(e - p));
		size_t l = t ? (size_t)(t - p) : (size_t)(e - p);
		check_addr(p, l);
		check_port(p, l);
		if (!t)
			break;
		p = t + 1;
	}
	return 0;
}
