/* What a sighting is: the vocabulary shared by the builder and the reader. */
#ifndef SD_DB_SIGHTING_H
#define SD_DB_SIGHTING_H

#include <stddef.h>
#include <stdint.h>

/* Evidence kinds, a bit set. */
enum db_evidence {
	DB_EV_LIST = 1 << 0, /* named in a published list of impacted IPs */
	DB_EV_DNS = 1 << 1,  /* queried an indicator domain */
	DB_EV_FLOW = 1 << 2, /* exchanged packets with an indicator address */
	DB_EV_TLS = 1 << 3,  /* TLS handshake naming an indicator (SNI) */
	DB_EV_HTTP = 1 << 4, /* HTTP request to an indicator host or URL */
	DB_EV_ALL = 0x1f,
};

enum db_confidence {
	DB_CONF_UNKNOWN = 0,
	DB_CONF_LOW = 1,
	DB_CONF_MEDIUM = 2,
	DB_CONF_HIGH = 3,
};

/* One campaign sighted at one key. Times are UTC epoch seconds, 0 unknown.
 * campaign and sources are ids local to one snapshot or one builder. */
struct db_sighting {
	uint32_t first_seen;
	uint32_t last_seen;
	uint32_t count;
	uint16_t campaign;
	uint8_t evidence;
	uint8_t confidence;
	uint32_t sources; /* a source-set id */
};

/* Campaign metadata as given to the builder and read back. */
struct db_campaign_meta {
	const char *name;	 /* short id, e.g. "3cx-2023"; required */
	const char *title;	 /* one line for people */
	const char *advisory;	 /* URL of the advisory */
	const char *remediation; /* what to do when listed */
	uint32_t window_start;	 /* sightings outside are not counted; 0 open */
	uint32_t window_end;
};

const char *db_evidence_name(unsigned bit);
/* "dns,tls" style list; returns bytes written (buf always terminated). */
size_t db_evidence_format(unsigned evidence, char *buf, size_t size);
/* Parses one kind name ("list", "dns", ...); returns the bit or 0. */
unsigned db_evidence_parse(const char *s, size_t n);
const char *db_confidence_name(unsigned confidence);
/* "low", "medium", "high" (or 1-3); returns 0 and sets *out, or SD_EPARSE. */
int db_confidence_parse(const char *s, size_t n, uint8_t *out);

/* Combine two sightings of the same campaign at the same key: the rule that
 * makes builds and merges associative and commutative. Sources are combined
 * by the caller (a set union). */
void db_sighting_combine(struct db_sighting *into, const struct db_sighting *s);

#endif
