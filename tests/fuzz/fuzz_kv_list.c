/*
 * fuzz_kv_list.c - otel_parse_kv_list and otel_percent_decode (the format of
 * OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS), checked against
 * an independent reference implementation of the documented rules:
 * entries split on ','; key and value trimmed (C-locale isspace) and
 * percent-decoded; an entry without '=', with an empty key or with a bad
 * escape is skipped and counted, unless it is blank.
 *
 * "%00": the parser hands C strings to its callback, so a decoded NUL
 * truncates the key or value. The reference follows whichever policy
 * otel_percent_decode has (pass the NUL through, or reject "%00" as a
 * malformed escape), probed once at start-up.
 */
#include "fuzz_common.h"

#include <string.h>

#include "settings.h"

/* ---- reference ---------------------------------------------------------- */

static int ref_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static int ref_hex(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* 1 when otel_percent_decode refuses "%00" (a NUL a C string cannot carry). */
static int nul_rejected(void)
{
    static int probed = -1;
    if (probed < 0) {
        char *t = otel_percent_decode("%00", 3);
        probed = t == NULL;
        free(t);
    }
    return probed;
}

/* Decodes in[0..len) into out (room for len bytes); -1 on a bad escape. */
static long ref_decode(const char *in, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (in[i] != '%') {
            out[o++] = in[i];
        } else if (i + 2 < len && ref_hex((unsigned char)in[i + 1]) >= 0 && ref_hex((unsigned char)in[i + 2]) >= 0) {
            out[o++] = (char)(ref_hex((unsigned char)in[i + 1]) << 4 | ref_hex((unsigned char)in[i + 2]));
            if (out[o - 1] == '\0' && nul_rejected())
                return -1;
            i += 2;
        } else {
            return -1;
        }
    }
    return (long)o;
}

static void ref_trim(const char **s, size_t *len)
{
    while (*len && ref_space((unsigned char)**s))
        (*s)++, (*len)--;
    while (*len && ref_space((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

/* ---- what the parser reports -------------------------------------------- */

typedef struct seen {
    size_t n, cap;
    char **kv; /* 2 * n strings */
    size_t calls;
    size_t fail_at; /* the add callback fails on this call (0-based); SIZE_MAX = never */
} seen;

static int record(void *ctx, const char *key, const char *value)
{
    seen *s = ctx;
    FUZZ_CHECK(key != NULL && value != NULL);
    FUZZ_CHECK(*key != '\0'); /* an empty key is never passed on */
    if (s->calls++ == s->fail_at)
        return -1;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->kv = realloc(s->kv, 2 * s->cap * sizeof *s->kv);
        FUZZ_CHECK(s->kv != NULL);
    }
    s->kv[2 * s->n] = strdup(key);
    s->kv[2 * s->n + 1] = strdup(value);
    FUZZ_CHECK(s->kv[2 * s->n] && s->kv[2 * s->n + 1]);
    s->n++;
    return 0;
}

static void seen_free(seen *s)
{
    for (size_t i = 0; i < 2 * s->n; i++)
        free(s->kv[i]);
    free(s->kv);
}

/* ---- the checks ---------------------------------------------------------- */

static void check_percent_decode(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    char *ref = malloc(size + 1);
    FUZZ_CHECK(ref != NULL);
    long rn = ref_decode(in, size, ref);
    char *got = otel_percent_decode(in, size);
    if (rn < 0) {
        FUZZ_CHECK(got == NULL);
    } else {
        FUZZ_CHECK(got != NULL);
        FUZZ_CHECK(memcmp(got, ref, (size_t)rn) == 0);
        FUZZ_CHECK(got[rn] == '\0');
    }
    free(got);
    free(ref);

    /* Round trip: every byte escaped (mixed-case hex) decodes back to itself
     * (but for a NUL when the decoder refuses "%00"). */
    static const char hex[] = "0123456789abcdef0123456789ABCDEF";
    char *enc = malloc(3 * size + 1);
    FUZZ_CHECK(enc != NULL);
    for (size_t i = 0; i < size; i++) {
        int upper = (i & 1) ? 16 : 0;
        enc[3 * i] = '%';
        enc[3 * i + 1] = hex[upper + (data[i] >> 4)];
        enc[3 * i + 2] = hex[upper + (data[i] & 15)];
    }
    got = otel_percent_decode(enc, 3 * size);
    if (nul_rejected() && memchr(data, 0, size)) {
        FUZZ_CHECK(got == NULL);
    } else {
        FUZZ_CHECK(got != NULL);
        FUZZ_CHECK(memcmp(got, data, size) == 0 && got[size] == '\0');
    }
    free(got);
    free(enc);
}

static void check_kv_list(const char *list)
{
    size_t len = strlen(list);
    char *kbuf = malloc(len + 1), *vbuf = malloc(len + 1);
    FUZZ_CHECK(kbuf && vbuf);

    seen s = {0, 0, NULL, 0, SIZE_MAX};
    int bad = 0;
    FUZZ_CHECK(otel_parse_kv_list(list, record, &s, &bad) == 0);

    /* Walk the reference over the same list and compare entry by entry. */
    size_t idx = 0;
    int ref_bad = 0;
    const char *p = list;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        int ok = 0;
        if (eq) {
            const char *k = p, *v = eq + 1;
            size_t kl = (size_t)(eq - p), vl = n - kl - 1;
            ref_trim(&k, &kl);
            ref_trim(&v, &vl);
            long kn = ref_decode(k, kl, kbuf), vn = ref_decode(v, vl, vbuf);
            if (kn > 0 && vn >= 0 && kbuf[0] != '\0') {
                ok = 1;
                kbuf[kn] = '\0';
                vbuf[vn] = '\0';
                /* the callback gets C strings: compare up to an embedded NUL */
                FUZZ_CHECK(idx < s.n);
                FUZZ_CHECK(strcmp(s.kv[2 * idx], kbuf) == 0);
                FUZZ_CHECK(strcmp(s.kv[2 * idx + 1], vbuf) == 0);
                idx++;
            }
        }
        if (!ok) {
            int blank = 1;
            for (size_t i = 0; i < n; i++)
                if (!ref_space((unsigned char)p[i]))
                    blank = 0;
            ref_bad += !blank;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    FUZZ_CHECK(idx == s.n);
    FUZZ_CHECK(bad == ref_bad);

    /* bad may be NULL */
    seen s2 = {0, 0, NULL, 0, SIZE_MAX};
    FUZZ_CHECK(otel_parse_kv_list(list, record, &s2, NULL) == 0);
    FUZZ_CHECK(s2.n == s.n);
    seen_free(&s2);

    /* A failing callback stops the parse at once with -1, leaking nothing. */
    if (s.n > 0) {
        seen s3 = {0, 0, NULL, 0, len % s.n};
        bad = 0;
        FUZZ_CHECK(otel_parse_kv_list(list, record, &s3, &bad) == -1);
        FUZZ_CHECK(s3.calls == s3.fail_at + 1);
        seen_free(&s3);
    }

    seen_free(&s);
    free(kbuf);
    free(vbuf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_percent_decode(data, size);
    char *list = fuzz_strndup(data, size); /* cut at the first NUL, as getenv would */
    check_kv_list(list);
    free(list);
    return 0;
}
