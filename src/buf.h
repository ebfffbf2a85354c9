/*
 * buf.h - a growable byte buffer, the output of the encoders and of gzip.
 */
#ifndef LOG4C_OTEL_BUF_H
#define LOG4C_OTEL_BUF_H

#include <stddef.h>

typedef struct otel_buf {
    char *data;
    size_t len;
    size_t cap;
} otel_buf;

#define OTEL_BUF_INIT {NULL, 0, 0}

/* Each returns 0, or -1 when out of memory (the buffer is then unchanged). */
int otel_buf_reserve(otel_buf *b, size_t extra);
int otel_buf_append(otel_buf *b, const void *p, size_t n);
int otel_buf_append_str(otel_buf *b, const char *s);
void otel_buf_reset(otel_buf *b); /* len = 0, keeps the memory */
void otel_buf_free(otel_buf *b);

#endif
