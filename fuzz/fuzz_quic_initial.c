/* QUIC Initial packets (src/telemetry/quic_initial.c, quic_hello.c,
 * quic_reasm.c): the input is tried three ways.
 *  1. As a UDP datagram from a client: long headers, coalesced packets,
 *     lengths, header protection, AEAD (random bytes do not authenticate,
 *     so this covers the parsing before it).
 *  2. As the decrypted frames of an Initial, split at a point the input
 *     chooses and fed in both orders: frame types, varints, ACK ranges,
 *     CRYPTO offsets, the ClientHello parser on the reassembled stream.
 *  3. Sealed as a real client Initial (keys of a fixed DCID) and fed to 1,
 *     so the frames behind a packet that authenticates are reached too.
 * Every buffer is its own allocation, so reading past one is caught. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/telemetry/quic_craft.h"
#include "telemetry/quic_hello.h"
#include "telemetry/quic_initial.h"
#include "telemetry/quic_reasm.h"

static void datagram(const uint8_t *data, size_t size)
{
	struct quicr *t = quicr_new();
	uint8_t *p = malloc(size ? size : 1);
	if (!t || !p)
		abort();
	memcpy(p, data, size);
	struct pkt_info pi;
	memset(&pi, 0, sizeof(pi));
	pi.proto = 17;
	pi.sport = 50000;
	pi.dport = 443;
	pi.payload = p;
	pi.payload_len = size;
	struct quicr_hello h;
	unsigned given_up;
	/* twice: the second finds the first's pending hello */
	for (int i = 0; i < 2; i++) {
		if (quicr_datagram(t, &pi, 0, 1, &h, &given_up) == QUICR_DONE) {
			if (h.rc == QUICH_SNI &&
			    (h.name_len == 0 || h.name_len > TLSH_MAX_NAME ||
			     strlen(h.name) != h.name_len))
				abort();
			if (h.rc == QUICH_MALFORMED && (!h.why || !*h.why))
				abort();
		}
	}
	free(p);
	quicr_free(t);
}

static void frames(const uint8_t *data, size_t size)
{
	static struct quich_stream s;
	size_t cut = size ? data[0] % (size + 1) : 0;
	char name[TLSH_MAX_NAME + 1];
	size_t name_len;
	const char *why;
	for (int order = 0; order < 2; order++) {
		quich_init(&s);
		for (int k = 0; k < 2; k++) {
			int first = (k == 0) != (order == 1);
			size_t off = first ? 0 : cut, n = first ? cut : size - cut;
			uint8_t *p = malloc(n ? n : 1);
			if (!p)
				abort();
			memcpy(p, data + off, n);
			enum quich_result rc = quich_add(&s, p, n, name, &name_len, &why);
			free(p);
			if (s.contiguous > QUICH_MAX_CRYPTO)
				abort();
			if (rc == QUICH_SNI && strlen(name) != name_len)
				abort();
			if (rc != QUICH_NEED_MORE)
				break;
		}
	}
}

static void sealed(const uint8_t *data, size_t size)
{
	static struct craft_buf out;
	if (size > 3000)
		size = 3000;
	struct qc_conn k = {.version = size % 2 ? QUICI_VERSION_2 : QUICI_VERSION_1,
			    .dcid_len = 8,
			    .scid_len = 0};
	memcpy(k.dcid, "\x83\x94\xc8\xf0\x3e\x51\x57\x08", 8);
	out.n = 0;
	qc_seal(&out, &k, 0, 1, data, size, 20);
	datagram(out.b, out.n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	datagram(data, size);
	frames(data, size);
	sealed(data, size);
	return 0;
}
