/* Reading published lists of impacted addresses: plain text (one address or
 * prefix per line), CSV with a header row, and JSON Lines. Streaming: one
 * line in memory at a time. */
#ifndef SD_LISTS_LIST_READER_H
#define SD_LISTS_LIST_READER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "io/source.h"
#include "net/addr.h"

enum list_format { LIST_AUTO, LIST_PLAIN, LIST_CSV, LIST_JSONL };

enum list_flags {
	LIST_ALLOW_HOSTBITS = 1, /* mask 192.0.2.1/24 to 192.0.2.0/24 */
	/* take prefixes broader than /8 (IPv4) or /16 (IPv6); refused as a
	 * bad line otherwise (net_prefix_is_broad) */
	LIST_ALLOW_BROAD = 2,
};

/* One accepted line. Strings point into the reader and live until the next
 * call; NULL means the column was absent or empty. */
struct list_entry {
	struct net_prefix prefix;
	const char *campaign;
	const char *source;
	uint32_t first_seen, last_seen; /* 0 unknown */
	uint32_t count;			/* 1 when absent */
	uint8_t confidence;		/* 0 when absent */
	uint8_t evidence;		/* extra kinds named on the line */
};

struct list_reader;

/* Takes ownership of src. LIST_AUTO decides from the first line that is
 * not blank or a comment. */
int list_open(struct io_source *src, enum list_format fmt, unsigned flags,
	      struct list_reader **out, struct sd_error *err);
void list_close(struct list_reader *r);

enum list_result {
	LIST_EOF = 0,
	LIST_ENTRY = 1,
	LIST_BAD_LINE = 2, /* err says "file:line: why"; reading may go on */
};

/* Returns an enum list_result, or <0 for a fatal error (unreadable or
 * truncated input, CSV without a usable header). */
int list_next(struct list_reader *r, struct list_entry *e, struct sd_error *err);

enum list_format list_format_of(const struct list_reader *r);
const char *list_format_name(enum list_format f);
int list_format_parse(const char *name); /* SD_EFORMAT if unknown */
const struct io_source *list_source(const struct list_reader *r);

#endif
