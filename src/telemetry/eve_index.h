/* The first pass of the EVE hot path: one look at every byte of a line,
 * 32 or 64 bytes at a time, that finds the quotes (a bit per byte) and
 * tells whether the line is "clean": no control byte, no byte >= 0x80 and
 * no escape but \/ \b \f \n \r \t (the ones Suricata writes in URLs and
 * agents; none escapes a quote). In a clean line every quote opens or
 * closes a string, so the scanner (eve_fast.c) finds the end of a string
 * with one bit scan instead of reading the string. Lines that are not
 * clean are read by the scanner's byte-by-byte path. The kernel (AVX2,
 * SSE2 or scalar) is chosen at run time; all three give the same answer
 * (fuzz/fuzz_eve_fast.c checks it). */
#ifndef SD_TELEMETRY_EVE_INDEX_H
#define SD_TELEMETRY_EVE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"

/* bit i of quote[i / 64] is set when byte i is '"'; quote[nwords] has a
 * stop bit (at nwords * 64, past the line's end), so a search for the
 * next quote needs no bound */
#define EVE_INDEX_WORDS (SD_MAX_LINE / 64 + 2)

struct eve_index {
	uint64_t quote[EVE_INDEX_WORDS];
	size_t nwords; /* words covering the line */
	bool esc;      /* the line has escapes (all simple: see above) */
};

enum eve_kernel {
	EVE_KERNEL_AUTO = 0, /* the best this CPU has */
	EVE_KERNEL_NONE,     /* no index: the byte-by-byte path for every line */
	EVE_KERNEL_SCALAR,
	EVE_KERNEL_SSE2,
	EVE_KERNEL_AVX2,
};

/* The kernel AUTO stands for on this CPU. */
enum eve_kernel eve_kernel_best(void);
/* Whether this build and CPU can run kernel k. */
bool eve_kernel_available(enum eve_kernel k);

/* Indexes s[0..n) with kernel k (AUTO: the best); true when the line is
 * clean and no longer than SD_MAX_LINE (the index is then valid), false
 * otherwise (and for NONE or a kernel not available). */
bool eve_index_build(const char *s, size_t n, enum eve_kernel k, struct eve_index *ix);

/* The quote words a line of n bytes takes, its stop bit's included. */
#define EVE_INDEX_LINE_WORDS(n) ((n) / 64 + 2)
/* eve_index_build (n <= SD_MAX_LINE) in the same pass as a copy of s to
 * dst (NULL: no copy), which is made whatever the answer: the quote words
 * go to quote (room for EVE_INDEX_LINE_WORDS(n)), whether s has
 * backslashes to *esc; true when the line is clean (the words are then
 * valid). The EVE reader indexes each line as it copies it into a batch
 * (eve_pipe.h), so the line is read once for both. */
bool eve_index_copy(const char *s, size_t n, char *dst, enum eve_kernel k,
		    uint64_t *quote, bool *esc);

#endif
