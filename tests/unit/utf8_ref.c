/*
 * utf8_ref.c - the byte-by-byte UTF-8 sanitiser (utf8_ref.h): every maximal
 * invalid subsequence becomes U+FFFD, cut at a limit on a code point
 * boundary, one byte looked at a time.
 */
#include "utf8_ref.h"

#include <stdint.h>
#include <string.h>

static const char REPLACEMENT[3] = {(char)0xEF, (char)0xBF, (char)0xBD};

/* Length of the valid sequence at p (1..4), or 0 with *skip = the bytes of
 * the maximal invalid subsequence. */
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
        if (c == 0xED) hi = 0x9F;
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

size_t ref_utf8_sanitize(char *out, const char *in, size_t len, size_t limit)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t i = 0, o = 0;
    if (limit == 0)
        limit = SIZE_MAX;
    while (i < len) {
        size_t skip = 0, n = valid_seq(p + i, len - i, &skip);
        const char *src = n ? in + i : REPLACEMENT;
        size_t outn = n ? n : sizeof REPLACEMENT;
        if (o + outn > limit)
            break;
        if (out)
            memcpy(out + o, src, outn);
        o += outn;
        i += n ? n : skip;
    }
    return o;
}
