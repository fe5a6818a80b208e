/* One captured packet through the link layer, IP and TCP/UDP decoders; the
 * first byte picks the link type. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "telemetry/pkt_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int links[] = {PKT_LINK_NULL, PKT_LINK_EN10MB, PKT_LINK_RAW,
				    PKT_LINK_LOOP, PKT_LINK_SLL,    PKT_LINK_IPV4,
				    PKT_LINK_IPV6, PKT_LINK_SLL2};
	if (size < 1)
		return 0;
	int link = links[data[0] % (sizeof(links) / sizeof(links[0]))];
	struct pkt_info p;
	const char *why;
	if (pkt_decode(link, data + 1, size - 1, &p, &why) == PKT_OK) {
		const uint8_t *end = data + size;
		if (p.payload_len && (p.payload < data + 1 || p.payload + p.payload_len > end))
			abort();
		if (p.proto != 6 && p.proto != 17)
			abort();
	}
	return 0;
}
