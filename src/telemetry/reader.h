/* One streaming reader per telemetry format behind a common handle:
 * tel_open() detects the format from content (or takes it forced),
 * tel_next() yields normalised records, tel_close() frees. Constant memory
 * per reader whatever the input size. */
#ifndef SD_TELEMETRY_READER_H
#define SD_TELEMETRY_READER_H

#include <stdint.h>

#include "core/error.h"
#include "io/source.h"
#include "telemetry/record.h"

enum tel_format {
	TEL_FMT_AUTO = 0,
	TEL_FMT_ZEEK_TSV,
	TEL_FMT_ZEEK_JSON,
	TEL_FMT_EVE,
	TEL_FMT_NFDUMP_CSV,
	TEL_FMT_PCAP, /* pcap and pcapng */
	TEL_FMT_CSV,  /* generic CSV with a column map */
	TEL_FMT_SQUID,
	TEL_FMT_BIND,
	TEL_FMT_DNSMASQ,
};

struct tel_options {
	enum tel_format format;
	/* generic CSV: "time=ts,client=src,server=dst,name=query,..." */
	const char *column_map;
	/* syslog-style times carry no year: the year to assume (0: decide,
	 * see telemetry/clock.h) */
	int year;
	/* the producer's time zone for times written without one (nfdump CSV,
	 * BIND, syslog, CSV, Squid): an IANA name that passed sd_tz_check;
	 * NULL is UTC */
	const char *tz;
	/* the campaign window (UTC epoch, 0 open): a year-less log whose file
	 * time is outside it takes its year from it */
	int64_t window_start, window_end;
	/* Optional prefilter offered by the consumer (the correlator), called
	 * with a record whose ts, kind, flags, addresses and ports are set.
	 * false means the consumer will match nothing in this record whatever
	 * its other fields: a reader may then return it without parsing them
	 * (proto, bytes, packets stay 0) and with TEL_PARTIAL set. It never
	 * changes which records are returned or reported malformed. Only the
	 * Zeek conn.log reader asks today. */
	bool (*prefilter)(void *ctx, const struct tel_record *rec);
	void *prefilter_ctx;
};

struct tel_stats {
	uint64_t records;   /* records returned */
	uint64_t malformed; /* records/lines rejected (each reported) */
	uint64_t skipped;   /* well-formed but carrying nothing to match */
};

struct tel_reader;

/* Takes ownership of src. */
int tel_open(struct io_source *src, const struct tel_options *opt,
	     struct tel_reader **out, struct sd_error *err);
/* 1 with *rec filled, 0 at end of input, <0 on a fatal error (unreadable or
 * truncated input). A malformed record is not fatal: it is counted and
 * reported through the report callback, and reading goes on. */
int tel_next(struct tel_reader *r, struct tel_record *rec, struct sd_error *err);
void tel_close(struct tel_reader *r);

/* Called for each malformed record: where is "file:line" or
 * "file:packet N", why is a sentence. */
typedef void (*tel_report_fn)(void *ctx, const char *where, const char *why);
void tel_set_report(struct tel_reader *r, tel_report_fn fn, void *ctx);

const struct tel_stats *tel_stats(const struct tel_reader *r);
/* What the reader had to assume about its clock so far, for the per-file
 * summary: "local times read as Europe/Berlin; year 2023 assumed (the
 * campaign window; the file's time says 2026)", or "" (telemetry/clock.h). */
size_t tel_assumptions(const struct tel_reader *r, char *buf, size_t size);
enum tel_format tel_format_of(const struct tel_reader *r);
const char *tel_format_name(enum tel_format f);
/* Parses a --format name ("zeek", "zeek-json", "eve", "nfdump", "pcap",
 * "csv", "squid", "bind", "dnsmasq", "auto"); SD_EFORMAT if unknown. */
int tel_format_parse(const char *name);

/* Checks a generic CSV column map (--columns) without opening a file, so a
 * command line can refuse a bad one before reading anything. */
int tel_columns_check(const char *map, struct sd_error *err);

#endif
