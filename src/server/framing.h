/* Request shapes that let two HTTP parsers disagree about where a request
 * ends (request smuggling, RFC 9112 §6.3) or about which host it is for.
 * libmicrohttpd 0.9.75 lets these reach the handler, so they are refused
 * there with 400 and the connection closed:
 *  - Content-Length given twice with different values;
 *  - Content-Length together with Transfer-Encoding;
 *  - a Transfer-Encoding other than exactly "chunked";
 *  - a header name with characters outside the RFC 9110 token set (as in
 *    "Transfer-Encoding : chunked");
 *  - an obs-folded header (a line starting with a space or tab);
 *  - an HTTP/1.1 request with no Host header, or with more than one. */
#ifndef SD_SERVER_FRAMING_H
#define SD_SERVER_FRAMING_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

struct srv_framing {
	bool has_body;		 /* Content-Length > 0 or Transfer-Encoding */
	uint64_t content_length; /* announced; 0 when chunked or none */
	bool chunked;		 /* a Transfer-Encoding header was given */
};

/* Returns NULL when the header is acceptable (with *out filled), or why it
 * is refused. */
const char *srv_framing_check(struct MHD_Connection *c, const char *version,
			      struct srv_framing *out);

#endif
