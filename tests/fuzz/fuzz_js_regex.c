/*
 * fuzz_js_regex.c - the JavaScript regex translation (otel_js_regex_translate)
 * and otel_regex_compile on top of it. The first byte picks the caseless
 * flag (bit 0); the rest is the configured value. Invariants: a refusal
 * names an offset within the value; an accepted value gives a
 * NUL-terminated PCRE2 pattern whose every byte maps back into the value,
 * translated the same way twice; PCRE2 refuses a translation only with an
 * error the library labels "not supported by PCRE2"; a compiled pattern
 * masks a subject into no more bytes, valid UTF-8, keeping every byte it
 * does not replace by '*'.
 */
#include "fuzz_common.h"

#include <string.h>

#include "js_regex.h"
#include "redact.h"
#include "utf8.h"

static void check_mask(const otel_regex *re, const char *subject)
{
    size_t len = strlen(subject);
    char *s = fuzz_strndup((const uint8_t *)subject, len);
    size_t n = otel_regex_mask(re, s, len);
    FUZZ_CHECK(n <= len);
    FUZZ_CHECK(otel_utf8_valid(s, n));
    if (n == len) /* nothing replaced, or only one-byte characters */
        for (size_t i = 0; i < len; i++)
            FUZZ_CHECK(s[i] == subject[i] || s[i] == '*');
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int caseless = data[0] & 1;
    char *value = fuzz_strndup(data + 1, size - 1);
    size_t vlen = strlen(value);
    char err[256];
    otel_js_regex js, again;
    if (otel_js_regex_translate(value, vlen, caseless ? OTEL_JS_REGEX_CASELESS : 0, &js, err, sizeof err) != 0) {
        const char *at = strstr(err, " at offset ");
        FUZZ_CHECK(at != NULL || strcmp(err, "out of memory") == 0);
        if (at)
            FUZZ_CHECK(strtoul(at + strlen(" at offset "), NULL, 10) <= vlen);
        FUZZ_CHECK(otel_regex_compile(value, caseless ? OTEL_REGEX_CASELESS : 0, err, sizeof err) == NULL);
        free(value);
        return 0;
    }
    FUZZ_CHECK(js.pcre2 != NULL && strlen(js.pcre2) == js.len);
    for (size_t i = 0; i <= js.len; i++)
        FUZZ_CHECK(js.srcpos[i] <= vlen);
    FUZZ_CHECK(otel_js_regex_translate(value, vlen, caseless ? OTEL_JS_REGEX_CASELESS : 0, &again, err, sizeof err) == 0);
    FUZZ_CHECK(again.len == js.len && memcmp(again.pcre2, js.pcre2, js.len) == 0);
    otel_js_regex_free(&again);
    otel_js_regex_free(&js);
    otel_regex *re = otel_regex_compile(value, caseless ? OTEL_REGEX_CASELESS : 0, err, sizeof err);
    if (!re) {
        FUZZ_CHECK(strncmp(err, "not supported by PCRE2: ", 24) == 0 || strcmp(err, "out of memory") == 0);
        free(value);
        return 0;
    }
    check_mask(re, "password=hunter2 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 AKIAIOSFODNN7EXAMPLE\r\n\xe2\x80\xa8 k s K S");
    if (otel_utf8_valid(value, vlen))
        check_mask(re, value);
    int hit;
    (void)otel_regex_search(re, value, vlen, &hit);
    otel_regex_free(re);
    free(value);
    return 0;
}
