/*
 * fuzz_utf8.c - otel_utf8_sanitized_len / otel_utf8_sanitize.
 *
 * Input: byte 0 chooses a limit (0 = none), the rest is the text. Checks:
 *  - sanitize writes exactly sanitized_len bytes (into an exact-size buffer);
 *  - the output is valid UTF-8 (an independent validator below);
 *  - the limit is respected, and the cut is on a code point boundary and
 *    drops no more than needed;
 *  - ASCII (and any valid UTF-8) input comes out unchanged (up to the limit);
 *  - the output equals an independent reference that replaces each maximal
 *    subpart of an ill-formed sequence by U+FFFD (Unicode 3.9, "U+FFFD
 *    substitution of maximal subparts"), derived from code point ranges
 *    rather than from the byte table of utf8.c.
 */
#include "fuzz_common.h"

#include <string.h>

#include "utf8.h"

/* ---- an independent validator: decode and check every code point ---- */

static int valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return 0;
        }
        if (i + len > n)
            return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

/* ---- the reference sanitiser ---- */

/* Can a sequence of total length L whose first k bytes carry the payload cp
 * still complete into a valid scalar value in shortest form? */
static int prefix_ok(size_t L, size_t k, uint32_t cp)
{
    unsigned rest = 6u * (unsigned)(L - k);
    uint32_t lo = cp << rest, hi = lo | ((1u << rest) - 1);
    switch (L) {
    case 2: return hi >= 0x80 && lo <= 0x7FF;
    case 3: return (hi >= 0x800 && lo <= 0xD7FF) || (hi >= 0xE000 && lo <= 0xFFFF);
    case 4: return hi >= 0x10000 && lo <= 0x10FFFF;
    default: return 0;
    }
}

/* One output unit per valid character or per replaced maximal subpart. */
typedef struct unit {
    size_t in_off, in_len; /* in_len bytes copied, or U+FFFD when repl */
    int repl;
} unit;

static size_t ref_units(const unsigned char *in, size_t len, unit *u)
{
    size_t nu = 0, i = 0;
    while (i < len) {
        unsigned char c = in[i];
        size_t L = c < 0x80 ? 1 : c >= 0xF8 ? 0 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
        if (L == 1) {
            u[nu++] = (unit){i, 1, 0};
            i++;
            continue;
        }
        uint32_t cp = L ? c & (0x7Fu >> L) : 0;
        if (L == 0 || !prefix_ok(L, 1, cp)) {
            u[nu++] = (unit){i, 1, 1};
            i++;
            continue;
        }
        size_t k = 1;
        while (k < L && i + k < len && (in[i + k] & 0xC0) == 0x80 &&
               prefix_ok(L, k + 1, cp << 6 | (in[i + k] & 0x3Fu))) {
            cp = cp << 6 | (in[i + k] & 0x3Fu);
            k++;
        }
        u[nu++] = (unit){i, k, k != L};
        i += k;
    }
    return nu;
}

static size_t unit_out_len(const unit *u)
{
    return u->repl ? 3 : u->in_len;
}

/* ---- the checks ---- */

static void check(const unsigned char *in, size_t len, size_t limit, const unit *u, size_t nu)
{
    size_t n = otel_utf8_sanitized_len((const char *)in, len, limit);
    unsigned char *out = malloc(n ? n : 1); /* exact size: ASan sees any overrun */
    FUZZ_CHECK(out != NULL);
    size_t w = otel_utf8_sanitize((char *)out, (const char *)in, len, limit);

    FUZZ_CHECK(w == n);
    FUZZ_CHECK(limit == 0 || n <= limit);
    FUZZ_CHECK(valid_utf8(out, n));

    /* Against the reference: the longest prefix of units that fits. */
    size_t o = 0, j = 0;
    for (; j < nu; j++) {
        size_t ul = unit_out_len(&u[j]);
        if (limit && o + ul > limit)
            break;
        FUZZ_CHECK(o + ul <= n);
        if (u[j].repl)
            FUZZ_CHECK(memcmp(out + o, "\xEF\xBF\xBD", 3) == 0);
        else
            FUZZ_CHECK(memcmp(out + o, in + u[j].in_off, ul) == 0);
        o += ul;
    }
    FUZZ_CHECK(o == n); /* nothing more, and nothing dropped that would fit */

    int ascii = 1;
    for (size_t i = 0; i < len; i++)
        if (in[i] >= 0x80)
            ascii = 0;
    size_t cut = limit && limit < len ? limit : len;
    if (ascii) /* unchanged, cut exactly at the limit */
        FUZZ_CHECK(n == cut && memcmp(out, in, cut) == 0);
    if (valid_utf8(in, len)) {
        FUZZ_CHECK(n <= cut && memcmp(out, in, n) == 0);
        if (limit == 0)
            FUZZ_CHECK(n == len);
    }
    if (limit == 0)
        FUZZ_CHECK(n >= len); /* a replaced subpart is never longer than 3 bytes */
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t limit = size ? data[0] : 0;
    const unsigned char *in = size ? data + 1 : data;
    size_t len = size ? size - 1 : 0;

    unit *u = malloc((len ? len : 1) * sizeof *u);
    FUZZ_CHECK(u != NULL);
    size_t nu = ref_units(in, len, u);

    check(in, len, 0, u, nu);
    check(in, len, limit, u, nu);
    for (size_t l = 1; l <= 4; l++)
        check(in, len, l, u, nu);
    check(in, len, len ? len : 1, u, nu);
    check(in, len, len + 1, u, nu);
    check(in, len, SIZE_MAX, u, nu);

    /* otel_utf8_valid (the copy-only fast path) agrees with the reference:
     * valid exactly when the independent validator accepts the input */
    FUZZ_CHECK(otel_utf8_valid((const char *)in, len) == valid_utf8(in, len));
    free(u);
    return 0;
}
