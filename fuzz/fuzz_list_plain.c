/* The plain-list fast path (list_reader.c, next_plain) hands a line that
 * parses as it is straight to the parser, skipping the comment cut, the
 * trim and the refang of the full path. That is only right if those three
 * would give back such a line unchanged: checked here on arbitrary bytes,
 * with and without --allow-hostbits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/refang.h"
#include "net/addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	if (size >= 128)
		return 0; /* the fast path takes shorter lines only */
	for (unsigned flags = 0; flags <= NET_ALLOW_HOSTBITS;
	     flags += NET_ALLOW_HOSTBITS) {
		struct net_prefix fast;
		if (net_prefix_parse(s, size, &fast, flags, NULL) != 0)
			continue;
		if (memchr(s, '#', size))
			abort(); /* the full path would cut a comment */
		char copy[128];
		memcpy(copy, s, size);
		struct sd_field f = {copy, size};
		sd_field_trim(&f);
		if (f.s != copy || f.len != size)
			abort(); /* ... or trim blanks */
		char buf[128];
		long m = sd_refang(s, size, buf, sizeof(buf));
		if (m != (long)size || memcmp(buf, s, size) != 0)
			abort(); /* ... or refang a pattern */
		struct net_prefix full;
		if (net_prefix_parse(buf, (size_t)m, &full, flags, NULL) != 0 ||
		    net_prefix_cmp(&fast, &full) != 0)
			abort();
	}
	return 0;
}
