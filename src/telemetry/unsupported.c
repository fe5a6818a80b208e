#include "telemetry/unsupported.h"

#include <stdbool.h>
#include <string.h>

static bool has(const unsigned char *d, size_t n, const char *needle)
{
	size_t l = strlen(needle);
	for (size_t i = 0; l <= n && i <= n - l; i++)
		if (d[i] == (unsigned char)needle[0] && !memcmp(d + i, needle, l))
			return true;
	return false;
}

const char *tel_unsupported_hint(const unsigned char *d, size_t n)
{
	/* nfcapd file header: magic 0xA50C, then layout version 1 or 2, both
	 * little-endian 16-bit (nfdump's nffileV2.h) */
	if (n >= 4 && d[0] == 0x0c && d[1] == 0xa5 && (d[2] == 1 || d[2] == 2) &&
	    d[3] == 0)
		return "an nfcapd binary file (nfdump's capture format): sighted reads "
		       "nfdump's CSV; convert with `nfdump -r FILE -o csv > FILE.csv`";
	size_t i = 0;
	while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
		i++;
	if (n - i >= 15 && !memcmp(d + i, "Date first seen", 15))
		return "nfdump text output (-o line, long or extended): sighted reads "
		       "nfdump's CSV; write it with `nfdump -r FILE -o csv`";
	if (i < n && d[i] == '[' &&
	    (has(d, n, "\"src4_addr\"") || has(d, n, "\"src6_addr\"")))
		return "nfdump JSON output (-o json): sighted reads nfdump's CSV; "
		       "write it with `nfdump -r FILE -o csv`";
	return NULL;
}
