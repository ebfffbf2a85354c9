/*
 * short_copy.h - copying and comparing a few bytes without a call: a
 * record's category, keys and short values are copied once into the record
 * and once into the request, and categories are compared on every record
 * (the decision memo, grouping a batch by scope); a call to memcpy or
 * memcmp costs more than the work itself for them.
 */
#ifndef LOG4C_OTEL_SHORT_COPY_H
#define LOG4C_OTEL_SHORT_COPY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* memcpy(dst, src, n) for buffers that do not overlap: up to 32 bytes as at
 * most four 8-byte words (the last ones overlapping the first), under 8 as
 * two 4-byte words or three single bytes the same way, a longer copy
 * through memcpy. */
static inline void otel_copy_short(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (n >= 8) {
        uint64_t a, b, c, e;
        if (n > 32) {
            memcpy(d, s, n);
            return;
        }
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        if (n > 16) {
            memcpy(&c, s + 8, 8);
            memcpy(&e, s + n - 16, 8);
            memcpy(d + 8, &c, 8);
            memcpy(d + n - 16, &e, 8);
        }
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &b, 8);
        return;
    }
    if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &b, 4);
        return;
    }
    if (n) { /* 1..3 bytes: the first, the middle and the last (some the same) */
        unsigned char a = s[0], b = s[n / 2], c = s[n - 1];
        d[0] = a;
        d[n / 2] = b;
        d[n - 1] = c;
    }
}

/* memcmp(a, b, n) == 0 without a call: eight bytes at a time, the last
 * eight overlapping the ones before (no byte loop from 8 up). */
static inline int otel_equal_short(const void *a, const void *b, size_t n)
{
    const unsigned char *x8 = a, *y8 = b;
    uint64_t x, y;
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&x, x8 + i, 8);
            memcpy(&y, y8 + i, 8);
            if (x != y)
                return 0;
        }
        memcpy(&x, x8 + n - 8, 8);
        memcpy(&y, y8 + n - 8, 8);
        return x == y;
    }
    for (size_t i = 0; i < n; i++)
        if (x8[i] != y8[i])
            return 0;
    return 1;
}

#endif
