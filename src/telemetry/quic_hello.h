/* The client's CRYPTO stream of a QUIC connection (RFC 9000 19.6) put back
 * together from the frames of its Initial packets, in any order, and read
 * by the TLS ClientHello parser as soon as the host name is in it. */
#ifndef SD_TELEMETRY_QUIC_HELLO_H
#define SD_TELEMETRY_QUIC_HELLO_H

#include <stddef.h>
#include <stdint.h>

#include "telemetry/tls_hello.h"

/* CRYPTO stream bytes buffered for one ClientHello: the largest handshake
 * message tls_hello.h accepts in one record. A CRYPTO frame reaching past
 * it is refused with its own message. */
#define QUICH_MAX_CRYPTO (TLSH_MAX_RECORD - 5)

struct quich_stream {
	size_t contiguous; /* bytes present from offset 0 */
	/* a TLS record header (the parser reads records), then the stream */
	uint8_t rec[5 + QUICH_MAX_CRYPTO];
	uint8_t have[QUICH_MAX_CRYPTO / 8]; /* one bit per stream byte received */
};

enum quich_result {
	QUICH_SNI = 0,	     /* name is set */
	QUICH_NO_SNI = 1,    /* a complete ClientHello without a host name */
	QUICH_NEED_MORE = 2, /* the stream has a gap or ends before the name */
	QUICH_MALFORMED = 3, /* *why says what */
};

void quich_init(struct quich_stream *s);

/* Walks the frames of one decrypted client Initial (PADDING, PING, ACK,
 * CRYPTO, CONNECTION_CLOSE: RFC 9000 12.4), keeps its CRYPTO data and reads
 * the ClientHello as far as the stream is contiguous. *why is a static
 * sentence for QUICH_MALFORMED and QUICH_NO_SNI. */
enum quich_result quich_add(struct quich_stream *s, const uint8_t *frames, size_t len,
			    char name[TLSH_MAX_NAME + 1], size_t *name_len,
			    const char **why);

#endif
