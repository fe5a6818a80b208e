/* The vocabulary of a sighting's evidence and confidence, shared by the
 * snapshot (db/), the lists of impacted IPs (lists/) and every output.
 * It sits in core/ so that lists/ need not include db/; the db_ prefix is
 * kept because the snapshot format stores these values as they are. */
#ifndef SD_CORE_EVIDENCE_H
#define SD_CORE_EVIDENCE_H

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

const char *db_evidence_name(unsigned bit);
/* "dns,tls" style list; returns bytes written (buf always terminated). */
size_t db_evidence_format(unsigned evidence, char *buf, size_t size);
/* Parses one kind name ("list", "dns", ...); returns the bit or 0. */
unsigned db_evidence_parse(const char *s, size_t n);
const char *db_confidence_name(unsigned confidence);
/* "low", "medium", "high" (or 1-3); returns 0 and sets *out, or SD_EPARSE. */
int db_confidence_parse(const char *s, size_t n, uint8_t *out);

#endif
