/* QUIC ClientHellos being put together across the Initial packets of
 * their connections, in a small fixed table (see quic_hello.h for one
 * stream, quic_initial.h for one packet). A connection is its endpoints
 * and the client's Destination Connection ID, so the Initials of one
 * hello find each other whatever the order they arrive in. */
#ifndef SD_TELEMETRY_QUIC_REASM_H
#define SD_TELEMETRY_QUIC_REASM_H

#include <stddef.h>
#include <stdint.h>

#include "telemetry/pkt_decode.h"
#include "telemetry/quic_hello.h"

/* ClientHellos reassembled at once (each holds up to QUICH_MAX_CRYPTO
 * bytes, allocated on first use); when all are taken the one waiting
 * longest is given up and counted as skipped. */
#define QUICR_MAX_PENDING 16

enum quicr_result {
	QUICR_DONE = 0,	   /* a hello is complete: see the quicr_hello */
	QUICR_PENDING = 1, /* part of a hello was kept; more is needed */
	QUICR_NOT_CLIENT =
	    2 /* no client Initial in the datagram (a server's, or damaged) */
};

struct quicr_hello {
	enum quich_result rc; /* QUICH_SNI, QUICH_NO_SNI or QUICH_MALFORMED */
	char name[TLSH_MAX_NAME + 1];
	size_t name_len;
	const char *why;
	int64_t ts;	   /* capture time of the hello's first Initial */
	uint64_t position; /* and its packet number in the capture */
};

struct quicr;

struct quicr *quicr_new(void);
void quicr_free(struct quicr *t);

/* One UDP datagram whose payload quici_is_initial() accepted, sent by
 * p->src. *given_up counts hellos pushed out of the table to make room. */
enum quicr_result quicr_datagram(struct quicr *t, const struct pkt_info *p, int64_t ts,
				 uint64_t position, struct quicr_hello *out,
				 unsigned *given_up);

/* Hellos still waiting for a packet (at the end of a capture: given up). */
size_t quicr_pending(const struct quicr *t);

#endif
