/*
 * fuzz_mask.c - the masking gate: otel_mask_value over random values under
 * random rule sets drawn from a small fixed table of patterns.
 *
 * Input: byte 0 chooses the defaults' hideRegex (low 4 bits; past the
 * table: none) and the entry's category (high bits); bytes 1-3 each give a
 * filter rule (category key, hideRegex, bodyRegex); the rest is the value,
 * also the entry's body. Checks, whatever the rules:
 *  - the gate answers MASKED or UNTOUCHED (there are rules; nothing fails);
 *  - UNTOUCHED: the value is handed back as given;
 *  - MASKED: the output is valid UTF-8, no longer than the sanitised input,
 *    has as many code points, and each of its code points is the sanitised
 *    input's at the same position or '*';
 *  - a literal pattern that surely applies (the defaults', or a rule's
 *    without a bodyRegex whose category matches the entry) never survives.
 */
#include "fuzz_common.h"

#include <string.h>

#include "filter.h"
#include "mask.h"
#include "redact.h"
#include "utf8.h"

static const struct {
    const char *re;
    int literal; /* the pattern is its own text and contains no '*' */
} PATTERNS[] = {
    {"secret", 1},
    {"hunter2", 1},
    {"\xc3\xa4\xc3\xa4", 1},
    {"aa", 1},
    {"password=\\S+", 0},
    {"\\d{4,}", 0},
    {"(?<=k=)\\w+", 0},
    {"a*", 0},
    {"(a+)+$", 0}, /* runs out of its budget on long runs of 'a' */
    {"\\b", 0},
    {".", 0},
    {"(?i)bearer\\s+\\S+", 0},
};
#define NPATTERNS (sizeof PATTERNS / sizeof PATTERNS[0])

static const char *const CATEGORIES[] = {"a", "a.b", "b", "c"};
static const char *const BODY_RES[] = {NULL, NULL, "x", "(a+)+$"};

static otel_regex *compile(size_t i)
{
    char err[256];
    otel_regex *re = otel_regex_compile(PATTERNS[i].re, 0, err, sizeof err);
    FUZZ_CHECK(re != NULL);
    return re;
}

/* cat equals key or has it as a dotted prefix (filter.h). */
static int category_matches(const char *key, const char *cat)
{
    size_t n = strlen(key);
    return strncmp(cat, key, n) == 0 && (cat[n] == '\0' || cat[n] == '.');
}

static size_t cp_len(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80 || n < 2)
        return 1;
    size_t l = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : 4;
    return l <= n ? l : n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    otel_filter_set fs;
    memset(&fs, 0, sizeof fs);
    fs.defaults.enabled = -1;
    size_t literals[4], nlit = 0;
    const char *cat = CATEGORIES[(data[0] >> 4) % 4];
    size_t dh = data[0] & 0x0F;
    if (dh < NPATTERNS) {
        fs.defaults.hide = compile(dh);
        if (PATTERNS[dh].literal)
            literals[nlit++] = dh;
    }
    fs.rules = calloc(3, sizeof *fs.rules);
    FUZZ_CHECK(fs.rules != NULL);
    for (size_t i = 0; i < 3; i++) {
        uint8_t b = data[1 + i];
        otel_filter_rule *r = &fs.rules[fs.nrules++];
        r->enabled = -1;
        const char *key = CATEGORIES[b & 3];
        r->category = strdup(key);
        FUZZ_CHECK(r->category != NULL);
        r->category_len = strlen(key);
        size_t h = (b >> 2) & 0x0F;
        if (h < NPATTERNS)
            r->hide = compile(h);
        const char *body_re = BODY_RES[b >> 6];
        if (body_re) {
            char err[256];
            r->body_re = otel_regex_compile(body_re, 0, err, sizeof err);
            FUZZ_CHECK(r->body_re != NULL);
        }
        if (r->hide && !r->body_re && category_matches(key, cat) && PATTERNS[h].literal)
            literals[nlit++] = h;
    }
    otel_filter_set_resolve(&fs);

    const char *value = (const char *)data + 4;
    size_t len = size - 4;
    otel_mask_entry e = {.category = cat, .log4c_priority = 600, .body = value, .body_len = len};
    otel_mask_buf buf = {NULL, 0};
    const char *out = NULL;
    size_t out_len = 0;
    otel_mask_result rc = otel_mask_value(&fs, &e, value, len, &buf, &out, &out_len);
    FUZZ_CHECK(rc == OTEL_MASK_MASKED || rc == OTEL_MASK_UNTOUCHED);
    if (rc == OTEL_MASK_UNTOUCHED) {
        FUZZ_CHECK(out == value && out_len == len);
        FUZZ_CHECK(nlit == 0);
    } else {
        size_t clean_len = otel_utf8_sanitized_len(value, len, 0);
        char *clean = malloc(clean_len + 1);
        FUZZ_CHECK(clean != NULL);
        otel_utf8_sanitize(clean, value, len, 0);
        FUZZ_CHECK(out_len <= clean_len);
        FUZZ_CHECK(otel_utf8_valid(out, out_len));
        FUZZ_CHECK(out[out_len] == '\0');
        /* code point by code point: the input's, or '*' */
        const unsigned char *o = (const unsigned char *)out, *c = (const unsigned char *)clean;
        size_t i = 0, j = 0;
        while (i < out_len && j < clean_len) {
            size_t lo = cp_len(o + i, out_len - i), lc = cp_len(c + j, clean_len - j);
            FUZZ_CHECK((lo == 1 && o[i] == '*') || (lo == lc && memcmp(o + i, c + j, lo) == 0));
            i += lo;
            j += lc;
        }
        FUZZ_CHECK(i == out_len && j == clean_len);
        for (size_t k = 0; k < nlit; k++) {
            const char *lit = PATTERNS[literals[k]].re;
            size_t ll = strlen(lit);
            for (size_t p = 0; p + ll <= out_len; p++)
                FUZZ_CHECK(memcmp(out + p, lit, ll) != 0);
        }
        free(clean);
    }
    free(buf.p);
    otel_filter_set_free(&fs);
    return 0;
}
