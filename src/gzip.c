/*
 * gzip.c - gzip compression of a request body (OTEL_EXPORTER_OTLP_COMPRESSION
 * =gzip, sent with Content-Encoding: gzip). One-shot: the whole body is in
 * memory already, so the output is sized once with deflateBound().
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "buf.h"
#include "http_exporter.h"

int otel_gzip(const char *in, size_t len, struct otel_buf *out)
{
    z_stream zs = {0};
    size_t start = out->len;
    int rc;

    /* windowBits 15 + 16 asks zlib for a gzip header and trailer instead of
     * a raw zlib stream: that is what "Content-Encoding: gzip" means. */
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;

    /* Reserve the worst case up front; the loop below still copes with a
     * bound that does not fit zlib's 32-bit counters (huge inputs). */
    uLong bound = deflateBound(&zs, (uLong)len);
    if (otel_buf_reserve(out, (size_t)bound) != 0) {
        deflateEnd(&zs);
        return -1;
    }

    const unsigned char *next = (const unsigned char *)in;
    size_t left = len;
    do {
        if (out->cap - out->len < 64) {
            if (otel_buf_reserve(out, 64 * 1024) != 0)
                goto fail;
        }
        size_t room = out->cap - out->len;
        zs.next_out = (Bytef *)out->data + out->len;
        zs.avail_out = room > UINT_MAX ? UINT_MAX : (uInt)room;
        if (zs.avail_in == 0 && left > 0) {
            uInt chunk = left > UINT_MAX ? UINT_MAX : (uInt)left;
            zs.next_in = (Bytef *)(uintptr_t)next; /* zlib's API is not const-correct */
            zs.avail_in = chunk;
            next += chunk;
            left -= chunk;
        }
        uInt before = zs.avail_out;
        rc = deflate(&zs, left == 0 ? Z_FINISH : Z_NO_FLUSH);
        out->len += before - zs.avail_out;
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
            goto fail;
    } while (rc != Z_STREAM_END);

    deflateEnd(&zs);
    return 0;

fail:
    deflateEnd(&zs);
    out->len = start; /* leave the buffer as it was */
    return -1;
}
