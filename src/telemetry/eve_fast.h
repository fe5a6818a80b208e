/* The EVE hot path: a single-pass scanner that pulls the few keys an EVE
 * record needs out of one JSON line without building a tree. It is
 * conservative: it answers EF_OK only for lines it fully understands
 * (plain ASCII strings with simple escapes, plain numbers, no duplicate
 * keys it uses, event types it maps on its own) and EF_FALLBACK for
 * everything else, which the jansson path then reads (and, if invalid,
 * reports). fuzz/fuzz_eve_fast.c checks that whenever the scanner says
 * EF_OK, jansson accepts the line and yields the very same record. */
#ifndef SD_TELEMETRY_EVE_FAST_H
#define SD_TELEMETRY_EVE_FAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "telemetry/eve_index.h"

enum { EF_OK = 0, EF_FALLBACK = 1 };

struct ef_str {
	const char *s;
	size_t n;
	bool esc; /* holds escapes: decode before use */
};

struct ef_num {
	bool set; /* an integer >= 0 */
	uint64_t v;
};

enum ef_key {
	/* top level */
	EK_EVENT_TYPE,
	EK_TIMESTAMP,
	EK_SRC_IP,
	EK_DEST_IP,
	EK_SRC_PORT,
	EK_DEST_PORT,
	EK_PROTO,
	EK_FLOW,
	EK_NETFLOW,
	EK_DNS,
	EK_TLS,
	EK_HTTP,
	EK_ALERT,
	/* flow / netflow */
	EK_F_BTS,
	EK_F_BTC,
	EK_F_PTS,
	EK_F_PTC,
	EK_F_START,
	EK_NF_BYTES,
	EK_NF_PKTS,
	EK_NF_START,
	/* dns, tls, http */
	EK_DNS_TYPE,
	EK_DNS_RRNAME,
	EK_DNS_OTHER,
	EK_TLS_SNI,
	EK_HTTP_HOSTNAME,
	EK_HTTP_URL,
	EK_HTTP_STATUS,
	EK_COUNT
};

/* One key a scan saw, in the order the line has them. The scan writes
 * these where its caller says, so that handing a line's keys to another
 * thread copies nothing. */
struct ef_item {
	const char *s; /* a string value (else NULL) */
	uint64_t v;    /* an integer value */
	uint32_t n;    /* the string's length */
	uint8_t key;   /* enum ef_key */
	uint8_t kind;  /* EF_ITEM_* */
	bool esc;      /* the string holds escapes: decode before use */
};
/* OTHER: an object, array, literal, or a number that is not an integer
 * >= 0 */
enum { EF_ITEM_OTHER, EF_ITEM_STR, EF_ITEM_NUM };

/* A scan's keys by key: what the thread that makes the record reads. */
struct ef_keys {
	uint64_t seen;		    /* bit per enum ef_key */
	uint8_t at[EK_COUNT];	    /* the item of each key in seen */
	const struct ef_item *item; /* the items, in the line's order */
};

struct eve_fast {
	/* set by the caller: where the scan writes the line's keys and
	 * their items (room for EK_COUNT); for the EVE reader's scan
	 * thread, straight into the batch it hands over (eve_pipe.h) */
	struct ef_keys *keys;
	struct ef_item *item;
	size_t n; /* items the last scan wrote */
	/* set by the caller (0: the best for this CPU); NONE reads every
	 * line byte by byte, as lines that are not clean always are */
	enum eve_kernel kernel;
	struct eve_index ix;
};

/* EF_OK with the wanted keys of the line in out->keys (a duplicate falls
 * back: jansson keeps the last), or EF_FALLBACK (out->keys then holds
 * nothing of use). */
int eve_fast_scan(const char *line, size_t len, struct eve_fast *out);
/* eve_fast_scan of a line indexed already (eve_index_copy): quote its
 * quote words and esc whether it has backslashes when the line is clean,
 * quote NULL when it is not (out->kernel is not used). */
int eve_fast_scan_indexed(const char *line, size_t len, const uint64_t *quote, bool esc,
			  struct eve_fast *out);

/* Copies s into buf (at least s->n bytes) decoding the simple escapes the
 * scanner accepts; returns the decoded length. */
size_t eve_fast_decode(const struct ef_str *s, char *buf);

struct tel_backend;
struct tel_record;
/* One EVE line through the EVE backend (for tests and the differential
 * fuzzer): 1 record, 0 skipped, SD_EPARSE malformed (reported); EVE_FAST_ONLY
 * returns 2 where the hot path would hand over to jansson; EVE_PIPED is
 * EVE_FAST_ONLY with the scan's items copied out first, as a scan thread
 * leaves them in a batch for the reader (eve_pipe.h). */
enum { EVE_AUTO, EVE_FAST_ONLY, EVE_JSON_ONLY, EVE_PIPED };
int eve_line(struct tel_backend *b, const char *line, size_t len, uint64_t ln,
	     struct tel_record *rec, int mode);
/* The index kernel an EVE backend's hot path uses (tests and the fuzzer
 * run each one). */
void eve_set_kernel(struct tel_backend *b, enum eve_kernel k);
/* The line bytes of one batch of the backend's read-ahead (eve_pipe.h;
 * 0: the default): tests make it small to cross many batches. Call before
 * the first record is read. */
void eve_set_batch_bytes(struct tel_backend *b, size_t n);

#endif
