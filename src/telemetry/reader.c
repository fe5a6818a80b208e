/* The dispatcher: sniffs the format from the first bytes, opens the
 * format's backend and forwards to it. */
#include "telemetry/reader.h"

#include <stdlib.h>
#include <string.h>

#include "telemetry/backend.h"
#include "telemetry/unsupported.h"

struct tel_reader {
	struct io_source *src;
	struct tel_backend *b;
};

static const struct {
	enum tel_format fmt;
	const char *name;
	tel_open_fn open;
} formats[] = {
    {TEL_FMT_ZEEK_TSV, "zeek", tel_zeek_tsv_open},
    {TEL_FMT_ZEEK_JSON, "zeek-json", tel_zeek_json_open},
    {TEL_FMT_EVE, "eve", tel_eve_open},
    {TEL_FMT_NFDUMP_CSV, "nfdump", tel_nfdump_open},
    {TEL_FMT_PCAP, "pcap", tel_pcap_open},
    {TEL_FMT_CSV, "csv", tel_csv_open},
    {TEL_FMT_SQUID, "squid", tel_squid_open},
    {TEL_FMT_BIND, "bind", tel_bind_open},
    {TEL_FMT_DNSMASQ, "dnsmasq", tel_dnsmasq_open},
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

static const struct {
	const char *alias;
	enum tel_format fmt;
} aliases[] = {
    {"zeek-tsv", TEL_FMT_ZEEK_TSV}, {"suricata", TEL_FMT_EVE},
    {"pcapng", TEL_FMT_PCAP},	    {"nfdump-csv", TEL_FMT_NFDUMP_CSV},
    {"named", TEL_FMT_BIND},
};

const char *tel_format_name(enum tel_format f)
{
	if (f == TEL_FMT_AUTO)
		return "auto";
	for (size_t i = 0; i < NFORMATS; i++)
		if (formats[i].fmt == f)
			return formats[i].name;
	return "unknown";
}

int tel_format_parse(const char *name)
{
	if (!strcmp(name, "auto"))
		return TEL_FMT_AUTO;
	for (size_t i = 0; i < NFORMATS; i++)
		if (!strcmp(formats[i].name, name))
			return (int)formats[i].fmt;
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(aliases[i].alias, name))
			return (int)aliases[i].fmt;
	return SD_EFORMAT;
}

/* --- content sniffing --- */

static bool has(const char *s, size_t n, const char *lit)
{
	return memmem(s, n, lit, strlen(lit)) != NULL;
}

static bool starts(const char *s, size_t n, const char *lit)
{
	size_t m = strlen(lit);
	return n >= m && memcmp(s, lit, m) == 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "1680098106.547     14 127.0.0.13 TCP_MISS/200 ..." */
static bool squid_native_line(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && is_digit(s[i]))
		i++;
	if (i < 9 || i >= n || s[i] != '.')
		return false;
	const char *slash = memchr(s, '/', n);
	return slash && (has(s, n, "TCP_") || has(s, n, "NONE") || has(s, n, "UDP_") ||
			 has(s, n, "TAG_"));
}

/* `addr - user [dd/Mon/yyyy:...] "METHOD url HTTP/x" ... CODE:HIER` */
static bool squid_combined_line(const char *s, size_t n)
{
	if (!has(s, n, " [") || !has(s, n, "] \""))
		return false;
	const char *sp = s + n;
	while (sp > s && sp[-1] != ' ')
		sp--;
	size_t tl = (size_t)(s + n - sp);
	return tl > 3 && memchr(sp, ':', tl) &&
	       (has(sp, tl, "HIER_") || has(sp, tl, "_NONE") || has(sp, tl, "TCP_"));
}

static enum tel_format sniff_line(const char *s, size_t n, const struct tel_options *opt)
{
	if (starts(s, n, "#separator") || starts(s, n, "#fields") ||
	    starts(s, n, "#set_separator") || starts(s, n, "### BTest"))
		return TEL_FMT_ZEEK_TSV;
	if (n && s[0] == '{') {
		if (has(s, n, "\"event_type\""))
			return TEL_FMT_EVE;
		if (has(s, n, "\"id.orig_h\"") || has(s, n, "\"_path\""))
			return TEL_FMT_ZEEK_JSON;
		if (has(s, n, "\"src_ip\"") || has(s, n, "\"dest_ip\""))
			return TEL_FMT_EVE;
		return TEL_FMT_AUTO;
	}
	if (starts(s, n, "ts,te,td,sa,da,"))
		return TEL_FMT_NFDUMP_CSV;
	if (has(s, n, "dnsmasq[") || has(s, n, "dnsmasq:"))
		return TEL_FMT_DNSMASQ;
	if (has(s, n, "client ") && has(s, n, ": query: "))
		return TEL_FMT_BIND;
	if (squid_native_line(s, n) || squid_combined_line(s, n))
		return TEL_FMT_SQUID;
	if (opt && opt->column_map && *opt->column_map)
		return TEL_FMT_CSV;
	return TEL_FMT_AUTO;
}

static int sniff(struct io_source *src, const struct tel_options *opt,
		 enum tel_format *out, struct sd_error *err)
{
	const unsigned char *d;
	sd_error_clear(err);
	size_t n = io_peek(src, &d, 65536, err);
	if (n == 0 && err && err->code)
		return err->code;
	if (n >= 4) {
		static const unsigned char magics[][4] = {
		    {0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4},
		    {0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d},
		    {0x0a, 0x0d, 0x0d, 0x0a},
		};
		for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
			if (!memcmp(d, magics[i], 4)) {
				*out = TEL_FMT_PCAP;
				return 0;
			}
	}
	/* Decide on the first lines that say something: a syslog file may
	 * open with daemon start-up lines. */
	const char *s = (const char *)d, *end = s + n;
	int lines = 0;
	while (s < end && lines < 32) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		if (!nl && lines > 0 && n == 65536)
			break; /* a partial line at the window's end */
		if (len && s[len - 1] == '\r')
			len--;
		if (len >= 3 && (unsigned char)s[0] == 0xef &&
		    (unsigned char)s[1] == 0xbb && (unsigned char)s[2] == 0xbf) {
			s += 3; /* UTF-8 byte-order mark */
			len -= 3;
		}
		if (len) {
			enum tel_format f = sniff_line(s, len, opt);
			if (f != TEL_FMT_AUTO) {
				*out = f;
				return 0;
			}
			lines++;
		}
		if (!nl)
			break;
		s = nl + 1;
	}
	if (n == 0)
		return sd_error_set(err, SD_EFORMAT,
				    "%s: empty input: no format to detect (use --format)",
				    io_name(src));
	const char *hint = tel_unsupported_hint(d, n);
	if (hint)
		return sd_error_set(err, SD_EFORMAT, "%s: %s", io_name(src), hint);
	return sd_error_set(err, SD_EFORMAT,
			    "%s: cannot tell the telemetry format from the content "
			    "(use --format; generic CSV needs --columns)",
			    io_name(src));
}

int tel_open(struct io_source *src, const struct tel_options *opt,
	     struct tel_reader **out, struct sd_error *err)
{
	*out = NULL;
	static const struct tel_options defaults;
	if (!opt)
		opt = &defaults;
	enum tel_format f = opt->format;
	int rc;
	if (f == TEL_FMT_AUTO && (rc = sniff(src, opt, &f, err))) {
		io_close(src);
		return rc;
	}
	tel_open_fn open = NULL;
	for (size_t i = 0; i < NFORMATS; i++)
		if (formats[i].fmt == f)
			open = formats[i].open;
	if (!open) {
		if (f == TEL_FMT_PCAP)
			sd_error_set(
			    err, SD_EFORMAT,
			    "%s: pcap/pcapng input is not supported in this build",
			    io_name(src));
		else
			sd_error_set(err, SD_EFORMAT, "unknown telemetry format %d",
				     (int)f);
		io_close(src);
		return SD_EFORMAT;
	}
	struct tel_reader *r = calloc(1, sizeof(*r));
	if (!r) {
		io_close(src);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	r->src = src;
	if ((rc = open(src, opt, &r->b, err))) {
		io_close(src);
		free(r);
		return rc;
	}
	/* from the open file, not its name: a --range source is named
	 * "path@OFFSET" */
	int64_t mtime;
	tel_clock_setup(&r->b->clock, opt, io_file_mtime(src, &mtime) ? &mtime : NULL);
	*out = r;
	return 0;
}

int tel_next(struct tel_reader *r, struct tel_record *rec, struct sd_error *err)
{
	int rc = r->b->ops->next(r->b, rec, err);
	if (rc == 1)
		r->b->stats.records++;
	return rc;
}

void tel_close(struct tel_reader *r)
{
	if (!r)
		return;
	r->b->ops->close(r->b);
	io_close(r->src);
	free(r);
}

void tel_set_report(struct tel_reader *r, tel_report_fn fn, void *ctx)
{
	r->b->report = fn;
	r->b->report_ctx = ctx;
}

const struct tel_stats *tel_stats(const struct tel_reader *r)
{
	return &r->b->stats;
}
size_t tel_assumptions(const struct tel_reader *r, char *buf, size_t size)
{
	return tel_clock_describe(&r->b->clock, buf, size);
}

enum tel_format tel_format_of(const struct tel_reader *r)
{
	return r->b->format;
}
