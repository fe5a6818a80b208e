/* Headers sent with every answer. The page needs no inline script or
 * style, so the Content-Security-Policy allows only the server's own
 * files; nothing may frame it, and no Referer leaks a checked address. */
#ifndef SD_SERVER_HEADERS_H
#define SD_SERVER_HEADERS_H

struct srv_header {
	const char *name, *value;
};

extern const struct srv_header srv_security_headers[]; /* ends with NULL */

#endif
