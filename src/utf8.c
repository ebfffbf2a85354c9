/*
 * utf8.c - make arbitrary bytes valid UTF-8: every maximal invalid
 * subsequence becomes U+FFFD, as the Unicode standard recommends, so a log
 * message with binary bytes still travels as an OTLP string.
 */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

static const char REPLACEMENT[3] = {(char)0xEF, (char)0xBF, (char)0xBD};

/* Length of the valid sequence starting at p (1..4), or 0 when invalid; on
 * 0, *skip is how many bytes form the maximal invalid subsequence. */
static size_t valid_seq(const unsigned char *p, size_t avail, size_t *skip)
{
    unsigned char c = p[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        *skip = 1;
        return 0;
    }
    for (size_t i = 1; i < need; i++) {
        unsigned char lo_i = i == 1 ? lo : 0x80, hi_i = i == 1 ? hi : 0xBF;
        if (i >= avail || p[i] < lo_i || p[i] > hi_i) {
            *skip = i;
            return 0;
        }
    }
    return need;
}

#define HIGH_BITS 0x8080808080808080ull

static uint64_t load8(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* The end of the run of ASCII bytes that starts at p[i] (i itself when
 * p[i] is not ASCII): eight bytes at a time, then byte by byte up to the
 * first byte with its high bit set. */
static size_t ascii_run_end(const unsigned char *p, size_t i, size_t len)
{
    while (i + 8 <= len && !(load8(p + i) & HIGH_BITS))
        i += 8;
    while (i < len && p[i] < 0x80)
        i++;
    return i;
}

/* One pass that either measures or writes (out == NULL: measure). */
static size_t sanitize(char *out, const char *in, size_t len, size_t limit)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t i = 0, o = 0;
    if (limit == 0)
        limit = SIZE_MAX;

    while (i < len) {
        /* fast path: a run of ASCII */
        size_t run = ascii_run_end(p, i, len);
        if (run > i) {
            size_t n = run - i;
            if (o + n > limit)
                n = limit - o;
            if (out)
                memcpy(out + o, in + i, n);
            o += n;
            i += n;
            if (o == limit)
                break;
            continue;
        }
        size_t skip = 0, n = valid_seq(p + i, len - i, &skip);
        const char *src = n ? in + i : REPLACEMENT;
        size_t outn = n ? n : sizeof REPLACEMENT;
        if (o + outn > limit)
            break; /* never cut a code point */
        if (out)
            memcpy(out + o, src, outn);
        o += outn;
        i += n ? n : skip;
    }
    return o;
}

int otel_utf8_valid(const char *in, size_t len)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t i = 0;
#if defined(__SSE2__)
    if (len >= 16 && otel_utf8_ascii_sse2(in, len, &i))
        return 1;
#endif
    while (i < len) {
        /* ASCII a word at a time (log text is mostly ASCII): four words per
         * test, then one; the last < 8 bytes as the final (overlapping) word,
         * which is all ASCII only when they are */
        while (i + 32 <= len && !((load8(p + i) | load8(p + i + 8) | load8(p + i + 16) | load8(p + i + 24)) & HIGH_BITS))
            i += 32;
        while (i + 8 <= len && !(load8(p + i) & HIGH_BITS))
            i += 8;
        if (i + 8 > len && len >= 8 && !(load8(p + len - 8) & HIGH_BITS))
            return 1;
        if (i >= len)
            break;
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t skip, n = valid_seq(p + i, len - i, &skip);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

int otel_utf8_ascii(const char *in, size_t len)
{
    const unsigned char *p = (const unsigned char *)in;
#if defined(__SSE2__)
    if (len >= 16)
        return otel_utf8_ascii_inline(in, len);
#endif
    if (len < 8) {
        for (size_t i = 0; i < len; i++)
            if (p[i] >= 0x80)
                return 0;
        return 1;
    }
    /* whole words, then the last eight bytes (overlapping the words before) */
    for (size_t i = 0; i + 8 <= len; i += 8)
        if (load8(p + i) & HIGH_BITS)
            return 0;
    return !(load8(p + len - 8) & HIGH_BITS);
}

size_t otel_utf8_sanitized_len(const char *in, size_t len, size_t limit)
{
    return sanitize(NULL, in, len, limit);
}

size_t otel_utf8_sanitize(char *out, const char *in, size_t len, size_t limit)
{
    return sanitize(out, in, len, limit);
}
