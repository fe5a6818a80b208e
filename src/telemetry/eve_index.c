#include "telemetry/eve_index.h"

#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define EVE_X86 1
#endif

/* The block at i. The last, partial one is the line's last 64 bytes (its
 * quote bits then shifted down by *shift: the bytes before i were looked
 * at already), or in a line shorter than that, a copy in a block of
 * spaces (a space is neither a quote nor suspect). */
static const char *block(const char *s, size_t n, size_t i, char buf[64], unsigned *shift)
{
	*shift = 0;
	if (n - i >= 64)
		return s + i;
	if (n >= 64) {
		*shift = (unsigned)(64 - (n - i));
		return s + n - 64;
	}
	memset(buf, ' ', 64);
	memcpy(buf, s + i, n - i);
	return buf;
}

/* Each kernel writes the quote words of s[0..n) to quote and whether s
 * has a backslash to *esc, copies s to dst unless dst is NULL, and
 * answers whether s has no control byte and no byte >= 0x80. */
static bool build_scalar(const char *s, size_t n, char *dst, uint64_t *quote, bool *esc)
{
	unsigned bad = 0, bs = 0;
	size_t i = 0, w = 0;
	for (; i < n; i += 64, w++) {
		size_t m = n - i < 64 ? n - i : 64;
		uint64_t q = 0;
		for (size_t j = 0; j < m; j++) {
			unsigned char c = (unsigned char)s[i + j];
			q |= (uint64_t)(c == '"') << j;
			bs |= c == '\\';
			bad |= (c < 0x20) | (c >= 0x80);
		}
		quote[w] = q;
	}
	if (dst)
		memcpy(dst, s, n);
	*esc = bs;
	return !bad;
}

#ifdef EVE_X86
/* One block of 64 bytes at p: its quote bits; backslashes and suspect
 * bytes gathered in *bsl and *bad; copied to `to` unless NULL. */
static inline __attribute__((always_inline)) uint64_t
block_sse2(const char *p, char *to, __m128i *bsl, __m128i *bad)
{
	const __m128i dq = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'),
		      space = _mm_set1_epi8(0x20);
	uint64_t q = 0;
	for (int k = 0; k < 4; k++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
		if (to)
			_mm_storeu_si128((__m128i *)(void *)(to + 16 * k), v);
		q |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, dq))
		     << (16 * k);
		*bsl = _mm_or_si128(*bsl, _mm_cmpeq_epi8(v, bs));
		/* signed: bytes >= 0x80 are below 0x20 too */
		*bad = _mm_or_si128(*bad, _mm_cmplt_epi8(v, space));
	}
	return q;
}

static bool build_sse2(const char *s, size_t n, char *dst, uint64_t *quote, bool *esc)
{
	__m128i bad = _mm_setzero_si128(), bsl = _mm_setzero_si128();
	size_t i = 0, w = 0;
	for (; n - i >= 64; i += 64, w++)
		quote[w] = block_sse2(s + i, dst ? dst + i : NULL, &bsl, &bad);
	if (i < n) {
		/* copied as read: the last, partial block is the line's last
		 * 64 bytes, whose overlap is written twice, alike */
		char buf[64];
		unsigned shift;
		const char *p = block(s, n, i, buf, &shift);
		quote[w] =
		    block_sse2(p, dst && p != buf ? dst + (p - s) : NULL, &bsl, &bad) >>
		    shift;
	}
	if (dst && n < 64)
		memcpy(dst, s, n);
	*esc = _mm_movemask_epi8(bsl) != 0;
	return _mm_movemask_epi8(bad) == 0;
}

__attribute__((target("avx2"))) static inline __attribute__((always_inline)) uint64_t
block_avx2(const char *p, char *to, __m256i *bsl, __m256i *bad)
{
	const __m256i dq = _mm256_set1_epi8('"'), bs = _mm256_set1_epi8('\\'),
		      space = _mm256_set1_epi8(0x20);
	__m256i a = _mm256_loadu_si256((const __m256i *)(const void *)p);
	__m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
	if (to) {
		_mm256_storeu_si256((__m256i *)(void *)to, a);
		_mm256_storeu_si256((__m256i *)(void *)(to + 32), b);
	}
	*bsl = _mm256_or_si256(
	    *bsl, _mm256_or_si256(_mm256_cmpeq_epi8(a, bs), _mm256_cmpeq_epi8(b, bs)));
	/* signed: bytes >= 0x80 are below 0x20 too */
	*bad = _mm256_or_si256(*bad, _mm256_or_si256(_mm256_cmpgt_epi8(space, a),
						     _mm256_cmpgt_epi8(space, b)));
	return (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, dq)) |
	       (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, dq)) << 32;
}

__attribute__((target("avx2"))) static bool build_avx2(const char *s, size_t n, char *dst,
						       uint64_t *quote, bool *esc)
{
	__m256i bad = _mm256_setzero_si256(), bsl = _mm256_setzero_si256();
	size_t i = 0, w = 0;
	for (; n - i >= 64; i += 64, w++)
		quote[w] = block_avx2(s + i, dst ? dst + i : NULL, &bsl, &bad);
	if (i < n) { /* as in build_sse2 */
		char buf[64];
		unsigned shift;
		const char *p = block(s, n, i, buf, &shift);
		quote[w] =
		    block_avx2(p, dst && p != buf ? dst + (p - s) : NULL, &bsl, &bad) >>
		    shift;
	}
	if (dst && n < 64)
		memcpy(dst, s, n);
	*esc = !_mm256_testz_si256(bsl, bsl);
	return _mm256_testz_si256(bad, bad);
}
#endif

bool eve_kernel_available(enum eve_kernel k)
{
	switch (k) {
	case EVE_KERNEL_AUTO:
	case EVE_KERNEL_NONE:
	case EVE_KERNEL_SCALAR:
		return true;
#ifdef EVE_X86
	case EVE_KERNEL_SSE2:
		return true;
	case EVE_KERNEL_AVX2:
		return __builtin_cpu_supports("avx2");
#endif
	default:
		return false;
	}
}

enum eve_kernel eve_kernel_best(void)
{
	if (eve_kernel_available(EVE_KERNEL_AVX2))
		return EVE_KERNEL_AVX2;
	if (eve_kernel_available(EVE_KERNEL_SSE2))
		return EVE_KERNEL_SSE2;
	return EVE_KERNEL_SCALAR;
}

static bool build(const char *s, size_t n, char *dst, enum eve_kernel k, uint64_t *quote,
		  bool *esc)
{
	switch (k) {
	case EVE_KERNEL_SCALAR:
		return build_scalar(s, n, dst, quote, esc);
#ifdef EVE_X86
	case EVE_KERNEL_SSE2:
		return build_sse2(s, n, dst, quote, esc);
	case EVE_KERNEL_AVX2:
		if (__builtin_cpu_supports("avx2"))
			return build_avx2(s, n, dst, quote, esc);
		break;
#endif
	default:
		break;
	}
	if (dst)
		memcpy(dst, s, n);
	return false;
}

/* Every backslash starts one of the escapes \/ \b \f \n \r \t: none
 * escapes a quote or a backslash, so each quote still opens or closes a
 * string (the rare line with others is read byte by byte). */
static bool simple_escapes(const char *s, size_t n)
{
	const char *e = s + n;
	for (const char *p = memchr(s, '\\', n); p;
	     p = memchr(p, '\\', (size_t)(e - p))) {
		if (++p == e || !memchr("/bfnrt", *p, 6))
			return false;
	}
	return true;
}

bool eve_index_build(const char *s, size_t n, enum eve_kernel k, struct eve_index *ix)
{
	if (n > SD_MAX_LINE)
		return false;
	ix->nwords = (n + 63) / 64;
	return eve_index_copy(s, n, NULL, k, ix->quote, &ix->esc);
}

bool eve_index_copy(const char *s, size_t n, char *dst, enum eve_kernel k,
		    uint64_t *quote, bool *esc)
{
	if (k == EVE_KERNEL_AUTO)
		k = eve_kernel_best();
	*esc = false;
	if (!build(s, n, dst, k, quote, esc) || (*esc && !simple_escapes(s, n)))
		return false;
	quote[(n + 63) / 64] = 1; /* the stop bit */
	return true;
}
