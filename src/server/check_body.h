/* The body of a /api/v1/check answer written straight from the lookup:
 * {"snapshot":...,"result":...} with the result rendered by report_render
 * (report/render.h) instead of built as a jansson document and dumped.
 * Building and dumping that document was most of the server's own CPU time
 * per check (bench/serve.sh); the bytes are those of the document dumped
 * with JSON_COMPACT | JSON_ENSURE_ASCII (tests/server/test_check_body.c). */
#ifndef SD_SERVER_CHECK_BODY_H
#define SD_SERVER_CHECK_BODY_H

#include <stddef.h>

#include "net/addr.h"
#include "report/report.h"
#include "server/snapshot.h"

/* The answer for q (given: the query as written, given_len bytes, or NULL
 * for the caller's own address), newline-terminated, malloc'd; *len its
 * length. NULL when out of memory. */
char *srv_check_body(const struct srv_snap *s, const struct net_prefix *q,
		     const char *given, size_t given_len, enum report_detail detail,
		     size_t max_inside, size_t *len);

#endif
