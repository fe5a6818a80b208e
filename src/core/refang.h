/* Undoing "defanging": the ways analysts break addresses, domains and URLs
 * so that nobody clicks them (203.0.113[.]7, evil(.)com, hxxps[:]//...). */
#ifndef SD_CORE_REFANG_H
#define SD_CORE_REFANG_H

#include <stddef.h>

/* Writes the refanged form of s[0..n) to out (NUL-terminated) and returns
 * its length, or SD_ERANGE if out is too small. Handles [.] (.) {.} [dot] (dot)
 * and \. for '.', [:] and [://] for ':' and '://', hxxp(s) and h**p for
 * http(s), fxp for ftp, and [@] for '@'. Case of the rest is kept. */
long sd_refang(const char *s, size_t n, char *out, size_t size);

#endif
