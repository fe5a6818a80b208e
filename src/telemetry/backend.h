/* The internal face of a telemetry reader: each format is a backend that
 * embeds struct tel_backend as its FIRST member and supplies next/close.
 * The dispatcher (reader.c) sniffs the format, calls the format's open
 * function, sets the report hook, and forwards tel_next/tel_close.
 * Not for use outside src/telemetry/. */
#ifndef SD_TELEMETRY_BACKEND_H
#define SD_TELEMETRY_BACKEND_H

#include <stdint.h>
#include <string.h>

#include "core/error.h"
#include "io/source.h"
#include "telemetry/clock.h"
#include "telemetry/reader.h"
#include "telemetry/record.h"

struct tel_backend;

struct tel_backend_ops {
	/* Same contract as tel_next: 1 with *rec filled, 0 at end, <0 on a
	 * fatal error. Count rec in stats.records (tel_next does it for you
	 * when this returns 1), malformed input with tel_backend_malformed,
	 * well-formed but useless input in stats.skipped. */
	int (*next)(struct tel_backend *b, struct tel_record *rec, struct sd_error *err);
	/* Frees the backend and everything it owns, NOT the io_source (the
	 * dispatcher owns and closes the source). */
	void (*close)(struct tel_backend *b);
};

struct tel_backend {
	const struct tel_backend_ops *ops;
	enum tel_format format;
	struct io_source *src; /* borrowed from the dispatcher */
	struct tel_stats stats;
	/* "line " is the default and prints "file:N"; a packet reader sets
	 * "packet " to print "file:packet N". */
	const char *unit;
	tel_report_fn report; /* set by the dispatcher; may be NULL */
	void *report_ctx;
	/* --tz, --year and the window, set by the dispatcher after open */
	struct tel_clock clock;
	char why[512]; /* a line parser's formatted reason (tel_backend_why) */
	/* the parser goes by length: lines need no NUL (io_getline_span) */
	bool spans;
};

/* Fills the common part; the backend then sets its own fields. */
void tel_backend_init(struct tel_backend *b, const struct tel_backend_ops *ops,
		      enum tel_format format, struct io_source *src);

/* Counts one malformed record at position pos (line or packet number) and
 * reports "file:pos: why" (or "file:packet pos: why") through the hook. */
void tel_backend_malformed(struct tel_backend *b, uint64_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* io_getline for line formats: an over-long line is counted and reported
 * as malformed and skipped; other errors are fatal (returned). */
int tel_backend_getline(struct tel_backend *b, const char **line, size_t *len,
			struct sd_error *err);

/* What a line parser makes of one non-empty line. */
enum tel_line_verdict {
	TEL_LINE_NONE = 0,	/* a header or a summary: nothing to count */
	TEL_LINE_RECORD = 1,	/* *rec is filled */
	TEL_LINE_SKIPPED = 2,	/* well-formed but useless: stats.skipped */
	TEL_LINE_MALFORMED = 3, /* *why says why: counted and reported */
};

/* Parses line number ln (len > 0) into rec. Returns an enum
 * tel_line_verdict, or <0 (err set) for a fatal error. */
typedef int (*tel_line_fn)(struct tel_backend *b, const char *line, size_t len,
			   uint64_t ln, struct tel_record *rec, const char **why,
			   struct sd_error *err);

/* The next of a line-oriented format: reads lines (tel_backend_getline),
 * passes over empty ones, hands the others to parse and counts and reports
 * what it rejects, until a record (1), the end (0) or a fatal error (<0). */
int tel_backend_next_line(struct tel_backend *b, tel_line_fn parse,
			  struct tel_record *rec, struct sd_error *err);

/* Formats a line parser's reason into b->why and returns it. */
const char *tel_backend_why(struct tel_backend *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A zeroed backend of `size` bytes (the format's struct, which starts with
 * struct tel_backend), initialised; NULL with err set when out of memory. */
void *tel_backend_new(size_t size, const struct tel_backend_ops *ops,
		      enum tel_format format, struct io_source *src,
		      struct sd_error *err);

/* A cleared record at position pos of the given kind, with empty name and
 * path (never NULL). */
static inline void tel_record_start(struct tel_record *rec, uint64_t pos,
				    enum tel_kind kind)
{
	/* inline: it runs once a line */
	/* field by field: a memset of the whole record compiles to a
	 * `rep stos`, slow to start, once for every line */
	_Static_assert(sizeof(struct tel_record) == 128,
		       "a field was added to tel_record: clear it here");
	rec->ts = 0;
	rec->kind = kind;
	rec->flags = 0;
	memset(&rec->client, 0, sizeof(rec->client));
	memset(&rec->server, 0, sizeof(rec->server));
	rec->client_port = rec->server_port = 0;
	rec->proto = 0;
	rec->name = rec->path = "";
	rec->name_len = rec->path_len = 0;
	rec->answers = NULL;
	rec->nanswers = 0;
	rec->bytes = rec->packets = 0;
	rec->position = pos;
}

/* HTTP request target: Host (port and one trailing dot dropped) and the
 * request URI; an absolute URI (a proxy request) gives the path, and the
 * host when there is no Host; an authority-form URI (CONNECT host:port,
 * a tunnel through a proxy) gives the host, and no path. Either may be
 * NULL. Returns true for an absolute or authority-form URI: a request to
 * a proxy. */
bool tel_http_target(struct tel_record *rec, const char *host, size_t hlen,
		     const char *uri, size_t ulen);
/* Sets TEL_DECLINED on an HTTP record whose status says the request was not
 * served: not 2xx/3xx, or for a CONNECT (a proxied request without a path,
 * after tel_http_target) not 2xx. */
void tel_http_status(struct tel_record *rec, uint64_t status);
/* Sets TEL_DECLINED on a DNS record answered with SERVFAIL (2), NOTIMP (4)
 * or REFUSED (5). */
void tel_dns_rcode(struct tel_record *rec, uint64_t rcode);

/* One open function per format; on success *out is a heap object whose
 * first member is struct tel_backend. src is borrowed: do not close it. */
typedef int (*tel_open_fn)(struct io_source *src, const struct tel_options *opt,
			   struct tel_backend **out, struct sd_error *err);

int tel_zeek_tsv_open(struct io_source *src, const struct tel_options *opt,
		      struct tel_backend **out, struct sd_error *err);
int tel_zeek_json_open(struct io_source *src, const struct tel_options *opt,
		       struct tel_backend **out, struct sd_error *err);
int tel_eve_open(struct io_source *src, const struct tel_options *opt,
		 struct tel_backend **out, struct sd_error *err);
int tel_nfdump_open(struct io_source *src, const struct tel_options *opt,
		    struct tel_backend **out, struct sd_error *err);
int tel_csv_open(struct io_source *src, const struct tel_options *opt,
		 struct tel_backend **out, struct sd_error *err);
int tel_squid_open(struct io_source *src, const struct tel_options *opt,
		   struct tel_backend **out, struct sd_error *err);
int tel_bind_open(struct io_source *src, const struct tel_options *opt,
		  struct tel_backend **out, struct sd_error *err);
int tel_dnsmasq_open(struct io_source *src, const struct tel_options *opt,
		     struct tel_backend **out, struct sd_error *err);
/* pcap and pcapng through libpcap: the dispatcher has recognised the magic
 * and src stands at the start of the (decompressed) capture. Malformed
 * packets are reported as "file:packet N: why". */
int tel_pcap_open(struct io_source *src, const struct tel_options *opt,
		  struct tel_backend **out, struct sd_error *err);

#endif
