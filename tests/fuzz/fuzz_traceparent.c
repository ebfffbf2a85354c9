/*
 * fuzz_traceparent.c - otel_traceparent_parse_n / otel_traceparent_parse
 * (W3C Trace Context) against an independent reference of the rules:
 * version two lowercase hex digits, not "ff"; '-' at 2, 35 and 52; 32, 16
 * and 2 lowercase hex digits; ids not all zero; version 00 exactly 55
 * characters; a later version longer than 55 only with '-' at 55 and no
 * NUL. Also: an accepted value formats back to the same first 55
 * characters but for the version ("00"), and the NUL-terminated entry point
 * agrees with the length-bounded one.
 */
#include "fuzz_common.h"

#include <string.h>

#include "trace_context.h"

static int lhex(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

static int ref_valid(const uint8_t *s, size_t n)
{
    if (n < 55)
        return 0;
    for (size_t i = 0; i < 55; i++) {
        int dash = i == 2 || i == 35 || i == 52;
        if (dash ? s[i] != '-' : !lhex(s[i]))
            return 0;
    }
    if (s[0] == 'f' && s[1] == 'f')
        return 0;
    int zt = 1, zs = 1;
    for (size_t i = 3; i < 35; i++)
        zt &= s[i] == '0';
    for (size_t i = 36; i < 52; i++)
        zs &= s[i] == '0';
    if (zt || zs)
        return 0;
    int v00 = s[0] == '0' && s[1] == '0';
    if (n > 55) {
        if (v00 || s[55] != '-' || memchr(s, 0, n))
            return 0;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    otel_span_context c;
    memset(&c, 0xa5, sizeof c);
    int rc = otel_traceparent_parse_n((const char *)data, size, &c);
    int want = ref_valid(data, size);
    FUZZ_CHECK((rc == 0) == want);
    if (rc == 0) {
        char out[OTEL_TRACEPARENT_LEN + 1];
        otel_traceparent_format(&c, out);
        FUZZ_CHECK(out[0] == '0' && out[1] == '0');
        FUZZ_CHECK(memcmp(out + 2, data + 2, 53) == 0);
        FUZZ_CHECK(c.tracestate[0] == '\0');
        otel_span_context again;
        FUZZ_CHECK(otel_traceparent_parse(out, &again) == 0);
        FUZZ_CHECK(memcmp(again.trace_id, c.trace_id, 16) == 0 && memcmp(again.span_id, c.span_id, 8) == 0 &&
                   again.flags == c.flags);
    } else {
        FUZZ_CHECK(c.trace_id[0] == 0xa5); /* untouched on failure */
    }
    /* the C-string entry point sees the input up to its first NUL */
    char *str = fuzz_strndup(data, size);
    otel_span_context d;
    int rc2 = otel_traceparent_parse(str, &d);
    FUZZ_CHECK((rc2 == 0) == ref_valid(data, strlen(str)));
    free(str);
    return 0;
}
