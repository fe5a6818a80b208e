/* Opening a client's QUIC Initial packet: long header → Initial keys →
 * header protection → AES-128-GCM. See quic_initial.h. */
#include "telemetry/quic_initial.h"

#include <string.h>

#include <nettle/hkdf.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>

#define LONG_HEADER 0x80
#define FIXED_BIT 0x40
/* header protection samples 16 bytes, 4 bytes after the packet number's
 * start whatever its length (RFC 9001 5.4.2) */
#define HP_SAMPLE_LEN 16
#define HP_SAMPLE_SKIP 4

/* RFC 9001 5.2 and RFC 9369 3.3.1 */
static const uint8_t salt_v1[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34,
				    0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8,
				    0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
static const uint8_t salt_v2[20] = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6,
				    0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26,
				    0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};

/* The Initial packet type in the long header's type bits: 0 in v1,
 * 1 in v2 (RFC 9369 3.2). */
static bool known_version(uint32_t v, unsigned *initial_type)
{
	if (v == QUICI_VERSION_1)
		*initial_type = 0;
	else if (v == QUICI_VERSION_2)
		*initial_type = 1;
	else
		return false;
	return true;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool quici_is_initial(const uint8_t *p, size_t len)
{
	unsigned initial = 0;
	if (len < 7 || (p[0] & (LONG_HEADER | FIXED_BIT)) != (LONG_HEADER | FIXED_BIT))
		return false;
	return known_version(be32(p + 1), &initial) && ((p[0] >> 4) & 3) == initial;
}

bool quici_varint(const uint8_t *p, size_t len, size_t *off, uint64_t *v)
{
	if (*off >= len)
		return false;
	size_t n = (size_t)1 << (p[*off] >> 6);
	if (n > len - *off)
		return false;
	uint64_t x = p[*off] & 0x3f;
	for (size_t i = 1; i < n; i++)
		x = x << 8 | p[*off + i];
	*off += n;
	*v = x;
	return true;
}

/* HKDF-Expand-Label of TLS 1.3 (RFC 8446 7.1) with an empty context, over
 * an HMAC-SHA256 context already keyed with the secret. */
static void expand_label(struct hmac_sha256_ctx *h, const char *label, uint8_t *out,
			 size_t out_len)
{
	uint8_t info[2 + 1 + 6 + 32 + 1];
	size_t ll = strlen(label), n = 0;
	info[n++] = (uint8_t)(out_len >> 8);
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)(6 + ll);
	memcpy(info + n, "tls13 ", 6);
	memcpy(info + n + 6, label, ll);
	n += 6 + ll;
	info[n++] = 0;
	hkdf_expand(h, (nettle_hash_update_func *)hmac_sha256_update,
		    (nettle_hash_digest_func *)hmac_sha256_digest, SHA256_DIGEST_SIZE, n,
		    info, out_len, out);
}

bool quici_client_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len,
		       struct quici_keys *k)
{
	unsigned initial = 0;
	if (!known_version(version, &initial) || dcid_len > QUICI_MAX_CID)
		return false;
	bool v2 = version == QUICI_VERSION_2;
	const uint8_t *salt = v2 ? salt_v2 : salt_v1;
	struct hmac_sha256_ctx h;
	uint8_t initial_secret[SHA256_DIGEST_SIZE];
	hmac_sha256_set_key(&h, sizeof(salt_v1), salt);
	hkdf_extract(&h, (nettle_hash_update_func *)hmac_sha256_update,
		     (nettle_hash_digest_func *)hmac_sha256_digest, SHA256_DIGEST_SIZE,
		     dcid_len, dcid, initial_secret);
	hmac_sha256_set_key(&h, sizeof(initial_secret), initial_secret);
	expand_label(&h, "client in", k->secret, sizeof(k->secret));
	hmac_sha256_set_key(&h, sizeof(k->secret), k->secret);
	expand_label(&h, v2 ? "quicv2 key" : "quic key", k->key, sizeof(k->key));
	expand_label(&h, v2 ? "quicv2 iv" : "quic iv", k->iv, sizeof(k->iv));
	expand_label(&h, v2 ? "quicv2 hp" : "quic hp", k->hp, sizeof(k->hp));
	return true;
}

static struct quici_keycache *cached_keys(struct quici_keycache *kc, uint32_t version,
					  const uint8_t *dcid, size_t dcid_len)
{
	if (kc->valid && kc->version == version && kc->dcid_len == dcid_len &&
	    !memcmp(kc->dcid, dcid, dcid_len))
		return kc;
	kc->valid = quici_client_keys(version, dcid, dcid_len, &kc->keys);
	if (!kc->valid)
		return NULL;
	kc->version = version;
	kc->dcid_len = dcid_len;
	memcpy(kc->dcid, dcid, dcid_len);
	gcm_aes128_set_key(&kc->gcm, kc->keys.key);
	aes128_set_encrypt_key(&kc->hp, kc->keys.hp);
	return kc;
}

/* The long header up to the packet number: every length is checked
 * against the datagram before it is used, as `n > len - off`. */
struct long_header {
	uint32_t version;
	unsigned type;
	const uint8_t *dcid;
	size_t dcid_len;
	size_t pn_off; /* where the packet number starts */
	size_t end;    /* end of this packet (Length counts from pn_off) */
};

static bool parse_long_header(const uint8_t *d, size_t len, struct long_header *h)
{
	unsigned initial = 0;
	if (len < 7 || !(d[0] & LONG_HEADER))
		return false;
	h->version = be32(d + 1);
	if (!known_version(h->version, &initial))
		return false;
	h->type = (d[0] >> 4) & 3;
	size_t off = 5;
	h->dcid_len = d[off++];
	if (h->dcid_len > QUICI_MAX_CID || h->dcid_len > len - off)
		return false;
	h->dcid = d + off;
	off += h->dcid_len;
	if (off >= len)
		return false;
	size_t scid_len = d[off++];
	if (scid_len > QUICI_MAX_CID || scid_len > len - off)
		return false;
	off += scid_len;
	/* a Retry packet (v1 type 3, v2 type 0) has no Length: it is last */
	unsigned retry = h->version == QUICI_VERSION_2 ? 0 : 3;
	if (h->type == retry) {
		h->pn_off = h->end = len;
		return true;
	}
	uint64_t n;
	if (h->type == initial) { /* only Initials carry a token */
		if (!quici_varint(d, len, &off, &n) || n > len - off)
			return false;
		off += (size_t)n;
	}
	if (!quici_varint(d, len, &off, &n) || n > len - off)
		return false;
	h->pn_off = off;
	h->end = off + (size_t)n;
	return true;
}

enum quici_result quici_open(const uint8_t *d, size_t len, struct quici_keycache *kc,
			     uint8_t *out, struct quici_packet *pkt, size_t *used)
{
	struct long_header h;
	*used = 0;
	if (!parse_long_header(d, len, &h))
		return QUICI_NOT_QUIC;
	*used = h.end;
	unsigned initial = 0;
	known_version(h.version, &initial);
	if (h.type != initial)
		return QUICI_OTHER;
	/* the sample must lie inside the packet, and the packet must hold a
	 * packet number and a tag */
	size_t plen = h.end - h.pn_off;
	if (plen < HP_SAMPLE_SKIP + HP_SAMPLE_LEN || plen < 4 + QUICI_TAG_LEN)
		return QUICI_NOT_CLIENT;
	struct quici_keycache *k = cached_keys(kc, h.version, h.dcid, h.dcid_len);
	if (!k)
		return QUICI_NOT_QUIC;

	/* header protection: the mask comes from the ciphertext sample */
	uint8_t mask[AES_BLOCK_SIZE];
	aes128_encrypt(&k->hp, AES_BLOCK_SIZE, mask, d + h.pn_off + HP_SAMPLE_SKIP);
	uint8_t first = d[0] ^ (mask[0] & 0x0f);
	size_t pn_len = (size_t)(first & 3) + 1;
	size_t hdr_len = h.pn_off + pn_len;
	if (plen < pn_len + QUICI_TAG_LEN)
		return QUICI_NOT_CLIENT;
	/* the unprotected header is the associated data; it is rebuilt in
	 * out, which the plaintext then overwrites */
	memcpy(out, d, hdr_len);
	out[0] = first;
	uint64_t pn = 0;
	for (size_t i = 0; i < pn_len; i++) {
		out[h.pn_off + i] ^= mask[1 + i];
		pn = pn << 8 | out[h.pn_off + i];
	}
	uint8_t nonce[QUICI_IV_LEN];
	memcpy(nonce, k->keys.iv, sizeof(nonce));
	for (size_t i = 0; i < 8; i++)
		nonce[QUICI_IV_LEN - 1 - i] ^= (uint8_t)(pn >> (8 * i));

	size_t ct_len = h.end - hdr_len - QUICI_TAG_LEN;
	/* set_iv starts a new message and keeps the key schedule */
	gcm_aes128_set_iv(&k->gcm, sizeof(nonce), nonce);
	gcm_aes128_update(&k->gcm, hdr_len, out);
	gcm_aes128_decrypt(&k->gcm, ct_len, out, d + hdr_len);
	uint8_t tag[QUICI_TAG_LEN];
	gcm_aes128_digest(&k->gcm, sizeof(tag), tag);
	if (!memeql_sec(tag, d + hdr_len + ct_len, sizeof(tag)))
		return QUICI_NOT_CLIENT;

	pkt->version = h.version;
	memcpy(pkt->dcid, h.dcid, h.dcid_len);
	pkt->dcid_len = h.dcid_len;
	pkt->pn = pn;
	pkt->payload = out;
	pkt->payload_len = ct_len;
	return QUICI_OK;
}
