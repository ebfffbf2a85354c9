/*
 * utf8.h - make arbitrary bytes valid UTF-8 (OTLP strings must be).
 */
#ifndef LOG4C_OTEL_UTF8_H
#define LOG4C_OTEL_UTF8_H

#include <stddef.h>

/* Length in bytes of in[0..len) once every invalid byte sequence is replaced
 * by U+FFFD (3 bytes), cut to at most limit bytes (0 = no limit) on a code
 * point boundary. */
size_t otel_utf8_sanitized_len(const char *in, size_t len, size_t limit);

/* Writes the sanitised form (exactly otel_utf8_sanitized_len bytes, no NUL)
 * to out and returns the number of bytes written. */
size_t otel_utf8_sanitize(char *out, const char *in, size_t len, size_t limit);

/* 1 when in[0..len) is valid UTF-8 as it stands (the common case, which
 * then needs only a copy), 0 otherwise. */
int otel_utf8_valid(const char *in, size_t len);

/* 1 when in[0..len) holds ASCII characters only (no byte with its high
 * bit set), 0 otherwise. */
int otel_utf8_ascii(const char *in, size_t len);

#endif
