/* The request line and Host header of an HTTP/1.x request at the start of
 * a TCP payload, and the status of a response. Zero-copy: the results
 * point into the caller's bytes. */
#ifndef SD_TELEMETRY_HTTP_REQ_H
#define SD_TELEMETRY_HTTP_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest request line plus headers looked at; a request whose head is
 * longer is read up to here. */
#define HTTPR_MAX_HEAD 16384

enum httpr_result {
	HTTPR_OK = 0,
	HTTPR_NOT_HTTP = 1,  /* the bytes do not start with a request method */
	HTTPR_NEED_MORE = 2, /* the request line is not complete in these bytes */
	HTTPR_MALFORMED = 3,
};

struct httpr_req {
	const char *method;
	size_t method_len;
	/* Host without port or brackets: from an absolute URI or CONNECT
	 * target when there is one, else from the Host header; may be empty. */
	const char *host;
	size_t host_len;
	/* Path and query ("/x?y"); empty for CONNECT and "*". */
	const char *path;
	size_t path_len;
	/* The request was made to a proxy (absolute URI or CONNECT). */
	bool via_proxy;
	bool is_connect;
};

enum httpr_result httpr_parse(const uint8_t *p, size_t len, struct httpr_req *out,
			      const char **why);

/* The status code of an HTTP/1.x response whose status line starts the
 * bytes ("HTTP/1.1 404 Not Found"): true with *status set, false when
 * the bytes do not start with one (a body, a request, anything else). */
bool httpr_status(const uint8_t *p, size_t len, unsigned *status);

#endif
