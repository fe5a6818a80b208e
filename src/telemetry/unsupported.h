/* Inputs users have that sighted does not read, recognised so the error
 * says what to do instead of "cannot tell the format": nfdump's binary
 * nfcapd files and its text outputs other than CSV. */
#ifndef SD_TELEMETRY_UNSUPPORTED_H
#define SD_TELEMETRY_UNSUPPORTED_H

#include <stddef.h>

/* A sentence naming what d[0..n) (the start of a file) is and how to
 * convert it, or NULL when it is none of the known unsupported kinds. */
const char *tel_unsupported_hint(const unsigned char *d, size_t n);

#endif
