/* The server name (SNI, RFC 6066 section 3) of a TLS ClientHello at the
 * start of a TCP payload. Works on a prefix of the record: when the name
 * is already in the bytes at hand it is found, and when the bytes end
 * before it the caller learns how many the whole record needs. */
#ifndef SD_TELEMETRY_TLS_HELLO_H
#define SD_TELEMETRY_TLS_HELLO_H

#include <stddef.h>
#include <stdint.h>

/* Largest TLS record accepted: 2^14 plaintext plus 2048 of expansion
 * (RFC 8446 5.2's ceiling for any record). */
#define TLSH_MAX_RECORD (16384 + 2048 + 5)
#define TLSH_MAX_NAME 255

enum tlsh_result {
	TLSH_SNI = 0,       /* a ClientHello with a host name: name is set */
	TLSH_NO_SNI = 1,    /* a complete ClientHello without a host name */
	TLSH_NOT_HELLO = 2, /* the bytes do not start a TLS ClientHello */
	TLSH_NEED_MORE = 3, /* a ClientHello that continues: *need is the record size */
	TLSH_MALFORMED = 4,
};

/* name receives up to TLSH_MAX_NAME bytes plus a NUL. *why is a static
 * sentence for TLSH_MALFORMED, TLSH_NO_SNI and TLSH_NOT_HELLO. */
enum tlsh_result tlsh_parse(const uint8_t *p, size_t len, char name[TLSH_MAX_NAME + 1],
			    size_t *name_len, size_t *need, const char **why);

#endif
