/* DNS wire parsing on one message: names, compression pointers, answers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "telemetry/dns_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dnsw_msg msg;
	const char *why = NULL;
	enum dnsw_result rc = dnsw_parse(data, size, &msg, &why);
	if (rc == DNSW_OK) {
		/* the name is NUL-terminated, within bounds, and has no raw dot
		 * runs that a label could have smuggled in */
		if (msg.qname_len == 0 || msg.qname_len > DNSW_MAX_NAME_TEXT ||
		    strlen(msg.qname) != msg.qname_len || msg.nanswers > DNSW_MAX_ANSWERS)
			abort();
		if (msg.qname_len > 1 && strstr(msg.qname, ".."))
			abort();
	} else if (!why || !*why) {
		abort();
	}
	return 0;
}
