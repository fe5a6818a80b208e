/* HTTP request head parsing: every slice it returns lies inside the input;
 * a response's status line, when read, is a three-digit code. */
#include <stdint.h>
#include <stdlib.h>

#include "telemetry/http_req.h"

static void inside(const uint8_t *data, size_t size, const char *p, size_t n)
{
	if (n && (p < (const char *)data || p + n > (const char *)data + size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct httpr_req q;
	const char *why;
	if (httpr_parse(data, size, &q, &why) == HTTPR_OK) {
		inside(data, size, q.method, q.method_len);
		inside(data, size, q.host, q.host_len);
		inside(data, size, q.path, q.path_len);
	}
	unsigned status;
	if (httpr_status(data, size, &status) && (status < 100 || status > 999))
		abort();
	return 0;
}
