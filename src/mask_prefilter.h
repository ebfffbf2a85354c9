/*
 * mask_prefilter.h - a conservative test of whether a hideRegex can match
 * anywhere in a value, so that masking runs a pattern only where it can
 * match (docs/PERFORMANCE.md, "Masking").
 *
 * From a pattern's JavaScript source the prefilter derives, for each
 * top-level alternative, the literal text every match of that alternative
 * contains: runs of literal characters outside groups, and groups that are
 * a choice between literal strings ("(?:AKIA|ASIA)"); and the runs of
 * characters of one class it needs ("[0-9a-f]{40}", "(?:\d[ -]?){13,16}").
 * Three ways to test a value against it: the value's own bytes (its
 * literals searched in it, for a short stretch such as what follows a
 * match); a summary of the value (which byte pairs it holds, ASCII letters
 * folded to lower case), against which a pattern may match only when some
 * alternative finds every one of its literals in the summary and every
 * one of its runs in the value; and an
 * index of many prefilters (otel_mask_index) that tests two byte pairs of
 * each in one pass over the value, whose candidates are then tested by
 * their single bytes and runs alone. "May match" is the answer whenever
 * the prefilter cannot prove otherwise: an alternative without any
 * literal, a case-insensitive pattern over non-ASCII text (Unicode case
 * folding maps non-ASCII characters onto ASCII ones), a value longer than
 * OTEL_MASK_PREFILTER_MAX_LEN. Separately, the literal text every match
 * of a pattern starts with (otel_mask_lead), where a search after a match
 * may start.
 */
#ifndef LOG4C_OTEL_MASK_PREFILTER_H
#define LOG4C_OTEL_MASK_PREFILTER_H

#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

typedef struct otel_mask_prefilter otel_mask_prefilter;

/* Values longer than this are not summarised: every pattern runs (their
 * byte pairs would fill the summary). */
#define OTEL_MASK_PREFILTER_MAX_LEN 4096u

#define OTEL_MASK_PAIR_BITS 2048u

/* The summary of one value: its adjacent byte pairs (hashed), ASCII
 * letters folded to lower case (single bytes are searched in the value
 * itself). An entry is set when it holds the
 * summary's generation: a summary is reused value after value without
 * clearing it (zero it once before its first use; it belongs to one
 * thread). */
typedef struct otel_mask_subject {
    uint16_t gen;
    uint16_t e[256 + OTEL_MASK_PAIR_BITS]; /* 256 unused, then its byte pairs (hashed) */
    int ascii;     /* the value holds ASCII characters only */
    const char *s; /* the value itself */
    size_t len;
} otel_mask_subject;

/* The prefilter of pattern (JavaScript source or /pattern/flags literal, a
 * valid one: compiled already), case-insensitive as a whole when caseless.
 * NULL when it would never prove anything (some alternative has no literal
 * text) or memory ran out: callers then always run the pattern. */
otel_mask_prefilter *otel_mask_prefilter_new(const char *pattern, int caseless);
void otel_mask_prefilter_free(otel_mask_prefilter *pf);

/* Summarises s[0..len) into sub (replacing the value it summarised);
 * len <= OTEL_MASK_PREFILTER_MAX_LEN. */
void otel_mask_subject_scan(otel_mask_subject *sub, const char *s, size_t len, int ascii);

/* 0 when the pattern cannot match anywhere in the summarised value; 1 when
 * it may (the pattern must run). */
int otel_mask_prefilter_may_match(const otel_mask_prefilter *pf, const otel_mask_subject *sub);

/* The same test without the summary: only what single bytes and runs of
 * the value prove (literals of two bytes or more count as present), for
 * the candidates of an index, whose keys tested their pairs already. 0
 * when the pattern cannot match anywhere in s[0..len). */
int otel_mask_prefilter_may_match_bytes(const otel_mask_prefilter *pf, const char *s, size_t len, int ascii);

/* The same test with every literal searched in s[0..len) itself, either
 * case (no summary): for a short stretch of a value, such as what follows
 * a match (every match found by a search from an offset lies after it,
 * with everything its prefilter requires). 0 when the pattern cannot
 * match anywhere in s[0..len). */
int otel_mask_prefilter_may_match_text(const otel_mask_prefilter *pf, const char *s, size_t len, int ascii);

/* The most selective requirements of up to 64 prefilters (the patterns of
 * a set, the alternatives of a pattern), side by side, tested in one pass
 * over a value with one table read per byte pair. Each prefilter's key is
 * two byte pairs from its requirements that are literal text of two bytes
 * or more, the rarest in log text: two of its most selective literal, or
 * one of each of its two most selective literals (any of a choice's). A
 * prefilter without such a key (an alternative of single bytes or runs
 * only, several alternatives, none) is always a candidate, and a
 * case-insensitive one is for every value with a non-ASCII byte. */
typedef struct otel_mask_index otel_mask_index;

/* For pfs[0..n) (n <= 64; NULL: no prefilter); NULL when memory ran out. */
otel_mask_index *otel_mask_index_new(otel_mask_prefilter *const *pfs, size_t n);
void otel_mask_index_free(otel_mask_index *x);

/* Bit i set for each prefilter i that may match s[0..len) (ascii: the
 * value holds ASCII bytes only) by its key alone: those left out cannot
 * match; those in need otel_mask_index_bytes. Any length; reads the value
 * once, summarises nothing (on x86-64 16 or 32 pairs at a time with SSE2
 * or AVX2: the pairs' hashes computed in vector registers, each pair's
 * entry, both masks, OR-ed with one 16-byte load). */
uint64_t otel_mask_index_candidates(const otel_mask_index *x, const char *s, size_t len, int ascii);

/* otel_mask_index_candidates for a value not yet known to be ASCII:
 * *ascii says whether every byte of s[0..len) is (otel_utf8_ascii),
 * found in the same pass. */
uint64_t otel_mask_index_scan(const otel_mask_index *x, const char *s, size_t len, int *ascii);

/* live (candidates of otel_mask_index_candidates) less the prefilters
 * that the single bytes and runs of s[0..len) rule out (what
 * otel_mask_prefilter_may_match_bytes says of each; the rarest required
 * byte, or the first run, tried first). The index reads the prefilters it
 * was built from: they must outlive it. */
uint64_t otel_mask_index_bytes(const otel_mask_index *x, uint64_t live, const char *s, size_t len, int ascii);

/* The passes of otel_mask_index_candidates and otel_mask_index_scan: the
 * portable scalar code, SSE2 (x86-64: 16 pairs a block), AVX2 (x86-64
 * CPUs that have it, asked at run time: 32 pairs a block). */
#define OTEL_MASK_PASS_SCALAR 0
#define OTEL_MASK_PASS_SSE2 1
#define OTEL_MASK_PASS_AVX2 2

/* For tests: the widest pass the index may use from now on (the widest
 * this CPU runs by default; a wider one than the CPU runs means that
 * one). Every pass gives the same answers. Process-wide: set it while no
 * thread masks. */
void otel_mask_index_force_pass(int widest);

/* The top-level alternatives of pattern (as otel_mask_prefilter_new
 * takes it), each as a pattern of its own with the same flags, when
 * searching them one by one gives the matches of the whole: at the
 * leftmost position any of them matches, the first of them in order that
 * matches there, and its match (a backtracking engine tries the
 * alternatives of an alternation in order at each position). That holds
 * unless an alternative refers to another's groups (backreferences) or
 * inline flags "(?i)" reach over the alternatives that follow. Returns how
 * many (2 to 64) with their sources in *parts (free each, then the array), or
 * 0: keep the pattern whole. */
size_t otel_mask_split_alternatives(const char *pattern, char ***parts);

/* The literal text every match of a pattern starts with (two bytes or
 * more; n 0: none), for finding where a search may find a match at the
 * earliest (otel_mask_lead_find). */
#define OTEL_MASK_LEAD_MAX 16
typedef struct otel_mask_lead {
    size_t n;
    int folded; /* case-insensitive with a letter: text in lower case, for ASCII values only */
    unsigned char case_first, case_last; /* 0x20 where text's first (last) byte is a letter of either case */
    unsigned char text[OTEL_MASK_LEAD_MAX];
} otel_mask_lead;

/* Fills *lead for pattern (as otel_mask_prefilter_new takes it): the
 * ASCII characters read from its start (inside a "(?:...)" or "(?i:...)"
 * around the whole pattern), after any \b, \B and lookbehinds
 * (zero-width), up to the first thing that is not one required literal
 * character (a class, a group, a quantified character, a non-ASCII one).
 * Returns lead->n: 0 when that is under two bytes, and always for a
 * pattern with a top-level '|' or the sticky flag. lead->folded: the
 * pattern is case-insensitive and the text holds a letter; it then says
 * nothing of a value with a non-ASCII character (Unicode case folding
 * maps some onto ASCII letters). */
size_t otel_mask_lead_new(const char *pattern, int caseless, otel_mask_lead *lead);

static inline int otel_mask_lead_at_(const unsigned char *t, size_t n, int folded, const unsigned char *p)
{
    for (size_t j = 0; j < n; j++) {
        unsigned c = p[j];
        if (folded && c - 'A' < 26u)
            c |= 0x20;
        if (c != t[j])
            return 0;
    }
    return 1;
}

/* The first position at or after from where s[0..len) holds lead's text
 * (lead->n >= 2; lead->folded: ASCII letters of s compared in lower
 * case); SIZE_MAX when none. On x86-64 16 positions a block with SSE2
 * (the text's first and last bytes compared, the rest where both are). */
static inline size_t otel_mask_lead_find(const otel_mask_lead *lead, const char *s, size_t len, size_t from)
{
    const unsigned char *p = (const unsigned char *)s, *t = lead->text;
    size_t n = lead->n;
    if (from > len || len - from < n)
        return SIZE_MAX;
    size_t last = len - n, i = from; /* last: the last position the text may start at */
#if defined(__SSE2__) && defined(__x86_64__)
    if (last - i + 1 >= 16) {
        const __m128i vf = _mm_set1_epi8((char)t[0]), vl = _mm_set1_epi8((char)t[n - 1]);
        const __m128i mf = _mm_set1_epi8((char)lead->case_first), ml = _mm_set1_epi8((char)lead->case_last);
        for (;;) {
            if (last - i + 1 < 16)
                i = last + 1 - 16; /* the last block overlaps the one before, which held no match */
            __m128i a = _mm_or_si128(_mm_loadu_si128((const __m128i *)(p + i)), mf);
            __m128i b = _mm_or_si128(_mm_loadu_si128((const __m128i *)(p + i + n - 1)), ml);
            unsigned m = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, vf), _mm_cmpeq_epi8(b, vl)));
            for (; m; m &= m - 1) {
                size_t at = i + (size_t)__builtin_ctz(m);
                if (otel_mask_lead_at_(t + 1, n - 2, lead->folded, p + at + 1))
                    return at;
            }
            if (i + 16 > last)
                return SIZE_MAX;
            i += 16;
        }
    }
#endif
    for (; i <= last; i++)
        if (otel_mask_lead_at_(t, n, lead->folded, p + i))
            return i;
    return SIZE_MAX;
}

#endif
