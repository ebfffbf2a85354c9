/*
 * utf8.h - make arbitrary bytes valid UTF-8 (OTLP strings must be).
 */
#ifndef LOG4C_OTEL_UTF8_H
#define LOG4C_OTEL_UTF8_H

#include <stddef.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Length in bytes of in[0..len) once every invalid byte sequence is replaced
 * by U+FFFD (3 bytes), cut to at most limit bytes (0 = no limit) on a code
 * point boundary. */
size_t otel_utf8_sanitized_len(const char *in, size_t len, size_t limit);

/* Writes the sanitised form (exactly otel_utf8_sanitized_len bytes, no NUL)
 * to out and returns the number of bytes written. */
size_t otel_utf8_sanitize(char *out, const char *in, size_t len, size_t limit);

/* 1 when in[0..len) is valid UTF-8 as it stands (the common case, which
 * then needs only a copy), 0 otherwise. */
int otel_utf8_valid(const char *in, size_t len);

/* 1 when in[0..len) holds ASCII characters only (no byte with its high
 * bit set), 0 otherwise. */
int otel_utf8_ascii(const char *in, size_t len);

#if defined(__SSE2__)
/* in[0..len) (len >= 16) all ASCII, with SSE2: 64 bytes per test, then the
 * 16-byte blocks of the rest and its last 16 bytes (overlapping them) in
 * one test. 1 when it is; else 0 with *at the start of the first 64-byte
 * block (or of the rest under 64 bytes) that holds a byte with its high bit
 * set: everything before *at is ASCII (otel_utf8_valid goes on from there). */
static inline int otel_utf8_ascii_sse2(const char *in, size_t len, size_t *at)
{
    const __m128i *p = (const __m128i *)(const void *)in;
    size_t i = 0;
    for (; i + 64 <= len; i += 64) {
        __m128i t = _mm_or_si128(_mm_or_si128(_mm_loadu_si128(p + i / 16), _mm_loadu_si128(p + i / 16 + 1)),
                                 _mm_or_si128(_mm_loadu_si128(p + i / 16 + 2), _mm_loadu_si128(p + i / 16 + 3)));
        if (_mm_movemask_epi8(t)) {
            *at = i;
            return 0;
        }
    }
    __m128i t = _mm_loadu_si128((const __m128i *)(const void *)(in + len - 16));
    for (size_t j = i; j + 16 <= len; j += 16)
        t = _mm_or_si128(t, _mm_loadu_si128(p + j / 16));
    *at = i;
    return !_mm_movemask_epi8(t);
}
#endif

/* otel_utf8_ascii inline, for the record builder's one test of all a
 * record's strings: otel_utf8_ascii_sse2 from 16 bytes, a call to
 * otel_utf8_ascii without SSE2 or under 16 bytes. */
static inline int otel_utf8_ascii_inline(const char *in, size_t len)
{
#if defined(__SSE2__)
    size_t at;
    if (len >= 16)
        return otel_utf8_ascii_sse2(in, len, &at);
#endif
    return otel_utf8_ascii(in, len);
}

#endif
