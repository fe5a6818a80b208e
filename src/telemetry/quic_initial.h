/* QUIC Initial packets as a client sends them: the long header (RFC 9000
 * 17.2.2), the Initial keys every observer can derive from the client's
 * Destination Connection ID (RFC 9001 5.2; RFC 9369 3.3 for QUIC v2),
 * header protection (RFC 9001 5.4) and AES-128-GCM (RFC 9001 5.3), all
 * through nettle. Nothing here keeps state between packets. */
#ifndef SD_TELEMETRY_QUIC_INITIAL_H
#define SD_TELEMETRY_QUIC_INITIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nettle/aes.h>
#include <nettle/gcm.h>

#define QUICI_VERSION_1 0x00000001u /* RFC 9000 */
#define QUICI_VERSION_2 0x6b3343cfu /* RFC 9369 */
/* Connection IDs longer than this are not QUIC v1/v2 (RFC 9000 17.2). */
#define QUICI_MAX_CID 20
#define QUICI_KEY_LEN 16
#define QUICI_IV_LEN 12
#define QUICI_TAG_LEN 16
#define QUICI_SECRET_LEN 32

struct quici_keys {
	uint8_t secret[QUICI_SECRET_LEN]; /* client_initial_secret */
	uint8_t key[QUICI_KEY_LEN];
	uint8_t iv[QUICI_IV_LEN];
	uint8_t hp[QUICI_KEY_LEN];
};

/* The client's Initial keys for this version and Destination Connection
 * ID. False for a version other than v1 and v2 or an over-long ID. */
bool quici_client_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len,
		       struct quici_keys *k);

/* Cheap test on the first bytes of a UDP payload: a long header with the
 * fixed bit, version 1 or 2, packet type Initial. Says nothing about
 * whether the rest is QUIC. */
bool quici_is_initial(const uint8_t *p, size_t len);

enum quici_result {
	/* an Initial that authenticated under the client keys of its DCID:
	 * plaintext frames are in the output */
	QUICI_OK = 0,
	/* a long-header packet of another type (0-RTT, Handshake): skip
	 * *used bytes to the next coalesced packet */
	QUICI_OTHER = 1,
	/* not a v1/v2 long-header packet, or one that ends past the datagram:
	 * nothing after it can be found */
	QUICI_NOT_QUIC = 2,
	/* an Initial that does not authenticate under the client keys: a
	 * server's Initial (keyed by the client's original DCID, which is not
	 * in its header) or a damaged one; the two cannot be told apart */
	QUICI_NOT_CLIENT = 3,
};

struct quici_packet {
	uint32_t version;
	uint8_t dcid[QUICI_MAX_CID];
	size_t dcid_len;
	uint64_t pn; /* packet number as sent (Initials carrying a hello are the first) */
	uint8_t *payload; /* the frames, in the caller's buffer */
	size_t payload_len;
};

/* A cache of the keys of the last DCID seen: derivation costs five
 * HMAC-SHA256 and two AES key schedules, and the packets of one connection
 * share a DCID. Zero-initialise before the first use. */
struct quici_keycache {
	bool valid;
	uint32_t version;
	uint8_t dcid[QUICI_MAX_CID];
	size_t dcid_len;
	struct quici_keys keys;
	struct gcm_aes128_ctx gcm; /* key schedule and GHASH table of keys.key */
	struct aes128_ctx hp;	   /* of keys.hp */
};

/* Reads the long-header packet at the start of d[0, len): *used is its
 * length (coalesced packets follow it, RFC 9000 12.2). For QUICI_OK the
 * decrypted frames are written to out (room for len bytes) and described
 * by *pkt. Never reads outside d, never writes outside out[0, len). */
enum quici_result quici_open(const uint8_t *d, size_t len, struct quici_keycache *kc,
			     uint8_t *out, struct quici_packet *pkt, size_t *used);

/* QUIC variable-length integer (RFC 9000 16) at p[*off, len): false when
 * it runs past len. */
bool quici_varint(const uint8_t *p, size_t len, size_t *off, uint64_t *v);

#endif
