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

static bool build_scalar(const char *s, size_t n, struct eve_index *ix)
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
		ix->quote[w] = q;
	}
	ix->nwords = w;
	ix->esc = bs;
	return !bad;
}

#ifdef EVE_X86
static bool build_sse2(const char *s, size_t n, struct eve_index *ix)
{
	const __m128i quote = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'),
		      space = _mm_set1_epi8(0x20);
	__m128i bad = _mm_setzero_si128(), bsl = _mm_setzero_si128();
	char buf[64];
	size_t i = 0, w = 0;
	for (; i < n; i += 64, w++) {
		unsigned shift;
		const char *p = block(s, n, i, buf, &shift);
		uint64_t q = 0;
		for (int k = 0; k < 4; k++) {
			__m128i v =
			    _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
			q |= (uint64_t)(uint32_t)_mm_movemask_epi8(
				 _mm_cmpeq_epi8(v, quote))
			     << (16 * k);
			bsl = _mm_or_si128(bsl, _mm_cmpeq_epi8(v, bs));
			/* signed: bytes >= 0x80 are below 0x20 too */
			bad = _mm_or_si128(bad, _mm_cmplt_epi8(v, space));
		}
		ix->quote[w] = q >> shift;
	}
	ix->nwords = w;
	ix->esc = _mm_movemask_epi8(bsl) != 0;
	return _mm_movemask_epi8(bad) == 0;
}

__attribute__((target("avx2"))) static bool build_avx2(const char *s, size_t n,
						       struct eve_index *ix)
{
	const __m256i quote = _mm256_set1_epi8('"'), bs = _mm256_set1_epi8('\\'),
		      space = _mm256_set1_epi8(0x20);
	__m256i bad = _mm256_setzero_si256(), bsl = _mm256_setzero_si256();
	char buf[64];
	size_t i = 0, w = 0;
	for (; i < n; i += 64, w++) {
		unsigned shift;
		const char *p = block(s, n, i, buf, &shift);
		__m256i a = _mm256_loadu_si256((const __m256i *)(const void *)p);
		__m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
		ix->quote[w] =
		    ((uint64_t)(uint32_t)_mm256_movemask_epi8(
			 _mm256_cmpeq_epi8(a, quote)) |
		     (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, quote))
			 << 32) >>
		    shift;
		bsl = _mm256_or_si256(bsl, _mm256_or_si256(_mm256_cmpeq_epi8(a, bs),
							   _mm256_cmpeq_epi8(b, bs)));
		/* signed: bytes >= 0x80 are below 0x20 too */
		bad = _mm256_or_si256(bad, _mm256_or_si256(_mm256_cmpgt_epi8(space, a),
							   _mm256_cmpgt_epi8(space, b)));
	}
	ix->nwords = w;
	ix->esc = !_mm256_testz_si256(bsl, bsl);
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

static bool build(const char *s, size_t n, enum eve_kernel k, struct eve_index *ix)
{
	switch (k) {
	case EVE_KERNEL_SCALAR:
		return build_scalar(s, n, ix);
#ifdef EVE_X86
	case EVE_KERNEL_SSE2:
		return build_sse2(s, n, ix);
	case EVE_KERNEL_AVX2:
		return __builtin_cpu_supports("avx2") && build_avx2(s, n, ix);
#endif
	default:
		return false;
	}
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
	if (k == EVE_KERNEL_AUTO)
		k = eve_kernel_best();
	if (!build(s, n, k, ix) || (ix->esc && !simple_escapes(s, n)))
		return false;
	ix->quote[ix->nwords] = 1; /* the stop bit */
	return true;
}
