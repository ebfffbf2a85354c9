/*
 * utf8_ref.h - the UTF-8 sanitiser written byte by byte, with no fast path:
 * the reference src/utf8.c must agree with on every input (test_record.c).
 */
#ifndef LOG4C_OTEL_UTF8_REF_H
#define LOG4C_OTEL_UTF8_REF_H

#include <stddef.h>

/* As otel_utf8_sanitize (out NULL: only measures); returns the length. */
size_t ref_utf8_sanitize(char *out, const char *in, size_t len, size_t limit);

#endif
