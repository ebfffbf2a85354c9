/*
 * js_regex.c - reads a JavaScript regular expression (ECMAScript, with the
 * web-compatibility grammar of Annex B when the u flag is absent, as node
 * reads it) and writes the PCRE2 pattern that matches the same text in
 * PCRE2's UTF mode (the one for ASCII subjects, when it is ASCII itself,
 * matches them alike without UTF mode: redact.c compiles it so). One pass
 * over the pattern after a pre-pass that counts the capturing groups and
 * collects their names (backreferences may point forward). Every
 * character is written as an explicit escape or class, so no PCRE2 escape
 * or option gives it another meaning.
 */
#include "js_regex.h"
#include "hex.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CP 0x10FFFFu
#define MAX_DEPTH 200
#define MAX_REPEAT 65535ul

typedef struct {
    uint32_t lo, hi;
} range;

/* a character class being built: ranges plus raw PCRE2 items (\p{..}) */
typedef struct {
    range *r;
    size_t n, cap;
    char raw[512];
    size_t rawlen;
    int oom;
} cset;

typedef struct {
    const char *s; /* the pattern (inside the slashes of a literal) */
    size_t n, i;
    size_t base; /* offset of s in what the user wrote */
    int u;       /* unicode mode */
    int ascii;   /* only ASCII subjects (OTEL_JS_REGEX_ASCII_SUBJECTS) */
    int icase, multi, dotall;
    int ngroups, opened, has_named;
    char **names;
    size_t nnames;
    int depth;
    char *o;
    size_t on, ocap;
    size_t *map;
    int oom;
    char *err;
    size_t errlen;
    int failed;
} tr;

static const range DIGIT[] = {{0x30, 0x39}};
static const range WORD[] = {{0x30, 0x39}, {0x41, 0x5A}, {0x5F, 0x5F}, {0x61, 0x7A}};
/* with u and i, \w also holds what case-folds into it: U+017F, U+212A */
static const range WORD_UI[] = {{0x30, 0x39}, {0x41, 0x5A}, {0x5F, 0x5F}, {0x61, 0x7A}, {0x17F, 0x17F}, {0x212A, 0x212A}};
/* WhiteSpace and LineTerminator of ECMAScript (Unicode Zs included) */
static const range SPACE[] = {{0x09, 0x0D}, {0x20, 0x20},     {0xA0, 0xA0},     {0x1680, 0x1680}, {0x2000, 0x200A},
                              {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF}};
static const range LINE_TERMINATOR[] = {{0x0A, 0x0A}, {0x0D, 0x0D}, {0x2028, 0x2029}};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int fail(tr *t, size_t at, const char *fmt, ...)
{
    if (t->failed)
        return -1;
    t->failed = 1;
    if (t->err && t->errlen) {
        char msg[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(t->err, t->errlen, "%s at offset %zu", msg, t->base + at);
    }
    return -1;
}

/* ---- output ---- */

static void emit_n(tr *t, const char *str, size_t len, size_t at)
{
    if (t->oom)
        return;
    if (t->on + len + 2 > t->ocap) {
        size_t cap = t->ocap ? t->ocap * 2 : 256;
        while (cap < t->on + len + 2)
            cap *= 2;
        char *o = realloc(t->o, cap);
        size_t *m = realloc(t->map, cap * sizeof *m);
        if (o)
            t->o = o;
        if (m)
            t->map = m;
        if (!o || !m) {
            t->oom = 1;
            return;
        }
        t->ocap = cap;
    }
    memcpy(t->o + t->on, str, len);
    for (size_t k = 0; k < len; k++)
        t->map[t->on + k] = t->base + at;
    t->on += len;
}

static void emit(tr *t, const char *str, size_t at) { emit_n(t, str, strlen(str), at); }

static void emit_cp(tr *t, uint32_t cp, size_t at)
{
    char b[16];
    if ((cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || cp == '_')
        snprintf(b, sizeof b, "%c", (char)cp);
    else
        snprintf(b, sizeof b, "\\x{%X}", (unsigned)cp);
    emit(t, b, at);
}

/* ---- reading the pattern ---- */

/* The code point at s[at]: its length in bytes, 0 at the end, -1 when the
 * bytes are not UTF-8. */
static int cp_at(const tr *t, size_t at, uint32_t *cp)
{
    if (at >= t->n)
        return 0;
    const unsigned char *p = (const unsigned char *)t->s + at;
    size_t left = t->n - at;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    int len = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 ? 2 : -1;
    if (len < 0 || p[0] > 0xF4 || (size_t)len > left)
        return -1;
    uint32_t c = p[0] & (0x3F >> (len - 1));
    for (int k = 1; k < len; k++) {
        if ((p[k] & 0xC0) != 0x80)
            return -1;
        c = (c << 6) | (p[k] & 0x3F);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > MAX_CP)) || (c >= 0xD800 && c <= 0xDFFF))
        return -1;
    *cp = c;
    return len;
}

/* n hex digits at s[at]: the value, or -1 */
static long hex_n(const tr *t, size_t at, int n)
{
    long v = 0;
    for (int k = 0; k < n; k++) {
        if (at + k >= t->n || otel_hex_value(t->s[at + k]) < 0)
            return -1;
        v = v * 16 + otel_hex_value(t->s[at + k]);
    }
    return v;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_syntax_char(char c) { return c && strchr("^$\\.*+?()[]{}|/", c) != NULL; }

/* {n}, {n,}, {n,m} at s[at]: its length, or 0 when it is not one. Bounds
 * saturate at MAX_REPEAT + 1 (the caller refuses them). */
static size_t braced(const tr *t, size_t at, unsigned long *mn, unsigned long *mx, int *has_max)
{
    size_t k = at + 1;
    unsigned long a = 0, b = 0;
    if (k >= t->n || !is_digit(t->s[k]))
        return 0;
    while (k < t->n && is_digit(t->s[k])) {
        a = a > MAX_REPEAT ? a : a * 10 + (unsigned long)(t->s[k] - '0');
        k++;
    }
    *has_max = 1;
    b = a;
    if (k < t->n && t->s[k] == ',') {
        k++;
        if (k < t->n && is_digit(t->s[k])) {
            b = 0;
            while (k < t->n && is_digit(t->s[k])) {
                b = b > MAX_REPEAT ? b : b * 10 + (unsigned long)(t->s[k] - '0');
                k++;
            }
        } else
            *has_max = 0;
    }
    if (k >= t->n || t->s[k] != '}')
        return 0;
    *mn = a;
    *mx = b;
    return k + 1 - at;
}

/* ---- character sets ---- */

static void set_add(cset *c, uint32_t lo, uint32_t hi)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        range *r = realloc(c->r, cap * sizeof *r);
        if (!r) {
            c->oom = 1;
            return;
        }
        c->r = r;
        c->cap = cap;
    }
    c->r[c->n].lo = lo;
    c->r[c->n].hi = hi;
    c->n++;
}

static void set_add_list(cset *c, const range *l, size_t n, int complement)
{
    if (!complement) {
        for (size_t k = 0; k < n; k++)
            set_add(c, l[k].lo, l[k].hi);
        return;
    }
    uint32_t next = 0;
    for (size_t k = 0; k < n; k++) {
        if (l[k].lo > next)
            set_add(c, next, l[k].lo - 1);
        next = l[k].hi + 1;
    }
    if (next <= MAX_CP)
        set_add(c, next, MAX_CP);
}

static int set_has(const cset *c, uint32_t cp)
{
    for (size_t k = 0; k < c->n; k++)
        if (c->r[k].lo <= cp && cp <= c->r[k].hi)
            return 1;
    return 0;
}

/* How much of the surrogate block U+D800..U+DFFF the set holds: 0 none,
 * 1 part, 2 all. */
static int surrogate_cover(const cset *c)
{
    uint32_t covered = 0;
    /* ranges may overlap: count code points by scanning in blocks */
    for (uint32_t cp = 0xD800; cp <= 0xDFFF; cp++)
        covered += (uint32_t)set_has(c, cp);
    return covered == 0 ? 0 : covered == 0x800 ? 2 : 1;
}

static void emit_ranges(tr *t, const cset *c, size_t at)
{
    char b[40];
    for (size_t k = 0; k < c->n; k++) {
        uint32_t lo = c->r[k].lo, hi = c->r[k].hi;
        /* surrogates never occur in UTF-8 text and are no PCRE2 characters */
        if (lo >= 0xD800 && hi <= 0xDFFF)
            continue;
        if (lo < 0xD800 && hi >= 0xD800) {
            if (hi > 0xDFFF) {
                snprintf(b, sizeof b, "\\x{%X}-\\x{D7FF}\\x{E000}-\\x{%X}", (unsigned)lo, (unsigned)hi);
                emit(t, b, at);
                continue;
            }
            hi = 0xD7FF;
        } else if (lo <= 0xDFFF && hi > 0xDFFF)
            lo = 0xE000;
        if (lo == hi)
            snprintf(b, sizeof b, "\\x{%X}", (unsigned)lo);
        else
            snprintf(b, sizeof b, "\\x{%X}-\\x{%X}", (unsigned)lo, (unsigned)hi);
        emit(t, b, at);
    }
    emit_n(t, c->raw, c->rawlen, at);
}

static int set_empty(const cset *c)
{
    if (c->rawlen)
        return 0;
    for (size_t k = 0; k < c->n; k++)
        if (!(c->r[k].lo >= 0xD800 && c->r[k].hi <= 0xDFFF))
            return 0;
    return 1;
}

/* Writes the set as one PCRE2 atom. */
static int emit_set(tr *t, cset *c, int negated, size_t at)
{
    if (c->oom) {
        t->oom = 1;
        return -1;
    }
    if (!t->u) {
        /* Without u a class is a set of UTF-16 code units: one that holds
         * every surrogate matches each half of a supplementary character,
         * so the whole character; part of them cannot be expressed. */
        int sc = surrogate_cover(c);
        if (sc == 1)
            return fail(t, at, "a character class with part of the surrogate range U+D800..U+DFFF is not supported (use the u flag)");
        if (sc == 2)
            set_add(c, 0x10000, MAX_CP);
    }
    if (set_empty(c)) {
        emit(t, negated ? "[\\x{0}-\\x{10FFFF}]" : "(?!)", at);
        return 0;
    }
    /* Without u, i compares upper-cased code units and never maps a
     * non-ASCII character to an ASCII one: U+017F and U+212A do not match
     * s and k as they do in PCRE2's caseless mode. */
    static const struct {
        uint32_t special, lower, upper;
    } ODD[] = {{0x17F, 's', 'S'}, {0x212A, 'k', 'K'}};
    /* extra: what PCRE2's caseless class gets wrong either way -- U+017F
     * and U+212A when only their ASCII letters are in the set (never in
     * an ASCII subject), the ASCII letters when only U+017F or U+212A is */
    char extra[64] = "";
    if (t->icase && !t->u)
        for (size_t k = 0; k < COUNT(ODD); k++) {
            int special = set_has(c, ODD[k].special), ascii = set_has(c, ODD[k].lower) || set_has(c, ODD[k].upper);
            char b[24] = "";
            if (!special && ascii && !t->ascii)
                snprintf(b, sizeof b, "\\x{%X}", (unsigned)ODD[k].special);
            else if (special && !ascii)
                snprintf(b, sizeof b, "%c%c", (char)ODD[k].lower, (char)ODD[k].upper);
            strcat(extra, b);
        }
    if (extra[0] && !negated) {
        emit(t, "(?:(?!(?-i:[", at);
        emit(t, extra, at);
        emit(t, "]))[", at);
        emit_ranges(t, c, at);
        emit(t, "])", at);
    } else if (extra[0]) {
        emit(t, "(?:(?-i:[", at);
        emit(t, extra, at);
        emit(t, "])|[^", at);
        emit_ranges(t, c, at);
        emit(t, "])", at);
    } else {
        emit(t, negated ? "[^" : "[", at);
        emit_ranges(t, c, at);
        emit(t, "]", at);
    }
    return 0;
}

static void set_raw(cset *c, const char *item)
{
    size_t il = strlen(item);
    if (c->rawlen + il >= sizeof c->raw) {
        c->oom = 1;
        return;
    }
    memcpy(c->raw + c->rawlen, item, il);
    c->rawlen += il;
}

/* \d \D \w \W \s \S into c. The positive ones use PCRE2's \d \w \s (ASCII
 * only without PCRE2_UCP, and untouched by caseless matching) plus what
 * JavaScript adds beyond ASCII; the negated ones are complement ranges
 * (they may sit in a class beside other items). */
static void class_escape(const tr *t, cset *c, char e)
{
    int ui = t->u && t->icase;
    switch (e) {
    case 'd': set_raw(c, "\\d"); break;
    case 'D': set_add_list(c, DIGIT, COUNT(DIGIT), 1); break;
    case 's':
        set_raw(c, "\\s");
        if (!t->ascii)
            set_add_list(c, SPACE + 2, COUNT(SPACE) - 2, 0);
        break;
    case 'S': set_add_list(c, SPACE, COUNT(SPACE), 1); break;
    case 'w':
        set_raw(c, "\\w");
        if (ui)
            set_add_list(c, WORD_UI + 4, 2, 0);
        break;
    case 'W':
        if (ui)
            set_add_list(c, WORD_UI, COUNT(WORD_UI), 1);
        else
            set_add_list(c, WORD, COUNT(WORD), 1);
        break;
    }
}

/* \p{...} / \P{...} (u mode) at s[t->i] (the backslash): appended to c's
 * raw items. */
static int property(tr *t, cset *c)
{
    size_t at = t->i;
    int neg = t->s[at + 1] == 'P';
    size_t k = at + 2;
    if (k >= t->n || t->s[k] != '{')
        return fail(t, at, "invalid property name");
    size_t name = ++k;
    while (k < t->n && t->s[k] != '}') {
        char ch = t->s[k];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || is_digit(ch) || ch == '_' || ch == '='))
            return fail(t, k, "invalid property name");
        k++;
    }
    if (k >= t->n || k == name || k - name > 60)
        return fail(t, at, "invalid property name");
    char nm[64], item[96];
    memcpy(nm, t->s + name, k - name);
    nm[k - name] = '\0';
    char *eq = strchr(nm, '=');
    if (eq) {
        *eq = '\0';
        const char *v = eq + 1;
        if (!*v || strchr(v, '='))
            return fail(t, at, "invalid property name");
        if (strcmp(nm, "General_Category") == 0 || strcmp(nm, "gc") == 0)
            snprintf(item, sizeof item, "\\%c{%s}", neg ? 'P' : 'p', v);
        else if (strcmp(nm, "Script") == 0 || strcmp(nm, "sc") == 0)
            snprintf(item, sizeof item, "\\%c{sc:%s}", neg ? 'P' : 'p', v);
        else if (strcmp(nm, "Script_Extensions") == 0 || strcmp(nm, "scx") == 0)
            snprintf(item, sizeof item, "\\%c{scx:%s}", neg ? 'P' : 'p', v);
        else
            return fail(t, at, "invalid property name");
    } else
        snprintf(item, sizeof item, "\\%c{%s}", neg ? 'P' : 'p', nm);
    size_t il = strlen(item);
    if (c->rawlen + il >= sizeof c->raw)
        return fail(t, at, "too many property escapes in one class");
    memcpy(c->raw + c->rawlen, item, il);
    c->rawlen += il;
    t->i = k + 1;
    return 0;
}

/* \u escapes at s[t->i] (the backslash): the code point, joining a
 * surrogate pair written as two escapes; -2 when this is no \u escape. */
static long unicode_escape(tr *t, size_t *len)
{
    size_t at = t->i;
    if (t->u && at + 2 < t->n && t->s[at + 2] == '{') {
        size_t k = at + 3;
        unsigned long v = 0;
        if (k >= t->n || otel_hex_value(t->s[k]) < 0)
            return -2;
        while (k < t->n && otel_hex_value(t->s[k]) >= 0) {
            v = v * 16 + (unsigned long)otel_hex_value(t->s[k]);
            if (v > MAX_CP)
                return -2;
            k++;
        }
        if (k >= t->n || t->s[k] != '}')
            return -2;
        *len = k + 1 - at;
        return (long)v;
    }
    long v = hex_n(t, at + 2, 4);
    if (v < 0)
        return -2;
    *len = 6;
    if (v >= 0xD800 && v <= 0xDBFF && at + 7 < t->n && t->s[at + 6] == '\\' && t->s[at + 7] == 'u') {
        long lo = hex_n(t, at + 8, 4);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
            *len = 12;
            return 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
        }
    }
    return v;
}

/* Legacy octal escape (no u) at s[at] (the first digit): value, length */
static uint32_t legacy_octal(const tr *t, size_t at, size_t *len)
{
    uint32_t v = 0;
    size_t k = at;
    while (k < t->n && k - at < 3 && t->s[k] >= '0' && t->s[k] <= '7' && v * 8 + (uint32_t)(t->s[k] - '0') <= 0377) {
        v = v * 8 + (uint32_t)(t->s[k] - '0');
        k++;
    }
    *len = k - at;
    return v;
}

/* A character escape (\n, \x41, \u0041, \cJ, \0, \/, ...) at s[t->i]:
 * its code point, t->i moved past it. -1 on error. in_class: inside [..]
 * (\b is a backspace there, \- a hyphen in u mode, \c takes digits and _). */
static long char_escape(tr *t, int in_class)
{
    size_t at = t->i;
    if (at + 1 >= t->n)
        return fail(t, at, "\\ at end of pattern");
    char e = t->s[at + 1];
    size_t len = 2;
    long v;
    switch (e) {
    case 'f': v = 0x0C; break;
    case 'n': v = 0x0A; break;
    case 'r': v = 0x0D; break;
    case 't': v = 0x09; break;
    case 'v': v = 0x0B; break;
    case 'b':
        if (!in_class)
            return fail(t, at, "internal: \\b");
        v = 0x08;
        break;
    case 'c': {
        char x = at + 2 < t->n ? t->s[at + 2] : 0;
        if ((x >= 'a' && x <= 'z') || (x >= 'A' && x <= 'Z') || (in_class && !t->u && (is_digit(x) || x == '_'))) {
            v = x % 32;
            len = 3;
        } else if (t->u)
            return fail(t, at, "invalid unicode escape \\c");
        else {
            v = '\\'; /* a backslash; the c is read next */
            len = 1;
        }
        break;
    }
    case 'x':
        v = hex_n(t, at + 2, 2);
        if (v >= 0)
            len = 4;
        else if (t->u)
            return fail(t, at, "invalid escape \\x");
        else
            v = 'x';
        break;
    case 'u':
        v = unicode_escape(t, &len);
        if (v == -2) {
            if (t->u)
                return fail(t, at, "invalid Unicode escape");
            v = 'u';
            len = 2;
        }
        break;
    case '0':
        if (at + 2 < t->n && is_digit(t->s[at + 2])) {
            if (t->u)
                return fail(t, at, "invalid decimal escape");
            v = (long)legacy_octal(t, at + 1, &len);
            len += 1;
        } else
            v = 0;
        break;
    default:
        if (is_digit(e)) { /* in a class, or a number past the groups (no u) */
            if (t->u)
                return fail(t, at, in_class ? "invalid class escape" : "invalid escape");
            if (e >= '8') {
                v = e;
            } else {
                v = (long)legacy_octal(t, at + 1, &len);
                len += 1;
            }
            break;
        }
        if (t->u) {
            if (!(is_syntax_char(e) || (in_class && e == '-')))
                return fail(t, at, "invalid escape");
            v = e;
            break;
        }
        if (e == 'k' && t->has_named)
            return fail(t, at, "invalid named reference");
        {
            uint32_t cp;
            int l = cp_at(t, at + 1, &cp);
            if (l <= 0)
                return fail(t, at + 1, "invalid UTF-8");
            v = cp;
            len = 1 + (size_t)l;
        }
    }
    t->i = at + len;
    return v;
}

/* ---- atoms ---- */

/* A literal code point outside a class. */
static void emit_literal(tr *t, uint32_t cp, size_t at)
{
    if (cp >= 0xD800 && cp <= 0xDFFF) { /* a lone surrogate: never in UTF-8 text */
        emit(t, "(?!)", at);
        return;
    }
    /* (U+017F and U+212A match no ASCII subject, but PCRE2's caseless
     * mode would match them to s and k) */
    if (t->icase && !t->u && (!t->ascii || cp == 0x17F || cp == 0x212A)) {
        switch (cp) {
        case 's':
        case 'S': emit(t, "(?-i:[sS])", at); return;
        case 'k':
        case 'K': emit(t, "(?-i:[kK])", at); return;
        case 0x17F: emit(t, "(?-i:\\x{17F})", at); return;
        case 0x212A: emit(t, "(?-i:\\x{212A})", at); return;
        }
    }
    emit_cp(t, cp, at);
}

static int parse_class(tr *t)
{
    size_t at = t->i;
    t->i++;
    int negated = 0;
    if (t->i < t->n && t->s[t->i] == '^') {
        negated = 1;
        t->i++;
    }
    cset c = {0};
    int rc = -1;
    for (;;) {
        if (t->i >= t->n) {
            fail(t, t->i, "missing terminating ] for character class");
            goto out;
        }
        if (t->s[t->i] == ']') {
            t->i++;
            break;
        }
        /* one class atom: a code point (lo) or a set (is_set) */
        long lo = -1;
        int is_set = 0;
        size_t aat = t->i;
        for (int side = 0; side < 2; side++) {
            long v = -1;
            int sset = 0;
            size_t sat = t->i;
            if (t->s[t->i] == '\\') {
                char e = t->i + 1 < t->n ? t->s[t->i + 1] : 0;
                if (e && strchr("dDwWsS", e)) {
                    class_escape(t, &c, e);
                    t->i += 2;
                    sset = 1;
                } else if (t->u && (e == 'p' || e == 'P')) {
                    if (property(t, &c))
                        goto out;
                    sset = 1;
                } else {
                    v = char_escape(t, 1);
                    if (v < 0)
                        goto out;
                }
            } else {
                uint32_t cp;
                int l = cp_at(t, t->i, &cp);
                if (l <= 0) {
                    fail(t, t->i, "invalid UTF-8");
                    goto out;
                }
                v = cp;
                t->i += (size_t)l;
            }
            if (!t->u && v > 0xFFFF) {
                fail(t, sat, "a character outside the BMP in a class is two UTF-16 units without the u flag; use the u flag");
                goto out;
            }
            if (side == 0) {
                lo = v;
                is_set = sset;
                /* a range? "-" followed by something other than "]" */
                if (t->i + 1 < t->n && t->s[t->i] == '-' && t->s[t->i + 1] != ']') {
                    t->i++;
                    continue;
                }
                if (!sset)
                    set_add(&c, (uint32_t)lo, (uint32_t)lo);
                break;
            }
            /* side 1: the end of a range */
            if (is_set || sset) {
                if (t->u) {
                    fail(t, aat, "invalid character class (a class escape in a range)");
                    goto out;
                }
                /* without u: the hyphen is literal */
                if (!is_set)
                    set_add(&c, (uint32_t)lo, (uint32_t)lo);
                set_add(&c, '-', '-');
                if (!sset)
                    set_add(&c, (uint32_t)v, (uint32_t)v);
                break;
            }
            if (v < lo) {
                fail(t, sat, "range out of order in character class");
                goto out;
            }
            set_add(&c, (uint32_t)lo, (uint32_t)v);
            break;
        }
    }
    rc = emit_set(t, &c, negated, at);
out:
    free(c.r);
    return rc;
}

static int parse_disjunction(tr *t, int in_group);

static int group_name_index(const tr *t, const char *name, size_t len)
{
    for (size_t k = 0; k < t->nnames; k++)
        if (t->names[k] && strlen(t->names[k]) == len && memcmp(t->names[k], name, len) == 0)
            return (int)k;
    return -1;
}

/* <name> at s[at] (the '<'): the name's length, 0 when invalid */
static size_t group_name(const tr *t, size_t at, size_t *name_len)
{
    size_t k = at + 1;
    while (k < t->n && t->s[k] != '>') {
        unsigned char ch = (unsigned char)t->s[k];
        int ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_' || ch == '$' || ch >= 0x80 ||
                 (k > at + 1 && is_digit((char)ch));
        if (!ok)
            return 0;
        k++;
    }
    if (k >= t->n || k == at + 1)
        return 0;
    *name_len = k - at - 1;
    return k + 1 - at;
}

/* inline flags "(?i)", "(?i-s:" ... at s[at] (after "(?"): letters from
 * i, m, s; *colon: a group follows. 0 when this is no such thing. */
static size_t inline_flags(const tr *t, size_t at, int *on, int *off, int *colon)
{
    size_t k = at;
    int *cur = on;
    *on = *off = 0;
    while (k < t->n) {
        char ch = t->s[k];
        int bit = ch == 'i' ? 1 : ch == 'm' ? 2 : ch == 's' ? 4 : 0;
        if (bit) {
            if ((*on | *off) & bit)
                return 0;
            *cur |= bit;
        } else if (ch == '-' && cur == on)
            cur = off;
        else
            break;
        k++;
    }
    if (k >= t->n || k == at || (cur == off && !*off))
        return 0;
    if (t->s[k] == ')')
        *colon = 0;
    else if (t->s[k] == ':')
        *colon = 1;
    else
        return 0;
    return k + 1 - at;
}

static void apply_flags(tr *t, int on, int off, size_t at)
{
    if (on & 1)
        t->icase = 1;
    if (off & 1)
        t->icase = 0;
    if (on & 2)
        t->multi = 1;
    if (off & 2)
        t->multi = 0;
    if (on & 4)
        t->dotall = 1;
    if (off & 4)
        t->dotall = 0;
    (void)at;
}

/* "(" at s[t->i]: the group; *quantifiable set */
static int parse_group(tr *t, int *quantifiable)
{
    size_t at = t->i;
    int save_i = t->icase, save_m = t->multi, save_s = t->dotall;
    *quantifiable = 1;
    if (++t->depth > MAX_DEPTH)
        return fail(t, at, "parentheses are too deeply nested");
    const char *s = t->s + at;
    size_t left = t->n - at;
    if (left >= 3 && s[1] == '?' && s[2] == ':') {
        emit(t, "(?:", at);
        t->i += 3;
    } else if (left >= 3 && s[1] == '?' && (s[2] == '=' || s[2] == '!')) {
        emit(t, s[2] == '=' ? "(?=" : "(?!", at);
        t->i += 3;
        *quantifiable = !t->u;
    } else if (left >= 4 && s[1] == '?' && s[2] == '<' && (s[3] == '=' || s[3] == '!')) {
        emit(t, s[3] == '=' ? "(?<=" : "(?<!", at);
        t->i += 4;
        *quantifiable = 0;
    } else if (left >= 3 && s[1] == '?' && s[2] == '<') {
        size_t nl, l = group_name(t, at + 2, &nl);
        if (!l)
            return fail(t, at, "invalid capture group name");
        t->opened++;
        emit(t, "(", at);
        t->i = at + 2 + l;
    } else if (left >= 2 && s[1] == '?') {
        int on, off, colon;
        size_t l = inline_flags(t, at + 2, &on, &off, &colon);
        if (!l)
            return fail(t, at, "invalid group");
        char b[16];
        snprintf(b, sizeof b, "(?%s%s%s", (on & 1) ? "i" : "", (off & 1) ? "-i" : "", colon ? ":" : ")");
        if (!colon) { /* (?i): the rest of the enclosing group */
            emit(t, strcmp(b, "(?)") == 0 ? "" : b, at);
            apply_flags(t, on, off, at);
            t->i = at + 2 + l;
            t->depth--;
            *quantifiable = -1; /* nothing to repeat */
            return 0;
        }
        emit(t, b, at);
        apply_flags(t, on, off, at);
        t->i = at + 2 + l;
    } else {
        t->opened++;
        emit(t, "(", at);
        t->i++;
    }
    if (parse_disjunction(t, 1))
        return -1;
    emit(t, ")", t->i);
    t->i++; /* ')' */
    t->icase = save_i;
    t->multi = save_m;
    t->dotall = save_s;
    t->depth--;
    return 0;
}

static void emit_word_boundary(tr *t, int negated, size_t at)
{
    if (t->u && t->icase && !t->ascii) { /* \w holds U+017F and U+212A here */
        static const char *W = "[0-9A-Z_a-z\\x{17F}\\x{212A}]";
        char b[256];
        if (!negated)
            snprintf(b, sizeof b, "(?:(?<=%s)(?!%s)|(?<!%s)(?=%s))", W, W, W, W);
        else
            snprintf(b, sizeof b, "(?:(?<=%s)(?=%s)|(?<!%s)(?!%s))", W, W, W, W);
        emit(t, b, at);
    } else
        emit(t, negated ? "\\B" : "\\b", at);
}

/* One term at s[t->i]. *quantifiable: 1 an atom, 0 an assertion, -1
 * nothing (inline flags). *astral: a supplementary character without u. */
static int parse_term(tr *t, int *quantifiable, int *astral)
{
    size_t at = t->i;
    char c = t->s[at];
    *quantifiable = 1;
    *astral = 0;
    switch (c) {
    case '^':
        emit(t, t->multi ? "(?:\\A|(?<=[\\n\\r\\x{2028}\\x{2029}]))" : "\\A", at);
        t->i++;
        *quantifiable = 0;
        return 0;
    case '$':
        emit(t, t->multi ? "(?=[\\n\\r\\x{2028}\\x{2029}]|\\z)" : "\\z", at);
        t->i++;
        *quantifiable = 0;
        return 0;
    case '(': return parse_group(t, quantifiable);
    case '.': {
        if (t->ascii) { /* with PCRE2_NEWLINE_ANYCRLF, '.' stops at \r and \n */
            emit(t, t->dotall ? "(?s:.)" : ".", at);
            t->i++;
            return 0;
        }
        cset cs = {0};
        if (!t->dotall)
            set_add_list(&cs, LINE_TERMINATOR, COUNT(LINE_TERMINATOR), 0);
        int rc = emit_set(t, &cs, 1, at);
        free(cs.r);
        t->i++;
        return rc;
    }
    case '[': return parse_class(t);
    case '*':
    case '+':
    case '?': return fail(t, at, "nothing to repeat");
    case '{': {
        unsigned long a, b;
        int hm;
        if (t->u || braced(t, at, &a, &b, &hm))
            return fail(t, at, t->u ? "lone quantifier brackets" : "nothing to repeat");
        emit_literal(t, '{', at);
        t->i++;
        return 0;
    }
    case '}':
    case ']':
        if (t->u)
            return fail(t, at, "lone quantifier brackets");
        emit_literal(t, (uint32_t)c, at);
        t->i++;
        return 0;
    case '\\': {
        char e = at + 1 < t->n ? t->s[at + 1] : 0;
        if (e == 'b' || e == 'B') {
            emit_word_boundary(t, e == 'B', at);
            t->i += 2;
            *quantifiable = 0;
            return 0;
        }
        if (e && strchr("dDwWsS", e) && t->ascii) {
            emit_n(t, t->s + at, 2, at); /* PCRE2's own: the same on ASCII */
            t->i += 2;
            return 0;
        }
        if (e && strchr("dDwWsS", e)) {
            cset cs = {0};
            class_escape(t, &cs, (char)(e | 0x20));
            int rc = emit_set(t, &cs, e < 'a', at);
            free(cs.r);
            t->i += 2;
            return rc;
        }
        if (t->u && (e == 'p' || e == 'P')) {
            cset cs = {0};
            int rc = property(t, &cs);
            if (rc == 0)
                rc = emit_set(t, &cs, 0, at);
            free(cs.r);
            return rc;
        }
        if (e == 'k' && (t->u || t->has_named)) {
            size_t nl, l = at + 2 < t->n && t->s[at + 2] == '<' ? group_name(t, at + 2, &nl) : 0;
            int k = l ? group_name_index(t, t->s + at + 3, nl) : -1;
            if (k < 0)
                return fail(t, at, "invalid named reference");
            char b[32];
            snprintf(b, sizeof b, "(?:\\g{%d})", k + 1);
            emit(t, b, at);
            t->i = at + 2 + l;
            return 0;
        }
        if (e >= '1' && e <= '9') { /* a backreference, when that many groups exist */
            size_t k = at + 1;
            unsigned long v = 0;
            while (k < t->n && is_digit(t->s[k])) {
                v = v > 100000 ? v : v * 10 + (unsigned long)(t->s[k] - '0');
                k++;
            }
            if (v <= (unsigned long)t->ngroups) {
                char b[32];
                snprintf(b, sizeof b, "(?:\\g{%lu})", v);
                emit(t, b, at);
                t->i = k;
                return 0;
            }
            if (t->u)
                return fail(t, at, "invalid escape (no such group)");
        }
        long v = char_escape(t, 0);
        if (v < 0)
            return -1;
        *astral = !t->u && v > 0xFFFF;
        if (!t->u && v >= 0xD800 && v <= 0xDFFF)
            return fail(t, at, "a lone surrogate escape is not supported (use the u flag, or write both halves)");
        emit_literal(t, (uint32_t)v, at);
        return 0;
    }
    default: {
        uint32_t cp;
        int l = cp_at(t, at, &cp);
        if (l <= 0)
            return fail(t, at, "invalid UTF-8");
        *astral = !t->u && cp > 0xFFFF;
        emit_literal(t, cp, at);
        t->i += (size_t)l;
        return 0;
    }
    }
}

static int parse_quantifier(tr *t, int quantifiable, int astral)
{
    size_t at = t->i;
    if (at >= t->n)
        return 0;
    char c = t->s[at];
    unsigned long a = 0, b = 0;
    int hm = 0;
    size_t ql;
    if (c == '*' || c == '+' || c == '?')
        ql = 1;
    else if (c == '{') {
        ql = braced(t, at, &a, &b, &hm);
        if (!ql) {
            if (t->u)
                return fail(t, at, "incomplete quantifier");
            return 0; /* a literal '{', read as the next term */
        }
    } else
        return 0;
    if (quantifiable <= 0)
        return fail(t, at, "nothing to repeat");
    if (astral)
        return fail(t, at,
                    "a quantifier after a character outside the BMP repeats only its second UTF-16 half without the u "
                    "flag; use the u flag or (?:...)");
    if (c == '{') {
        if (hm && a > b)
            return fail(t, at, "numbers out of order in {} quantifier");
        if (a > MAX_REPEAT || (hm && b > MAX_REPEAT))
            return fail(t, at, "a {} quantifier above %lu is not supported", MAX_REPEAT);
        char q[48];
        if (!hm)
            snprintf(q, sizeof q, "{%lu,}", a);
        else if (a == b)
            snprintf(q, sizeof q, "{%lu}", a);
        else
            snprintf(q, sizeof q, "{%lu,%lu}", a, b);
        emit(t, q, at);
    } else
        emit_n(t, &c, 1, at);
    t->i += ql;
    if (t->i < t->n && t->s[t->i] == '?') {
        emit(t, "?", t->i);
        t->i++;
    }
    return 0;
}

static int parse_disjunction(tr *t, int in_group)
{
    for (;;) {
        if (t->failed || t->oom)
            return -1;
        if (t->i >= t->n) {
            if (in_group)
                return fail(t, t->i, "missing closing parenthesis");
            return 0;
        }
        char c = t->s[t->i];
        if (c == ')') {
            if (!in_group)
                return fail(t, t->i, "unmatched closing parenthesis");
            return 0;
        }
        if (c == '|') {
            emit(t, "|", t->i);
            t->i++;
            continue;
        }
        int q, astral;
        if (parse_term(t, &q, &astral) || parse_quantifier(t, q, astral))
            return -1;
    }
}

/* Pre-pass: capturing groups and their names. */
static int count_groups(tr *t)
{
    int in_class = 0;
    for (size_t k = 0; k < t->n; k++) {
        char c = t->s[k];
        if (c == '\\') {
            k++;
            continue;
        }
        if (in_class) {
            in_class = c != ']';
            continue;
        }
        if (c == '[') {
            in_class = 1;
            continue;
        }
        if (c != '(')
            continue;
        if (k + 1 < t->n && t->s[k + 1] == '?') {
            if (!(k + 2 < t->n && t->s[k + 2] == '<' && k + 3 < t->n && t->s[k + 3] != '=' && t->s[k + 3] != '!'))
                continue;
            size_t nl, l = group_name(t, k + 2, &nl);
            if (!l)
                return fail(t, k, "invalid capture group name");
            if (group_name_index(t, t->s + k + 3, nl) >= 0)
                return fail(t, k, "duplicate capture group name");
            char **names = realloc(t->names, (size_t)(t->ngroups + 1) * sizeof *names);
            if (!names)
                return t->oom = 1, -1;
            t->names = names;
            t->names[t->ngroups] = strndup(t->s + k + 3, nl);
            if (!t->names[t->ngroups])
                return t->oom = 1, -1;
            t->has_named = 1;
        } else {
            char **names = realloc(t->names, (size_t)(t->ngroups + 1) * sizeof *names);
            if (!names)
                return t->oom = 1, -1;
            t->names = names;
            t->names[t->ngroups] = NULL;
        }
        t->ngroups++;
        t->nnames = (size_t)t->ngroups;
    }
    return 0;
}

/* "/body/flags": the body's end (the closing slash) and the flags, or 0
 * when src is no literal. */
static int literal_form(const char *src, size_t len, size_t *close)
{
    if (len < 2 || src[0] != '/')
        return 0;
    int in_class = 0;
    size_t k;
    for (k = 1; k < len; k++) {
        char c = src[k];
        if (c == '\\') {
            k++;
            continue;
        }
        if (in_class)
            in_class = c != ']';
        else if (c == '[')
            in_class = 1;
        else if (c == '/')
            break;
    }
    if (k >= len || k == 1)
        return 0;
    for (size_t f = k + 1; f < len; f++)
        if (!((src[f] >= 'a' && src[f] <= 'z') || (src[f] >= 'A' && src[f] <= 'Z')))
            return 0;
    *close = k;
    return 1;
}

int otel_js_regex_literal(const char *src, size_t len, size_t *body, size_t *body_len, const char **flags,
                          size_t *flags_len)
{
    size_t close;
    if (!literal_form(src, len, &close))
        return 0;
    *body = 1;
    *body_len = close - 1;
    *flags = src + close + 1;
    *flags_len = len - close - 1;
    return 1;
}

void otel_js_regex_free(otel_js_regex *r)
{
    if (!r)
        return;
    free(r->pcre2);
    free(r->srcpos);
    memset(r, 0, sizeof *r);
}

int otel_js_regex_translate(const char *src, size_t srclen, int flags, otel_js_regex *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (err && errlen)
        err[0] = '\0';
    tr t = {0};
    t.s = src;
    t.n = srclen;
    t.err = err;
    t.errlen = errlen;
    t.icase = (flags & OTEL_JS_REGEX_CASELESS) != 0;
    t.ascii = (flags & OTEL_JS_REGEX_ASCII_SUBJECTS) != 0;
    int sticky = 0;
    size_t close;
    if (literal_form(src, srclen, &close)) {
        char have[16] = "";
        for (size_t f = close + 1; f < srclen; f++) {
            char c = src[f];
            t.base = 0;
            if (strchr(have, c))
                return fail(&t, f, "duplicate flag '%c' in the /pattern/flags literal", c);
            size_t hl = strlen(have);
            if (hl < sizeof have - 1) {
                have[hl] = c;
                have[hl + 1] = '\0';
            }
            switch (c) {
            case 'i': t.icase = 1; break;
            case 'm': t.multi = 1; break;
            case 's': t.dotall = 1; break;
            case 'u': t.u = 1; break;
            case 'y': sticky = 1; break;
            case 'g':
            case 'd': break; /* masking always replaces every match; indices are not used */
            case 'v': return fail(&t, f, "flag 'v' (unicodeSets) is not supported");
            default:
                return fail(&t, f, "invalid flag '%c' in the /pattern/flags literal (a slash in a pattern is written \\/)", c);
            }
        }
        t.s = src + 1;
        t.n = close - 1;
        t.base = 1;
    }
    int rc = count_groups(&t);
    int init_icase = t.icase;
    if (rc == 0) {
        if (sticky)
            emit(&t, "\\G(?:", 0);
        rc = parse_disjunction(&t, 0);
        if (rc == 0 && sticky)
            emit(&t, ")", t.n);
    }
    for (int k = 0; k < t.ngroups; k++)
        free(t.names[k]);
    free(t.names);
    if (rc == 0 && !t.oom) {
        emit_n(&t, "", 0, t.n);
        if (!t.oom && t.on + 1 <= t.ocap) {
            t.o[t.on] = '\0';
            t.map[t.on] = t.base + t.n;
        }
    }
    if (t.oom) {
        free(t.o);
        free(t.map);
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (rc != 0) {
        free(t.o);
        free(t.map);
        return -1;
    }
    if (!t.o) { /* the empty pattern */
        t.o = calloc(1, 1);
        t.map = calloc(1, sizeof *t.map);
        if (!t.o || !t.map) {
            free(t.o);
            free(t.map);
            if (err && errlen)
                snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    out->pcre2 = t.o;
    out->len = t.on;
    out->srcpos = t.map;
    out->caseless = init_icase;
    return 0;
}
