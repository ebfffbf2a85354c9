/*
 * redact.c - configured JavaScript regexes, translated (js_regex.c) and
 * compiled once by PCRE2 with JIT; bounded, lock-free
 * searching and masking on the caller's thread (per-thread match data, match
 * context, JIT stack, a reusable array of match ranges and the prefilter
 * indexes of the sets it masked with last).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "redact.h"
#include "js_regex.h"
#include "mask_prefilter.h"
#include "utf8.h"
#include "tls_scratch.h"

#include <pcre2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct otel_regex {
    pcre2_code *code;  /* for any text */
    pcre2_code *ascii; /* for text of ASCII characters only; NULL: code */
    int jit;           /* code is JIT compiled (the interpreter's depth limit does not apply) */
    int ascii_jit;     /* ascii is JIT compiled */
    otel_mask_prefilter *pf; /* which values it cannot match (NULL: it may match any) */
    uint32_t minlen;   /* the fewest characters a match takes (PCRE2_INFO_MINLENGTH) */
    int rest_test;     /* pf is asked about the rest of a value after a match (rest_may_match) */
    otel_mask_lead lead; /* the literal text every match starts with (lead.n 0: none) */
    struct otel_regex **parts; /* its top-level alternatives, masked one by one (NULL: whole) */
    size_t nparts;
    struct units *own;         /* its alternatives under one index (with parts) */
    char *pattern;
};

#define MAX_PARTS 64 /* alternatives of a pattern masked one by one (bits of a uint64_t) */
#define FITS_LEN 64  /* values shorter than this find the units they fit in a table */

/* The patterns of a set, each whole or as its alternatives (the units, at
 * most MAX_PARTS), under one prefilter index: bit i stands for unit i.
 * Built once for a pattern split into its alternatives (when it is
 * compiled), and for a set of several patterns once per thread (the
 * cache of thread_state). */
typedef struct units {
    otel_mask_index *ix;
    size_t n;
    uint32_t minlen_min, minlen_max;       /* no unit matches fewer characters; some unit needs as many */
    uint32_t minlen[MAX_PARTS];            /* unit i's (re[i]->minlen) */
    uint64_t fits[FITS_LEN];               /* fits[l]: the units whose matches may take l bytes or fewer */
    const struct otel_regex *re[MAX_PARTS]; /* unit i: a pattern, or an alternative of one */
    unsigned char first[MAX_PARTS + 1];     /* pattern p's units: first[p] to first[p + 1] - 1 */
    unsigned char pat[MAX_PARTS];           /* unit i's pattern */
} units;

/* A set's units as one thread built them, valid while the set holds the
 * same patterns and no pattern was freed since (regex_epoch): a pattern
 * freed and another compiled at its address must not find its units. */
typedef struct set_units {
    const otel_regex_set *set;
    uint64_t id; /* set's id (0: compare n and re) */
    unsigned long epoch;
    size_t n;
    const struct otel_regex *re[MAX_PARTS];
    int ok; /* 0: the set has more units than an index holds */
    units u;
} set_units;

#define SET_CACHE 4 /* sets a thread keeps the units of */

#define MEMO_LEN 32     /* values of at most this many bytes are remembered... */
#define MEMO_SLOTS 4    /* ...this many per thread... */
#define MEMO_PATTERNS 4 /* ...under sets of at most this many patterns */

/* A short value masking left as it was under a set's patterns: the same
 * bytes under the same patterns (n and re, while no pattern has been
 * freed since: regex_epoch) are left as they are again without a search.
 * Short values that repeat record after record (an application name, a
 * source file or function name) are read once. */
typedef struct memo {
    size_t n; /* 0: an empty slot */
    unsigned long epoch;
    const struct otel_regex *re[MEMO_PATTERNS];
    size_t len;
    char s[MEMO_LEN];
} memo;

static atomic_ulong regex_epoch; /* patterns freed so far */
static atomic_uint_fast64_t set_ids; /* ids given to sets so far */

uint64_t otel_regex_set_id(void) { return atomic_fetch_add_explicit(&set_ids, 1, memory_order_relaxed) + 1; }

/* The fewest characters a match of any pattern compiled so far takes (it
 * only ever goes down): a value of fewer bytes matches no pattern of any
 * set, and masking returns at once. */
static atomic_uint shortest_match = UINT32_MAX;

static void note_minlen(uint32_t ml)
{
    unsigned cur = atomic_load_explicit(&shortest_match, memory_order_relaxed);
    while (ml < cur && !atomic_compare_exchange_weak_explicit(&shortest_match, &cur, ml, memory_order_release,
                                                              memory_order_relaxed))
        ;
}

/* What one thread needs to match: created on first use, freed at thread exit. */
typedef struct thread_state {
    pcre2_match_data *md;
    PCRE2_SIZE *ov; /* md's ovector (where it stays for md's lifetime) */
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit_stack;
    size_t (*ranges)[2];
    size_t nranges_cap;
    uint32_t match_limit, depth_limit; /* what mctx holds now (0: not set yet) */
    char *clean; /* a sanitised copy of an invalid UTF-8 subject (search) */
    size_t clean_cap;
    otel_mask_subject sub; /* the summary of the value being masked (prefilter) */
    set_units *cache[SET_CACHE]; /* the units of the sets this thread masked with last */
    unsigned cache_next;         /* the entry replaced next */
    memo memo[MEMO_SLOTS];       /* short values left as they were */
    unsigned memo_next;          /* the slot replaced next */
} thread_state;

static atomic_ulong limit_hits;
static atomic_ulong masked_whole;

static int state_init(void *p)
{
    thread_state *t = p;
    t->md = pcre2_match_data_create(1, NULL); /* only the whole match is needed */
    t->mctx = pcre2_match_context_create(NULL);
    t->jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
    if (!t->md || !t->mctx)
        return -1;
    t->ov = pcre2_get_ovector_pointer(t->md);
    if (t->jit_stack)
        pcre2_jit_stack_assign(t->mctx, NULL, t->jit_stack);
    pcre2_set_heap_limit(t->mctx, OTEL_REGEX_HEAP_LIMIT_KIB);
    return 0;
}

/* This thread's state once state() made it (NULL again after state_fini). */
static __thread thread_state *this_state;

static void state_fini(void *p)
{
    thread_state *t = p;
    this_state = NULL; /* runs on the exiting thread: a later call makes a new one */
    pcre2_match_data_free(t->md);
    pcre2_match_context_free(t->mctx);
    pcre2_jit_stack_free(t->jit_stack);
    free(t->ranges);
    free(t->clean);
    for (int i = 0; i < SET_CACHE; i++)
        if (t->cache[i]) {
            otel_mask_index_free(t->cache[i]->u.ix);
            free(t->cache[i]);
        }
}

static otel_tls_kind state_kind = {.size = sizeof(thread_state), .init = state_init, .fini = state_fini};

/* This thread's state, kept in a thread-local pointer once made (a read
 * of it costs no call; state_fini clears it). */
static thread_state *state(void)
{
    if (__builtin_expect(this_state != NULL, 1))
        return this_state;
    return this_state = otel_tls_get(&state_kind);
}

/* LOG4C_OTEL_PCRE2_JIT=0 keeps to the interpreter. For memory checkers:
 * the JIT's SIMD scans read a few bytes past the subject (within an aligned
 * block, harmless), which valgrind reports as errors in code it cannot name. */
static int jit_wanted(void)
{
    const char *v = getenv("LOG4C_OTEL_PCRE2_JIT");
    return !(v && strcmp(v, "0") == 0);
}

/* Translates pattern with js_flags and compiles it; NULL with err set. */
static pcre2_code *compile_js(const char *pattern, int js_flags, char **pcre2_text, char *err, size_t errlen)
{
    int ec;
    PCRE2_SIZE eo;
    char why[256];
    otel_js_regex js;
    if (otel_js_regex_translate(pattern, strlen(pattern), js_flags, &js, why, sizeof why) != 0) {
        if (err && errlen)
            snprintf(err, errlen, "JavaScript: %s", why);
        return NULL;
    }
    /* UTF mode, subjects validated by us (PCRE2_NO_UTF_CHECK). Not
     * PCRE2_MATCH_INVALID_UTF: with JIT, PCRE2 10.42 ends \S+ at the first
     * non-ASCII character under that option -- a partial mask. A
     * backreference to a group that has not matched matches the empty
     * string, as in JavaScript. '.' of the ASCII translation stops at \r
     * and \n (the translation for any text never uses PCRE2's '.'). */
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_UNSET_BACKREF | PCRE2_NEVER_BACKSLASH_C;
    if (js.caseless)
        opts |= PCRE2_CASELESS;
    pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
    if (!cc || pcre2_set_newline(cc, PCRE2_NEWLINE_ANYCRLF) != 0) {
        pcre2_compile_context_free(cc);
        otel_js_regex_free(&js);
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* The ASCII translation, when it is ASCII itself, without UTF mode
     * first: on a subject of ASCII characters the two modes match alike
     * (every character is one byte; an escape of a code point past 255,
     * which only UTF mode takes, fails here and UTF mode is used), and
     * the JIT code of the other reads bytes without decoding them. */
    pcre2_code *code = NULL;
    if ((js_flags & OTEL_JS_REGEX_ASCII_SUBJECTS) && otel_utf8_ascii(js.pcre2, js.len))
        code = pcre2_compile((PCRE2_SPTR)js.pcre2, js.len, opts & ~(uint32_t)PCRE2_UTF, &ec, &eo, cc);
    if (!code)
        code = pcre2_compile((PCRE2_SPTR)js.pcre2, js.len, opts, &ec, &eo, cc);
    pcre2_compile_context_free(cc);
    if (!code && err && errlen) {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(ec, msg, sizeof msg) < 0)
            snprintf((char *)msg, sizeof msg, "error %d", ec);
        size_t at = js.srcpos[eo < js.len ? eo : js.len];
        snprintf(err, errlen, "not supported by PCRE2: %s at offset %zu", (const char *)msg, at);
    }
    if (code && jit_wanted())
        (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* without JIT: the interpreter */
    if (pcre2_text) {
        *pcre2_text = js.pcre2;
        js.pcre2 = NULL;
    }
    otel_js_regex_free(&js);
    return code;
}

/* u: the units of the n patterns pats (each whole, or its alternatives
 * when it is split), with their index; -1 when they are more than
 * MAX_PARTS or memory ran out (u->ix NULL). */
static int units_build(units *u, const otel_regex *const *pats, size_t n)
{
    size_t k = 0;
    u->ix = NULL;
    u->n = 0;
    if (n > MAX_PARTS)
        return -1;
    for (size_t p = 0; p < n; p++) {
        const otel_regex *re = pats[p];
        u->first[p] = (unsigned char)k;
        size_t add = re->nparts ? re->nparts : 1;
        if (k + add > MAX_PARTS)
            return -1;
        for (size_t i = 0; i < add; i++) {
            u->pat[k] = (unsigned char)p;
            u->re[k++] = re->nparts ? re->parts[i] : re;
        }
    }
    u->first[n] = (unsigned char)k;
    otel_mask_prefilter *pfs[MAX_PARTS];
    u->minlen_min = UINT32_MAX;
    u->minlen_max = 0;
    for (size_t i = 0; i < k; i++) {
        pfs[i] = u->re[i]->pf;
        u->minlen[i] = u->re[i]->minlen;
        if (u->minlen[i] < u->minlen_min)
            u->minlen_min = u->minlen[i];
        if (u->minlen[i] > u->minlen_max)
            u->minlen_max = u->minlen[i];
    }
    for (size_t l = 0; l < FITS_LEN; l++) {
        u->fits[l] = 0;
        for (size_t i = 0; i < k; i++)
            if (u->minlen[i] <= l)
                u->fits[l] |= 1ull << i;
    }
    u->n = k;
    u->ix = otel_mask_index_new(pfs, k);
    return u->ix ? 0 : -1;
}

/* An alternation whose alternatives mostly have a prefilter is also
 * compiled alternative by alternative (mask_prefilter.h): masking then
 * searches only the alternatives the prefilter lets through. Without
 * that, or when an alternative does not compile, the pattern stays whole. */
static void split(otel_regex *re, int flags)
{
    char **src;
    size_t k = otel_mask_split_alternatives(re->pattern, &src), with_pf = 0;
    if (k == 0)
        return;
    re->parts = k <= MAX_PARTS ? calloc(k, sizeof *re->parts) : NULL;
    for (size_t i = 0; i < k; i++) {
        if (re->parts && !(re->parts[i] = otel_regex_compile(src[i], flags, NULL, 0)))
            break;
        if (re->parts)
            with_pf += re->parts[i]->pf != NULL;
    }
    for (size_t i = 0; i < k; i++)
        free(src[i]);
    free(src);
    int whole = !re->parts || 2 * with_pf <= k;
    for (size_t i = 0; i < k && re->parts && !whole; i++)
        whole = re->parts[i] == NULL;
    if (!whole) {
        re->nparts = k;
        const otel_regex *self = re;
        if (!(re->own = malloc(sizeof *re->own)) || units_build(re->own, &self, 1) != 0)
            whole = 1;
    }
    if (whole) {
        if (re->own)
            otel_mask_index_free(re->own->ix);
        free(re->own);
        re->own = NULL;
        for (size_t i = 0; i < k && re->parts; i++)
            otel_regex_free(re->parts[i]);
        free(re->parts);
        re->parts = NULL;
        re->nparts = 0;
    }
}

otel_regex *otel_regex_compile(const char *pattern, int flags, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    otel_regex *re = calloc(1, sizeof *re);
    if (!re || !(re->pattern = strdup(pattern))) {
        free(re);
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        return NULL;
    }
    int js_flags = (flags & OTEL_REGEX_CASELESS) ? OTEL_JS_REGEX_CASELESS : 0;
    char *any_text = NULL, *ascii_text = NULL;
    re->code = compile_js(pattern, js_flags, &any_text, err, errlen);
    /* On ASCII text PCRE2's own \s, \S, . and case folding mean what
     * JavaScript's do, and run faster than the classes that spell out
     * JavaScript's meaning beyond ASCII: a second translation for it. */
    if (re->code)
        re->ascii = compile_js(pattern, js_flags | OTEL_JS_REGEX_ASCII_SUBJECTS, &ascii_text, NULL, 0);
    int same = any_text && ascii_text && strcmp(any_text, ascii_text) == 0;
    free(any_text);
    free(ascii_text);
    if (!re->code || !re->ascii) {
        if (re->code && err && errlen) /* the ASCII translation failed where the other did not */
            snprintf(err, errlen, "out of memory");
        otel_regex_free(re);
        return NULL;
    }
    /* the same text, compiled in UTF mode too: it would only repeat code */
    uint32_t ascii_opts = 0;
    if (same && (pcre2_pattern_info(re->ascii, PCRE2_INFO_ALLOPTIONS, &ascii_opts) != 0 || (ascii_opts & PCRE2_UTF))) {
        pcre2_code_free(re->ascii);
        re->ascii = NULL;
    }
    size_t jit_size = 0;
    re->jit = pcre2_pattern_info(re->code, PCRE2_INFO_JITSIZE, &jit_size) == 0 && jit_size > 0;
    jit_size = 0;
    re->ascii_jit = re->ascii && pcre2_pattern_info(re->ascii, PCRE2_INFO_JITSIZE, &jit_size) == 0 && jit_size > 0;
    uint32_t ml = 0, ml_ascii = 0;
    if (pcre2_pattern_info(re->code, PCRE2_INFO_MINLENGTH, &ml) != 0)
        ml = 0;
    if (re->ascii && pcre2_pattern_info(re->ascii, PCRE2_INFO_MINLENGTH, &ml_ascii) == 0 && ml_ascii < ml)
        ml = ml_ascii;
    re->minlen = ml; /* a value of fewer bytes has fewer characters: no match */
    note_minlen(ml);
    re->pf = otel_mask_prefilter_new(pattern, js_flags & OTEL_JS_REGEX_CASELESS); /* NULL: none, always run */
    /* A search that finds nothing is cheap when every match starts with
     * one known character (PCRE2's JIT code scans for it): reading the
     * rest of the value for the prefilter costs about as much. Without
     * one (a class, a word boundary before a class), it tries a match at
     * every position. */
    uint32_t first = 0;
    re->rest_test = re->pf && (pcre2_pattern_info(re->code, PCRE2_INFO_FIRSTCODETYPE, &first) != 0 || first != 1);
    otel_mask_lead_new(pattern, js_flags & OTEL_JS_REGEX_CASELESS, &re->lead);
    split(re, flags);
    return re;
}

void otel_regex_free(otel_regex *re)
{
    if (!re)
        return;
    /* first: a thread that is handed a pattern allocated where this one
     * was also sees that its memos and indexes are stale */
    atomic_fetch_add_explicit(&regex_epoch, 1, memory_order_release);
    pcre2_code_free(re->code);
    pcre2_code_free(re->ascii);
    otel_mask_prefilter_free(re->pf);
    for (size_t i = 0; i < re->nparts; i++)
        otel_regex_free(re->parts[i]);
    free(re->parts);
    if (re->own)
        otel_mask_index_free(re->own->ix);
    free(re->own);
    free(re->pattern);
    free(re);
}

const char *otel_regex_pattern(const otel_regex *re) { return re ? re->pattern : NULL; }

unsigned long otel_regex_limit_hits(void) { return atomic_load(&limit_hits); }

unsigned long otel_regex_masked_whole(void) { return atomic_load(&masked_whole); }

/* The limits of one search over len bytes (redact.h). */
static void set_limits(thread_state *t, size_t len)
{
    size_t extra = len > (SIZE_MAX / OTEL_REGEX_MATCH_LIMIT_PER_BYTE) ? SIZE_MAX : len * OTEL_REGEX_MATCH_LIMIT_PER_BYTE;
    uint64_t ml = (uint64_t)OTEL_REGEX_MATCH_LIMIT_BASE + extra;
    t->match_limit = ml > OTEL_REGEX_VALUE_BUDGET_MAX ? OTEL_REGEX_VALUE_BUDGET_MAX : (uint32_t)ml;
    pcre2_set_match_limit(t->mctx, t->match_limit);
    uint64_t dl = (uint64_t)10000 + len;
    t->depth_limit = dl > UINT32_MAX ? UINT32_MAX : (uint32_t)dl;
    pcre2_set_depth_limit(t->mctx, t->depth_limit);
}

/* One search from start, the ASCII translation when ascii says the
 * subject allows it: JIT code through pcre2_jit_match, which is what
 * pcre2_match runs for it after checks these calls pass anyway (a valid
 * UTF-8 subject, start <= len, no option JIT code cannot take); the
 * interpreter through pcre2_match. */
static int match(const otel_regex *re, int ascii, thread_state *t, const char *s, size_t len, size_t start)
{
    int use_ascii = ascii && re->ascii;
    const pcre2_code *code = use_ascii ? re->ascii : re->code;
    if (use_ascii ? re->ascii_jit : re->jit)
        return pcre2_jit_match(code, (PCRE2_SPTR)s, len, start, 0, t->md, t->mctx);
    return pcre2_match(code, (PCRE2_SPTR)s, len, start, PCRE2_NO_UTF_CHECK, t->md, t->mctx);
}

int otel_regex_search(const otel_regex *re, const char *s, size_t len, int *limit_hit)
{
    if (limit_hit)
        *limit_hit = 0;
    thread_state *t = state();
    if (!t) { /* cannot match at all: fail safe */
        if (limit_hit)
            *limit_hit = 1;
        return 1;
    }
    if (!otel_utf8_valid(s, len)) { /* search a sanitised copy (invalid bytes -> U+FFFD) */
        size_t n = otel_utf8_sanitized_len(s, len, 0);
        if (n + 1 > t->clean_cap) {
            char *c = realloc(t->clean, n + 1);
            if (!c) {
                if (limit_hit)
                    *limit_hit = 1;
                return 1;
            }
            t->clean = c;
            t->clean_cap = n + 1;
        }
        otel_utf8_sanitize(t->clean, s, len, 0);
        s = t->clean;
        len = n;
    }
    set_limits(t, len);
    int rc = match(re, otel_utf8_ascii(s, len), t, s, len, 0);
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    atomic_fetch_add(&limit_hits, 1);
    if (limit_hit)
        *limit_hit = 1;
    return 1; /* a limit or another error: treat as a match (fail safe) */
}

/* Code points in s[0..n): bytes that are not UTF-8 continuation bytes. */
static size_t code_points(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

static size_t next_cp(const char *s, size_t len, size_t i)
{
    i++;
    while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
        i++;
    return i;
}

static size_t mask_all(char *s, size_t len)
{
    size_t n = code_points(s, len);
    memset(s, '*', n);
    if (n < len)
        s[n] = '\0';
    return n;
}

/* Makes room for more ranges; -1 when memory ran out. */
static __attribute__((noinline)) int grow_ranges(thread_state *t)
{
    size_t cap = t->nranges_cap ? t->nranges_cap * 2 : 16;
    void *p = realloc(t->ranges, cap * sizeof *t->ranges);
    if (!p)
        return -1;
    t->ranges = p;
    t->nranges_cap = cap;
    return 0;
}

/* Appends [a, b) to the ranges; merged with the previous one when that is
 * one of the same pattern's (index >= from) and overlaps or touches it. */
static inline int add_range(thread_state *t, size_t *n, size_t from, size_t a, size_t b)
{
    if (*n > from && a <= t->ranges[*n - 1][1]) {
        if (b > t->ranges[*n - 1][1])
            t->ranges[*n - 1][1] = b;
        if (a < t->ranges[*n - 1][0])
            t->ranges[*n - 1][0] = a;
        return 0;
    }
    if (*n == t->nranges_cap && grow_ranges(t) != 0)
        return -1;
    t->ranges[*n][0] = a;
    t->ranges[*n][1] = b;
    (*n)++;
    return 0;
}

/* The steps one value may take across all its matches and patterns. */
static uint64_t value_budget(size_t len)
{
    uint64_t b = (uint64_t)OTEL_REGEX_MATCH_LIMIT_BASE +
                 (len > OTEL_REGEX_VALUE_BUDGET_MAX / OTEL_REGEX_MATCH_LIMIT_PER_BYTE
                      ? OTEL_REGEX_VALUE_BUDGET_MAX
                      : (uint64_t)len * OTEL_REGEX_MATCH_LIMIT_PER_BYTE);
    return b > OTEL_REGEX_VALUE_BUDGET_MAX ? OTEL_REGEX_VALUE_BUDGET_MAX : b;
}

/* One pcre2_match charged to *left. PCRE2 cannot say how many steps a
 * call took, only whether it stayed under its limit: the call runs with a
 * small limit, doubled and run again while it hits it, and every attempt
 * is charged its whole limit -- an upper bound on the work done, at most
 * four times it (and at least OTEL_REGEX_CALL_FIRST_LIMIT a call).
 * PCRE2_ERROR_MATCHLIMIT once *left is spent. */
static int budget_match_slow(const otel_regex *re, int ascii, thread_state *t, const char *s, size_t len,
                             size_t start, uint64_t *left, uint64_t g)
{
    for (;;) {
        if (*left == 0)
            return PCRE2_ERROR_MATCHLIMIT;
        if (g > *left)
            g = *left;
        if (t->match_limit != (uint32_t)g) {
            t->match_limit = (uint32_t)g;
            pcre2_set_match_limit(t->mctx, t->match_limit);
        }
        int rc = match(re, ascii, t, s, len, start);
        *left -= g;
        if (rc != PCRE2_ERROR_MATCHLIMIT)
            return rc;
        g *= 2;
    }
}

static inline int budget_match(const otel_regex *re, int ascii, thread_state *t, const char *s, size_t len,
                               size_t start, uint64_t *left)
{
    if (*left >= OTEL_REGEX_CALL_FIRST_LIMIT && t->match_limit == OTEL_REGEX_CALL_FIRST_LIMIT) { /* the usual call */
        *left -= OTEL_REGEX_CALL_FIRST_LIMIT;
        int rc = match(re, ascii, t, s, len, start);
        if (rc != PCRE2_ERROR_MATCHLIMIT)
            return rc;
        return budget_match_slow(re, ascii, t, s, len, start, left, 2 * (uint64_t)OTEL_REGEX_CALL_FIRST_LIMIT);
    }
    return budget_match_slow(re, ascii, t, s, len, start, left, OTEL_REGEX_CALL_FIRST_LIMIT);
}

/* The interpreter's depth limit for re over len bytes (JIT code has none). */
static void set_depth(thread_state *t, const otel_regex *re, size_t len)
{
    if (re->jit)
        return;
    uint32_t depth = len > UINT32_MAX - 10000u ? UINT32_MAX : (uint32_t)(10000u + len);
    if (t->depth_limit != depth) {
        t->depth_limit = depth;
        pcre2_set_depth_limit(t->mctx, depth);
    }
}

/* Whether a search of re from start (after a match) may find another
 * match, for a pattern whose matches do not all start with one known
 * character (re->rest_test; 1 for the others): 0 when s[start..len) is
 * shorter than any match or lacks what the prefilter requires of every
 * match, searched in those bytes themselves (a search from start tries
 * only positions from start on, and what a match consumes lies after its
 * start). Asked once per pattern and value, after the first match: a
 * value of many matches does not read its rest again after each. */
static int rest_may_match(const otel_regex *re, const char *s, size_t len, size_t start, int ascii)
{
    if (!re->rest_test)
        return 1;
    return len - start >= re->minlen && otel_mask_prefilter_may_match_text(re->pf, s + start, len - start, ascii);
}

/* Where a search of re from start may find its next match at the
 * earliest: the first occurrence of its leading literal at or after
 * start (an attempt at any position before it fails at once), SIZE_MAX
 * when there is none (no match from start on); start when re has no
 * leading literal usable for the value. PCRE2 searching from that offset
 * still sees the text before it (lookbehinds, \b). Asked only after a
 * match: from a value's start PCRE2's JIT scan for the first character
 * costs less than this search before it. */
static inline size_t lead_start(const otel_regex *re, int ascii, const char *s, size_t len, size_t start)
{
    if (!re->lead.n || (re->lead.folded && !ascii))
        return start;
    return otel_mask_lead_find(&re->lead, s, len, start);
}

/* Every match of re in s[0..len) (unmodified: lookbehinds must see the
 * original), appended to the ranges, as JavaScript's
 * String.prototype.replace with a global regex finds them: after an empty
 * match the search goes on one character further. With lead, a search
 * after a match starts at the next occurrence of the pattern's leading
 * literal (lead_start) and is skipped when there is none; with prefilter,
 * also when rest_may_match rules the rest out. 0, or -1 when the budget ran out
 * (or another failure). */
static int collect(const otel_regex *re, int ascii, thread_state *t, const char *s, size_t len, size_t *n,
                   uint64_t *left, int prefilter, int lead)
{
    size_t from = *n, start = 0;
    int ask = prefilter && re->rest_test; /* rest_may_match not asked yet */
    while (start <= len) {
        if (ask && start > 0) {
            ask = 0;
            if (!rest_may_match(re, s, len, start, ascii))
                break;
        }
        size_t from_at = start;
        if (lead && start > 0 && (from_at = lead_start(re, ascii, s, len, start)) == SIZE_MAX)
            break;
        int rc = budget_match(re, ascii, t, s, len, from_at, left);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0)
            return -1;
        const PCRE2_SIZE *ov = t->ov;
        size_t a = ov[0], b = ov[1];
        if (b < a) { /* \K tricks: cover both ends */
            size_t x = a;
            a = b;
            b = x;
        }
        if (b > len)
            b = len;
        if (b > a && add_range(t, n, from, a, b) != 0)
            return -1;
        if (ov[1] > ov[0])
            start = ov[1];
        else if (ov[1] >= len)
            break;
        else
            start = next_cp(s, len, ov[1]);
    }
    return 0;
}

/* The summary of s[0..len) in t->sub, made on the first call for the
 * value (*done). */
static const otel_mask_subject *summary(thread_state *t, int *done, const char *s, size_t len, int ascii)
{
    if (!*done) {
        otel_mask_subject_scan(&t->sub, s, len, ascii);
        *done = 1;
    }
    return &t->sub;
}

/* The units of u that may match s[0..len) among the index's candidates
 * (live): those long enough for a match whose prefilter lets the value
 * through by its single bytes and runs (the index tested the pairs of
 * their keys; a summary of every pair would cost more than the searches
 * it saves). */
static uint64_t live_of(const units *u, uint64_t live, const char *s, size_t len, int ascii)
{
    if (len < FITS_LEN)
        live &= u->fits[len];
    else if (len < u->minlen_max)
        for (uint64_t m = live; m; m &= m - 1) {
            size_t i = (size_t)__builtin_ctzll(m);
            if (len < u->minlen[i])
                live &= ~(1ull << i);
        }
    return live ? otel_mask_index_bytes(u->ix, live, s, len, ascii) : 0;
}

/* live_of the index's candidates for s[0..len). */
static uint64_t live_units(const units *u, const char *s, size_t len, int ascii)
{
    if (len < u->minlen_min)
        return 0;
    return live_of(u, otel_mask_index_candidates(u->ix, s, len, ascii), s, len, ascii);
}

/* collect() for a pattern split into its alternatives (re->parts, at most
 * MAX_PARTS), searching only those of live (bit i: alternative i): the
 * same matches as the whole pattern's, found alternative by alternative.
 * At each step the match is the leftmost any alternative finds from the
 * current start, the first alternative in order on a tie (what the whole
 * pattern's search tries first at that position). An alternative's next
 * match is searched again only once the start passed it, from the next
 * occurrence of its leading literal, and not at all when there is none or
 * rest_may_match rules out the rest of the value (asked once per
 * alternative). The others are never searched: the prefilter ruled them
 * out (or they are longer than the value), so they have no match. */
static int collect_parts(const otel_regex *re, int ascii, thread_state *t, const char *s, size_t len, size_t *n,
                         uint64_t *left, uint64_t live)
{
    size_t at[MAX_PARTS][2];
    size_t from = *n, start = 0;
    uint64_t found = 0; /* live: may match from start on; found: at[] holds its next match */
    uint64_t asked = 0; /* rest_may_match asked already */
    while (start <= len && live) {
        size_t best = SIZE_MAX, bi = 0;
        for (uint64_t m = live; m; m &= m - 1) { /* in order: the first wins a tie */
            size_t i = (size_t)__builtin_ctzll(m);
            uint64_t bit = 1ull << i;
            if ((found & bit) && at[i][0] < start)
                found &= ~bit;
            if (!(found & bit) && start > 0 && !(asked & bit) && re->parts[i]->rest_test) {
                asked |= bit;
                if (!rest_may_match(re->parts[i], s, len, start, ascii)) {
                    live &= ~bit; /* what its search would find: no match */
                    continue;
                }
            }
            if (!(found & bit)) {
                size_t from_at = start > 0 ? lead_start(re->parts[i], ascii, s, len, start) : 0;
                if (from_at == SIZE_MAX) {
                    live &= ~bit; /* no match from start on */
                    continue;
                }
                set_depth(t, re->parts[i], len);
                int rc = budget_match(re->parts[i], ascii, t, s, len, from_at, left);
                if (rc == PCRE2_ERROR_NOMATCH) {
                    live &= ~bit;
                    continue;
                }
                if (rc < 0)
                    return -1;
                const PCRE2_SIZE *ov = t->ov;
                at[i][0] = ov[0];
                at[i][1] = ov[1];
                found |= bit;
            }
            if (at[i][0] < best) {
                best = at[i][0];
                bi = i;
            }
        }
        if (best == SIZE_MAX)
            break;
        size_t m0 = at[bi][0], m1 = at[bi][1];
        size_t a = m0 < m1 ? m0 : m1, b = m0 < m1 ? m1 : m0;
        if (b > len)
            b = len;
        if (b > a && add_range(t, n, from, a, b) != 0)
            return -1;
        if (m1 > m0)
            start = m1;
        else if (m1 >= len)
            break;
        else
            start = next_cp(s, len, m1);
    }
    return 0;
}

static int by_start(const void *x, const void *y)
{
    const size_t *a = x, *b = y;
    return a[0] < b[0] ? -1 : a[0] > b[0];
}

/* Sorts the n ranges of several patterns and merges those that overlap or
 * touch; returns how many are left. */
static size_t merge_ranges(thread_state *t, size_t n)
{
    qsort(t->ranges, n, sizeof *t->ranges, by_start);
    size_t w = 0;
    for (size_t i = 1; i < n; i++) {
        if (t->ranges[i][0] <= t->ranges[w][1]) {
            if (t->ranges[i][1] > t->ranges[w][1])
                t->ranges[w][1] = t->ranges[i][1];
        } else {
            w++;
            t->ranges[w][0] = t->ranges[i][0];
            t->ranges[w][1] = t->ranges[i][1];
        }
    }
    return w + 1;
}

static size_t mask_whole(char *s, size_t len)
{
    atomic_fetch_add(&limit_hits, 1);
    atomic_fetch_add(&masked_whole, 1);
    return mask_all(s, len);
}

/* Whether n patterns re (what a thread's entry was made for) are set's */
static inline int same_patterns(size_t n, const otel_regex *const *re, const otel_regex_set *set)
{
    if (n != set->n)
        return 0;
    size_t k = 0; /* a loop, not memcmp: a memo's set has a pattern or a few */
    while (k < n && re[k] == set->re[k])
        k++;
    return k == n;
}

/* set_units_of when the cache does not hold set's units: built into the
 * entry replaced next. */
static __attribute__((noinline)) const units *set_units_build(thread_state *t, const otel_regex_set *set,
                                                              unsigned long epoch)
{
    unsigned slot = t->cache_next++ % SET_CACHE;
    set_units *c = t->cache[slot];
    if (c) {
        otel_mask_index_free(c->u.ix);
        c->u.ix = NULL;
    } else if (!(c = t->cache[slot] = malloc(sizeof *c))) {
        return NULL;
    }
    c->set = set;
    c->id = set->id;
    c->n = set->n;
    c->epoch = epoch;
    memcpy(c->re, set->re, set->n * sizeof set->re[0]);
    c->ok = units_build(&c->u, set->re, set->n) == 0;
    if (!c->ok && !c->u.ix && c->u.n) /* memory ran out: try again next time */
        c->set = NULL;
    return c->ok ? &c->u : NULL;
}

/* The units of set (several patterns) from this thread's cache, built on
 * the set's first use; NULL when they do not fit an index. */
static inline const units *set_units_of(thread_state *t, const otel_regex_set *set)
{
    if (set->n > MAX_PARTS)
        return NULL;
    unsigned long epoch = atomic_load_explicit(&regex_epoch, memory_order_acquire);
    for (int i = 0; i < SET_CACHE; i++) {
        const set_units *c = t->cache[i];
        /* a set with an id does not change (redact.h); one without is
         * compared pattern by pattern */
        if (c && c->set == set && c->epoch == epoch &&
            (set->id ? c->id == set->id
                     : c->id == 0 && same_patterns(c->n, c->re, set)))
            return c->ok ? &c->u : NULL;
    }
    return set_units_build(t, set, epoch);
}

/* The units' searches for the live ones (bit i: unit i of u) of the
 * set's patterns, appended to the ranges: 0, or -1 when the budget ran
 * out (or another failure). */
static int collect_units(const otel_regex_set *set, const units *u, uint64_t live, int ascii, thread_state *t,
                         const char *s, size_t len, size_t *n, uint64_t *left)
{
    while (live) { /* pattern by pattern, in order, those with a live unit */
        size_t p = u->pat[__builtin_ctzll(live)];
        unsigned lo = u->first[p], k = u->first[p + 1] - lo;
        uint64_t bits = (live >> lo) & (k >= 64 ? ~0ull : (1ull << k) - 1);
        live &= ~(bits << lo);
        const otel_regex *re = set->re[p];
        if (re->nparts && (bits & (bits - 1))) {
            if (collect_parts(re, ascii, t, s, len, n, left, bits) != 0)
                return -1;
        } else if (re->nparts) { /* one alternative: its own matches are the pattern's */
            const otel_regex *part = re->parts[__builtin_ctzll(bits)];
            set_depth(t, part, len);
            if (collect(part, ascii, t, s, len, n, left, 1, 1) != 0)
                return -1;
        } else {
            set_depth(t, re, len);
            if (collect(re, ascii, t, s, len, n, left, 1, 1) != 0)
                return -1;
        }
    }
    return 0;
}

/* Whether t remembers s[0..len) as left as it was under set's patterns
 * with epoch as regex_epoch (memo). */
static inline int memo_has(const thread_state *t, const otel_regex_set *set, const char *s, size_t len,
                           unsigned long epoch)
{
    for (int i = 0; i < MEMO_SLOTS; i++) {
        const memo *m = &t->memo[i];
        if (m->len == len && m->epoch == epoch && same_patterns(m->n, m->re, set) && memcmp(m->s, s, len) == 0)
            return 1;
    }
    return 0;
}

/* Remembers s[0..len) (len <= MEMO_LEN) as left as it was under set's
 * patterns (set->n <= MEMO_PATTERNS), in the slot replaced next. */
static void memo_add(thread_state *t, const otel_regex_set *set, const char *s, size_t len, unsigned long epoch)
{
    memo *m = &t->memo[t->memo_next++ % MEMO_SLOTS];
    m->n = set->n;
    m->epoch = epoch;
    memcpy(m->re, set->re, set->n * sizeof set->re[0]);
    m->len = len;
    memcpy(m->s, s, len);
}

/* otel_regex_mask_set; without the prefilter when prefilter is 0; with
 * the code for any text on an ASCII value too when any_text is 1. */
static inline __attribute__((always_inline)) size_t mask_set(const otel_regex_set *set, char *s, size_t len,
                                                               int prefilter, int any_text)
{
    if (!set)
        return len;
    if (set->n == 0) { /* a union that could not be built */
        if (!otel_utf8_ascii(s, len) && !otel_utf8_valid(s, len))
            return mask_all(s, len);
        return mask_whole(s, len);
    }
    if (prefilter && len < atomic_load_explicit(&shortest_match, memory_order_acquire)) {
        /* shorter than any match of any pattern: only the fail-safe check */
        if (!otel_utf8_ascii(s, len) && !otel_utf8_valid(s, len))
            return mask_all(s, len);
        return len;
    }
    /* a short value masking left as it was (memo), under a set of a few
     * patterns: left as it is again */
    thread_state *t = NULL;
    unsigned long epoch = 0;
    int memoize = prefilter && !any_text && len <= MEMO_LEN && set->n <= MEMO_PATTERNS;
    if (memoize) {
        if (!(t = state()))
            return mask_all(s, len);
        epoch = atomic_load_explicit(&regex_epoch, memory_order_acquire);
        if (memo_has(t, set, s, len, epoch))
            return len;
    }
    size_t n = 0;
    /* searches after a match start at the pattern's leading literal: the
     * caller's choice, kept before a single pattern turns the index off */
    int lead = prefilter;
    /* a single pattern is not prefiltered unless split (one search costs
     * about what the index costs) */
    if (len > OTEL_MASK_PREFILTER_MAX_LEN || (set->n == 1 && !set->re[0]->nparts))
        prefilter = 0;
    /* the per-thread state, fetched once something needs it (a split
     * pattern's index is its own) */
    const units *u = NULL;
    if (prefilter && set->n == 1) {
        u = set->re[0]->own;
    } else {
        if (!t && !(t = state()))
            return mask_all(s, len);
        if (prefilter)
            u = set_units_of(t, set);
    }
    /* whether the value is ASCII: found by the index's pass when it runs */
    int ascii;
    uint64_t live = 0;
    if (u && len >= u->minlen_min)
        live = otel_mask_index_scan(u->ix, s, len, &ascii);
    else
        ascii = otel_utf8_ascii(s, len);
    if (!ascii && !otel_utf8_valid(s, len)) /* callers sanitise first; anything else: fail safe */
        return mask_all(s, len);
    if (any_text)
        ascii = 0; /* what is asked of a value with a non-ASCII character: for ASCII ones too */
    if (u) { /* one pass over the value rules out most units */
        if (live)
            live = live_of(u, live, s, len, ascii);
        if (!live) {
            if (memoize)
                memo_add(t, set, s, len, epoch);
            return len;
        }
        if (!t && !(t = state()))
            return mask_all(s, len);
        uint64_t left = value_budget(len);
        if (collect_units(set, u, live, ascii, t, s, len, &n, &left) != 0)
            return mask_whole(s, len);
    } else { /* pattern by pattern (no prefilter, or more units than an index holds) */
        uint64_t left = value_budget(len);
        int summarised = 0; /* the value's pairs, summarised when a prefilter first asks */
        for (size_t p = 0; p < set->n; p++) {
            const otel_regex *re = set->re[p];
            if (prefilter && len < re->minlen)
                continue; /* too short for any match */
            if (prefilter && re->nparts) {
                uint64_t lv = live_units(re->own, s, len, ascii);
                if (lv && collect_parts(re, ascii, t, s, len, &n, &left, lv) != 0)
                    return mask_whole(s, len);
                continue;
            }
            if (prefilter && re->pf && !otel_mask_prefilter_may_match(re->pf, summary(t, &summarised, s, len, ascii)))
                continue; /* no match anywhere: the search would find none */
            set_depth(t, re, len);
            if (collect(re, ascii, t, s, len, &n, &left, prefilter, lead) != 0)
                return mask_whole(s, len);
        }
    }
    if (n == 0) {
        if (memoize)
            memo_add(t, set, s, len, epoch);
        return len;
    }
    if (set->n > 1 && n > 1)
        n = merge_ranges(t, n);
    /* compact in place; the output never outruns the input */
    if (ascii) { /* one '*' per byte: nothing moves */
        for (size_t i = 0; i < n; i++)
            memset(s + t->ranges[i][0], '*', t->ranges[i][1] - t->ranges[i][0]);
        return len;
    }
    size_t w = 0, r = 0;
    for (size_t i = 0; i < n; i++) {
        size_t a = t->ranges[i][0], b = t->ranges[i][1];
        memmove(s + w, s + r, a - r);
        w += a - r;
        size_t cps = code_points(s + a, b - a);
        memset(s + w, '*', cps);
        w += cps;
        r = b;
    }
    memmove(s + w, s + r, len - r);
    w += len - r;
    if (w < len)
        s[w] = '\0';
    return w;
}

size_t otel_regex_mask_set(const otel_regex_set *set, char *s, size_t len) { return mask_set(set, s, len, 1, 0); }

size_t otel_regex_set_floor(const otel_regex_set *set)
{
    if (!set)
        return SIZE_MAX;
    if (set->n == 0)
        return 0; /* mask_set masks every value whole */
    return atomic_load_explicit(&shortest_match, memory_order_acquire);
}

size_t otel_regex_mask_set_unfiltered(const otel_regex_set *set, char *s, size_t len)
{
    return mask_set(set, s, len, 0, 0);
}

size_t otel_regex_mask_set_any_text(const otel_regex_set *set, char *s, size_t len)
{
    return mask_set(set, s, len, 1, 1);
}

size_t otel_regex_mask(const otel_regex *re, char *s, size_t len)
{
    /* a set of one pattern, with room for its one pointer */
    union {
        otel_regex_set set;
        unsigned char room[sizeof(otel_regex_set) + sizeof(const otel_regex *)];
    } u = {.set = {.n = 1}};
    u.set.re[0] = re;
    return otel_regex_mask_set(&u.set, s, len);
}
