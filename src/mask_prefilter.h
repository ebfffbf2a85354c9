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
 * A value is summarised once (which byte pairs it holds, ASCII letters
 * folded to lower case); a pattern may match only when some
 * alternative finds every one of its literals in the summary and every one
 * of its runs in the value. "May match" is the
 * answer whenever the prefilter cannot prove otherwise: an alternative
 * without any literal, a case-insensitive pattern over non-ASCII text
 * (Unicode case folding maps non-ASCII characters onto ASCII ones), a
 * value longer than OTEL_MASK_PREFILTER_MAX_LEN.
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

/* The most selective requirement of each of up to 64 prefilters, side by
 * side, for a pattern split into its alternatives: which of them may
 * match a value, tested in one loop. */
typedef struct otel_mask_gate otel_mask_gate;

/* For pfs[0..n) (n <= 64; NULL: no prefilter); NULL when memory ran out. */
otel_mask_gate *otel_mask_gate_new(otel_mask_prefilter *const *pfs, size_t n);
void otel_mask_gate_free(otel_mask_gate *g);

/* Bit i set for each prefilter i of among that may match the summarised
 * value by its most selective requirement alone: those left out cannot
 * match; those in need otel_mask_prefilter_may_match. */
uint64_t otel_mask_gate_candidates(const otel_mask_gate *g, uint64_t among, const otel_mask_subject *sub);

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
