/*
 * fuzz_mask_prefilter.c - the literal prefilter of masking
 * (src/mask_prefilter.h) never changes what is masked.
 *
 * Input: byte 0 chooses a second pattern from a small table (or the same
 * pattern again, or a flag); then a JavaScript pattern, a NUL byte and the
 * value (no NUL: the pattern is its own value). A pattern that does not
 * compile is skipped. Checks, for the pattern alone and with the second
 * one as a union (and the pattern case-insensitive as a whole):
 *  - masking with the prefilter (otel_regex_mask_set) gives the same bytes
 *    as without it (otel_regex_mask_set_unfiltered), unless the value ran
 *    past its budget without the prefilter (the prefilter only ever saves
 *    searches: it is then masked whole without, maybe not with);
 *  - when the prefilter says the pattern cannot match the value, a search
 *    finds no match; and the same when an index of the prefilter (alone,
 *    and beside the second pattern's) leaves it out of its candidates, or
 *    the single-byte test or the test of the text itself (what masking
 *    asks of the rest of a value after a match) rules it out. Masking with
 *    the union, prefiltered, skips the search after a match when that
 *    test rules out the rest: the comparison above covers it;
 *  - the index answers alike through each of its passes (AVX2 where the
 *    CPU has it, SSE2, the scalar code: otel_mask_index_force_pass), for
 *    the value and each of its
 *    suffixes, and its scan's ASCII answer is the value's; its single-byte
 *    and run test (otel_mask_index_bytes) answers as the prefilter's own;
 *    and masking answers alike with either path of the index; a valid
 *    value shorter than the set's floor (otel_regex_set_floor) is left
 *    as it is; masking with each pattern's code for any text
 *    (otel_regex_mask_set_any_text) gives the same bytes as with its code
 *    for ASCII subjects, which an ASCII value otherwise runs (compiled
 *    without UTF mode where it can be); masking the value again (a short
 *    one left as it was is remembered) gives the same bytes;
 *  - the literal text every match starts with (otel_mask_lead_new) is
 *    found where a plain comparison finds it, from every start, and a
 *    value without it has no match (masking searches again after a match
 *    from its next occurrence: the comparison above covers it).
 */
#include "fuzz_common.h"

#include <string.h>

#include "mask_prefilter.h"
#include "redact.h"
#include "utf8.h"

static const char *const SECOND[] = {
    "\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b",
    "/\\bpass(?:word|wd)?\\s*[=:]\\s*\\S+/i",
    "[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+",
    "\\b[0-9a-f]{40}\\b",
    "\\b(?:\\d[ -]?){13,16}\\b",
    "token=\\w+|secret|key",
    "(?<=k=)\\w+|k",
    "x*?",
    "/(?<![a-z])token\\s*[=:]\\s*[^&\\s]+/iu",
    "(?i:\\bab=\\w)",
};
#define NSECOND (sizeof SECOND / sizeof SECOND[0])

static void compare(const otel_regex_set *set, const char *v, size_t len)
{
    char *a = malloc(len + 1), *b = malloc(len + 1), *c = malloc(len + 1);
    FUZZ_CHECK(a && b && c);
    memcpy(a, v, len + 1);
    memcpy(b, v, len + 1);
    memcpy(c, v, len + 1);
    unsigned long whole0 = otel_regex_masked_whole();
    size_t na = otel_regex_mask_set(set, a, len);
    unsigned long whole1 = otel_regex_masked_whole();
    size_t nb = otel_regex_mask_set_unfiltered(set, b, len);
    unsigned long whole2 = otel_regex_masked_whole();
    size_t nc = otel_regex_mask_set_any_text(set, c, len);
    unsigned long whole3 = otel_regex_masked_whole();
    int over_budget = whole2 != whole1; /* without the prefilter */
    if (!over_budget) {
        FUZZ_CHECK(whole1 == whole0);
        FUZZ_CHECK(na == nb && memcmp(a, b, na) == 0);
        /* the code for any text, unless it ran past the budget (its
         * searches take other steps) */
        if (whole3 == whole2)
            FUZZ_CHECK(nc == na && memcmp(c, a, na) == 0);
        memcpy(c, v, len + 1);
        nc = otel_regex_mask_set(set, c, len);
        if (otel_regex_masked_whole() == whole3)
            FUZZ_CHECK(nc == na && memcmp(c, a, na) == 0);
        /* under the set's floor a valid value is not masked (the pipeline
         * leaves such values without the call) */
        if (len < otel_regex_set_floor(set) && otel_utf8_valid(v, len))
            FUZZ_CHECK(nb == len && memcmp(b, v, len) == 0);
    }
    free(a);
    free(b);
    free(c);
}

static void check(otel_regex *re, const otel_regex *second, const char *v, size_t len)
{
    /* a set with room for two patterns, holding the first alone, then both */
    union {
        otel_regex_set set;
        unsigned char room[sizeof(otel_regex_set) + 2 * sizeof(const otel_regex *)];
    } u = {.set = {.n = 1}};
    u.set.re[0] = re;
    u.set.re[1] = second;
    compare(&u.set, v, len);
    u.set.n = 2;
    compare(&u.set, v, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 4096)
        return 0;
    const char *p = (const char *)data + 1;
    size_t rest = size - 1;
    const char *z = memchr(p, '\0', rest);
    size_t plen = z ? (size_t)(z - p) : rest;
    char *pattern = fuzz_strndup((const uint8_t *)p, plen);
    const uint8_t *raw = z ? (const uint8_t *)z + 1 : (const uint8_t *)p;
    size_t raw_len = z ? rest - plen - 1 : plen;
    size_t len = otel_utf8_sanitized_len((const char *)raw, raw_len, 0);
    char *v = malloc(len + 1);
    FUZZ_CHECK(v != NULL);
    otel_utf8_sanitize(v, (const char *)raw, raw_len, 0);
    v[len] = '\0';

    char err[256];
    for (int caseless = 0; caseless < 2; caseless++) {
        otel_regex *re = otel_regex_compile(pattern, caseless ? OTEL_REGEX_CASELESS : 0, err, sizeof err);
        if (!re)
            break;
        size_t k = data[0] % (NSECOND + 1);
        otel_regex *second = k < NSECOND ? otel_regex_compile(SECOND[k], 0, err, sizeof err) : NULL;
        FUZZ_CHECK(k == NSECOND || second != NULL);
        check(re, second ? second : re, v, len);
        for (int pass = OTEL_MASK_PASS_SCALAR; pass < OTEL_MASK_PASS_AVX2; pass++) {
            otel_mask_index_force_pass(pass);
            check(re, second ? second : re, v, len);
        }
        otel_mask_index_force_pass(OTEL_MASK_PASS_AVX2);
        /* "cannot match" is never wrong */
        otel_mask_prefilter *pf = otel_mask_prefilter_new(pattern, caseless);
        int ascii = 1;
        for (size_t i = 0; i < len; i++)
            ascii &= (unsigned char)v[i] < 0x80;
        if (pf && len <= OTEL_MASK_PREFILTER_MAX_LEN) {
            static otel_mask_subject sub;
            otel_mask_subject_scan(&sub, v, len, ascii);
            if (!otel_mask_prefilter_may_match(pf, &sub)) {
                int limit = 0;
                FUZZ_CHECK(otel_regex_search(re, v, len, &limit) == 0 || limit);
            }
        }
        otel_mask_prefilter *pf2 = second ? otel_mask_prefilter_new(SECOND[k], 0) : NULL;
        otel_mask_prefilter *both[2] = {pf2, pf};
        otel_mask_index *x1 = otel_mask_index_new(&pf, 1), *x2 = otel_mask_index_new(both, 2);
        FUZZ_CHECK(x1 && x2);
        int out = !(otel_mask_index_candidates(x1, v, len, ascii) & 1) ||
                  !(otel_mask_index_candidates(x2, v, len, ascii) & 2) ||
                  (pf && !otel_mask_prefilter_may_match_bytes(pf, v, len, ascii)) ||
                  (pf && !otel_mask_prefilter_may_match_text(pf, v, len, ascii));
        if (out) {
            int limit = 0;
            FUZZ_CHECK(otel_regex_search(re, v, len, &limit) == 0 || limit);
        }
        /* the index's passes agree, on the value, each suffix and the raw
         * input (maybe not UTF-8) */
        int raw_ascii = 1;
        for (size_t i = 0; i < raw_len; i++)
            raw_ascii &= raw[i] < 0x80;
        for (size_t a = 0; a <= len + 1 && a < 42; a++) {
            const char *s = a <= len ? v + a : (const char *)raw;
            size_t m = a <= len ? len - a : raw_len;
            int asc = 1;
            for (size_t i = 0; i < m; i++)
                asc &= (unsigned char)s[i] < 0x80;
            uint64_t c[3], scan[3];
            int got[3];
            for (int pass = OTEL_MASK_PASS_SCALAR; pass <= OTEL_MASK_PASS_AVX2; pass++) {
                otel_mask_index_force_pass(pass);
                c[pass] = otel_mask_index_candidates(x2, s, m, asc);
                scan[pass] = otel_mask_index_scan(x2, s, m, &got[pass]);
                FUZZ_CHECK(c[pass] == c[0] && scan[pass] == c[0] && got[pass] == asc);
            }
            if (a > len)
                FUZZ_CHECK(asc == raw_ascii);
        }
        otel_mask_index_force_pass(OTEL_MASK_PASS_AVX2);
        /* the leading literal: found where a plain comparison finds it,
         * from every start; none in the value, no match */
        otel_mask_lead lead;
        if (otel_mask_lead_new(pattern, caseless, &lead) && (!lead.folded || ascii)) {
            for (size_t from = 0; from <= len + 1 && from < 80; from++) {
                size_t want = SIZE_MAX;
                for (size_t i = from; i + lead.n <= len && want == SIZE_MAX; i++) {
                    size_t j = 0;
                    while (j < lead.n && ((unsigned char)v[i + j] | (lead.folded && v[i + j] >= 'A' && v[i + j] <= 'Z'
                                                                         ? 0x20
                                                                         : 0)) == lead.text[j])
                        j++;
                    if (j == lead.n)
                        want = i;
                }
                FUZZ_CHECK(otel_mask_lead_find(&lead, v, len, from) == want);
            }
            if (otel_mask_lead_find(&lead, v, len, 0) == SIZE_MAX) {
                int limit = 0;
                FUZZ_CHECK(otel_regex_search(re, v, len, &limit) == 0 || limit);
            }
        }
        uint64_t kept = otel_mask_index_bytes(x2, 3, v, len, ascii);
        FUZZ_CHECK((kept & 1) == (uint64_t)(!pf2 || otel_mask_prefilter_may_match_bytes(pf2, v, len, ascii)));
        FUZZ_CHECK(((kept >> 1) & 1) == (uint64_t)(!pf || otel_mask_prefilter_may_match_bytes(pf, v, len, ascii)));
        otel_mask_index_free(x1);
        otel_mask_index_free(x2);
        otel_mask_prefilter_free(pf2);
        otel_mask_prefilter_free(pf);
        otel_regex_free(second);
        otel_regex_free(re);
    }
    free(v);
    free(pattern);
    return 0;
}
