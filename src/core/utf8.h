/* UTF-8 as RFC 3629 defines it, the one reading every escaper shares (JSON
 * for the API and reports, HTML for the page, the --sightings lines), so
 * they agree on which bytes are text. */
#ifndef SD_CORE_UTF8_H
#define SD_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length of the valid sequence at s (n >= 1 bytes available) and its code
 * point in *cp; 0 when it is not valid: a stray continuation byte, an
 * overlong form, a surrogate, past U+10FFFF or cut short. An ASCII byte is
 * a sequence of 1. */
size_t sd_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

static inline size_t sd_utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	return sd_utf8_decode(s, n, &cp);
}

#endif
