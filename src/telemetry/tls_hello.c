/* TLS record → Handshake → ClientHello → extensions → server_name. */
#include "telemetry/tls_hello.h"

#include <stdbool.h>
#include <string.h>

#include "core/pkt_cursor.h"

#define TLS_HANDSHAKE 22
#define TLS_CLIENT_HELLO 1
#define TLS_EXT_SERVER_NAME 0
#define TLS_SNI_HOST_NAME 0

/* Every length below is checked against both its container and the bytes
 * at hand; when the bytes run out first (c->bad with a short buffer) the
 * answer is "need more", not "malformed". */
static enum tlsh_result sni_ext(struct pkt_cursor *e, char *name, size_t *name_len,
				const char **why)
{
	uint16_t list = pkt_cur_u16(e);
	struct pkt_cursor l = pkt_cur_sub(e, list);
	if (e->bad) {
		*why = "TLS server_name list is longer than its extension";
		return TLSH_MALFORMED;
	}
	while (pkt_cur_avail(&l)) {
		uint8_t type = pkt_cur_u8(&l);
		uint16_t n = pkt_cur_u16(&l);
		const uint8_t *p = pkt_cur_ptr(&l);
		pkt_cur_skip(&l, n);
		if (l.bad) {
			*why = "TLS server name is longer than its list";
			return TLSH_MALFORMED;
		}
		if (type != TLS_SNI_HOST_NAME)
			continue;
		if (n == 0 || n > TLSH_MAX_NAME) {
			*why = "TLS server name is empty or longer than 255 bytes";
			return TLSH_MALFORMED;
		}
		for (size_t i = 0; i < n; i++)
			if (p[i] <= ' ' || p[i] >= 0x7f) {
				*why = "TLS server name holds a byte that is not "
				       "printable ASCII";
				return TLSH_MALFORMED;
			}
		memcpy(name, p, n);
		name[n] = '\0';
		*name_len = n;
		return TLSH_SNI;
	}
	*why = "TLS server_name extension holds no host name";
	return TLSH_NO_SNI;
}

enum tlsh_result tlsh_parse(const uint8_t *p, size_t len, char name[TLSH_MAX_NAME + 1],
			    size_t *name_len, size_t *need, const char **why)
{
	*need = 0;
	*name_len = 0;
	/* content type, legacy version 3.x, then a handshake of type 1 */
	if (len < 6 || p[0] != TLS_HANDSHAKE || p[1] != 3 || p[2] > 4 ||
	    p[5] != TLS_CLIENT_HELLO) {
		*why = "not a TLS ClientHello";
		return TLSH_NOT_HELLO;
	}
	size_t rlen = (size_t)p[3] << 8 | p[4];
	if (rlen + 5 > TLSH_MAX_RECORD || rlen < 4) {
		*why = "TLS record length is out of range";
		return TLSH_MALFORMED;
	}
	bool partial = len < rlen + 5;
	struct pkt_cursor c;
	pkt_cur_init(&c, p + 5, partial ? len - 5 : rlen);
	pkt_cur_skip(&c, 1);
	uint32_t hlen = pkt_cur_u24(&c);
	/* A ClientHello spread over several records is legal and rare; what
	 * the first record holds is read, the rest is not looked for. */
	if ((size_t)hlen < c.len - c.off)
		c.len = c.off + hlen;
	bool hpartial = hlen > rlen - 4;
	pkt_cur_skip(&c, 2 + 32);	   /* legacy_version, random */
	pkt_cur_skip(&c, pkt_cur_u8(&c));  /* session id */
	pkt_cur_skip(&c, pkt_cur_u16(&c)); /* cipher suites */
	pkt_cur_skip(&c, pkt_cur_u8(&c));  /* compression methods */
	if (!c.bad && pkt_cur_avail(&c) == 0 && !partial) {
		*why = "TLS ClientHello has no extensions";
		return TLSH_NO_SNI;
	}
	uint16_t elen = pkt_cur_u16(&c);
	struct pkt_cursor ext = c;
	ext.len = c.off + elen < c.len ? c.off + elen : c.len;
	bool ecut = c.bad || (size_t)elen > pkt_cur_avail(&c);
	if (ecut && !partial) {
		/* the whole record is here and its lengths disagree */
		*why = hpartial ? "TLS ClientHello continues in a later record"
				: "TLS ClientHello lengths run past the record";
		return hpartial ? TLSH_NO_SNI : TLSH_MALFORMED;
	}
	while (!ext.bad && pkt_cur_avail(&ext)) {
		uint16_t type = pkt_cur_u16(&ext);
		uint16_t n = pkt_cur_u16(&ext);
		struct pkt_cursor e = pkt_cur_sub(&ext, n);
		if (ext.bad)
			break;
		if (type == TLS_EXT_SERVER_NAME)
			return sni_ext(&e, name, name_len, why);
	}
	if (partial && (c.bad || ecut || ext.bad)) {
		*need = rlen + 5;
		*why = "TLS ClientHello continues in the next segment";
		return TLSH_NEED_MORE;
	}
	if (c.bad || ext.bad || ecut) {
		*why = hpartial ? "TLS ClientHello continues in a later record"
				: "TLS ClientHello lengths run past the record";
		return hpartial ? TLSH_NO_SNI : TLSH_MALFORMED;
	}
	*why = "TLS ClientHello has no server_name extension";
	return TLSH_NO_SNI;
}
