/* TLS ClientHello parsing on one TCP payload, and on every cut of it the
 * way a segment boundary would cut it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "telemetry/tls_hello.h"

static void one(const uint8_t *data, size_t size)
{
	char name[TLSH_MAX_NAME + 1];
	size_t name_len, need;
	const char *why = NULL;
	enum tlsh_result rc = tlsh_parse(data, size, name, &name_len, &need, &why);
	if (rc == TLSH_SNI) {
		if (name_len == 0 || name_len > TLSH_MAX_NAME || strlen(name) != name_len)
			abort();
	} else if (rc == TLSH_NEED_MORE) {
		if (need <= size || need > TLSH_MAX_RECORD)
			abort();
	} else if (!why || !*why) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size);
	/* a prefix in its own allocation, so reading past it is caught */
	size_t cut = size / 2;
	uint8_t *p = malloc(cut ? cut : 1);
	if (p) {
		memcpy(p, data, cut);
		one(p, cut);
		free(p);
	}
	return 0;
}
