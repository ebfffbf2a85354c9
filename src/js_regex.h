/*
 * js_regex.h - translation of a JavaScript (ECMAScript) regular expression,
 * as node's RegExp reads it, into an equivalent PCRE2 pattern for PCRE2's
 * UTF mode (or, with OTEL_JS_REGEX_ASCII_SUBJECTS, for ASCII subjects, in
 * either mode when the translation is itself ASCII: redact.c compiles it
 * without UTF mode then). The dialect, and what is refused, is in docs/CONFIGURATION.md
 * ("Regular expressions").
 *
 * A value is either a pattern (what `new RegExp(value)` takes) or a literal
 * `/pattern/flags` (flags d g i m s u y; v is refused). Every construct
 * whose meaning differs between the two engines is spelt out explicitly:
 * `\s`, `\d`, `\w`, `\b`, `.`, `^`, `$`, escapes, classes, backreferences
 * and named groups; a pattern that is not valid JavaScript is an error.
 */
#ifndef LOG4C_OTEL_JS_REGEX_H
#define LOG4C_OTEL_JS_REGEX_H

#include <stddef.h>
#include <stdint.h>

/* the `i` flag given by the caller (a `#regex` category name) */
#define OTEL_JS_REGEX_CASELESS 1
/* The pattern will only run on text of ASCII characters: where JavaScript
 * and PCRE2 differ only beyond ASCII (\s, \S, ., case folding to ASCII),
 * PCRE2's own faster forms are written. Compile with PCRE2_NEWLINE_ANYCRLF
 * (PCRE2's '.' then stops at \r as well as \n). */
#define OTEL_JS_REGEX_ASCII_SUBJECTS 2

typedef struct otel_js_regex {
    char *pcre2;     /* the PCRE2 pattern (NUL-terminated) */
    size_t len;      /* its length in bytes */
    size_t *srcpos;  /* for each byte of pcre2 (and one past its end): the offset in the source */
    int caseless;    /* compile with PCRE2_CASELESS */
} otel_js_regex;

/* Translates src[0..srclen) (UTF-8). 0 on success (free with
 * otel_js_regex_free); -1 on error with "<what> at offset <byte offset in
 * src>" in err and out left empty. */
int otel_js_regex_translate(const char *src, size_t srclen, int flags, otel_js_regex *out, char *err, size_t errlen);
void otel_js_regex_free(otel_js_regex *t);

/* Whether src[0..len) is a /pattern/flags literal (as the translation reads
 * it): 1 with the pattern at src[*body..*body + *body_len) and the flags at
 * *flags (*flags_len bytes, not checked); 0 when src is a plain pattern. */
int otel_js_regex_literal(const char *src, size_t len, size_t *body, size_t *body_len, const char **flags,
                          size_t *flags_len);

#endif
