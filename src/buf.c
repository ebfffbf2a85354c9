/*
 * buf.c - a growable byte buffer, the output of the encoders and of gzip.
 *
 * The buffer grows by doubling so that appending many small pieces (as the
 * JSON encoder does) costs amortised O(1) each. On out of memory nothing is
 * changed, so a caller can report the error and keep what it had.
 */
#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define OTEL_BUF_MIN_CAP 256

int otel_buf_reserve(otel_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (extra > SIZE_MAX - b->len)
        return -1;
    need = b->len + extra;
    if (need <= b->cap)
        return 0;
    cap = b->cap < OTEL_BUF_MIN_CAP ? OTEL_BUF_MIN_CAP : b->cap;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = realloc(b->data, cap);
    if (p == NULL)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int otel_buf_append(otel_buf *b, const void *p, size_t n)
{
    if (n == 0)
        return 0;
    if (otel_buf_reserve(b, n) != 0)
        return -1;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

int otel_buf_append_str(otel_buf *b, const char *s)
{
    return otel_buf_append(b, s, strlen(s));
}

void otel_buf_reset(otel_buf *b)
{
    b->len = 0;
}

void otel_buf_free(otel_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}
