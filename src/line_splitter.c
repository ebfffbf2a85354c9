/*
 * line_splitter.c - bytes to lines for output capture (see line_splitter.h
 * for the rules). The buffer never holds more than max_line + 1 bytes: once
 * it holds more than that, the content is certainly longer than max_line
 * (even if its last byte turns out to be the '\r' of a CRLF), so a piece is
 * cut off and emitted.
 */
#include "line_splitter.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

int otel_line_splitter_init(otel_line_splitter *s, size_t max_line)
{
    memset(s, 0, sizeof *s);
    if (max_line == 0 || max_line > ((size_t)-1) / 2)
        return -1;
    s->buf = malloc(max_line + 2);
    if (!s->buf)
        return -1;
    s->max_line = max_line;
    return 0;
}

void otel_line_splitter_free(otel_line_splitter *s)
{
    free(s->buf);
    memset(s, 0, sizeof *s);
}

/* Bytes a UTF-8 sequence starting with lead byte c has (1 for anything that
 * does not start a valid multi-byte sequence). */
static size_t seq_len(unsigned char c)
{
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    return 1;
}

/* Where to cut buf[0..len) (len > max) so the first piece has at most max
 * bytes and does not end inside a multi-byte sequence. */
static size_t cut_point(const char *buf, size_t max)
{
    const unsigned char *p = (const unsigned char *)buf;
    size_t start = max;
    /* back over continuation bytes to the lead of the character at max */
    while (start > 0 && max - start < 3 && (p[start] & 0xC0) == 0x80)
        start--;
    if (start == max || (p[start] & 0xC0) != 0xC0)
        return max; /* max is a character boundary, or the bytes are not a sequence */
    if (start > 0 && start + seq_len(p[start]) > max) {
        for (size_t i = start + 1; i <= max; i++)
            if ((p[i] & 0xC0) != 0x80)
                return max; /* not a real sequence: cut anywhere */
        return start;
    }
    return max;
}

/* Emits pieces while the buffer certainly holds more than max_line bytes of
 * content (final = 0), or all of it as the end of a line (final = 1). */
static void emit(otel_line_splitter *s, size_t content, int final, unsigned flags, otel_line_fn fn, void *ctx)
{
    while (content > s->max_line) {
        size_t cut = cut_point(s->buf, s->max_line);
        fn(ctx, s->buf, cut, ++s->part, OTEL_LINE_MORE);
        memmove(s->buf, s->buf + cut, s->len - cut);
        s->len -= cut;
        content -= cut;
        if (!final && s->len <= s->max_line + 1)
            return;
    }
    if (!final)
        return;
    fn(ctx, s->buf, content, s->part ? s->part + 1 : 0, flags);
    s->len = 0;
    s->part = 0;
}

void otel_line_splitter_feed(otel_line_splitter *s, const char *data, size_t n, otel_line_fn fn, void *ctx)
{
    while (n > 0) {
        const char *nl = memchr(data, '\n', n);
        size_t seg = nl ? (size_t)(nl - data) : n;
        const char *p = data;
        size_t left = seg;
        while (left > 0) {
            size_t room = s->max_line + 2 - s->len;
            size_t k = left < room ? left : room;
            memcpy(s->buf + s->len, p, k);
            s->len += k;
            p += k;
            left -= k;
            if (s->len > s->max_line + 1)
                emit(s, s->len, 0, 0, fn, ctx);
        }
        if (!nl)
            return;
        size_t content = s->len;
        if (content > 0 && s->buf[content - 1] == '\r')
            content--;
        emit(s, content, 1, 0, fn, ctx);
        data += seg + 1;
        n -= seg + 1;
    }
}

void otel_line_splitter_finish(otel_line_splitter *s, otel_line_fn fn, void *ctx)
{
    if (s->len == 0 && s->part == 0)
        return;
    size_t content = s->len;
    if (content > 0 && s->buf[content - 1] == '\r')
        content--;
    emit(s, content, 1, OTEL_LINE_NO_EOL, fn, ctx);
}

size_t otel_line_sanitize(char *out, const char *in, size_t len)
{
    size_t o = 0;
    while (len > 0) {
        const char *z = memchr(in, '\0', len);
        size_t seg = z ? (size_t)(z - in) : len;
        o += otel_utf8_sanitize(out + o, in, seg, 0);
        if (!z)
            break;
        memcpy(out + o, "\xEF\xBF\xBD", 3);
        o += 3;
        in += seg + 1;
        len -= seg + 1;
    }
    out[o] = '\0';
    return o;
}
