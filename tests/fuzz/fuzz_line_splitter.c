/*
 * fuzz_line_splitter.c - otel_line_splitter_* and otel_line_sanitize.
 *
 * Input: byte 0 chooses max_line (1..64), byte 1 seeds the chunk sizes, the
 * rest is the stream. Checks, against an independent reference (split on
 * '\n', drop one '\r' before it and one at the end of the stream):
 *  - the pieces of each line concatenate to the line, in order, with parts
 *    0 (whole line) or 1..k (OTEL_LINE_MORE on all but the k-th);
 *  - no piece is empty unless it is a whole empty line, none exceeds
 *    max_line, and only the last line may carry OTEL_LINE_NO_EOL;
 *  - feeding the stream in random chunks gives the same pieces as feeding
 *    it at once (and as feeding it byte by byte);
 *  - otel_line_sanitize writes valid UTF-8 with no NUL byte, within
 *    OTEL_LINE_SANITIZED_MAX, unchanged for NUL-free valid UTF-8.
 */
#include "fuzz_common.h"

#include <string.h>

#include "line_splitter.h"
#include "utf8.h"

typedef struct piece {
    size_t off, len; /* into the collector's text */
    unsigned part, flags;
} piece;

typedef struct collector {
    char *text;
    size_t tlen, tcap;
    piece *p;
    size_t n, cap;
    size_t max_line;
} collector;

static void collect(void *ctx, const char *line, size_t len, unsigned part, unsigned flags)
{
    collector *c = ctx;
    FUZZ_CHECK(len <= c->max_line);
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->p = realloc(c->p, c->cap * sizeof *c->p);
        FUZZ_CHECK(c->p != NULL);
    }
    if (c->tlen + len + 1 > c->tcap) {
        c->tcap = 2 * (c->tlen + len + 1);
        c->text = realloc(c->text, c->tcap);
        FUZZ_CHECK(c->text != NULL);
    }
    memcpy(c->text + c->tlen, line, len);
    c->p[c->n++] = (piece){c->tlen, len, part, flags};
    c->tlen += len;
}

/* seed 0: all at once; 1: byte by byte; else chunks of 1..7 bytes */
static void run(collector *c, const uint8_t *in, size_t len, size_t max_line, unsigned seed)
{
    otel_line_splitter s;
    memset(c, 0, sizeof *c);
    c->max_line = max_line;
    FUZZ_CHECK(otel_line_splitter_init(&s, max_line) == 0);
    size_t off = 0;
    while (off < len) {
        size_t k = seed == 0 ? len - off : seed == 1 ? 1 : 1 + (seed >> 16) % 7;
        if (seed > 1)
            seed = (seed * 1103515245u + 12345u) | 2u;
        if (k > len - off)
            k = len - off;
        otel_line_splitter_feed(&s, (const char *)in + off, k, collect, c);
        off += k;
    }
    otel_line_splitter_finish(&s, collect, c);
    otel_line_splitter_free(&s);
}

static void same(const collector *a, const collector *b)
{
    FUZZ_CHECK(a->n == b->n && a->tlen == b->tlen);
    FUZZ_CHECK(a->tlen == 0 || memcmp(a->text, b->text, a->tlen) == 0);
    for (size_t i = 0; i < a->n; i++)
        FUZZ_CHECK(a->p[i].len == b->p[i].len && a->p[i].part == b->p[i].part && a->p[i].flags == b->p[i].flags);
}

static void check_reference(const collector *c, const uint8_t *in, size_t len)
{
    size_t i = 0, pos = 0; /* pos: start of the current reference line in the input */
    while (pos < len) {
        const uint8_t *nl = memchr(in + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - in) : len;
        size_t content = end - pos;
        if (content > 0 && in[end - 1] == '\r')
            content--;
        /* gather the pieces of this line */
        FUZZ_CHECK(i < c->n);
        size_t got = 0;
        if (c->p[i].part == 0) {
            FUZZ_CHECK(!(c->p[i].flags & OTEL_LINE_MORE));
            FUZZ_CHECK(c->p[i].len == content && memcmp(c->text + c->p[i].off, in + pos, content) == 0);
            got = 1;
        } else {
            size_t o = 0;
            for (unsigned k = 1;; k++) {
                FUZZ_CHECK(i + got < c->n);
                const piece *p = &c->p[i + got];
                FUZZ_CHECK(p->part == k && p->len > 0);
                FUZZ_CHECK(o + p->len <= content && memcmp(c->text + p->off, in + pos + o, p->len) == 0);
                o += p->len;
                got++;
                if (!(p->flags & OTEL_LINE_MORE))
                    break;
            }
            FUZZ_CHECK(o == content && got >= 2);
        }
        const piece *last = &c->p[i + got - 1];
        FUZZ_CHECK(!!(last->flags & OTEL_LINE_NO_EOL) == !nl);
        for (size_t k = i; k + 1 < i + got; k++)
            FUZZ_CHECK(c->p[k].flags == OTEL_LINE_MORE);
        i += got;
        pos = end + (nl ? 1 : 0);
    }
    FUZZ_CHECK(i == c->n);
}

/* Valid UTF-8 is exactly what sanitising leaves unchanged. */
static int valid_utf8_no_nul(const char *s, size_t n)
{
    if (memchr(s, '\0', n) != NULL || otel_utf8_sanitized_len(s, n, 0) != n)
        return 0;
    char *t = malloc(n ? n : 1);
    FUZZ_CHECK(t != NULL);
    otel_utf8_sanitize(t, s, n, 0);
    int same_bytes = n == 0 || memcmp(t, s, n) == 0;
    free(t);
    return same_bytes;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t max_line = size > 0 ? 1 + data[0] % 64 : 8;
    unsigned seed = size > 1 ? data[1] : 0;
    const uint8_t *in = size > 2 ? data + 2 : data;
    size_t len = size > 2 ? size - 2 : 0;

    collector whole, chunked, bytewise;
    run(&whole, in, len, max_line, 0);
    check_reference(&whole, in, len);
    run(&chunked, in, len, max_line, (seed << 8) | 2u);
    same(&whole, &chunked);
    run(&bytewise, in, len, max_line, 1);
    same(&whole, &bytewise);

    /* sanitize every piece, and the whole input */
    char *out = malloc(OTEL_LINE_SANITIZED_MAX(len));
    FUZZ_CHECK(out != NULL);
    size_t n = otel_line_sanitize(out, (const char *)in, len);
    FUZZ_CHECK(n < OTEL_LINE_SANITIZED_MAX(len) && out[n] == '\0');
    FUZZ_CHECK(valid_utf8_no_nul(out, n));
    if (valid_utf8_no_nul((const char *)in, len)) /* valid input comes out unchanged */
        FUZZ_CHECK(n == len && (len == 0 || memcmp(out, in, len) == 0));
    for (size_t i = 0; i < whole.n; i++) {
        size_t m = otel_line_sanitize(out, whole.text + whole.p[i].off, whole.p[i].len);
        FUZZ_CHECK(valid_utf8_no_nul(out, m));
    }
    free(out);
    free(whole.text), free(whole.p);
    free(chunked.text), free(chunked.p);
    free(bytewise.text), free(bytewise.p);
    return 0;
}
