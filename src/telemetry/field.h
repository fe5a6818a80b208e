/* Small parsers shared by the text readers: numbers, epoch times, protocol
 * names, host:port and URLs. All take (pointer, length) slices of a line
 * and never allocate. */
#ifndef SD_TELEMETRY_FIELD_H
#define SD_TELEMETRY_FIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/addr.h"

/* Most answers one record carries; further answers of a record are left
 * out (they only help the matcher learn addresses, never decide a match). */
#define TEL_MAX_ANSWERS 32

/* Decimal digits only; false on empty, junk or overflow. */
bool tel_parse_u64(const char *s, size_t n, uint64_t *out);
bool tel_parse_port(const char *s, size_t n, uint16_t *out);
/* Epoch seconds with an optional fraction ("1521911720.865716"); the
 * fraction is dropped. Zeek btest's canonical "XXXXXXXXXX.XXXXXX" gives 0
 * (unknown) and true. */
bool tel_parse_epoch(const char *s, size_t n, int64_t *out);
/* Epoch or any form sd_time_parse accepts. */
bool tel_parse_time(const char *s, size_t n, int64_t *out, const char **why);
/* "tcp", "UDP", "icmp", "ipv6-icmp", or a number; 0 when unknown. */
uint8_t tel_proto(const char *s, size_t n);
/* Splits "host", "host:port", "[v6]:port" or a bare IPv6 literal into host
 * and optional port (0 when absent). */
void tel_split_hostport(const char *s, size_t n, const char **host,
			size_t *hlen, uint16_t *port);
/* "scheme://[user@]host[:port]/path?q" -> host and path ("/" when absent).
 * false if s is not an absolute URL. */
bool tel_split_url(const char *s, size_t n, const char **host, size_t *hlen,
		   const char **path, size_t *plen);
/* Drops one trailing '.' (an SNI or query written as an FQDN). */
void tel_strip_dot(const char *s, size_t *n);
/* Address text, trimming nothing; false when not an address. */
bool tel_addr(const char *s, size_t n, struct net_addr *a);

/* "Jan".."Dec" (case-insensitive) -> 1..12, 0 otherwise; reads 3 bytes. */
int tel_month(const char *s);
/* Two digits -> 0..99, -1 otherwise. */
int tel_2digits(const char *s);
/* "HH:MM:SS" at s (8 bytes available) -> seconds of the day, -1 if bad. */
int tel_hms(const char *s);

/* Syslog "Mon dd HH:MM:SS" (day may be space-padded) in the given year;
 * returns the bytes used (15) or 0. */
size_t tel_syslog_time(const char *s, size_t n, int year, int64_t *out, int *month);
/* The year to assume for a log without one: opt_year if set, else the
 * year the file was last modified, else the current year. */
int tel_default_year(int opt_year, const char *path);
/* Tracks a year-less log across New Year: call with each month seen. */
int tel_year_roll(int *year, int *last_month, int month);

#endif
