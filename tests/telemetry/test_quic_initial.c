/* QUIC Initial packets: key derivation, header protection and decryption
 * against RFC 9001 Appendix A (v1) and RFC 9369 Appendix A (v2) byte for
 * byte; CRYPTO stream reassembly in and out of order; refusal of damaged
 * packets and frames. */
#include "testutil.h"

#include "quic_craft.h"
#include "telemetry/quic_hello.h"
#include "telemetry/quic_initial.h"

static uint8_t rfc_dcid[8];

static void hexeq(const uint8_t *got, const char *hex)
{
	uint8_t want[64];
	size_t n = qc_hex(hex, want, sizeof(want));
	assert_memory_equal(got, want, n);
}

static void keys_v1(void **state)
{
	(void)state;
	struct quici_keys k;
	qc_hex(QC_RFC_DCID, rfc_dcid, sizeof(rfc_dcid));
	assert_true(quici_client_keys(QUICI_VERSION_1, rfc_dcid, 8, &k));
	/* RFC 9001 A.1 */
	hexeq(k.secret,
	      "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea");
	hexeq(k.key, "1f369613dd76d5467730efcbe3b1a22d");
	hexeq(k.iv, "fa044b2f42a3fd3b46fb255c");
	hexeq(k.hp, "9f50449e04a0e810283a1e9933adedd2");
	/* RFC 9001 A.2: the header protection mask of the client Initial */
	uint8_t sample[16], mask[16];
	struct aes128_ctx hp;
	qc_hex("d1b1c98dd7689fb8ec11d242b123dc9b", sample, 16);
	aes128_set_encrypt_key(&hp, k.hp);
	aes128_encrypt(&hp, 16, mask, sample);
	hexeq(mask, "437b9aec36");
	assert_false(quici_client_keys(0xff00001d, rfc_dcid, 8, &k)); /* draft-29 */
	uint8_t long_cid[21] = {0};
	assert_false(quici_client_keys(QUICI_VERSION_1, long_cid, 21, &k));
}

static void keys_v2(void **state)
{
	(void)state;
	struct quici_keys k;
	qc_hex(QC_RFC_DCID, rfc_dcid, sizeof(rfc_dcid));
	assert_true(quici_client_keys(QUICI_VERSION_2, rfc_dcid, 8, &k));
	/* RFC 9369 A.1 */
	hexeq(k.secret,
	      "14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b");
	hexeq(k.key, "8b1a0bc121284290a29e0971b5cd045d");
	hexeq(k.iv, "91f73e2351d8fa91660e909f");
	hexeq(k.hp, "45b95e15235d6f45a6b19cbcb0294ba9");
	uint8_t sample[16], mask[16];
	struct aes128_ctx hp;
	qc_hex("ffe67b6abcdb4298b485dd04de806071", sample, 16);
	aes128_set_encrypt_key(&hp, k.hp);
	aes128_encrypt(&hp, 16, mask, sample);
	hexeq(mask, "94a0c95e80");
}

static uint8_t pkt[1500], out[1500], expect[1500];

/* The RFC's protected Initial opens to the RFC's plaintext; sealing the
 * plaintext again gives the protected packet byte for byte. */
static void open_rfc(uint32_t version, const char *protected_hex)
{
	static struct quici_keycache kc;
	size_t n = qc_hex(protected_hex, pkt, sizeof(pkt));
	assert_int_equal(n, 1200);
	assert_true(quici_is_initial(pkt, n));
	struct quici_packet q;
	size_t used;
	assert_int_equal(quici_open(pkt, n, &kc, out, &q, &used), QUICI_OK);
	assert_int_equal(used, 1200);
	assert_int_equal(q.version, version);
	assert_int_equal(q.pn, 2);
	assert_int_equal(q.dcid_len, 8);
	assert_memory_equal(q.dcid, rfc_dcid, 8);
	size_t fl = qc_hex(QC_RFC_CRYPTO_FRAME, expect, sizeof(expect));
	memset(expect + fl, 0, QC_RFC_PADDING);
	assert_int_equal(q.payload_len, fl + QC_RFC_PADDING);
	assert_memory_equal(q.payload, expect, q.payload_len);

	/* and back: the same header, keys and payload give the same bytes */
	struct qc_conn k = {.version = version, .dcid_len = 8, .scid_len = 0};
	memcpy(k.dcid, rfc_dcid, 8);
	struct craft_buf *c = calloc(1, sizeof(*c));
	assert_non_null(c);
	qc_seal(c, &k, 2, 4, expect, fl, fl + QC_RFC_PADDING);
	assert_int_equal(c->n, 1200);
	assert_memory_equal(c->b, pkt, 1200);
	free(c);

	/* the hello inside names example.com */
	static struct quich_stream s;
	quich_init(&s);
	char name[TLSH_MAX_NAME + 1];
	size_t name_len;
	const char *why = NULL;
	assert_int_equal(quich_add(&s, q.payload, q.payload_len, name, &name_len, &why),
			 QUICH_SNI);
	assert_string_equal(name, "example.com");
}

static void open_rfc9001(void **state)
{
	(void)state;
	qc_hex(QC_RFC_DCID, rfc_dcid, sizeof(rfc_dcid));
	open_rfc(QUICI_VERSION_1, qc_rfc9001_protected);
}

static void open_rfc9369(void **state)
{
	(void)state;
	qc_hex(QC_RFC_DCID, rfc_dcid, sizeof(rfc_dcid));
	open_rfc(QUICI_VERSION_2, qc_rfc9369_protected);
}

/* The server's Initial is keyed by the client's original DCID, which is not
 * in its header: it must not open as a client's. */
static void server_initial_refused(void **state)
{
	(void)state;
	static struct quici_keycache kc;
	struct quici_packet q;
	size_t used;
	size_t n = qc_hex(qc_rfc9001_server, pkt, sizeof(pkt));
	assert_true(quici_is_initial(pkt, n));
	assert_int_equal(quici_open(pkt, n, &kc, out, &q, &used), QUICI_NOT_CLIENT);
	assert_int_equal(used, n);
	n = qc_hex(qc_rfc9369_server, pkt, sizeof(pkt));
	assert_true(quici_is_initial(pkt, n));
	assert_int_equal(quici_open(pkt, n, &kc, out, &q, &used), QUICI_NOT_CLIENT);
}

/* Every single-bit flip of the protected packet fails authentication or
 * the header parse; none opens. */
static void damaged_packets(void **state)
{
	(void)state;
	static struct quici_keycache kc;
	struct quici_packet q;
	size_t used;
	size_t n = qc_hex(qc_rfc9001_protected, pkt, sizeof(pkt));
	for (size_t i = 0; i < n; i += 7) {
		pkt[i] ^= 0x10;
		assert_int_not_equal(quici_open(pkt, n, &kc, out, &q, &used), QUICI_OK);
		pkt[i] ^= 0x10;
	}
	/* every cut: nothing read past the end (ASan), nothing opens */
	for (size_t cut = 0; cut < n; cut++) {
		uint8_t *p = malloc(cut ? cut : 1);
		assert_non_null(p);
		memcpy(p, pkt, cut);
		assert_int_not_equal(quici_open(p, cut, &kc, out, &q, &used), QUICI_OK);
		free(p);
	}
	assert_int_equal(quici_open(pkt, n, &kc, out, &q, &used), QUICI_OK);
	/* lengths out of range: a DCID of 21 bytes, a Length past the end */
	pkt[5] = 21;
	assert_int_equal(quici_open(pkt, n, &kc, out, &q, &used), QUICI_NOT_QUIC);
	pkt[5] = 8;
	pkt[16] = 0x44, pkt[17] = 0xb0; /* Length 1200 > what is left */
	assert_int_equal(quici_open(pkt, n, &kc, out, &q, &used), QUICI_NOT_QUIC);
	/* version negotiation / unknown version and a short header */
	assert_false(
	    quici_is_initial((const uint8_t *)"\xc0\x00\x00\x00\x00\x08\x00", 7));
	assert_false(
	    quici_is_initial((const uint8_t *)"\x40\x00\x00\x00\x01\x08\x00", 7));
	assert_false(
	    quici_is_initial((const uint8_t *)"\xd0\x00\x00\x00\x01\x08\x00", 7));
}

static void varints(void **state)
{
	(void)state;
	/* RFC 9000 A.1's examples */
	static const struct {
		const char *hex;
		uint64_t v;
	} ex[] = {{"c2197c5eff14e88c", 151288809941952652ull},
		  {"9d7f3e7d", 494878333},
		  {"7bbd", 15293},
		  {"25", 37},
		  {"4025", 37}};
	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		uint8_t b[8];
		size_t n = qc_hex(ex[i].hex, b, 8), off = 0;
		uint64_t v;
		assert_true(quici_varint(b, n, &off, &v));
		assert_int_equal(off, n);
		assert_true(v == ex[i].v);
		off = 0;
		assert_false(quici_varint(b, n - 1, &off, &v));
	}
}

/* A ClientHello split over three Initials, fed in every order: the name
 * comes out exactly when the stream is contiguous up to it. */
static void crypto_reassembly(void **state)
{
	(void)state;
	static struct craft_buf hello, f[3];
	hello.n = 0;
	cb_quic_hello(&hello, "msstorageazure.com", 2400);
	size_t cut[4] = {0, 1000, 2100, hello.n};
	for (int i = 0; i < 3; i++) {
		f[i].n = 0;
		if (i == 1) {
			cb_u8(&f[i], 0x01); /* PING */
			cb_bytes(&f[i], "\x02\x05\x00\x01\x02\x01\x00",
				 7); /* ACK, one gap */
		}
		cb_crypto_frame(&f[i], hello.b, cut[i], cut[i + 1] - cut[i]);
		cb_u8(&f[i], 0); /* PADDING */
	}
	static const int orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
					 {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	static struct quich_stream s;
	char name[TLSH_MAX_NAME + 1];
	size_t name_len;
	const char *why;
	for (int o = 0; o < 6; o++) {
		quich_init(&s);
		for (int j = 0; j < 3; j++) {
			int i = orders[o][j];
			enum quich_result rc =
			    quich_add(&s, f[i].b, f[i].n, name, &name_len, &why);
			assert_int_equal(rc, j < 2 ? QUICH_NEED_MORE : QUICH_SNI);
		}
		assert_string_equal(name, "msstorageazure.com");
		assert_int_equal(s.contiguous, hello.n);
	}
	/* a retransmitted, overlapping frame changes nothing */
	quich_init(&s);
	assert_int_equal(quich_add(&s, f[0].b, f[0].n, name, &name_len, &why),
			 QUICH_NEED_MORE);
	assert_int_equal(quich_add(&s, f[0].b, f[0].n, name, &name_len, &why),
			 QUICH_NEED_MORE);
	assert_int_equal(s.contiguous, 1000);

	/* without a name: complete, and said so */
	hello.n = 0;
	cb_quic_hello(&hello, NULL, 32);
	f[0].n = 0;
	cb_crypto_frame(&f[0], hello.b, 0, hello.n);
	quich_init(&s);
	assert_int_equal(quich_add(&s, f[0].b, f[0].n, name, &name_len, &why),
			 QUICH_NO_SNI);
}

/* Chunks of 1 to 13 bytes at odd offsets, in a scrambled order: after each
 * one, `contiguous` is exactly the prefix a byte-by-byte count gives. */
static void crypto_bitmap(void **state)
{
	(void)state;
	static struct craft_buf hello, f;
	static struct quich_stream s;
	static uint8_t seen[4096];
	hello.n = 0;
	cb_quic_hello(&hello, "officestoragebox.com", 900);
	size_t offs[600], lens[600], n = 0;
	for (size_t off = 0; off < hello.n; n++) {
		size_t l = 1 + (n * 5) % 13;
		if (l > hello.n - off)
			l = hello.n - off;
		offs[n] = off, lens[n] = l;
		off += l;
	}
	memset(seen, 0, sizeof(seen));
	quich_init(&s);
	char name[TLSH_MAX_NAME + 1];
	size_t name_len;
	const char *why;
	size_t got_name = 0;
	for (size_t j = 0; j < n; j++) {
		size_t i = (j * 37) % n; /* 37 and n share no factor below */
		if (n % 37 == 0)
			i = j;
		f.n = 0;
		cb_crypto_frame(&f, hello.b, offs[i], lens[i]);
		enum quich_result rc = quich_add(&s, f.b, f.n, name, &name_len, &why);
		memset(seen + offs[i], 1, lens[i]);
		size_t prefix = 0;
		while (prefix < hello.n && seen[prefix])
			prefix++;
		assert_int_equal(s.contiguous, prefix);
		if (rc == QUICH_SNI)
			got_name++;
		else
			assert_int_equal(rc, QUICH_NEED_MORE);
	}
	assert_int_equal(got_name, 1);
	assert_string_equal(name, "officestoragebox.com");
}

static void bad_frames(void **state)
{
	(void)state;
	static struct quich_stream s;
	char name[TLSH_MAX_NAME + 1];
	size_t name_len;
	const char *why = NULL;
	static const struct {
		const char *hex, *why;
	} bad[] = {
	    {"0600ff", "QUIC CRYPTO frame runs past its Initial packet"},
	    {"06004005aa", "QUIC CRYPTO frame runs past its Initial packet"},
	    /* offset 18430 + 4 bytes: past QUICH_MAX_CRYPTO */
	    {"06800047fe0401000000",
	     "QUIC CRYPTO data reaches past QUICH_MAX_CRYPTO (18432 bytes); ClientHello "
	     "not read"},
	    {"0200000105", "QUIC ACK frame runs past its Initial packet"},
	    {"03000000000000", "QUIC ACK frame runs past its Initial packet"},
	    {"1c000005aa", "QUIC CONNECTION_CLOSE frame runs past its Initial packet"},
	    {"08000000",
	     "QUIC Initial packet holds a frame type an Initial may not carry"},
	    {"40", "QUIC frame type runs past its Initial packet"},
	    {"060004020000ff",
	     "QUIC client CRYPTO stream does not start with a ClientHello"},
	    {"06000401ffffff",
	     "QUIC ClientHello is longer than QUICH_MAX_CRYPTO (18432 bytes)"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t b[64];
		size_t n = qc_hex(bad[i].hex, b, sizeof(b));
		quich_init(&s);
		assert_int_equal(quich_add(&s, b, n, name, &name_len, &why),
				 QUICH_MALFORMED);
		assert_string_equal(why, bad[i].why);
	}
	/* a hello whose inner lengths overrun the message it says it is */
	uint8_t b[] = {0x06, 0x00, 0x08, 0x01, 0x00, 0x00, 0x04, 0x03, 0x03, 0x00, 0x00};
	quich_init(&s);
	assert_int_equal(quich_add(&s, b, sizeof(b), name, &name_len, &why),
			 QUICH_MALFORMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(keys_v1),
	    cmocka_unit_test(keys_v2),
	    cmocka_unit_test(open_rfc9001),
	    cmocka_unit_test(open_rfc9369),
	    cmocka_unit_test(server_initial_refused),
	    cmocka_unit_test(damaged_packets),
	    cmocka_unit_test(varints),
	    cmocka_unit_test(crypto_reassembly),
	    cmocka_unit_test(crypto_bitmap),
	    cmocka_unit_test(bad_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
