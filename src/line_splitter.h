/*
 * line_splitter.h - turns a byte stream (a child's stdout or stderr, read in
 * chunks of any size) into lines: the pure part of output capture, with no
 * I/O, so that it can be unit-tested and fuzzed alone.
 *
 * Rules:
 *  - a line ends at '\n'; one '\r' right before it is dropped (CRLF), and
 *    so is one '\r' at the very end of the stream; any other '\r' is content;
 *  - a last line without '\n' is emitted by otel_line_splitter_finish (with
 *    OTEL_LINE_NO_EOL); an empty stream emits nothing; an empty line ("\n")
 *    is emitted as an empty line;
 *  - content longer than max_line bytes is split into pieces of at most
 *    max_line bytes, numbered 1, 2, ... (part), every piece but the last
 *    flagged OTEL_LINE_MORE; a piece never ends inside a valid UTF-8
 *    sequence unless that sequence alone is longer than max_line; a line of
 *    at most max_line bytes has part 0;
 *  - the output is the same whatever the chunking of the input.
 * Bytes are passed through as they are: otel_line_sanitize makes a line
 * valid UTF-8 without NUL bytes (what a log4c message must be).
 */
#ifndef LOG4C_OTEL_LINE_SPLITTER_H
#define LOG4C_OTEL_LINE_SPLITTER_H

#include <stddef.h>

#define OTEL_LINE_MORE 1u   /* the line continues in the next piece */
#define OTEL_LINE_NO_EOL 2u /* the stream ended without a final '\n' */

/* Receives one line (or piece): line[0..len) (not NUL-terminated). */
typedef void (*otel_line_fn)(void *ctx, const char *line, size_t len, unsigned part, unsigned flags);

typedef struct otel_line_splitter {
    char *buf;       /* the line so far (no '\n'), at most max_line + 1 bytes */
    size_t len;
    size_t max_line;
    unsigned part;   /* pieces of the current line already emitted */
} otel_line_splitter;

/* max_line >= 1. Returns 0, -1 when out of memory (or max_line is 0). */
int otel_line_splitter_init(otel_line_splitter *s, size_t max_line);
void otel_line_splitter_free(otel_line_splitter *s);

/* Feeds data[0..n); calls fn for every line or piece it completes. */
void otel_line_splitter_feed(otel_line_splitter *s, const char *data, size_t n, otel_line_fn fn, void *ctx);

/* The stream ended: emits what is pending (with OTEL_LINE_NO_EOL), then
 * resets the splitter for reuse. */
void otel_line_splitter_finish(otel_line_splitter *s, otel_line_fn fn, void *ctx);

/* The number of bytes otel_line_sanitize writes at most for len input
 * bytes, NUL included: 3 * len + 1. */
#define OTEL_LINE_SANITIZED_MAX(len) (3 * (len) + 1)

/* Writes in[0..len) to out as valid UTF-8 with every invalid sequence and
 * every NUL byte replaced by U+FFFD, NUL-terminated; returns its length.
 * out must hold OTEL_LINE_SANITIZED_MAX(len) bytes. */
size_t otel_line_sanitize(char *out, const char *in, size_t len);

#endif
