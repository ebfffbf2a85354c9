/*
 * mask.h - the masking gate: the one place where a value is made fit to
 * leave the process under a category's rules. Made valid UTF-8 (invalid
 * bytes become U+FFFD), then every match of the hideRegex that applies to
 * the entry is replaced by one '*' per code point (redact.h); a match that
 * hits its limits masks the whole value.
 *
 * Which rules apply is the filter's choice (filter.h) for the entry's
 * category, priority and body; the value masked may be the body itself or
 * anything that belongs to the entry (an attribute value, a span
 * attribute of a traces-as-logs line).
 *
 * Contract for every sink:
 *  - OTEL_MASK_NO_RULES: there are no valid rules (the configuration is
 *    invalid, or not loaded where it has to be). Write nothing of the
 *    value (fail closed): a placeholder, or nothing.
 *  - OTEL_MASK_NOMEM: the masked copy could not be made. Write nothing of
 *    the value.
 *  - OTEL_MASK_UNTOUCHED: no hideRegex applies to the entry; the value may
 *    be written as given (*out is the caller's s, not copied).
 *  - OTEL_MASK_MASKED: *out is the sanitised, masked copy (in the caller's
 *    buffer, NUL-terminated).
 * A value is never written unmasked when a rule applies to it.
 */
#ifndef LOG4C_OTEL_MASK_H
#define LOG4C_OTEL_MASK_H

#include "filter.h"

#include <stddef.h>

typedef enum otel_mask_result {
    OTEL_MASK_NOMEM = -2,
    OTEL_MASK_NO_RULES = -1,
    OTEL_MASK_UNTOUCHED = 0,
    OTEL_MASK_MASKED = 1,
} otel_mask_result;

/* Where a masked copy is made: owned by the caller, grown as needed (start
 * with {NULL, 0}; free(p) when done, or keep it for the next value). */
typedef struct otel_mask_buf {
    char *p;
    size_t cap;
} otel_mask_buf;

/* The entry whose rules apply. body: the entry's raw message (a bodyRegex
 * rule selects on it; "" when the entry has none). */
typedef struct otel_mask_entry {
    const char *category;
    int log4c_priority;
    const char *body;
    size_t body_len;
} otel_mask_entry;

/* Masks s[0..len) under the rules rules gives the entry e (rules NULL: no
 * valid rules). On OTEL_MASK_UNTOUCHED and OTEL_MASK_MASKED, *out and
 * *out_len are what may be written; on a negative result *out is NULL and
 * nothing of s may be written. Any thread; no lock. */
otel_mask_result otel_mask_value(const otel_filter_set *rules, const otel_mask_entry *e, const char *s, size_t len,
                                 otel_mask_buf *buf, const char **out, size_t *out_len);

/* What a sink that writes at once (the traces line, an otel_file line,
 * the otel_redact layout, the --tee copy) calls: otel_mask_value() under
 * the runtime's current rules for the entry (category, priority, body).
 * The rules are NULL (OTEL_MASK_NO_RULES) when the configuration is
 * invalid, and also while it is not loaded and LOG4C_OTEL_INIT_WAIT_MS
 * holds for log4c_otel_init*(): the configuration is never loaded early
 * for a sink, so the one given to log4c_otel_init_with_config() still
 * applies. Every negative result is counted (the `withheld` counter): the
 * caller writes a placeholder or nothing. */
otel_mask_result otel_mask_for_sink(const otel_mask_entry *e, const char *s, size_t len, otel_mask_buf *buf,
                                    const char **out, size_t *out_len);

/* The same masking on a value that is valid UTF-8 already and the
 * caller's to change (a record's own copy), under the options selected
 * for its entry: in place, returning the new length (<= len). */
size_t otel_mask_in_place(const otel_log_options *o, char *s, size_t len);

#endif
