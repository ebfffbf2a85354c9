/*
 * filter.h - the logs filters of the configuration (docs/CONFIGURATION.md,
 * "Filters, masking and allowed attributes"): which rules a record matches,
 * and what they do to it.
 *
 * A rule matches when every match key it gives matches (a rule with none
 * matches everything):
 *  - categoryName: equal to the category or a dotted prefix of it ("gw"
 *    matches "gw" and "gw.conn", not "gwx"); "#..." is a case-insensitive
 *    PCRE2 regex searched (unanchored) in the category;
 *  - severity: a name of severity_names.h (any case) matches its OTel
 *    severity band (ERROR: 17-20, so log4c ERROR, CRIT, ALERT);
 *  - bodyRegex: PCRE2, unanchored search in the raw message.
 * Options merge first-wins: every matching rule, in order, contributes the
 * options it sets, and the first rule to set `enabled` (allowedAttributes)
 * gives it; what no matching rule sets comes from `defaults`, then the
 * built-in defaults (enabled, all attributes). No rule matches: `defaults`,
 * then built-ins.
 *
 * hideRegex never narrows: the patterns that apply are defaults' and those
 * of EVERY matching rule (a union; redact.h says how a union masks).
 *
 * A bodyRegex search that hits its limit (a runaway pattern) cannot say
 * whether its rule matches. It counts as a match: the rule contributes its
 * `enabled` and allowedAttributes like any matching rule (first-wins, so a
 * record is kept or dropped as it would be were the body to match; the same
 * rule as a runaway "#regex" category search, and one that does not depend
 * on how fast the search ran). The masks are the fail-safe union: defaults'
 * and the hideRegex of EVERY rule whose category and severity keys match,
 * whatever their bodyRegex.
 *
 * Cheap keys are tested first (category, severity), the body regex last; a
 * bodyRegex is searched only when its rule could still contribute (set an
 * option no earlier matching rule set, or add masks). The options for each
 * distinct combination (`enabled`, the rule giving allowedAttributes, the
 * rules adding masks) are built once, on first use,
 * and kept until the set is freed: selecting allocates only the first time
 * a combination is seen (past 1024 combinations, or when memory runs out,
 * a record gets its winners' `enabled` and allowedAttributes with every
 * rule's masks: more masking, never less). Selecting is safe from any
 * number of threads at once (combinations are added lock-free).
 */
#ifndef LOG4C_OTEL_FILTER_H
#define LOG4C_OTEL_FILTER_H

#include <jansson.h>
#include <stddef.h>
#include "config_error.h"
#include "redact.h"

/* What applies to a record: resolved once at load, read-only afterwards. */
typedef struct otel_log_options {
    int enabled;
    const otel_regex_set *hide; /* NULL: nothing masked; else the union that applies */
    int has_allowed;        /* 0: every attribute is kept */
    char *const *allowed;
    size_t nallowed;
} otel_log_options;

typedef struct otel_filter_rule {
    /* match keys, each optional */
    char *category; /* NULL: no category key; else the prefix (category_re NULL) or "#regex" */
    size_t category_len;
    otel_regex *category_re;
    int sev_min, sev_max; /* 0: no severity key */
    otel_regex *body_re;
    /* options as written (-1 / NULL / has_allowed 0: not given) */
    int enabled;
    otel_regex *hide;
    int has_allowed;
    char **allowed;
    size_t nallowed;
    otel_log_options eff; /* resolved: this rule, then defaults, then built-ins;
                           * hide: defaults' and this rule's */
    otel_log_options eff_all[2]; /* eff's allowedAttributes, enabled 0 / 1, hide: the
                                  * set's hide_all (when a combination cannot be built) */
} otel_filter_rule;

/* The options of one combination of matching rules (filter.c). */
typedef struct otel_filter_combo otel_filter_combo;

typedef struct otel_filter_set {
    otel_filter_rule *rules;
    size_t nrules;
    otel_filter_rule defaults; /* options only */
    const otel_regex_set *hide_all; /* defaults' and every rule's hideRegex (resolved) */
    otel_filter_combo *_Atomic combos; /* built on first use, freed with the set */
} otel_filter_set;

/* Parses one filters[] entry (is_defaults 0) or the defaults object
 * (is_defaults 1: match keys there are reported as unknown). See
 * config_error.h for the contract. */
int otel_filter_rule_from_json(const json_t *obj, const char *key_path, otel_filter_rule *out, int is_defaults,
                               otel_config_error *err);
void otel_filter_rule_free(otel_filter_rule *r);

/* Fills every rule's eff and eff_all (and the defaults'), and hide_all,
 * after parsing; again after the set was moved (what an earlier call
 * built, remembered combinations included, is replaced). */
void otel_filter_set_resolve(otel_filter_set *fs);
void otel_filter_set_free(otel_filter_set *fs);

/* The options for a record; never NULL. body is the raw message. */
const otel_log_options *otel_filter_select(const otel_filter_set *fs, const char *category, int severity_number,
                                           const char *body, size_t body_len);

/* What category and severity alone say about a record, before its body is
 * looked at (the logging thread drops on that, without copying the record).
 * The rules matching on category and severity without a bodyRegex surely
 * match; those with one may or may not:
 *  - OTEL_FILTER_DROP: `enabled` is false whichever of the bodyRegex rules
 *    match: the first surely-matching rule that sets it (else the
 *    defaults) says false, and so does every bodyRegex rule before it that
 *    sets it. otel_filter_select gives a disabled option for every body;
 *  - OTEL_FILTER_KEEP: `enabled` is true whichever of the bodyRegex rules
 *    match, and none of them could change the other options: none sets
 *    allowedAttributes before the rule that gives them, none has a
 *    hideRegex. otel_filter_select then returns the same options for every
 *    body (a runaway search included);
 *  - OTEL_FILTER_UNDECIDED: anything else: only the body decides.
 * Always agrees with otel_filter_select(fs, category, severity_number, b)
 * ->enabled for every body b when decided. On KEEP, *kept (when kept is not
 * NULL) gets the options otel_filter_select returns for every body (the
 * same pointer): a consumer that remembers them need not walk the rules
 * again. */
typedef enum { OTEL_FILTER_UNDECIDED = 0, OTEL_FILTER_KEEP, OTEL_FILTER_DROP } otel_filter_decision;
otel_filter_decision otel_filter_decide(const otel_filter_set *fs, const char *category, int severity_number,
                                        const otel_log_options **kept);

/* "an object", "a string", ... for messages saying what was found. */
const char *otel_json_type_name(const json_t *v);

/* 1 when key is in the allow-list of o (or o keeps everything). */
int otel_options_allow(const otel_log_options *o, const char *key);

#endif
