/*
 * redact.h - the regular expressions of the configuration (JavaScript
 * regexes, translated by js_regex.h and compiled once by PCRE2 with JIT) and
 * masking: every match of hideRegex replaced by one '*' per character (UTF-8
 * code point), the matches being those of JavaScript's replace with a
 * global regex.
 *
 * Matching runs on the application thread with per-thread match data and
 * scratch (no lock; no allocation per call once a thread has warmed up).
 * Matching is bounded. A search hits PCRE2's match/depth/heap limits (or
 * the JIT stack limit) and then reports "matched". Masking has a budget per
 * VALUE, shared by every match of every pattern of its union: past it the
 * value is masked whole (counted, otel_regex_masked_whole) -- never lets
 * the text through.
 *
 * Before a set's patterns run on a value, the literal prefilter
 * (mask_prefilter.h) rules out the patterns, and the alternatives of an
 * alternation, that cannot match anywhere in it, and those whose shortest
 * match is longer than the value: they are not searched (and cost none of
 * the budget). A value shorter than the shortest match of every pattern
 * compiled so far is only checked to be UTF-8. The masks are the same as
 * without it. A short value that masking left as it was is remembered per
 * thread, with the set's patterns, and left as it is again under the
 * same patterns while no pattern has been freed.
 */
#ifndef LOG4C_OTEL_REDACT_H
#define LOG4C_OTEL_REDACT_H

#include <stddef.h>
#include <stdint.h>

typedef struct otel_regex otel_regex;

#define OTEL_REGEX_CASELESS 1

/* The match limit (PCRE2 steps) for one search over len bytes, and the
 * budget of masking one value of len bytes with all its patterns:
 * OTEL_REGEX_MATCH_LIMIT_BASE + OTEL_REGEX_MATCH_LIMIT_PER_BYTE * len (a
 * legitimate search over a long body needs more steps than over a short
 * one), never more than OTEL_REGEX_VALUE_BUDGET_MAX whatever the length:
 * one value costs at most that much matching. Masking charges each
 * pcre2_match call an upper bound of its steps (it starts at
 * OTEL_REGEX_CALL_FIRST_LIMIT and doubles while the call hits it). Depth:
 * 10000 + len. */
#define OTEL_REGEX_MATCH_LIMIT_BASE 100000u
#define OTEL_REGEX_MATCH_LIMIT_PER_BYTE 64u
#define OTEL_REGEX_VALUE_BUDGET_MAX 20000000u
#define OTEL_REGEX_CALL_FIRST_LIMIT 64u
#define OTEL_REGEX_HEAP_LIMIT_KIB 65536u

/* Compiles pattern, a JavaScript regex or /pattern/flags literal (UTF-8;
 * docs/CONFIGURATION.md, "Regular expressions"); OTEL_REGEX_CASELESS adds
 * the i flag. NULL on error, with "JavaScript: <what> at offset <n>" (not
 * valid JavaScript, or refused) or "not supported by PCRE2: <what> at
 * offset <n>" in err, n a byte offset in pattern. */
otel_regex *otel_regex_compile(const char *pattern, int flags, char *err, size_t errlen);
void otel_regex_free(otel_regex *re);
const char *otel_regex_pattern(const otel_regex *re);

/* Unanchored search; invalid UTF-8 in s is searched as U+FFFD (on a
 * per-thread copy). 1: match; 0: none; 1 as well when a limit was hit
 * (callers fail safe), in which case *limit_hit (when given) is set. */
int otel_regex_search(const otel_regex *re, const char *s, size_t len, int *limit_hit);

/* s must be valid UTF-8 (sanitise first: otel_utf8_sanitize); invalid
 * input is masked whole. Masks every match of re in s[0..len) in place,
 * one '*' per code point of the match (empty matches change nothing; after
 * one the search goes on one code point further, as in JavaScript);
 * returns the new length (<= len) and NUL-terminates when the length
 * shrank. Past the value's budget the whole value is masked. Never
 * allocates beyond the per-thread scratch. The one-pattern case of
 * otel_regex_mask_set. */
size_t otel_regex_mask(const otel_regex *re, char *s, size_t len);

/* A union of hideRegex patterns (filter.h): a value masked under a set is
 * masked by every one of its patterns. A set given an id (otel_regex_set_id)
 * when it is made must not change afterwards: a thread finds what it
 * built for the set (its index) by that id; a set without one (0) is
 * recognised by its patterns, compared each time. */
typedef struct otel_regex_set {
    size_t n;
    uint64_t id;
    const otel_regex *re[];
} otel_regex_set;

/* A non-zero id no other set of this process has had, for a set being made. */
uint64_t otel_regex_set_id(void);

/* Masks s[0..len) (valid UTF-8, as otel_regex_mask) under every pattern
 * of set: each pattern is matched on the original text, and every span
 * any of them matches is replaced by one '*' per code point (overlapping
 * or touching spans become one). The value is masked whole when its
 * matching runs past its budget (see OTEL_REGEX_VALUE_BUDGET_MAX). */
size_t otel_regex_mask_set(const otel_regex_set *set, char *s, size_t len);

/* The length under which otel_regex_mask_set leaves a valid UTF-8 value
 * of set as it is (shorter than any match of any pattern): callers whose
 * values are valid UTF-8 (a record's) skip such values without the call.
 * 0 for a set that masks every value whole (one that could not be built);
 * SIZE_MAX for no set. */
size_t otel_regex_set_floor(const otel_regex_set *set);

/* otel_regex_mask_set without the literal prefilter (mask_prefilter.h):
 * every pattern runs on every value. The same masks; for tests and
 * measurements that compare the two. */
size_t otel_regex_mask_set_unfiltered(const otel_regex_set *set, char *s, size_t len);

/* otel_regex_mask_set with each pattern's code for any text on every
 * value: on a value of ASCII characters it is otherwise the code compiled
 * for ASCII subjects (without UTF mode where its translation allows).
 * The same masks; for tests that compare the two. */
size_t otel_regex_mask_set_any_text(const otel_regex_set *set, char *s, size_t len);

/* Number of limit hits so far (all threads), for diagnostics and tests. */
unsigned long otel_regex_limit_hits(void);

/* Number of values masked whole because their matching ran past its
 * budget (or their union could not be built), all threads. */
unsigned long otel_regex_masked_whole(void);

#endif
