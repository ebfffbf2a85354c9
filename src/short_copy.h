/*
 * short_copy.h - copying a few bytes without a call: a record's category,
 * keys and short values are copied once into the record and once into the
 * request, and a call to memcpy costs more than the copy itself for them.
 */
#ifndef LOG4C_OTEL_SHORT_COPY_H
#define LOG4C_OTEL_SHORT_COPY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* memcpy(dst, src, n) for buffers that do not overlap: up to 32 bytes as at
 * most four 8-byte words (the last ones overlapping the first), a longer
 * copy through memcpy. */
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
    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
}

#endif
