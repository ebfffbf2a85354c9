/*
 * mask_prefilter.c - the literal prefilter of a hideRegex (mask_prefilter.h):
 * what literal text every match of each top-level alternative of a
 * JavaScript pattern contains, read from the pattern's source; the test of
 * a value's summary against it, and the index that tests two byte pairs of
 * each of many prefilters in one pass over a value (SSE2 on x86-64, with
 * the same answers as the portable scalar code), then their single bytes
 * and runs.
 *
 * The reading is conservative: anything it does not recognise as literal
 * text (classes, escapes other than escaped punctuation and \t \n \r \f \v,
 * groups that are not a choice between literal strings, lookarounds,
 * quantified atoms that may repeat zero times, non-ASCII characters) only
 * ends the current run of literal text. A literal that is cut (to
 * MAX_LIT bytes) or a requirement that is left out (past MAX_CLAUSES) only
 * makes the test weaker, never wrong.
 */
#include "mask_prefilter.h"
#include "js_regex.h"
#include "utf8.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && defined(__x86_64__)
#define MASK_SSE2 1
#include <immintrin.h>
#endif

#define KEY_BYTE 0x8000u /* a key that is one byte, searched with memchr */
#define MAX_LIT 16     /* bytes of one literal kept (a prefix of a required literal is required) */
#define MAX_CHOICES 8  /* strings of one choice group */
#define MAX_CLAUSES 6  /* requirements of one alternative */
#define MAX_RUNS 2     /* runs of characters of one class one alternative needs */
#define MIN_RUN 4      /* shorter runs are not worth a pass over the value */

typedef struct lit {
    unsigned char len;
    unsigned char s[MAX_LIT];     /* ASCII letters folded to lower case */
    uint16_t pair[MAX_LIT - 1];   /* the bits of its byte pairs in the summary (set when built) */
    unsigned char rare;           /* the byte searched first in a value: one that is not a letter, or the rarest */
} lit;

/* one requirement: the value holds at least one of the n literals */
typedef struct clause {
    unsigned char n;
    lit l[MAX_CHOICES];
} clause;

/* a run of at least min consecutive bytes, each one of the set */
typedef struct run {
    uint64_t set[4];
    size_t min;
    unsigned char in[256]; /* in[c]: c is one of the set (made from set once it is complete) */
} run;

/* one top-level alternative: every clause and every run holds */
typedef struct alt {
    unsigned char n, nruns;
    clause c[MAX_CLAUSES];
    run r[MAX_RUNS];
} alt;

struct otel_mask_prefilter {
    int caseless;
    int pairs; /* some literal has two bytes or more: the test reads the summary's pairs */
    size_t nalts;
    alt *a;
    /* one alternative: its most selective requirement, one summary entry
     * per literal (its first byte pair, or its byte), tried first */
    unsigned char nkey;
    uint16_t key[MAX_CHOICES];  /* entries of otel_mask_subject.e (first pair), or KEY_BYTE | a byte */
    uint16_t key2[MAX_CHOICES]; /* the literal's last pair (or key again) */
};

static inline unsigned fold(unsigned char c) { return c >= 'A' && c <= 'Z' ? c | 0x20u : c; }

/* A byte pair (a, b), both folded, is entry PAIR_HASH(a) ^ b of the
 * summary's pair table: scanning then takes two table reads per byte. */
#define FOLDV(c) ((unsigned)((c) >= 'A' && (c) <= 'Z' ? (c) | 0x20 : (c)))
#define PAIR_HASH(a) ((((unsigned)(a) + 1u) * 0x9E3779B1u) >> (32 - 11))

#define T4(F, c) F(c), F(c + 1), F(c + 2), F(c + 3)
#define T16(F, c) T4(F, c), T4(F, c + 4), T4(F, c + 8), T4(F, c + 12)
#define T64(F, c) T16(F, c), T16(F, c + 16), T16(F, c + 32), T16(F, c + 48)
#define T256(F) T64(F, 0), T64(F, 64), T64(F, 128), T64(F, 192)
#define FOLD_ENTRY(c) (uint16_t) FOLDV(c)
#define HASH_ENTRY(c) (uint16_t) PAIR_HASH(FOLDV(c))
static const uint16_t FOLD[256] = {T256(FOLD_ENTRY)};    /* a byte, folded */
static const uint16_t PAIR_OF[256] = {T256(HASH_ENTRY)}; /* a byte, folded, as the first of a pair */
#undef FOLD_ENTRY
#undef HASH_ENTRY
#undef T256
#undef T64
#undef T16
#undef T4

static inline unsigned pair_bit(unsigned a, unsigned b) { return PAIR_HASH(a) ^ b; } /* a, b folded */

void otel_mask_subject_scan(otel_mask_subject *sub, const char *s, size_t len, int ascii)
{
    if (++sub->gen == 0) { /* the generations went round: clear once */
        memset(sub->e, 0, sizeof sub->e);
        sub->gen = 1;
    }
    const uint16_t g = sub->gen;
    sub->ascii = ascii;
    sub->s = s;
    sub->len = len;
    if (len == 0)
        return;
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    uint16_t *e = sub->e + 256;
    unsigned first = PAIR_OF[*p++];
    for (; p + 2 <= end; p += 2) { /* two pairs a round; the bytes read before the stores */
        unsigned b0 = p[0], b1 = p[1];
        e[first ^ FOLD[b0]] = g;
        e[PAIR_OF[b0] ^ FOLD[b1]] = g;
        first = PAIR_OF[b1];
    }
    if (p < end)
        e[first ^ FOLD[*p]] = g;
}

/* The value a test reads: with its summary's pairs (sub), or without
 * (sub NULL): then a literal of two bytes or more is searched in the
 * value itself when the test says so (text), and counts as present
 * otherwise. */
typedef struct view {
    const unsigned char *s;
    size_t len;
    int ascii;
    const otel_mask_subject *sub;
} view;

/* Whether the value holds byte c (folded: either case). */
static int has_byte(const view *v, unsigned c)
{
    if (memchr(v->s, (int)c, v->len))
        return 1;
    return c >= 'a' && c <= 'z' && memchr(v->s, (int)(c - 32), v->len) != NULL;
}

/* Whether the value holds literal l (l->len >= 2), either case: its byte
 * l->rare looked for with memchr (both cases of a letter), the rest
 * compared where it is found. */
__attribute__((noinline)) static int lit_in_text(const lit *l, const view *v)
{
    if (l->len > v->len)
        return 0;
    unsigned r = l->rare, c = l->s[r];
    const unsigned char *first = v->s + r, *end = first + (v->len - l->len + 1); /* where byte r may be */
    for (int upper = 0; upper < 2; upper++, c -= 32) {
        for (const unsigned char *p = first; p < end && (p = memchr(p, (int)c, (size_t)(end - p))) != NULL; p++) {
            const unsigned char *at = p - r;
            unsigned j = 0;
            while (j < l->len && FOLD[at[j]] == l->s[j])
                j++;
            if (j == l->len)
                return 1;
        }
        if (c < 'a' || c > 'z')
            break;
    }
    return 0;
}

static inline __attribute__((always_inline)) int lit_present(const lit *l, const view *v, int text)
{
    if (l->len == 1)
        return has_byte(v, l->s[0]);
    if (!v->sub)
        return !text || lit_in_text(l, v);
    for (unsigned i = 0; i + 1 < l->len; i++)
        if (v->sub->e[256 + l->pair[i]] != v->sub->gen)
            return 0;
    return 1;
}

static int run_present(const run *r, const view *v)
{
    if (r->min > v->len)
        return 0;
    /* a window of min bytes, read from its end: at a byte outside the set
     * no run can hold, the next window starts just after it */
    const unsigned char *p = v->s;
    size_t i = 0;
    while (i + r->min <= v->len) {
        size_t j = i + r->min;
        while (j > i && r->in[p[j - 1]])
            j--;
        if (j == i)
            return 1;
        i = j;
    }
    return 0;
}

/* text: literals of two bytes or more are searched in v itself (without
 * a summary); a constant at each call, so that the tests that do not
 * search them are compiled without that path. */
static inline __attribute__((always_inline)) int may_match(const otel_mask_prefilter *pf, const view *v, int text)
{
    if (!pf || (pf->caseless && !v->ascii))
        return 1;
    if (pf->nkey) {
        unsigned k;
        for (k = 0; k < pf->nkey; k++)
            if (pf->key[k] & KEY_BYTE ? has_byte(v, pf->key[k] & 0xFFu)
                                      : !v->sub || (v->sub->e[pf->key[k]] == v->sub->gen &&
                                                    v->sub->e[pf->key2[k]] == v->sub->gen))
                break;
        if (k == pf->nkey)
            return 0;
    }
    for (size_t a = 0; a < pf->nalts; a++) {
        const alt *al = &pf->a[a];
        unsigned c;
        for (c = 0; c < al->n; c++) {
            const clause *cl = &al->c[c];
            unsigned k;
            for (k = 0; k < cl->n; k++)
                if (lit_present(&cl->l[k], v, text))
                    break;
            if (k == cl->n)
                break; /* this requirement fails: the alternative cannot match */
        }
        if (c < al->n)
            continue;
        unsigned k;
        for (k = 0; k < al->nruns; k++)
            if (!run_present(&al->r[k], v))
                break;
        if (k == al->nruns)
            return 1;
    }
    return 0;
}

int otel_mask_prefilter_may_match(const otel_mask_prefilter *pf, const otel_mask_subject *sub)
{
    view v = {(const unsigned char *)sub->s, sub->len, sub->ascii, sub};
    return may_match(pf, &v, 0);
}

int otel_mask_prefilter_may_match_bytes(const otel_mask_prefilter *pf, const char *s, size_t len, int ascii)
{
    view v = {(const unsigned char *)s, len, ascii, NULL};
    return may_match(pf, &v, 0);
}

int otel_mask_prefilter_may_match_text(const otel_mask_prefilter *pf, const char *s, size_t len, int ascii)
{
    view v = {(const unsigned char *)s, len, ascii, NULL};
    return may_match(pf, &v, 1);
}

/* Whether otel_mask_prefilter_may_match_bytes can ever answer 0 for pf
 * (some alternative has a literal of one byte or a run to test); 0 for
 * NULL. */
static int tests_bytes(const otel_mask_prefilter *pf)
{
    if (!pf)
        return 0;
    for (size_t a = 0; a < pf->nalts; a++) {
        const alt *al = &pf->a[a];
        if (al->nruns)
            return 1;
        for (unsigned c = 0; c < al->n; c++)
            for (unsigned k = 0; k < al->c[c].n; k++)
                if (al->c[c].l[k].len == 1)
                    return 1;
    }
    return 0;
}

/* ---- the index: the keys of many prefilters, tested in one pass ---- */

struct otel_mask_index {
    uint64_t always;   /* prefilters without a key: always candidates */
    uint64_t caseless; /* case-insensitive ones: candidates for non-ASCII values */
    /* bit i of slot[h][k]: a byte pair of prefilter i's k-th key hashes to
     * h (index_hash) (a prefilter is a candidate when both its slots see
     * one of theirs). An entry's two masks side by side: the vector pass
     * reads both with one 16-byte load. */
    uint64_t slot[OTEL_MASK_PAIR_BITS][2];
    /* the single-byte and run tests (otel_mask_index_bytes): prefilters
     * with one (tests); of those, one requirement each tried first, a
     * byte every match holds (first_byte: its byte in first[i], folded) or
     * else a run (first_run[i]); whole: that requirement is the whole
     * test (one alternative, nothing else of one byte or a run) */
    uint64_t tests, first_byte, whole;
    const otel_mask_prefilter *pf[64];
    const run *first_run[64];
    unsigned char first[64];
};
_Static_assert(offsetof(struct otel_mask_index, slot) % 16 == 0, "the vector pass loads entries aligned");

/* Two bytes as one load reads them. */
static inline uint32_t load2(const unsigned char *p)
{
    uint16_t w;
    memcpy(&w, p, 2);
    return w;
}

/* The index's entry for the two bytes w (load2): bit 5 of each byte set
 * first, which folds ASCII letters to lower case (and makes a few other
 * bytes alike, which only makes the test more conservative), times
 * INDEX_MUL modulo 2^32, the top 11 bits. The vector pass computes the
 * same for eight pairs at once from 16-bit multiplies: the product's top
 * 16 bits are the high half of w times INDEX_MUL's low 16 bits plus the
 * low half of w times its high 16 bits (w < 2^16). The empty asm keeps
 * the compiler from doing the OR on 16 bits and widening after. */
#define INDEX_MUL 0x9E3779B1u
static inline uint32_t index_hash(uint32_t w)
{
#if defined(__GNUC__)
    __asm__("" : "+r"(w));
#endif
    return ((w | 0x2020u) * INDEX_MUL) >> (32 - 11);
}

/* Enters l's pair at i (folded) into slot. */
static void index_pair(otel_mask_index *x, unsigned k, const lit *l, unsigned i, uint64_t bit)
{
    x->slot[index_hash(load2(l->s + i))][k] |= bit;
}

/* How common a byte (folded) is in log text, roughly (per mille of
 * English text for letters; digits, spaces and the punctuation of
 * key=value logs as common): a pair's commonness is the product of its
 * bytes'. Only which pairs a key uses depends on it, never a result. */
static unsigned common(unsigned c)
{
    static const unsigned char letter[26] = {82, 15, 28, 43, 127, 22, 20, 61, 70, 2, 8, 40, 24,
                                             67, 75, 19, 1,  60, 63, 91, 28, 10, 24, 2,  20, 1};
    if (c >= 'a' && c <= 'z')
        return letter[c - 'a'];
    if (c >= '0' && c <= '9')
        return 40;
    if (c == ' ')
        return 150;
    if (c && strchr("=/.-:,", (int)c))
        return 30;
    return 5;
}

static unsigned pair_common(const lit *l, unsigned i) { return common(l->s[i]) * common(l->s[i + 1]); }

/* The position of l's rarest byte pair other than the one at skip (-1:
 * none to skip); l has two bytes or more. */
static unsigned rarest_pair(const lit *l, int skip)
{
    unsigned best = 0, best_score = ~0u;
    for (unsigned i = 0; i + 1 < l->len; i++) {
        if ((int)i == skip)
            continue;
        unsigned sc = pair_common(l, i);
        if (sc < best_score) {
            best = i;
            best_score = sc;
        }
    }
    return best_score == ~0u ? (unsigned)skip : best;
}

/* Whether every literal of c has a byte pair (two bytes or more). */
static int pair_clause(const clause *c)
{
    for (unsigned k = 0; k < c->n; k++)
        if (c->l[k].len < 2)
            return 0;
    return c->n > 0;
}

/* How common the commonest of c's literals' rarest pairs is (the clause
 * holds when any literal does); ~0u when c has a literal without a pair. */
static unsigned clause_common(const clause *c)
{
    if (!pair_clause(c))
        return ~0u;
    unsigned worst = 0;
    for (unsigned k = 0; k < c->n; k++) {
        unsigned sc = pair_common(&c->l[k], rarest_pair(&c->l[k], -1)) + c->n; /* fewer choices first */
        if (sc > worst)
            worst = sc;
    }
    return worst;
}

/* The clause of al least likely to hold by its pairs, other than skip; -1
 * when none has pairs. */
static int best_pair_clause(const alt *al, int skip)
{
    int best = -1;
    unsigned best_score = ~0u;
    for (unsigned c = 0; c < al->n; c++) {
        unsigned sc = (int)c == skip ? ~0u : clause_common(&al->c[c]);
        if (sc < best_score) {
            best = (int)c;
            best_score = sc;
        }
    }
    return best;
}

/* Prefilter i's single-byte and run tests in x (when it has any): the
 * requirement tried first is its rarest required byte (a clause of one
 * literal of one byte), else its first run. */
static void index_bytes_test(otel_mask_index *x, size_t i, const otel_mask_prefilter *pf)
{
    if (!tests_bytes(pf))
        return;
    uint64_t bit = 1ull << i;
    x->tests |= bit;
    x->pf[i] = pf;
    if (pf->nalts != 1)
        return; /* no first requirement: the whole test */
    const alt *al = &pf->a[0];
    unsigned bytes = 0, best = 256;
    for (unsigned c = 0; c < al->n; c++) {
        const clause *cl = &al->c[c];
        int one_byte = 1;
        for (unsigned k = 0; k < cl->n; k++)
            one_byte &= cl->l[k].len == 1;
        if (!one_byte)
            continue; /* a literal of two bytes or more: present, as far as this test goes */
        bytes++;
        if (cl->n == 1 && (best == 256 || common(cl->l[0].s[0]) < common(best)))
            best = cl->l[0].s[0];
    }
    if (best < 256) {
        x->first_byte |= bit;
        x->first[i] = (unsigned char)best;
        if (bytes == 1 && al->nruns == 0)
            x->whole |= bit;
    } else if (al->nruns > 0) {
        x->first_run[i] = &al->r[0];
        if (bytes == 0 && al->nruns == 1)
            x->whole |= bit;
    }
}

otel_mask_index *otel_mask_index_new(otel_mask_prefilter *const *pfs, size_t n)
{
    void *mem;
    if (posix_memalign(&mem, 64, sizeof(otel_mask_index)) != 0)
        return NULL;
    otel_mask_index *x = memset(mem, 0, sizeof(otel_mask_index));
    for (size_t i = 0; i < n && i < 64; i++) {
        const otel_mask_prefilter *pf = pfs[i];
        uint64_t bit = 1ull << i;
        index_bytes_test(x, i, pf);
        int a = pf && pf->nalts == 1 ? best_pair_clause(&pf->a[0], -1) : -1;
        if (a < 0) {
            x->always |= bit;
            continue;
        }
        if (pf->caseless)
            x->caseless |= bit;
        /* two requirements when the alternative has two clauses of pairs:
         * the rarest pair of each (of each choice); one (or a second
         * requirement commoner than the first one's second pair): the two
         * rarest pairs of its literal (of each choice) */
        int b = best_pair_clause(&pf->a[0], a);
        const clause *ca = &pf->a[0].c[a];
        if (b >= 0) { /* a second pair of the first clause's literals when that is rarer */
            unsigned second = 0;
            for (unsigned k = 0; k < ca->n; k++) {
                const lit *l = &ca->l[k];
                unsigned r0 = rarest_pair(l, -1), r1 = rarest_pair(l, (int)r0);
                unsigned sc = (r1 == r0 ? ~0u / 2 : pair_common(l, r1)) + ca->n;
                if (sc > second)
                    second = sc;
            }
            if (second < clause_common(&pf->a[0].c[b]))
                b = -1;
        }
        for (unsigned k = 0; k < ca->n; k++) {
            const lit *l = &ca->l[k];
            unsigned r0 = rarest_pair(l, -1);
            index_pair(x, 0, l, r0, bit);
            if (b < 0)
                index_pair(x, 1, l, rarest_pair(l, (int)r0), bit);
        }
        if (b >= 0) {
            const clause *cb = &pf->a[0].c[b];
            for (unsigned k = 0; k < cb->n; k++)
                index_pair(x, 1, &cb->l[k], rarest_pair(&cb->l[k], -1), bit);
        }
    }
    return x;
}

void otel_mask_index_free(otel_mask_index *x) { free(x); }

/* The widest pass this CPU runs. */
static int cpu_widest(void)
{
#if defined(MASK_SSE2) && defined(__GNUC__) && !defined(MASK_NO_AVX2)
    return __builtin_cpu_supports("avx2") ? OTEL_MASK_PASS_AVX2 : OTEL_MASK_PASS_SSE2;
#elif defined(MASK_SSE2)
    return OTEL_MASK_PASS_SSE2;
#else
    return OTEL_MASK_PASS_SCALAR;
#endif
}

/* The pass in use: the widest this CPU runs unless a test narrowed it; -1
 * until first asked (threads that ask at once store the same answer). */
static atomic_int index_pass = -1;

static inline int pass_in_use(void)
{
    int p = atomic_load_explicit(&index_pass, memory_order_relaxed);
    if (p < 0) {
        p = cpu_widest();
        atomic_store_explicit(&index_pass, p, memory_order_relaxed);
    }
    return p;
}

void otel_mask_index_force_pass(int widest)
{
    int cpu = cpu_widest();
    atomic_store_explicit(&index_pass, widest < cpu ? widest : cpu, memory_order_relaxed);
}

/* The entries of the pairs at p[0..n) (n pairs: n + 1 bytes), OR-ed
 * into *a (first masks) and *b (second masks), a pair at a time; the
 * bytes' top bits (non-ASCII) into *hi. */
static inline void index_pairs_scalar(const otel_mask_index *x, const unsigned char *p, size_t n, uint64_t *a,
                                      uint64_t *b, uint32_t *hi)
{
    uint64_t a0 = 0, b0 = 0;
    uint32_t h = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        uint32_t w0 = load2(p + i), w1 = load2(p + i + 1), w2 = load2(p + i + 2), w3 = load2(p + i + 3);
        uint32_t h0 = index_hash(w0), h1 = index_hash(w1), h2 = index_hash(w2), h3 = index_hash(w3);
        h |= w0 | w2; /* bytes i to i + 3 */
        a0 |= x->slot[h0][0] | x->slot[h1][0] | x->slot[h2][0] | x->slot[h3][0];
        b0 |= x->slot[h0][1] | x->slot[h1][1] | x->slot[h2][1] | x->slot[h3][1];
    }
    for (; i < n; i++) {
        uint32_t w = load2(p + i), k = index_hash(w);
        h |= w;
        a0 |= x->slot[k][0];
        b0 |= x->slot[k][1];
    }
    h |= p[n]; /* the last byte */
    *a |= a0;
    *b |= b0;
    *hi |= h & 0x8080u;
}

#if defined(MASK_SSE2)
/* The vector pass. A block is the pairs at p[0..16) (17 bytes read): the
 * 16 hashes of two loads (one at p, one at p + 1: their 16-bit lanes are
 * the pairs at even and odd positions) computed as byte offsets into the
 * entries, each entry OR-ed into one of two accumulators whole (both
 * masks), and the bytes p[0..16) OR-ed into hi (their top bits:
 * non-ASCII bytes); with AVX2 a block of 32 pairs hashes them in one
 * register each. The entries are OR-ed from memory by an asm: the
 * compiler would load pairs of entries into registers first (more
 * instructions). The SSE2 and AVX2 code differ only in these macros. */
#define HASH_LANES(v, set1, or_, add, mulhi, mullo, srli, and_)                                                       \
    and_(srli(add(mulhi(or_(v, set1(0x2020)), set1((short)(INDEX_MUL & 0xFFFFu))),                                    \
                  mullo(or_(v, set1(0x2020)), set1((short)(INDEX_MUL >> 16)))),                                       \
              1),                                                                                                     \
         set1((short)((OTEL_MASK_PAIR_BITS - 1) << 4))) /* hash * 16: its entry's offset */
#define HASH_SSE2(v)                                                                                                  \
    HASH_LANES(v, _mm_set1_epi16, _mm_or_si128, _mm_add_epi16, _mm_mulhi_epu16, _mm_mullo_epi16, _mm_srli_epi16,      \
               _mm_and_si128)
#define ENTRIES8(OR, a, b, e, o)                                                                                      \
    do {                                                                                                              \
        OR(a, _mm_extract_epi16(e, 0));                                                                               \
        OR(b, _mm_extract_epi16(o, 0));                                                                               \
        OR(a, _mm_extract_epi16(e, 1));                                                                               \
        OR(b, _mm_extract_epi16(o, 1));                                                                               \
        OR(a, _mm_extract_epi16(e, 2));                                                                               \
        OR(b, _mm_extract_epi16(o, 2));                                                                               \
        OR(a, _mm_extract_epi16(e, 3));                                                                               \
        OR(b, _mm_extract_epi16(o, 3));                                                                               \
        OR(a, _mm_extract_epi16(e, 4));                                                                               \
        OR(b, _mm_extract_epi16(o, 4));                                                                               \
        OR(a, _mm_extract_epi16(e, 5));                                                                               \
        OR(b, _mm_extract_epi16(o, 5));                                                                               \
        OR(a, _mm_extract_epi16(e, 6));                                                                               \
        OR(b, _mm_extract_epi16(o, 6));                                                                               \
        OR(a, _mm_extract_epi16(e, 7));                                                                               \
        OR(b, _mm_extract_epi16(o, 7));                                                                               \
    } while (0)
#define BLOCK16(OR, p, a, b, hi)                                                                                      \
    do {                                                                                                              \
        __m128i e_ = _mm_loadu_si128((const __m128i *)(const void *)(p));                                             \
        __m128i o_ = _mm_loadu_si128((const __m128i *)(const void *)((p) + 1));                                       \
        hi = _mm_or_si128(hi, e_);                                                                                    \
        e_ = HASH_SSE2(e_);                                                                                           \
        o_ = HASH_SSE2(o_);                                                                                           \
        ENTRIES8(OR, a, b, e_, o_);                                                                                   \
    } while (0)
#define OR_SSE2(acc, off) __asm__("por %1, %0" : "+x"(acc) : "m"(*(const __m128i *)(const void *)(base + (off))))
#define OR_VEX(acc, off) __asm__("vpor %1, %0, %0" : "+x"(acc) : "m"(*(const __m128i *)(const void *)(base + (off))))

/* The vector pass's answer from its accumulators: the candidates by
 * their pairs, *ascii from hi and the last byte (which no block's first
 * load reads). */
static inline uint64_t index_result(__m128i a, __m128i b, int hi_mask, const unsigned char *p, size_t len, int *ascii)
{
    *ascii = hi_mask == 0 && p[len - 1] < 0x80;
    a = _mm_or_si128(a, b);
    return (uint64_t)_mm_cvtsi128_si64(a) & (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(a, a));
}

/* The pairs of p[0..len) (len >= 17), 16 at a time, the last 16 read
 * again where the blocks overlap (an entry OR-ed twice changes nothing);
 * *ascii: whether every byte is ASCII. */
static uint64_t index_pairs_sse2(const otel_mask_index *x, const unsigned char *p, size_t len, int *ascii)
{
    const char *base = (const char *)x->slot;
    __m128i a = _mm_setzero_si128(), b = _mm_setzero_si128(), hi = _mm_setzero_si128();
    size_t i = 0;
    for (; i + 17 <= len; i += 16)
        BLOCK16(OR_SSE2, p + i, a, b, hi);
    if (i + 1 < len)
        BLOCK16(OR_SSE2, p + len - 17, a, b, hi);
    return index_result(a, b, _mm_movemask_epi8(hi), p, len, ascii);
}

#if defined(__GNUC__) && !defined(MASK_NO_AVX2)
#define MASK_AVX2 1
#define HASH_AVX2(v)                                                                                                  \
    HASH_LANES(v, _mm256_set1_epi16, _mm256_or_si256, _mm256_add_epi16, _mm256_mulhi_epu16, _mm256_mullo_epi16,       \
               _mm256_srli_epi16, _mm256_and_si256)

/* 32 pairs from p (33 bytes): the AVX2 twin of BLOCK16. */
#define BLOCK32(p, a, b, hi)                                                                                          \
    do {                                                                                                              \
        __m256i e_ = _mm256_loadu_si256((const __m256i *)(const void *)(p));                                          \
        __m256i o_ = _mm256_loadu_si256((const __m256i *)(const void *)((p) + 1));                                    \
        hi = _mm256_or_si256(hi, e_);                                                                                 \
        e_ = HASH_AVX2(e_);                                                                                           \
        o_ = HASH_AVX2(o_);                                                                                           \
        __m128i e0_ = _mm256_castsi256_si128(e_), o0_ = _mm256_castsi256_si128(o_);                                   \
        __m128i e1_ = _mm256_extracti128_si256(e_, 1), o1_ = _mm256_extracti128_si256(o_, 1);                         \
        ENTRIES8(OR_VEX, a, b, e0_, o0_);                                                                             \
        ENTRIES8(OR_VEX, a, b, e1_, o1_);                                                                             \
    } while (0)

/* The same with AVX2 (len >= 33): 32 pairs a block, the last pairs as one
 * more block of 32 or of 16, overlapping. */
__attribute__((target("avx2"))) static uint64_t index_pairs_avx2(const otel_mask_index *x, const unsigned char *p,
                                                                 size_t len, int *ascii)
{
    const char *base = (const char *)x->slot;
    __m128i a = _mm_setzero_si128(), b = _mm_setzero_si128(), hi16 = _mm_setzero_si128();
    __m256i hi = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 33 <= len; i += 32)
        BLOCK32(p + i, a, b, hi);
    size_t left = len - 1 - i; /* pairs not read yet: fewer than 32 */
    if (left > 16)
        BLOCK32(p + len - 33, a, b, hi);
    else if (left > 0)
        BLOCK16(OR_VEX, p + len - 17, a, b, hi16);
    return index_result(a, b, _mm256_movemask_epi8(hi) | _mm_movemask_epi8(hi16), p, len, ascii);
}

#endif

/* The vector pass for p[0..len) (len >= 17) of pass (pass_in_use). */
static inline uint64_t index_pairs_vector(const otel_mask_index *x, const unsigned char *p, size_t len, int *ascii,
                                          int pass)
{
#if defined(MASK_AVX2)
    if (len >= 33 && pass >= OTEL_MASK_PASS_AVX2)
        return index_pairs_avx2(x, p, len, ascii);
#endif
    (void)pass;
    return index_pairs_sse2(x, p, len, ascii);
}
#undef OR_SSE2
#undef OR_VEX
#endif

/* The candidates by the pairs of s[0..len) (len >= 2) alone, and *ascii:
 * whether every byte is ASCII, found in the same pass (vector or scalar). */
static inline __attribute__((always_inline)) uint64_t index_pairs(const otel_mask_index *x, const unsigned char *p,
                                                                    size_t len, int *ascii)
{
#if defined(MASK_SSE2)
    int pass;
    if (len >= 17 && (pass = pass_in_use()) >= OTEL_MASK_PASS_SSE2)
        return index_pairs_vector(x, p, len, ascii, pass);
#endif
    uint64_t a = 0, b = 0;
    uint32_t hi = 0;
    index_pairs_scalar(x, p, len - 1, &a, &b, &hi);
    *ascii = hi == 0;
    return a & b;
}

uint64_t otel_mask_index_candidates(const otel_mask_index *x, const char *s, size_t len, int ascii)
{
    uint64_t m = x->always | (ascii ? 0 : x->caseless);
    int all_ascii;
    return len < 2 ? m : m | index_pairs(x, (const unsigned char *)s, len, &all_ascii);
}

uint64_t otel_mask_index_scan(const otel_mask_index *x, const char *s, size_t len, int *ascii)
{
    if (len < 2) {
        *ascii = otel_utf8_ascii(s, len);
        return otel_mask_index_candidates(x, s, len, *ascii);
    }
    uint64_t c = index_pairs(x, (const unsigned char *)s, len, ascii);
    return c | x->always | (*ascii ? 0 : x->caseless);
}

/* Whether s[0..len) holds byte c (folded: either case). */
static inline int has_byte_in(const unsigned char *s, size_t len, unsigned c)
{
    if (memchr(s, (int)c, len))
        return 1;
    return c >= 'a' && c <= 'z' && memchr(s, (int)(c - 32), len) != NULL;
}

uint64_t otel_mask_index_bytes(const otel_mask_index *x, uint64_t live, const char *s, size_t len, int ascii)
{
    const unsigned char *p = (const unsigned char *)s;
    for (uint64_t m = live & x->tests; m; m &= m - 1) {
        size_t i = (size_t)__builtin_ctzll(m);
        uint64_t bit = 1ull << i;
        const otel_mask_prefilter *pf = x->pf[i];
        if (pf->caseless && !ascii)
            continue; /* Unicode case folding: may match */
        int ok;
        if (x->first_byte & bit)
            ok = has_byte_in(p, len, x->first[i]);
        else if (x->first_run[i]) {
            view v = {p, len, ascii, NULL};
            ok = run_present(x->first_run[i], &v);
        } else
            ok = 1;
        if (ok && !(x->whole & bit))
            ok = otel_mask_prefilter_may_match_bytes(pf, s, len, ascii);
        if (!ok)
            live &= ~bit;
    }
    return live;
}

void otel_mask_prefilter_free(otel_mask_prefilter *pf)
{
    if (!pf)
        return;
    free(pf->a);
    free(pf);
}

/* ---- reading the source ---- */

typedef struct reader {
    const char *s;
    size_t n, i;
    int caseless;
    alt cur;
    lit run; /* literal text read since the last break */
    int failed;
} reader;

static int is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static void add_clause(reader *r, const clause *c)
{
    if (c->n > 0 && r->cur.n < MAX_CLAUSES)
        r->cur.c[r->cur.n++] = *c;
}

/* ends the current run of literal text: it becomes a requirement */
static void flush(reader *r)
{
    if (r->run.len > 0) {
        clause c = {.n = 1};
        c.l[0] = r->run;
        add_clause(r, &c);
    }
    r->run.len = 0;
}

static void append(lit *l, unsigned char c)
{
    if (l->len < MAX_LIT)
        l->s[l->len++] = (unsigned char)fold(c);
}

/* The end of "{...}" (or "<...>") at s[j]: past close when every byte
 * before it is one of ok (NULL: anything but the pattern's structure);
 * otherwise j (nothing skipped: without the u flag "\\p{", "\\u{" and
 * "\\k<" are literal text, and the braces are read as what they are). */
static size_t braced(const char *s, size_t n, size_t j, char close, const char *ok)
{
    size_t k = j + 1;
    while (k < n && s[k] != close && (ok ? strchr(ok, s[k]) != NULL : strchr("|()[]\\", s[k]) == NULL))
        k++;
    return k < n && s[k] == close ? k + 1 : j;
}

/* Skips the escape at s[i] ('\\'); *litc: the one literal byte it stands
 * for, or -1 when it is no literal text (a class, an assertion, a
 * backreference, a character written by its code). Returns the index past it. */
static size_t escape(const char *s, size_t n, size_t i, int *litc)
{
    *litc = -1;
    if (i + 1 >= n)
        return n;
    char c = s[i + 1];
    size_t j = i + 2;
    if ((unsigned char)c >= 0x80) { /* an escaped non-ASCII character */
        while (j < n && ((unsigned char)s[j] & 0xC0) == 0x80)
            j++;
        return j;
    }
    if (!is_alnum(c)) {
        *litc = (unsigned char)c;
        return j;
    }
    switch (c) {
    case 't': *litc = '\t'; return j;
    case 'n': *litc = '\n'; return j;
    case 'r': *litc = '\r'; return j;
    case 'f': *litc = '\f'; return j;
    case 'v': *litc = '\v'; return j;
    case 'x':
        return j + 1 < n && is_hex(s[j]) && is_hex(s[j + 1]) ? j + 2 : j;
    case 'u':
        if (j < n && s[j] == '{')
            return braced(s, n, j, '}', "0123456789abcdefABCDEF");
        return j + 3 < n && is_hex(s[j]) && is_hex(s[j + 1]) && is_hex(s[j + 2]) && is_hex(s[j + 3]) ? j + 4 : j;
    case 'c':
        return j < n && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z')) ? j + 1 : j;
    case 'p':
    case 'P':
        if (j < n && s[j] == '{')
            return braced(s, n, j, '}', "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_=");
        return j;
    case 'k':
        if (j < n && s[j] == '<')
            return braced(s, n, j, '>', NULL);
        return j;
    default:
        if (is_digit(c))
            while (j < n && is_digit(s[j]))
                j++;
        return j;
    }
}

/* Skips the class at s[i] ('['): returns the index past its ']'. */
static size_t skip_class(const char *s, size_t n, size_t i)
{
    size_t j = i + 1;
    if (j < n && s[j] == '^')
        j++;
    while (j < n && s[j] != ']')
        j += s[j] == '\\' ? 2 : 1;
    return j < n ? j + 1 : n;
}

/* Skips the group at s[i] ('('): returns the index of its ')' (n when none). */
static size_t group_end(const char *s, size_t n, size_t i)
{
    int depth = 0;
    size_t j = i;
    while (j < n) {
        char c = s[j];
        if (c == '\\')
            j += 2;
        else if (c == '[')
            j = skip_class(s, n, j);
        else {
            if (c == '(')
                depth++;
            else if (c == ')' && --depth == 0)
                return j;
            j++;
        }
    }
    return n;
}

/* A quantifier at s[i]: its length (with a lazy '?'), its minimum in *min;
 * 0 when there is none. */
static size_t quantifier(const char *s, size_t n, size_t i, unsigned long *min)
{
    if (i >= n)
        return 0;
    size_t j = i;
    if (s[i] == '*' || s[i] == '?') {
        *min = 0;
        j = i + 1;
    } else if (s[i] == '+') {
        *min = 1;
        j = i + 1;
    } else if (s[i] == '{') {
        size_t k = i + 1;
        unsigned long m = 0;
        if (k >= n || !is_digit(s[k]))
            return 0;
        while (k < n && is_digit(s[k])) {
            m = m > 100000 ? m : m * 10 + (unsigned long)(s[k] - '0');
            k++;
        }
        if (k < n && s[k] == ',') {
            k++;
            while (k < n && is_digit(s[k]))
                k++;
        }
        if (k >= n || s[k] != '}')
            return 0; /* Annex B: a literal '{' */
        *min = m;
        j = k + 1;
    } else
        return 0;
    if (j < n && s[j] == '?')
        j++;
    return j - i;
}

/* The content s[a..b) of a capturing or non-capturing group as a choice
 * between literal strings, into *c; 0 when it is not one. */
static int choice(const char *s, size_t a, size_t b, clause *c)
{
    c->n = 0;
    lit cur = {0};
    size_t i = a;
    int empty = 1;
    for (;;) {
        if (i == b || s[i] == '|') {
            if (empty || c->n >= MAX_CHOICES)
                return 0; /* an empty choice matches anywhere */
            c->l[c->n++] = cur;
            cur.len = 0;
            empty = 1;
            if (i == b)
                return 1;
            i++;
            continue;
        }
        unsigned char ch = (unsigned char)s[i];
        int litc;
        size_t next;
        if (ch == '\\') {
            next = escape(s, b, i, &litc);
            if (litc < 0)
                return 0;
        } else if (ch >= 0x80 || strchr("^$.*+?()[]{}", ch)) {
            return 0;
        } else {
            litc = ch;
            next = i + 1;
        }
        unsigned long min;
        if (quantifier(s, b, next, &min))
            return 0;
        append(&cur, (unsigned char)litc);
        empty = 0;
        i = next;
    }
}

static void set_add(uint64_t set[4], unsigned c) { set[c >> 6] |= 1ull << (c & 63); }

static void set_range(uint64_t set[4], unsigned a, unsigned b)
{
    for (unsigned c = a; c <= b; c++)
        set_add(set, c);
}

/* \d or \w at s[i] (after escape() read it as no literal, ending at next): its bytes into set. */
static int class_escape(const char *s, size_t i, size_t next, uint64_t set[4])
{
    if (next != i + 2)
        return 0;
    if (s[i + 1] == 'd') {
        set_range(set, '0', '9');
        return 1;
    }
    if (s[i + 1] == 'w') {
        set_range(set, '0', '9');
        set_range(set, 'A', 'Z');
        set_range(set, 'a', 'z');
        set_add(set, '_');
        return 1;
    }
    return 0;
}

/* One character of a class at s[j] (before end): its byte in *c, or its
 * bytes into set (\d, \w: *c = -1). The index past it; 0 when it is
 * anything else. */
static size_t class_char(const char *s, size_t end, size_t j, int *c, uint64_t set[4])
{
    if (s[j] == '\\') {
        size_t k = escape(s, end, j, c);
        if (*c >= 0)
            return k;
        return class_escape(s, j, k, set) ? k : 0;
    }
    if ((unsigned char)s[j] >= 0x80)
        return 0;
    *c = (unsigned char)s[j];
    return j + 1;
}

/* The bytes the class at s[i] ('[') can match, into set, and the index
 * past it in *next; 0 when it may match anything as far as this reading
 * goes (negated, \s, non-ASCII characters, characters written by code). */
static int class_set(const char *s, size_t n, size_t i, uint64_t set[4], size_t *next)
{
    *next = skip_class(s, n, i);
    size_t j = i + 1, end = *next - 1;
    if (j < end && s[j] == '^')
        return 0;
    while (j < end) {
        int lo, hi;
        size_t k = class_char(s, end, j, &lo, set);
        if (!k)
            return 0;
        j = k;
        if (lo < 0)
            continue;
        if (j + 1 < end && s[j] == '-') {
            uint64_t ignored[4] = {0};
            k = class_char(s, end, j + 1, &hi, ignored);
            if (!k || hi < lo)
                return 0; /* a class escape as a bound (Annex B), or not ASCII */
            set_range(set, (unsigned)lo, (unsigned)hi);
            j = k;
            continue;
        }
        set_add(set, (unsigned)lo);
    }
    return 1;
}

static void add_run(reader *r, const uint64_t set[4], size_t min)
{
    if (min < MIN_RUN || r->cur.nruns >= MAX_RUNS)
        return;
    run *u = &r->cur.r[r->cur.nruns++];
    memcpy(u->set, set, sizeof u->set);
    u->min = min;
}

/* Whether s[a..b) has an alternation at its own level. */
static int has_bar(const char *s, size_t a, size_t b)
{
    for (size_t j = a; j < b;) {
        if (s[j] == '\\')
            j += 2;
        else if (s[j] == '[')
            j = skip_class(s, b, j);
        else if (s[j] == '(')
            j = group_end(s, b, j) + 1;
        else if (s[j] == '|')
            return 1;
        else
            j++;
    }
    return 0;
}

/* The content s[a..b) of a repeated group as a sequence of characters and
 * classes: the bytes it can match into set, the fewest characters one
 * repetition takes in *m; 0 when it is anything else. */
static int group_set(const char *s, size_t a, size_t b, uint64_t set[4], size_t *m)
{
    *m = 0;
    for (size_t i = a; i < b;) {
        unsigned char ch = (unsigned char)s[i];
        size_t next;
        if (ch == '\\') {
            int litc;
            next = escape(s, b, i, &litc);
            if (litc >= 0)
                set_add(set, (unsigned)litc);
            else if (!class_escape(s, i, next, set))
                return 0;
        } else if (ch == '[') {
            if (!class_set(s, b, i, set, &next))
                return 0;
        } else if (ch >= 0x80 || strchr("^$.|*+?(){}]", ch)) {
            return 0;
        } else {
            set_add(set, ch);
            next = i + 1;
        }
        unsigned long min = 1;
        size_t q = quantifier(s, b, next, &min);
        *m += min > 1000 ? 1000 : min;
        i = next + q;
    }
    return 1;
}

static void atom(reader *r);

/* One atom at r->i and the quantifier after it. */
static void atom(reader *r)
{
    const char *s = r->s;
    size_t n = r->n, i = r->i;
    unsigned char ch = (unsigned char)s[i];
    int litc = -1, is_set = 0, group = 0;
    uint64_t cs[4] = {0};
    size_t next, body = 0, end = 0;
    if (ch == '\\') {
        next = escape(s, n, i, &litc);
        is_set = litc < 0 && class_escape(s, i, next, cs);
    } else if (ch == '[') {
        is_set = class_set(s, n, i, cs, &next);
    } else if (ch == '(') {
        end = group_end(s, n, i);
        if (end >= n) {
            r->failed = 1;
            r->i = n;
            return;
        }
        next = end + 1;
        body = i + 1;
        group = 1;
        if (body < n && s[body] == '?') {
            char k = body + 1 < n ? s[body + 1] : 0;
            if (k == ':') {
                body += 2;
            } else if (k == '<' && body + 2 < n && s[body + 2] != '=' && s[body + 2] != '!') {
                while (body < end && s[body] != '>')
                    body++;
                body++;
            } else if (k == '=' || k == '!' || k == '<') {
                group = 0; /* a lookaround */
            } else { /* flags: (?i) and its kin; assume case-insensitive throughout */
                r->caseless = 1;
                size_t c = body + 1;
                while (c < end && s[c] != ':')
                    c++;
                if (c < end)
                    body = c + 1; /* (?i:...): a group */
                else
                    group = 0;
            }
        }
    } else if (ch >= 0x80) {
        next = i + 1;
        while (next < n && ((unsigned char)s[next] & 0xC0) == 0x80)
            next++;
    } else if (strchr("^$.*+?{}]", ch)) {
        next = i + 1;
    } else {
        litc = ch;
        next = i + 1;
    }
    unsigned long min = 1;
    size_t q = quantifier(s, n, next, &min);
    r->i = next + q;
    if (litc >= 0) {
        if (q && min == 0) {
            flush(r);
        } else {
            append(&r->run, (unsigned char)litc);
            if (q)
                flush(r);
        }
        return;
    }
    flush(r);
    if (min == 0)
        return;
    if (is_set && q)
        add_run(r, cs, min);
    if (!group)
        return;
    clause c = {.n = 0};
    if (!has_bar(s, body, end)) { /* what the group needs, the whole needs */
        size_t save_n = r->n, save_i = r->i;
        r->n = end;
        r->i = body;
        while (r->i < r->n && !r->failed)
            atom(r);
        flush(r);
        r->n = save_n;
        r->i = save_i;
    } else if (choice(s, body, end, &c)) {
        add_clause(r, &c);
    }
    size_t m;
    memset(cs, 0, sizeof cs);
    if (q && group_set(s, body, end, cs, &m))
        add_run(r, cs, m * (min > 100000 ? 100000 : min));
}

/* Case-insensitive: a run's class holds both cases of its letters. */
static void fold_runs(otel_mask_prefilter *pf)
{
    for (size_t a = 0; a < pf->nalts; a++)
        for (unsigned k = 0; k < pf->a[a].nruns; k++) {
            uint64_t *set = pf->a[a].r[k].set;
            for (unsigned c = 'a'; c <= 'z'; c++)
                if (((set[c >> 6] >> (c & 63)) & 1) || ((set[(c - 32) >> 6] >> ((c - 32) & 63)) & 1)) {
                    set_add(set, c);
                    set_add(set, c - 32);
                }
        }
}

otel_mask_prefilter *otel_mask_prefilter_new(const char *pattern, int caseless)
{
    size_t len = strlen(pattern), body = 0, body_len = len;
    const char *flags = NULL;
    size_t flags_len = 0;
    if (otel_js_regex_literal(pattern, len, &body, &body_len, &flags, &flags_len))
        for (size_t f = 0; f < flags_len; f++)
            caseless |= flags[f] == 'i';
    reader r = {.s = pattern + body, .n = body_len, .caseless = caseless};
    otel_mask_prefilter *pf = calloc(1, sizeof *pf);
    if (!pf)
        return NULL;
    for (;;) {
        memset(&r.cur, 0, sizeof r.cur);
        r.run.len = 0;
        while (r.i < r.n && r.s[r.i] != '|' && !r.failed)
            atom(&r);
        flush(&r);
        if (r.failed || (r.cur.n == 0 && r.cur.nruns == 0)) { /* an alternative that may match anything */
            otel_mask_prefilter_free(pf);
            return NULL;
        }
        alt *a = realloc(pf->a, (pf->nalts + 1) * sizeof *a);
        if (!a) {
            otel_mask_prefilter_free(pf);
            return NULL;
        }
        pf->a = a;
        pf->a[pf->nalts++] = r.cur;
        if (r.i >= r.n)
            break;
        r.i++; /* '|' */
    }
    pf->caseless = r.caseless;
    if (pf->caseless)
        fold_runs(pf);
    for (size_t a = 0; a < pf->nalts; a++)
        for (unsigned k = 0; k < pf->a[a].nruns; k++) {
            run *u = &pf->a[a].r[k];
            for (unsigned c = 0; c < 256; c++)
                u->in[c] = (unsigned char)((u->set[c >> 6] >> (c & 63)) & 1);
        }
    for (size_t a = 0; a < pf->nalts; a++)
        for (unsigned c = 0; c < pf->a[a].n; c++)
            for (unsigned k = 0; k < pf->a[a].c[c].n; k++) {
                lit *l = &pf->a[a].c[c].l[k];
                for (unsigned i = 0; i + 1 < l->len; i++)
                    l->pair[i] = (uint16_t)pair_bit(l->s[i], l->s[i + 1]);
                l->rare = 0;
                for (unsigned i = 1; i < l->len; i++) { /* a letter is searched in both cases: two passes */
                    int letter = l->s[i] >= 'a' && l->s[i] <= 'z', best = l->s[l->rare] >= 'a' && l->s[l->rare] <= 'z';
                    if (letter < best || (letter == best && common(l->s[i]) < common(l->s[l->rare])))
                        l->rare = (unsigned char)i;
                }
                pf->pairs |= l->len >= 2;
            }
    if (pf->nalts == 1 && pf->a[0].n > 0) { /* the key: the clause whose shortest literal is longest */
        const alt *al = &pf->a[0];
        unsigned best = 0, best_len = 0;
        for (unsigned c = 0; c < al->n; c++) {
            unsigned shortest = MAX_LIT;
            for (unsigned k = 0; k < al->c[c].n; k++)
                if (al->c[c].l[k].len < shortest)
                    shortest = al->c[c].l[k].len;
            if (shortest > best_len || (shortest == best_len && al->c[c].n < al->c[best].n)) {
                best = c;
                best_len = shortest;
            }
        }
        const clause *cl = &al->c[best];
        for (unsigned k = 0; k < cl->n; k++) {
            pf->key[k] = (uint16_t)(cl->l[k].len == 1 ? KEY_BYTE | cl->l[k].s[0] : 256u + cl->l[k].pair[0]);
            pf->key2[k] = cl->l[k].len <= 2 ? pf->key[k] : (uint16_t)(256u + cl->l[k].pair[cl->l[k].len - 2]);
        }
        pf->nkey = cl->n;
    }
    return pf;
}

/* ---- alternatives one by one ---- */

size_t otel_mask_split_alternatives(const char *pattern, char ***parts)
{
    *parts = NULL;
    size_t len = strlen(pattern), body = 0, body_len = len, flags_len = 0;
    const char *flags = NULL;
    int literal = otel_js_regex_literal(pattern, len, &body, &body_len, &flags, &flags_len);
    const char *s = pattern + body;
    size_t n = body_len;
    /* refused: backreferences (numbered or named) and inline flags without
     * a group of their own, anywhere */
    for (size_t j = 0; j + 1 < n; j++) {
        if (s[j] == '\\') {
            if ((s[j + 1] >= '1' && s[j + 1] <= '9') || s[j + 1] == 'k')
                return 0;
            j++;
        } else if (s[j] == '(' && s[j + 1] == '?' && j + 2 < n && !strchr(":=!<", s[j + 2])) {
            size_t k = j + 2;
            while (k < n && s[k] != ':' && s[k] != ')')
                k++;
            if (k >= n || s[k] == ')')
                return 0;
        }
    }
    size_t cuts[63], ncuts = 0;
    for (size_t j = 0; j < n;) {
        if (s[j] == '\\')
            j += 2;
        else if (s[j] == '[')
            j = skip_class(s, n, j);
        else if (s[j] == '(')
            j = group_end(s, n, j) + 1;
        else if (s[j] == '|') {
            if (ncuts == 63)
                return 0;
            cuts[ncuts++] = j;
            j++;
        } else
            j++;
    }
    if (ncuts == 0)
        return 0;
    size_t k = ncuts + 1;
    char **out = calloc(k, sizeof *out);
    if (!out)
        return 0;
    size_t from = 0;
    for (size_t i = 0; i < k; i++) {
        size_t to = i < ncuts ? cuts[i] : n, l = to - from;
        if (l == 0 || (!literal && s[from] == '/')) { /* matches empty first / would read as a literal */
            for (size_t x = 0; x < i; x++)
                free(out[x]);
            free(out);
            return 0;
        }
        out[i] = malloc(l + flags_len + 3);
        if (!out[i]) {
            for (size_t x = 0; x < i; x++)
                free(out[x]);
            free(out);
            return 0;
        }
        if (literal) {
            out[i][0] = '/';
            memcpy(out[i] + 1, s + from, l);
            out[i][l + 1] = '/';
            memcpy(out[i] + l + 2, flags, flags_len);
            out[i][l + 2 + flags_len] = '\0';
        } else {
            memcpy(out[i], s + from, l);
            out[i][l] = '\0';
        }
        from = to + 1;
    }
    *parts = out;
    return k;
}

/* ---- the literal text every match starts with ---- */

/* Whether s[0..n) has a '|' outside every group and class. */
static int top_level_bar(const char *s, size_t n)
{
    for (size_t j = 0; j < n;) {
        char c = s[j];
        if (c == '\\')
            j += 2;
        else if (c == '[')
            j = skip_class(s, n, j);
        else if (c == '(')
            j = group_end(s, n, j) + 1;
        else if (c == '|')
            return 1;
        else
            j++;
    }
    return 0;
}

size_t otel_mask_lead_new(const char *pattern, int caseless, otel_mask_lead *lead)
{
    unsigned char *out = lead->text;
    int *folded = &lead->folded;
    lead->n = 0;
    size_t len = strlen(pattern), body = 0, n = len;
    const char *flags = NULL;
    size_t flags_len = 0;
    *folded = 0;
    if (otel_js_regex_literal(pattern, len, &body, &n, &flags, &flags_len))
        for (size_t f = 0; f < flags_len; f++) {
            if (flags[f] == 'i')
                caseless = 1;
            else if (!strchr("gmsu", flags[f]))
                return 0; /* sticky, or a flag not read here: no lead */
        }
    const char *s = pattern + body;
    for (;;) { /* a group around the whole pattern, "(?:...)" or "(?i:...)": its content */
        size_t w = n >= 4 && memcmp(s, "(?:", 3) == 0 ? 3 : n >= 5 && memcmp(s, "(?i:", 4) == 0 ? 4 : 0;
        if (!w || group_end(s, n, 0) != n - 1)
            break;
        caseless |= w == 4;
        s += w;
        n -= w + 1;
    }
    if (top_level_bar(s, n))
        return 0;
    size_t i = 0;
    for (;;) { /* zero-width assertions before the first character: \b, \B, lookbehinds */
        if (i + 1 < n && s[i] == '\\' && (s[i + 1] == 'b' || s[i + 1] == 'B')) {
            i += 2;
        } else if (i + 3 < n && s[i] == '(' && s[i + 1] == '?' && s[i + 2] == '<' &&
                   (s[i + 3] == '=' || s[i + 3] == '!')) {
            size_t e = group_end(s, n, i);
            if (e >= n)
                return 0;
            i = e + 1;
        } else {
            break;
        }
    }
    unsigned long min;
    if (quantifier(s, n, i, &min)) /* a quantified assertion */
        return 0;
    size_t k = 0;
    int letters = 0;
    while (i < n && k < OTEL_MASK_LEAD_MAX) {
        unsigned char ch = (unsigned char)s[i];
        int litc;
        size_t next;
        if (ch == '\\') {
            if (i + 1 >= n || (unsigned char)s[i + 1] >= 0x80 || is_alnum(s[i + 1]))
                break; /* a class, an assertion, a character by its code, a backreference */
            litc = (unsigned char)s[i + 1];
            next = i + 2;
        } else if (ch >= 0x80 || strchr("^$.*+?()[]{}|/", ch)) {
            break;
        } else {
            litc = ch;
            next = i + 1;
        }
        if (next < n && strchr("?*+{", s[next]))
            break; /* quantified (or a '{' of Annex B): not required */
        int letter = (litc >= 'a' && litc <= 'z') || (litc >= 'A' && litc <= 'Z');
        out[k++] = (unsigned char)(caseless && letter ? litc | 0x20 : litc);
        letters |= letter;
        i = next;
    }
    *folded = caseless && letters;
    if (k < 2)
        return lead->n = 0;
    lead->case_first = *folded && out[0] >= 'a' && out[0] <= 'z' ? 0x20 : 0;
    lead->case_last = *folded && out[k - 1] >= 'a' && out[k - 1] <= 'z' ? 0x20 : 0;
    return lead->n = k;
}
