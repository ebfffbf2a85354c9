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
 * OTEL_MASK_PREFILTER_MAX_LEN.
 */
#ifndef LOG4C_OTEL_MASK_PREFILTER_H
#define LOG4C_OTEL_MASK_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

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

/* Whether otel_mask_prefilter_may_match_bytes can ever answer 0 for pf
 * (it has a literal of one byte or a run to test, or several
 * alternatives); 0 for NULL. */
int otel_mask_prefilter_tests_bytes(const otel_mask_prefilter *pf);

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

#endif
