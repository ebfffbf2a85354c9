/*
 * filter.h - the logs filters of the configuration (DESIGN §3): which rule a
 * record matches, and what that rule does to it.
 *
 * A rule matches when every match key it gives matches (a rule with none
 * matches everything):
 *  - categoryName: equal to the category or a dotted prefix of it ("gw"
 *    matches "gw" and "gw.conn", not "gwx"); "#..." is a case-insensitive
 *    PCRE2 regex searched (unanchored) in the category;
 *  - severity: TRACE/DEBUG/INFO/WARN/ERROR/FATAL (any case) match the OTel
 *    severity band of the record (ERROR: 17-20, so log4c ERROR, CRIT, ALERT);
 *  - bodyRegex: PCRE2, unanchored search in the raw message.
 * The first matching rule in order wins; options it leaves out come from
 * `defaults`, then the built-in defaults (enabled, no hiding, all
 * attributes). No rule matches: `defaults`, then built-ins. Cheap keys are
 * tested first (category, severity), the body regex last.
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
    const otel_regex *hide; /* NULL: nothing masked */
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
    otel_log_options eff; /* resolved: this rule, then defaults, then built-ins */
} otel_filter_rule;

typedef struct otel_filter_set {
    otel_filter_rule *rules;
    size_t nrules;
    otel_filter_rule defaults; /* options only */
} otel_filter_set;

/* Parses one filters[] entry (is_defaults 0) or the defaults object
 * (is_defaults 1: match keys there are reported as unknown). See
 * config_error.h for the contract. */
int otel_filter_rule_from_json(const json_t *obj, const char *key_path, otel_filter_rule *out, int is_defaults,
                               otel_config_error *err);
void otel_filter_rule_free(otel_filter_rule *r);

/* Fills every rule's eff (and the defaults') after parsing. */
void otel_filter_set_resolve(otel_filter_set *fs);
void otel_filter_set_free(otel_filter_set *fs);

/* The options for a record; never NULL. body is the raw message. */
const otel_log_options *otel_filter_select(const otel_filter_set *fs, const char *category, int severity_number,
                                           const char *body, size_t body_len);

/* What category and severity alone say about a record, before its body is
 * looked at (the logging thread drops on that, without copying the record):
 *  - OTEL_FILTER_DROP: the first rule matching on category and severity has
 *    no bodyRegex and is disabled, or no rule matches and the defaults are
 *    disabled: otel_filter_select gives a disabled option for every body;
 *  - OTEL_FILTER_KEEP: the same, but enabled;
 *  - OTEL_FILTER_UNDECIDED: the first rule matching on category and
 *    severity has a bodyRegex. Only the body decides: a body it does not
 *    match falls through to the later rules, so nothing after it can be
 *    assumed either.
 * Always agrees with otel_filter_select(fs, category, severity_number, b)
 * ->enabled for every body b when decided. On KEEP, *kept (when kept is not
 * NULL) gets the options otel_filter_select returns for every body: a
 * consumer that remembers them need not walk the rules again. */
typedef enum { OTEL_FILTER_UNDECIDED = 0, OTEL_FILTER_KEEP, OTEL_FILTER_DROP } otel_filter_decision;
otel_filter_decision otel_filter_decide(const otel_filter_set *fs, const char *category, int severity_number,
                                        const otel_log_options **kept);

/* "ERROR" (any case) -> 17..20 etc. Returns 0, or -1 for an unknown name. */
int otel_severity_band(const char *name, int *min, int *max);

/* "an object", "a string", ... for messages saying what was found. */
const char *otel_json_type_name(const json_t *v);

/* 1 when key is in the allow-list of o (or o keeps everything). */
int otel_options_allow(const otel_log_options *o, const char *key);

#endif
