/*
 * test_filter.c - filter matching (categories exact/prefix/#regex, every
 * severity band, bodyRegex), precedence and the defaults fallback, masking
 * (UTF-8, several/overlapping/empty matches, runaway patterns), masks adding
 * up across matching rules (unions on the original text, a runaway
 * bodyRegex), the per-value matching budget, allow-lists and limits through
 * the whole pipeline.
 */
#include <check.h>
#include "run_suite.h"
#include "load_pipeline.h"
#include <stdlib.h>
#include <string.h>

#include "attributes.h"
#include "configuration.h"
#include "log4c-otel.h"
#include "decision_cache.h"
#include "pipeline.h"
#include "redact.h"

static void classify_none(void *owner, const char *category, otel_source_class *cls)
{
    (void)owner;
    (void)category;
    memset(cls, 0, sizeof *cls);
}

/* LOG4C priorities */
enum { FATAL = 000, ALERT = 100, CRIT = 200, ERROR = 300, WARN = 400, NOTICE = 500, INFO = 600, DEBUG = 700, TRACE = 800 };

/* Builds a record for (category, priority, body); NULL when filtered. */
static otel_record *build(const otel_pipeline *p, const char *cat, int prio, const char *body, const otel_attr *attrs,
                          size_t n)
{
    otel_pipeline_input in = {.rec = {.log4c_priority = prio, .category = cat, .body = body,
                                      .body_len = strlen(body), .attrs = attrs, .nattrs = n}};
    int why = 0;
    otel_record *r = otel_pipeline_build_record(p, &in, &why);
    if (!r)
        ck_assert_int_eq(why, OTEL_PIPELINE_FILTERED);
    return r;
}

static int kept(const otel_pipeline *p, const char *cat, int prio, const char *body)
{
    otel_record *r = build(p, cat, prio, body, NULL, 0);
    otel_record_free(r);
    return r != NULL;
}

START_TEST(category_matching)
{
    static const struct {
        const char *rule, *cat;
        int match;
    } rows[] = {
        {"gw", "gw", 1},          {"gw", "gw.conn", 1},     {"gw", "gw.conn.x", 1},  {"gw", "gwx", 0},
        {"gw", "g", 0},           {"gw", "app.gw", 0},      {"gw.conn", "gw", 0},    {"gw.conn", "gw.conn2", 0},
        {"GW", "gw", 0},          {"#^gw", "GW.x", 1},      {"#conn$", "gw.conn", 1}, {"#conn$", "gw.connx", 0},
        {"#o.d", "app.orders", 1}, {"#^x", "app", 0},       {"a.b", "a.b.c", 1},     {"a.b", "a.bc", 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char json[256];
        snprintf(json, sizeof json, "{\"filters\":[{\"categoryName\":\"%s\",\"enabled\":false}]}", rows[i].rule);
        otel_pipeline p;
        load(&p, json);
        ck_assert_msg(kept(&p, rows[i].cat, INFO, "x") == !rows[i].match, "row %zu: %s vs %s", i, rows[i].rule,
                      rows[i].cat);
        otel_pipeline_free(&p);
    }
}
END_TEST

START_TEST(severity_bands)
{
    static const int prios[] = {FATAL, ALERT, CRIT, ERROR, WARN, NOTICE, INFO, DEBUG, TRACE};
    static const struct {
        const char *band;
        const char *matches; /* one char per priority above: 1 = matched (dropped) */
    } rows[] = {
        {"FATAL", "100000000"}, {"ERROR", "011100000"}, {"WARN", "000010000"},
        {"INFO", "000001100"},  {"DEBUG", "000000010"}, {"TRACE", "000000001"},
        {"error", "011100000"}, /* any case */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char json[256];
        snprintf(json, sizeof json, "{\"filters\":[{\"severity\":\"%s\",\"enabled\":false}]}", rows[i].band);
        otel_pipeline p;
        load(&p, json);
        for (size_t k = 0; k < 9; k++)
            ck_assert_msg(kept(&p, "c", prios[k], "x") == (rows[i].matches[k] == '0'), "%s, priority %d",
                          rows[i].band, prios[k]);
        otel_pipeline_free(&p);
    }
}
END_TEST

START_TEST(body_regex)
{
    static const struct {
        const char *re, *body;
        int match;
    } rows[] = {
        {"heartbeat", "gw heartbeat ok", 1}, /* unanchored search */
        {"^heartbeat", "gw heartbeat ok", 0},
        {"Heartbeat", "heartbeat", 0},       /* case-sensitive */
        {"\\\\d{3}", "code 404", 1},
        {"é+", "caf\xc3\xa9", 1},            /* UTF-8 */
        {"x", "bad \xff utf8 x", 1},         /* invalid UTF-8 in the raw message */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char json[256];
        snprintf(json, sizeof json, "{\"filters\":[{\"bodyRegex\":\"%s\",\"enabled\":false}]}", rows[i].re);
        otel_pipeline p;
        load(&p, json);
        ck_assert_msg(kept(&p, "c", INFO, rows[i].body) == !rows[i].match, "row %zu", i);
        otel_pipeline_free(&p);
    }
}
END_TEST

START_TEST(all_keys_must_match_and_first_rule_wins)
{
    otel_pipeline p;
    load(&p, "{\"filters\":["
             "{\"categoryName\":\"gw\",\"severity\":\"DEBUG\",\"bodyRegex\":\"ping\",\"enabled\":false},"
             "{\"categoryName\":\"gw\",\"enabled\":true,\"hideRegex\":\"secret\"},"
             "{\"categoryName\":\"gw\",\"enabled\":false}],"
             "\"defaults\":{\"enabled\":false}}");
    ck_assert(!kept(&p, "gw.x", DEBUG, "ping"));   /* rule 0: every key matches */
    ck_assert(kept(&p, "gw.x", INFO, "ping"));     /* rule 0 fails on severity; rule 1 wins over rule 2 */
    ck_assert(kept(&p, "gw.x", DEBUG, "pong"));    /* rule 0 fails on body */
    ck_assert(!kept(&p, "other", INFO, "ping"));   /* no rule: defaults (enabled false) */
    otel_record *r = build(&p, "gw", INFO, "a secret b", NULL, 0);
    ck_assert_str_eq(r->body, "a ****** b");
    otel_record_free(r);
    otel_pipeline_free(&p);
}
END_TEST

START_TEST(gaps_come_from_defaults_then_builtins)
{
    otel_pipeline p;
    load(&p, "{\"filters\":[{\"categoryName\":\"a\"},{\"categoryName\":\"b\",\"hideRegex\":\"x\"},"
             "{\"categoryName\":\"c\",\"allowedAttributes\":[]}],"
             "\"defaults\":{\"hideRegex\":\"s\",\"allowedAttributes\":[\"k\"]}}");
    otel_attr attrs[] = {{.key = "k", .type = OTEL_VALUE_STRING, .v.str = {"sxs", 3}},
                         {.key = "other", .type = OTEL_VALUE_INT, .v.i = 1}};
    /* a: everything from defaults */
    otel_record *r = build(&p, "a", INFO, "sxs", attrs, 2);
    ck_assert_str_eq(r->body, "*x*");
    ck_assert_uint_eq(r->nattrs, 1);
    ck_assert_str_eq(r->attrs[0].key, "k");
    ck_assert_str_eq(r->attrs[0].v.str.s, "*x*");
    otel_record_free(r);
    /* b: its own hideRegex adds to the default one; allow-list from defaults */
    r = build(&p, "b", INFO, "sxs", attrs, 2);
    ck_assert_str_eq(r->body, "***");
    ck_assert_uint_eq(r->nattrs, 1);
    otel_record_free(r);
    /* c: an empty allow-list removes every attribute */
    r = build(&p, "c", INFO, "sxs", attrs, 2);
    ck_assert_uint_eq(r->nattrs, 0);
    otel_record_free(r);
    otel_pipeline_free(&p);
    /* no defaults at all: built-ins (enabled, no hiding, all attributes) */
    load(&p, "{\"filters\":[{\"categoryName\":\"a\"}]}");
    r = build(&p, "a", INFO, "sxs", attrs, 2);
    ck_assert_str_eq(r->body, "sxs");
    ck_assert_uint_eq(r->nattrs, 2);
    otel_record_free(r);
    otel_pipeline_free(&p);
}
END_TEST

/* Masks body with pattern through otel_regex_mask. */
static void mask_case(const char *pattern, const char *in, const char *want)
{
    char err[256];
    otel_regex *re = otel_regex_compile(pattern, 0, err, sizeof err);
    ck_assert_msg(re != NULL, "%s: %s", pattern, err);
    char *s = strdup(in);
    size_t n = otel_regex_mask(re, s, strlen(s));
    s[n] = '\0';
    ck_assert_msg(strcmp(s, want) == 0, "/%s/ on \"%s\": got \"%s\", want \"%s\"", pattern, in, s, want);
    free(s);
    otel_regex_free(re);
}

START_TEST(masking)
{
    static const char *const rows[][3] = {
        {"secret", "no match here", "no match here"},
        {"secret", "secret", "******"},
        {"s3cr3t|hunter2", "a s3cr3t b hunter2 c s3cr3t", "a ****** b ******* c ******"},   /* several */
        {"=\\S+", "pw=p\xc3\xa4ss\xe2\x82\xac\xf0\x9f\x94\x91 end", "pw******* end"},         /* one * per code point */
        {"\xc3\xa4+", "b\xc3\xa4\xc3\xa4r", "b**r"},                                      /* multibyte pattern */
        {"x*", "axxb", "a**b"},                                                            /* empty matches skipped */
        {"x*?", "axxb", "axxb"},                        /* after an empty match the search goes on one character further */
        {"(?=a)", "aaa", "aaa"},                                                           /* zero-width */
        {"aa", "aaa", "**a"},                                                              /* matches do not overlap */
        {"abc|bcd", "abcd", "***d"},                                                       /* leftmost wins */
        {"(?<=key=)\\w+", "key=abc key=def", "key=*** key=***"},                           /* lookbehind sees the original */
        {"\\d{4}(?=\\d{4})", "12345678", "****5678"},
        {"^", "abc", "abc"},
        {"c$", "abc", "ab*"},
        {"", "", ""},
        /* JavaScript's meaning (docs/CONFIGURATION.md, "Regular expressions") */
        {"c$", "abc\n", "abc\n"},                                                        /* never before a final newline */
        {"\\u0070w=\\S+", "pw=x\xe2\x80\xa8y", "****\xe2\x80\xa8y"},                         /* U+2028 is \s */
        {"[^]", "a\n", "**"},
        {"/SECRET/i", "a secret", "a ******"},
        {"|x", "axb", "axb"},                                                              /* the empty alternative wins */
        {"/[^\\u017f]/i", "s\xc5\xbfk", "*\xc5\xbf*"},                                  /* without u, s is not U+017F */
        {"/[^\\W]/i", "s\xc5\xbf\xe2\x84\xaak", "*\xc5\xbf\xe2\x84\xaa*"},
        /* the example of docs/CONFIGURATION.md */
        {"(?i)(?:password|token)=\\S+|\\b(?:\\d[ -]?){13,16}\\b", "login password=hunter2 card 4111 1111 1111 1111",
         "login **************** card *******************"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        mask_case(rows[i][0], rows[i][1], rows[i][2]);
}
END_TEST

START_TEST(runaway_regex_masks_everything)
{
    char err[256];
    otel_regex *re = otel_regex_compile("(a+)+$", 0, err, sizeof err);
    ck_assert_ptr_nonnull(re);
    char s[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!";
    unsigned long before = otel_regex_limit_hits();
    size_t n = otel_regex_mask(re, s, strlen(s));
    ck_assert_uint_eq(n, strlen("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"));
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(s[i], '*');
    ck_assert_uint_gt(otel_regex_limit_hits(), before);
    /* as a bodyRegex: the rule counts as matched (cautious) */
    int hit = 0;
    ck_assert_int_eq(otel_regex_search(re, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", 76, &hit), 1);
    ck_assert_int_eq(hit, 1);
    otel_regex_free(re);
}
END_TEST

/* Masks in with the union of patterns[0..n) through otel_regex_mask_set. */
static void union_case(const char *const *patterns, size_t n, const char *in, const char *want)
{
    otel_regex_set *set = malloc(sizeof *set + n * sizeof set->re[0]);
    ck_assert_ptr_nonnull(set);
    set->n = n;
    set->id = otel_regex_set_id();
    char err[256];
    for (size_t i = 0; i < n; i++) {
        set->re[i] = otel_regex_compile(patterns[i], 0, err, sizeof err);
        ck_assert_msg(set->re[i] != NULL, "%s: %s", patterns[i], err);
    }
    char *s = strdup(in);
    size_t len = otel_regex_mask_set(set, s, strlen(s));
    s[len] = '\0';
    ck_assert_msg(strcmp(s, want) == 0, "union on \"%s\": got \"%s\", want \"%s\"", in, s, want);
    free(s);
    for (size_t i = 0; i < n; i++)
        otel_regex_free((otel_regex *)set->re[i]);
    free(set);
}

START_TEST(union_masks_every_span_of_the_original)
{
    static const char *const two_overlapping[] = {"abc", "bcd"};
    union_case(two_overlapping, 2, "xabcdx", "x****x");
    union_case(two_overlapping, 2, "abc bcd", "*** ***");
    /* the longer pattern still sees the original, not the first one's stars */
    static const char *const prefix[] = {"secret", "secret=\\w+"};
    union_case(prefix, 2, "a secret=xyz b", "a ********** b");
    static const char *const prefix_rev[] = {"secret=\\w+", "secret"};
    union_case(prefix_rev, 2, "a secret=xyz b", "a ********** b");
    /* a lookbehind on text another pattern matches */
    static const char *const behind[] = {"key", "(?<=key=)\\w+"};
    union_case(behind, 2, "key=abc", "***=***");
    /* touching spans, nested spans, code points */
    static const char *const touch[] = {"ab", "cd", "b"};
    union_case(touch, 3, "abcde", "****e");
    static const char *const multi[] = {"\xc3\xa4+", "b\xc3\xa4"};
    union_case(multi, 2, "xb\xc3\xa4\xc3\xa4r", "x***r");
    static const char *const none[] = {"zz", "yy"};
    union_case(none, 2, "abc", "abc");
}
END_TEST

START_TEST(masks_add_up_across_matching_rules)
{
    otel_pipeline p;
    load(&p, "{\"filters\":[{\"categoryName\":\"gw\",\"hideRegex\":\"aaa\",\"enabled\":true},"
             "{\"categoryName\":\"gw.x\",\"hideRegex\":\"bbb\",\"enabled\":false},"
             "{\"categoryName\":\"gw\",\"severity\":\"ERROR\",\"hideRegex\":\"ccc\"},"
             "{\"categoryName\":\"gw\",\"bodyRegex\":\"tok\",\"hideRegex\":\"tok=\\\\w+\"},"
             "{\"categoryName\":\"other\",\"hideRegex\":\"eee\"}],"
             "\"defaults\":{\"hideRegex\":\"ddd\"}}");
    /* enabled comes from the first matching rule that sets it (gw: enabled), masks from all of them */
    otel_record *r = build(&p, "gw.x", INFO, "aaa bbb ccc ddd eee", NULL, 0);
    ck_assert_str_eq(r->body, "*** *** ccc *** eee");
    otel_record_free(r);
    r = build(&p, "gw.x", ERROR, "aaa bbb ccc ddd eee", NULL, 0);
    ck_assert_str_eq(r->body, "*** *** *** *** eee");
    otel_record_free(r);
    r = build(&p, "gw", INFO, "aaa bbb tok=1 ddd", NULL, 0);
    ck_assert_str_eq(r->body, "*** bbb ***** ***");
    otel_record_free(r);
    /* a later rule with a bodyRegex and a hideRegex: the body decides the masks */
    ck_assert_int_eq(otel_pipeline_decide(&p, "gw", INFO, NULL), OTEL_FILTER_UNDECIDED);
    const otel_log_options *o = NULL;
    ck_assert_int_eq(otel_pipeline_decide(&p, "other", INFO, &o), OTEL_FILTER_KEEP);
    ck_assert_ptr_nonnull(o);
    ck_assert_ptr_eq(o, otel_pipeline_select(&p, "other", INFO, "x", 1, NULL));
    /* the same combination gives the same options (built once) */
    ck_assert_ptr_eq(otel_pipeline_select(&p, "gw.x", ERROR, "a", 1, NULL),
                     otel_pipeline_select(&p, "gw.x", ERROR, "b", 1, NULL));
    otel_pipeline_free(&p);
    /* the case the defaults were written for: a card rule keeps password masking */
    load(&p, "{\"filters\":[{\"categoryName\":\"app.pay\",\"hideRegex\":\"\\\\b(?:\\\\d[ -]?){13,16}\\\\b\"}],"
             "\"defaults\":{\"hideRegex\":\"password=\\\\S+\"}}");
    r = build(&p, "app.pay", INFO, "password=hunter2 card 4111111111111111", NULL, 0);
    ck_assert_str_eq(r->body, "**************** card ****************");
    otel_record_free(r);
    r = build(&p, "app.other", INFO, "password=hunter2 card 4111111111111111", NULL, 0);
    ck_assert_str_eq(r->body, "**************** card 4111111111111111");
    otel_record_free(r);
    otel_pipeline_free(&p);
}
END_TEST

START_TEST(runaway_body_regex_applies_every_candidate_mask)
{
    otel_pipeline p;
    load(&p, "{\"filters\":[{\"categoryName\":\"a\",\"bodyRegex\":\"(a+)+$\",\"hideRegex\":\"weak\"},"
             "{\"categoryName\":\"a\",\"bodyRegex\":\"never-zzz\",\"hideRegex\":\"password=\\\\S+\"},"
             "{\"categoryName\":\"b\",\"hideRegex\":\"other\"}]}");
    char body[256];
    memset(body, 'a', 60);
    strcpy(body + 60, "! password=hunter2 weak other");
    otel_record *r = build(&p, "a", INFO, body, NULL, 0);
    ck_assert_ptr_nonnull(r);
    ck_assert_msg(strstr(r->body, "! **************** **** other") != NULL, "%s", r->body);
    ck_assert_ptr_null(strstr(r->body, "hunter2"));
    otel_record_free(r);
    /* a body the bodyRegex decides: matched, only its own mask */
    r = build(&p, "a", INFO, "password=hunter2 weak aaa", NULL, 0);
    ck_assert_str_eq(r->body, "password=hunter2 **** aaa");
    otel_record_free(r);
    /* not matched: no rule, no mask */
    r = build(&p, "a", INFO, "password=hunter2 weak", NULL, 0);
    ck_assert_str_eq(r->body, "password=hunter2 weak");
    otel_record_free(r);
    otel_pipeline_free(&p);
}
END_TEST

/* A value of n bytes: pattern unit repeated. */
static char *repeat(const char *unit, size_t n)
{
    char *s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    size_t u = strlen(unit);
    for (size_t i = 0; i < n; i++)
        s[i] = unit[i % u];
    s[n] = '\0';
    return s;
}

static int all_stars(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != '*')
            return 0;
    return 1;
}

START_TEST(budget_per_value_masks_whole_and_counts)
{
    char err[256];
    /* catastrophic backtracking: one call runs out */
    otel_regex *runaway = otel_regex_compile("(a+)+$", 0, err, sizeof err);
    ck_assert_ptr_nonnull(runaway);
    char *s = repeat("a", 64);
    s[63] = '!';
    unsigned long before = otel_regex_masked_whole();
    size_t n = otel_regex_mask(runaway, s, 64);
    ck_assert_uint_eq(n, 64);
    ck_assert(all_stars(s, n));
    ck_assert_uint_eq(otel_regex_masked_whole(), before + 1);
    free(s);
    /* the same over 4 MiB: bounded whatever the length */
    size_t big = 4u << 20;
    s = repeat("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", big);
    before = otel_regex_masked_whole();
    n = otel_regex_mask(runaway, s, big);
    ck_assert_uint_eq(n, big);
    ck_assert(all_stars(s, n));
    ck_assert_uint_eq(otel_regex_masked_whole(), before + 1);
    free(s);
    otel_regex_free(runaway);
    /* many cheap matches over 8 MiB: each restarts PCRE2, the budget does not */
    otel_regex *each = otel_regex_compile("x\\d", 0, err, sizeof err);
    ck_assert_ptr_nonnull(each);
    big = 8u << 20;
    s = repeat("x1 ", big);
    before = otel_regex_masked_whole();
    n = otel_regex_mask(each, s, big);
    ck_assert_uint_eq(n, big);
    ck_assert(all_stars(s, n));
    ck_assert_uint_eq(otel_regex_masked_whole(), before + 1);
    free(s);
    otel_regex_free(each);
    /* a usual pattern over a long value stays within its budget: exact */
    otel_regex *pw = otel_regex_compile("password=\\S+", 0, err, sizeof err);
    ck_assert_ptr_nonnull(pw);
    big = 4u << 20;
    s = repeat("lorem ipsum dolor sit amet ", big);
    memcpy(s + 1000, "password=hunter2", 16);
    memcpy(s + big - 100, "password=hunter2", 16);
    before = otel_regex_masked_whole();
    n = otel_regex_mask(pw, s, big);
    ck_assert_uint_eq(n, big);
    ck_assert_uint_eq(otel_regex_masked_whole(), before);
    ck_assert_ptr_null(strstr(s, "hunter2"));
    ck_assert_int_eq(memcmp(s, "lorem ipsum", 11), 0);
    free(s);
    otel_regex_free(pw);
}
END_TEST

START_TEST(masking_in_attributes_and_limits)
{
    otel_pipeline p;
    load(&p, "{\"defaults\":{\"hideRegex\":\"tok_[a-z0-9]+\"},"
             "\"additionalAttributes\":{\"static\":\"tok_abc\",\"n\":5},"
             "\"providerSettings\":{\"logRecordLimits\":{\"attributeValueLengthLimit\":8,\"attributeCountLimit\":3}}}");
    otel_attr attrs[] = {{.key = "a", .type = OTEL_VALUE_STRING, .v.str = {"x tok_secretvalue", 17}},
                         {.key = "b", .type = OTEL_VALUE_BOOL, .v.b = 1}};
    otel_record *r = build(&p, "c", INFO, "1234 tok_0123456789", attrs, 2);
    /* masked on the whole value, then cut to 8 bytes */
    ck_assert_str_eq(r->body, "1234 ***");
    ck_assert_uint_eq(r->nattrs, 3); /* count limit: a, b, static (n dropped) */
    ck_assert_uint_eq(r->dropped_attrs, 1);
    ck_assert_str_eq(r->attrs[0].v.str.s, "x ******");
    ck_assert_str_eq(r->attrs[2].key, "static");
    ck_assert_str_eq(r->attrs[2].v.str.s, "*******");
    otel_record_free(r);
    otel_pipeline_free(&p);
}
END_TEST

/* A record whose only attributes are its own takes them as they are when
 * nothing could change them; a missing or repeated key, a count limit or an
 * allow-list still goes through gathering, with the same result as always. */
START_TEST(own_attributes_alone)
{
    otel_pipeline p;
    load(&p, "{}");
    otel_attr plain[] = {{.key = "a", .type = OTEL_VALUE_INT, .v.i = 1},
                         {.key = "b", .type = OTEL_VALUE_STRING, .v.str = {"x", 1}}};
    otel_record *r = build(&p, "c", INFO, "m", plain, 2);
    ck_assert_uint_eq(r->nattrs, 2);
    ck_assert_str_eq(r->attrs[0].key, "a");
    ck_assert_int_eq(r->attrs[0].v.i, 1);
    ck_assert_str_eq(r->attrs[1].key, "b");
    ck_assert_str_eq(r->attrs[1].v.str.s, "x");
    ck_assert_ptr_ne(r->attrs[1].v.str.s, plain[1].v.str.s); /* copied into the record */
    ck_assert_uint_eq(r->dropped_attrs, 0);
    otel_record_free(r);

    otel_attr messy[] = {{.key = "a", .type = OTEL_VALUE_INT, .v.i = 1},
                         {.key = NULL, .type = OTEL_VALUE_INT, .v.i = 2},
                         {.key = "b", .type = OTEL_VALUE_INT, .v.i = 3},
                         {.key = "a", .type = OTEL_VALUE_INT, .v.i = 4}};
    r = build(&p, "c", INFO, "m", messy, 4);
    ck_assert_uint_eq(r->nattrs, 2); /* no key: left out; a repeated key: the first wins */
    ck_assert_str_eq(r->attrs[0].key, "a");
    ck_assert_int_eq(r->attrs[0].v.i, 1);
    ck_assert_str_eq(r->attrs[1].key, "b");
    otel_record_free(r);
    otel_pipeline_free(&p);

    load(&p, "{\"providerSettings\":{\"logRecordLimits\":{\"attributeCountLimit\":1}}}");
    r = build(&p, "c", INFO, "m", plain, 2);
    ck_assert_uint_eq(r->nattrs, 1);
    ck_assert_str_eq(r->attrs[0].key, "a");
    ck_assert_uint_eq(r->dropped_attrs, 1);
    otel_record_free(r);
    otel_pipeline_free(&p);

    load(&p, "{\"defaults\":{\"allowedAttributes\":[\"b\"]}}");
    r = build(&p, "c", INFO, "m", plain, 2);
    ck_assert_uint_eq(r->nattrs, 1);
    ck_assert_str_eq(r->attrs[0].key, "b");
    otel_record_free(r);
    otel_pipeline_free(&p);
}
END_TEST

/* OTLP dropped_attributes_count: what the count limit leaves out, each key
 * once (a key given by two sources is one attribute); keys the allow-list
 * removes or an earlier source already set are not "dropped" */
START_TEST(count_limit_counts_dropped_keys_once)
{
    otel_pipeline p;
    load(&p, "{\"defaults\":{\"allowedAttributes\":[\"x\",\"y\",\"z\",\"w\"]},"
             "\"additionalAttributes\":{\"y\":1,\"w\":2,\"x\":3,\"secret\":4},"
             "\"providerSettings\":{\"logRecordLimits\":{\"attributeCountLimit\":1}}}");
    otel_attr attrs[] = {{.key = "x", .type = OTEL_VALUE_INT, .v.i = 1},
                         {.key = "y", .type = OTEL_VALUE_INT, .v.i = 2},
                         {.key = "z", .type = OTEL_VALUE_INT, .v.i = 3},
                         {.key = "not.allowed", .type = OTEL_VALUE_INT, .v.i = 4}};
    otel_record *r = build(&p, "c", INFO, "b", attrs, 4);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->nattrs, 1);
    ck_assert_str_eq(r->attrs[0].key, "x");
    ck_assert_int_eq(r->attrs[0].v.i, 1);
    ck_assert_uint_eq(r->dropped_attrs, 3); /* y (twice given), z, w */
    otel_record_free(r);
    /* none of its own: the first allowed additional attribute is kept, the
     * two other allowed ones are dropped ("secret" is not allowed) */
    otel_record *r2 = build(&p, "c", INFO, "b", NULL, 0);
    ck_assert_uint_eq(r2->nattrs, 1);
    ck_assert_uint_eq(r2->dropped_attrs, 2);
    otel_record_free(r2);
    otel_pipeline_free(&p);
    load(&p, "{\"additionalAttributes\":{\"y\":1}}");
    otel_record *r3 = build(&p, "c", INFO, "b", attrs, 4);
    ck_assert_uint_eq(r3->nattrs, 4); /* no limit: all four (additional y is a duplicate) */
    ck_assert_uint_eq(r3->dropped_attrs, 0);
    otel_record_free(r3);
    otel_pipeline_free(&p);
}
END_TEST

START_TEST(attribute_precedence_and_context)
{
    otel_pipeline p;
    load(&p, "{\"additionalAttributes\":{\"k\":\"additional\",\"only.additional\":1}}");
    otel_attr glue[] = {{.key = "k", .type = OTEL_VALUE_STRING, .v.str = {"glue", 4}},
                        {.key = "thread.id", .type = OTEL_VALUE_INT, .v.i = 7}};
    otel_attr call[] = {{.key = "call", .type = OTEL_VALUE_DOUBLE, .v.d = 1.5}};
    otel_attr ctx = {.key = "k", .type = OTEL_VALUE_STRING, .v.str = {"context", 7}};
    ck_assert_int_eq(otel_thread_attrs_put(&ctx), 0);
    otel_pipeline_input in = {.rec = {.log4c_priority = INFO, .category = "c", .body = "b", .body_len = 1,
                                      .attrs = glue, .nattrs = 2},
                              .call_attrs = call, .ncall_attrs = 1};
    int why;
    otel_record *r = otel_pipeline_build_record(&p, &in, &why);
    ck_assert_uint_eq(r->nattrs, 4);
    ck_assert_str_eq(r->attrs[0].key, "call");
    ck_assert_str_eq(r->attrs[1].key, "k");
    ck_assert_str_eq(r->attrs[1].v.str.s, "context"); /* context > glue > additional */
    ck_assert_str_eq(r->attrs[2].key, "thread.id");
    ck_assert_str_eq(r->attrs[3].key, "only.additional");
    otel_record_free(r);
    /* build_record leaves its input as it was (build_selected writes into a
     * copy): the gathered list, limits and count went there */
    ck_assert_ptr_eq(in.rec.attrs, glue);
    ck_assert_uint_eq(in.rec.nattrs, 2);
    ck_assert_int_eq(in.rec.keys_measured, 0);
    ck_assert_uint_eq(in.rec.dropped_attrs, 0);
    ck_assert_int_eq(in.rec.changed_after, 0);
    ck_assert_int_eq(otel_thread_attrs_remove("k"), 1);
    ck_assert_int_eq(otel_thread_attrs_remove("k"), 0);
    r = otel_pipeline_build_record(&p, &in, &why);
    ck_assert_str_eq(r->attrs[1].v.str.s, "glue");
    otel_record_free(r);
    otel_thread_attrs_put(&ctx);
    otel_thread_attrs_clear();
    size_t n;
    otel_thread_attrs(&n);
    ck_assert_uint_eq(n, 0);
    otel_pipeline_free(&p);
}
END_TEST

START_TEST(disabled_and_no_config)
{
    otel_pipeline p;
    load(&p, "{\"otel\":{\"enabled\":false,\"logs\":{\"enabled\":true}}}");
    ck_assert(!kept(&p, "c", INFO, "x"));
    otel_pipeline_free(&p);
    load(&p, "{\"otel\":{\"enabled\":true,\"logs\":{\"enabled\":false}}}");
    ck_assert(!kept(&p, "c", INFO, "x"));
    otel_pipeline_free(&p);
    load(&p, "{\"otel\":{\"enabled\":true,\"logs\":{\"enabled\":true}}}");
    ck_assert(kept(&p, "c", INFO, "x"));
    otel_pipeline_free(&p);
    otel_pipeline_input in = {.rec = {.category = "c", .body = "x", .body_len = 1}};
    int why = 0;
    ck_assert_ptr_null(otel_pipeline_build_record(NULL, &in, &why));
    ck_assert_int_eq(why, OTEL_PIPELINE_NOCONFIG);
}
END_TEST

START_TEST(resource_copies_obey_allow_list)
{
    otel_config cfg;
    otel_config_init(&cfg);
    const char *json = "{\"addResourceAttributesToAttributes\":true,\"defaults\":{\"allowedAttributes\":[\"service.name\"]}}";
    ck_assert_int_eq(otel_config_load_text(&cfg, "t", json, strlen(json), no_env, NULL), 0);
    otel_settings s;
    memset(&s, 0, sizeof s);
    otel_attr ra[] = {{.key = "service.name", .type = OTEL_VALUE_STRING, .v.str = {"svc", 3}},
                      {.key = "host.name", .type = OTEL_VALUE_STRING, .v.str = {"h", 1}}};
    s.resource = ra;
    s.nresource = 2;
    otel_pipeline p;
    ck_assert_int_eq(otel_pipeline_init(&p, &cfg, &s), 0);
    otel_record *r = build(&p, "c", INFO, "x", NULL, 0);
    ck_assert_uint_eq(r->nattrs, 1);
    ck_assert_str_eq(r->attrs[0].key, "service.name");
    otel_record_free(r);
    otel_pipeline_free(&p);
    otel_config_free(&cfg);
}
END_TEST

/* The keys of r's attributes, sorted, joined by ','. */
static const char *attr_keys(const otel_record *r)
{
    static char out[512];
    const char *k[32];
    size_t n = r->nattrs < 32 ? r->nattrs : 32;
    for (size_t i = 0; i < n; i++)
        k[i] = r->attrs[i].key;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(k[j - 1], k[j]) > 0; j--) {
            const char *t = k[j];
            k[j] = k[j - 1];
            k[j - 1] = t;
        }
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(out, ",");
        strcat(out, k[i]);
    }
    return out;
}

static const otel_attr merge_attrs[] = {{.key = "keep", .type = OTEL_VALUE_INT, .v.i = 1},
                                        {.key = "other", .type = OTEL_VALUE_INT, .v.i = 2},
                                        {.key = "dflt", .type = OTEL_VALUE_INT, .v.i = 3}};

/* The body and attribute keys of the record built for (cat, prio, body),
 * "(dropped)" when filtered. */
static const char *outcome(const otel_pipeline *p, const char *cat, int prio, const char *body)
{
    static char out[1024];
    otel_record *r = build(p, cat, prio, body, merge_attrs, 3);
    if (!r)
        return "(dropped)";
    snprintf(out, sizeof out, "%s [%s]", r->body, attr_keys(r));
    otel_record_free(r);
    return out;
}

/* Every matching rule contributes the options it sets, the first to set
 * one wins; then defaults; masks add up. */
START_TEST(merged_first_wins_per_option)
{
    otel_pipeline p;
    /* the example of docs/CONFIGURATION.md */
    load(&p, "{\"filters\":[{\"categoryName\":\"app\",\"allowedAttributes\":[\"keep\"]},"
             "{\"severity\":\"DEBUG\",\"enabled\":false}]}");
    ck_assert_str_eq(outcome(&p, "app", DEBUG, "d"), "(dropped)");
    ck_assert_str_eq(outcome(&p, "app.sub", DEBUG, "d"), "(dropped)");
    ck_assert_str_eq(outcome(&p, "app", INFO, "i"), "i [keep]");
    ck_assert_str_eq(outcome(&p, "other", DEBUG, "d"), "(dropped)");
    ck_assert_str_eq(outcome(&p, "other", INFO, "i"), "i [dflt,keep,other]");
    ck_assert_int_eq(otel_pipeline_decide(&p, "app", DEBUG, NULL), OTEL_FILTER_DROP);
    const otel_log_options *o = NULL;
    ck_assert_int_eq(otel_pipeline_decide(&p, "app", INFO, &o), OTEL_FILTER_KEEP);
    ck_assert_ptr_eq(o, otel_pipeline_select(&p, "app", INFO, "x", 1, NULL));
    otel_pipeline_free(&p);

    /* four rules: allowedAttributes from the first, enabled from the first
     * matching one that sets it, a rule with only a hideRegex adds nothing
     * but its mask, later allowedAttributes lose, every mask applies */
    load(&p, "{\"filters\":[{\"categoryName\":\"app\",\"allowedAttributes\":[\"keep\"]},"
             "{\"categoryName\":\"app.x\",\"hideRegex\":\"h1\"},"
             "{\"severity\":\"DEBUG\",\"enabled\":false},"
             "{\"categoryName\":\"app\",\"enabled\":true,\"allowedAttributes\":[\"other\"],\"hideRegex\":\"h2\"},"
             "{\"categoryName\":\"app\",\"enabled\":false}],"
             "\"defaults\":{\"enabled\":false,\"allowedAttributes\":[\"dflt\"],\"hideRegex\":\"h0\"}}");
    ck_assert_str_eq(outcome(&p, "app", DEBUG, "h0 h1 h2"), "(dropped)");
    ck_assert_str_eq(outcome(&p, "app", INFO, "h0 h1 h2"), "** h1 ** [keep]");
    ck_assert_str_eq(outcome(&p, "app.x", INFO, "h0 h1 h2"), "** ** ** [keep]");
    ck_assert_str_eq(outcome(&p, "other", INFO, "h0 h1 h2"), "(dropped)"); /* defaults: disabled */
    ck_assert_int_eq(otel_pipeline_decide(&p, "app.x", INFO, &o), OTEL_FILTER_KEEP);
    ck_assert_ptr_eq(o, otel_pipeline_select(&p, "app.x", INFO, "x", 1, NULL));
    ck_assert_int_eq(otel_pipeline_decide(&p, "app.x", DEBUG, NULL), OTEL_FILTER_DROP);
    ck_assert_int_eq(otel_pipeline_decide(&p, "other", INFO, NULL), OTEL_FILTER_DROP);
    otel_pipeline_free(&p);

    /* gaps from defaults: a rule with only a hideRegex leaves enabled and
     * allowedAttributes to the defaults; the built-ins after them */
    load(&p, "{\"filters\":[{\"categoryName\":\"a\",\"hideRegex\":\"x\"},"
             "{\"categoryName\":\"a.b\",\"allowedAttributes\":[\"keep\"]}],"
             "\"defaults\":{\"allowedAttributes\":[\"dflt\"]}}");
    ck_assert_str_eq(outcome(&p, "a", INFO, "xy"), "*y [dflt]");
    ck_assert_str_eq(outcome(&p, "a.b", INFO, "xy"), "*y [keep]");
    ck_assert_str_eq(outcome(&p, "c", INFO, "xy"), "xy [dflt]");
    otel_pipeline_free(&p);
    load(&p, "{\"filters\":[{\"categoryName\":\"a\",\"hideRegex\":\"x\"}],\"defaults\":{\"enabled\":false}}");
    ck_assert_str_eq(outcome(&p, "a", INFO, "xy"), "(dropped)");
    otel_pipeline_free(&p);
    load(&p, "{\"filters\":[{\"categoryName\":\"a\",\"hideRegex\":\"x\"},{\"categoryName\":\"a\"}]}");
    ck_assert_str_eq(outcome(&p, "a", INFO, "xy"), "*y [dflt,keep,other]");
    otel_pipeline_free(&p);
}
END_TEST

/* A bodyRegex rule between others: it contributes only for the bodies it
 * matches, so one category and severity gets different outcomes. */
START_TEST(merged_body_regex_rules_in_the_middle)
{
    otel_pipeline p;
    load(&p, "{\"filters\":[{\"categoryName\":\"app\",\"allowedAttributes\":[\"keep\"]},"
             "{\"categoryName\":\"app\",\"bodyRegex\":\"urgent\",\"enabled\":true,\"hideRegex\":\"\\\\d+\"},"
             "{\"severity\":\"DEBUG\",\"enabled\":false},"
             "{\"bodyRegex\":\"^audit\",\"allowedAttributes\":[\"other\"]}]}");
    ck_assert_str_eq(outcome(&p, "app", DEBUG, "urgent 42"), "urgent ** [keep]");
    ck_assert_str_eq(outcome(&p, "app", DEBUG, "routine 42"), "(dropped)");
    ck_assert_str_eq(outcome(&p, "app", INFO, "routine 42"), "routine 42 [keep]");
    ck_assert_str_eq(outcome(&p, "app", INFO, "urgent 42"), "urgent ** [keep]");
    ck_assert_str_eq(outcome(&p, "other", INFO, "audit 42"), "audit 42 [other]");
    ck_assert_str_eq(outcome(&p, "other", INFO, "routine 42"), "routine 42 [dflt,keep,other]");
    ck_assert_str_eq(outcome(&p, "other", DEBUG, "urgent 42"), "(dropped)");
    /* what category and severity alone can say */
    ck_assert_int_eq(otel_pipeline_decide(&p, "app", DEBUG, NULL), OTEL_FILTER_UNDECIDED); /* the body enables */
    ck_assert_int_eq(otel_pipeline_decide(&p, "app", INFO, NULL), OTEL_FILTER_UNDECIDED);  /* the body masks */
    ck_assert_int_eq(otel_pipeline_decide(&p, "other", DEBUG, NULL), OTEL_FILTER_DROP);
    ck_assert_int_eq(otel_pipeline_decide(&p, "other", INFO, NULL), OTEL_FILTER_UNDECIDED); /* allow-list */
    otel_pipeline_free(&p);

    /* every rule that could give `enabled` says false: dropped whatever the body */
    load(&p, "{\"filters\":[{\"bodyRegex\":\"x\",\"enabled\":false,\"hideRegex\":\"y\"},"
             "{\"severity\":\"DEBUG\",\"enabled\":false},"
             "{\"bodyRegex\":\"z\",\"enabled\":true}]}");
    ck_assert_int_eq(otel_pipeline_decide(&p, "c", DEBUG, NULL), OTEL_FILTER_DROP);
    ck_assert_int_eq(otel_pipeline_decide(&p, "c", INFO, NULL), OTEL_FILTER_UNDECIDED);
    ck_assert_str_eq(outcome(&p, "c", DEBUG, "x z"), "(dropped)");
    ck_assert_str_eq(outcome(&p, "c", DEBUG, "z"), "(dropped)");
    ck_assert_str_eq(outcome(&p, "c", INFO, "x z"), "(dropped)");
    ck_assert_str_eq(outcome(&p, "c", INFO, "yz"), "yz [dflt,keep,other]");
    otel_pipeline_free(&p);

    /* a bodyRegex rule that sets nothing changes nothing: decided */
    load(&p, "{\"filters\":[{\"bodyRegex\":\"x\"},{\"severity\":\"DEBUG\",\"enabled\":false}]}");
    ck_assert_int_eq(otel_pipeline_decide(&p, "c", DEBUG, NULL), OTEL_FILTER_DROP);
    const otel_log_options *o = NULL;
    ck_assert_int_eq(otel_pipeline_decide(&p, "c", INFO, &o), OTEL_FILTER_KEEP);
    ck_assert_ptr_eq(o, otel_pipeline_select(&p, "c", INFO, "x", 1, NULL));
    ck_assert_ptr_eq(o, otel_pipeline_select(&p, "c", INFO, "y", 1, NULL));
    otel_pipeline_free(&p);
}
END_TEST

/* The decisions remembered by category and priority (decision_cache.h)
 * under merged rules: an undecided key keeps deciding by the body. */
static const otel_pipeline *cache_pipeline_p;
static const otel_pipeline *cache_pipeline(void) { return cache_pipeline_p; }

START_TEST(merged_decisions_through_the_caches)
{
    otel_pipeline p;
    load(&p, "{\"filters\":[{\"categoryName\":\"app\",\"allowedAttributes\":[\"keep\"]},"
             "{\"categoryName\":\"app\",\"bodyRegex\":\"urgent\",\"enabled\":true},"
             "{\"severity\":\"DEBUG\",\"enabled\":false}]}");
    cache_pipeline_p = &p;
    otel_decision_cache_invalidate();
    static const char app[] = "app", other[] = "other";
    otel_decision_memo memo = OTEL_DECISION_MEMO_EMPTY;
    for (int round = 0; round < 3; round++) { /* from the second round on, from the caches */
        ck_assert_int_eq(otel_decision_cache_decide(app, DEBUG, cache_pipeline), OTEL_FILTER_UNDECIDED);
        ck_assert_int_eq(otel_decision_cache_decide(other, DEBUG, cache_pipeline), OTEL_FILTER_DROP);
        ck_assert_int_eq(otel_decision_cache_decide(app, INFO, cache_pipeline), OTEL_FILTER_KEEP);
        unsigned gen = atomic_load(&otel_decision_cache_generation);
        const otel_decision_memo *m = otel_decision_memo_get(&memo, gen, &memo, &p, app, 3, DEBUG, classify_none);
        ck_assert_int_eq(m->decision, OTEL_FILTER_UNDECIDED);
        /* so the body decides, record by record */
        ck_assert_str_eq(outcome(&p, "app", DEBUG, "urgent"), "urgent [keep]");
        ck_assert_str_eq(outcome(&p, "app", DEBUG, "routine"), "(dropped)");
        m = otel_decision_memo_get(&memo, gen, &memo, &p, app, 3, INFO, classify_none);
        ck_assert_int_eq(m->decision, OTEL_FILTER_KEEP);
        ck_assert_ptr_eq(m->kept, otel_pipeline_select(&p, "app", INFO, "urgent", 6, NULL));
        ck_assert_ptr_eq(m->kept, otel_pipeline_select(&p, "app", INFO, "routine", 7, NULL));
    }
    otel_decision_cache_invalidate();
    otel_pipeline_free(&p);
}
END_TEST

/* A runaway bodyRegex under merging: it counts as matched for enabled and
 * allowedAttributes (first-wins), the masks are every candidate's. */
START_TEST(merged_runaway_body_regex)
{
    char body[128];
    memset(body, 'a', 60);
    strcpy(body + 60, "!");
    otel_pipeline p;
    load(&p, "{\"filters\":[{\"categoryName\":\"a\",\"hideRegex\":\"h1\"},"
             "{\"categoryName\":\"a\",\"bodyRegex\":\"(a+)+$\",\"allowedAttributes\":[\"keep\"]},"
             "{\"categoryName\":\"a\",\"bodyRegex\":\"never\",\"hideRegex\":\"h2\",\"enabled\":false},"
             "{\"categoryName\":\"a\",\"severity\":\"DEBUG\",\"enabled\":false},"
             "{\"categoryName\":\"a\",\"allowedAttributes\":[\"other\"],\"hideRegex\":\"h3\"},"
             "{\"categoryName\":\"b\",\"hideRegex\":\"h4\"}]}");
    const otel_log_options *o = otel_filter_select(&p.filters, "a", 9, body, strlen(body));
    ck_assert_int_eq(o->enabled, 1); /* "never" does not match: its enabled does not apply */
    ck_assert_int_eq(o->has_allowed, 1);
    ck_assert_uint_eq(o->nallowed, 1);
    ck_assert_str_eq(o->allowed[0], "keep"); /* the runaway rule counts as matched */
    ck_assert_ptr_nonnull(o->hide);
    ck_assert_uint_eq(o->hide->n, 3); /* h1, h2 (a candidate), h3; not b's h4 */
    o = otel_filter_select(&p.filters, "a", 5, body, strlen(body));
    ck_assert_int_eq(o->enabled, 0);
    /* a body the bodyRegex decides: not matched, the later allow-list */
    o = otel_filter_select(&p.filters, "a", 9, "b", 1);
    ck_assert_str_eq(o->allowed[0], "other");
    ck_assert_uint_eq(o->hide->n, 2);
    otel_pipeline_free(&p);
}
END_TEST

/* One combination is built once; more combinations than are remembered
 * still get their winners' options with every mask. */
START_TEST(merged_combinations_are_built_once)
{
    otel_pipeline p;
    load(&p, "{\"filters\":[{\"categoryName\":\"a\",\"allowedAttributes\":[\"keep\"]},"
             "{\"bodyRegex\":\"x\",\"hideRegex\":\"x\"},{\"bodyRegex\":\"y\",\"enabled\":false},"
             "{\"bodyRegex\":\"z\",\"hideRegex\":\"z\"}]}");
    const char *bodies[] = {"", "x", "y", "z", "xy", "xz", "yz", "xyz"};
    const otel_log_options *first[8];
    for (size_t i = 0; i < 8; i++)
        first[i] = otel_filter_select(&p.filters, "a", 9, bodies[i], strlen(bodies[i]));
    for (size_t i = 0; i < 8; i++) {
        ck_assert_ptr_eq(otel_filter_select(&p.filters, "a", 9, bodies[i], strlen(bodies[i])), first[i]);
        ck_assert_int_eq(first[i]->enabled, strchr(bodies[i], 'y') == NULL);
        ck_assert_str_eq(first[i]->allowed[0], "keep");
        size_t masks = (strchr(bodies[i], 'x') != NULL) + (strchr(bodies[i], 'z') != NULL);
        ck_assert_uint_eq(first[i]->hide ? first[i]->hide->n : 0, masks);
    }
    otel_pipeline_free(&p);
}
END_TEST

/* otel_pipeline_decide / otel_filter_decide: the caller's early drop by
 * category and severity alone. Every decided row is also checked against
 * otel_pipeline_select with bodies that do and do not match the bodyRegex
 * patterns used, so a decision can never contradict what the worker does. */
START_TEST(early_decision)
{
    enum { U = OTEL_FILTER_UNDECIDED, K = OTEL_FILTER_KEEP, D = OTEL_FILTER_DROP };
    static const struct {
        const char *json, *cat;
        int prio, want;
    } rows[] = {
        /* a disabled rule by dotted prefix */
        {"{\"filters\":[{\"categoryName\":\"app.drop\",\"enabled\":false}]}", "app.drop", INFO, D},
        {"{\"filters\":[{\"categoryName\":\"app.drop\",\"enabled\":false}]}", "app.drop.sub", DEBUG, D},
        {"{\"filters\":[{\"categoryName\":\"app.drop\",\"enabled\":false}]}", "app.dropx", INFO, K},
        {"{\"filters\":[{\"categoryName\":\"app.drop\",\"enabled\":false}]}", "app", INFO, K},
        /* '#regex' categories: case-insensitive, unanchored */
        {"{\"filters\":[{\"categoryName\":\"#^NOISY\\\\.\",\"enabled\":false}]}", "noisy.x", INFO, D},
        {"{\"filters\":[{\"categoryName\":\"#^NOISY\\\\.\",\"enabled\":false}]}", "app.noisy.x", INFO, K},
        {"{\"filters\":[{\"categoryName\":\"#conn$\",\"enabled\":true}],\"defaults\":{\"enabled\":false}}",
         "gw.conn", WARN, K},
        {"{\"filters\":[{\"categoryName\":\"#conn$\",\"enabled\":true}],\"defaults\":{\"enabled\":false}}",
         "gw.connx", WARN, D},
        /* severity bands (ERROR is 17-20: log4c ERROR, CRIT, ALERT) */
        {"{\"filters\":[{\"severity\":\"DEBUG\",\"enabled\":false}]}", "c", DEBUG, D},
        {"{\"filters\":[{\"severity\":\"DEBUG\",\"enabled\":false}]}", "c", INFO, K},
        {"{\"filters\":[{\"severity\":\"ERROR\",\"enabled\":true}],\"defaults\":{\"enabled\":false}}", "c", CRIT, K},
        {"{\"filters\":[{\"severity\":\"ERROR\",\"enabled\":true}],\"defaults\":{\"enabled\":false}}", "c", FATAL, D},
        {"{\"filters\":[{\"categoryName\":\"gw\",\"severity\":\"TRACE\",\"enabled\":false}]}", "gw.x", TRACE, D},
        {"{\"filters\":[{\"categoryName\":\"gw\",\"severity\":\"TRACE\",\"enabled\":false}]}", "gw.x", DEBUG, K},
        /* a bodyRegex rule before a disabling rule: only the body decides */
        {"{\"filters\":[{\"categoryName\":\"gw\",\"bodyRegex\":\"ping\",\"enabled\":true},"
         "{\"categoryName\":\"gw\",\"enabled\":false}]}", "gw.x", INFO, U},
        /* ... and before the disabled defaults */
        {"{\"filters\":[{\"bodyRegex\":\"ping\",\"enabled\":true}],\"defaults\":{\"enabled\":false}}", "c", INFO, U},
        /* a disabling bodyRegex rule: a body that does not match is kept */
        {"{\"filters\":[{\"categoryName\":\"gw\",\"bodyRegex\":\"ping\",\"enabled\":false}]}", "gw", INFO, U},
        /* a bodyRegex rule for another category or severity is skipped */
        {"{\"filters\":[{\"categoryName\":\"other\",\"bodyRegex\":\"ping\",\"enabled\":true},"
         "{\"categoryName\":\"gw\",\"enabled\":false}]}", "gw.x", INFO, D},
        {"{\"filters\":[{\"severity\":\"ERROR\",\"bodyRegex\":\"ping\",\"enabled\":true},"
         "{\"categoryName\":\"gw\",\"enabled\":false}]}", "gw.x", INFO, D},
        {"{\"filters\":[{\"categoryName\":\"gw\",\"severity\":\"ERROR\",\"bodyRegex\":\"ping\"}],"
         "\"defaults\":{\"enabled\":false}}", "gw", WARN, D},
        /* an earlier enabled rule wins over a later disabling one */
        {"{\"filters\":[{\"categoryName\":\"gw.keep\",\"enabled\":true},{\"categoryName\":\"gw\",\"enabled\":false}]}",
         "gw.keep", INFO, K},
        /* ... but one that leaves `enabled` out takes it from the later rule */
        {"{\"filters\":[{\"categoryName\":\"gw.keep\"},{\"categoryName\":\"gw\",\"enabled\":false}]}", "gw.keep", INFO,
         D},
        {"{\"filters\":[{\"categoryName\":\"gw.keep\"},{\"categoryName\":\"gw\",\"enabled\":false}]}", "gw.other", INFO,
         D},
        /* defaults: a rule without `enabled` takes theirs */
        {"{\"defaults\":{\"enabled\":false}}", "c", INFO, D},
        {"{\"defaults\":{\"enabled\":true}}", "c", INFO, K},
        {"{}", "c", INFO, K},
        {"{\"filters\":[{\"categoryName\":\"a\",\"hideRegex\":\"x\"}],\"defaults\":{\"enabled\":false}}", "a", INFO, D},
        {"{\"filters\":[{\"categoryName\":\"a\",\"enabled\":true}],\"defaults\":{\"enabled\":false}}", "a.b", INFO, K},
        /* a disabled pipeline drops everything, bodyRegex rules or not */
        {"{\"otel\":{\"logs\":{\"enabled\":false}}}", "c", INFO, D},
        {"{\"otel\":{\"enabled\":false,\"logs\":{\"enabled\":true}},"
         "\"filters\":[{\"bodyRegex\":\"ping\",\"enabled\":true}]}", "c", INFO, D},
    };
    static const char *bodies[] = {"ping", "pong", ""};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        otel_pipeline p;
        load(&p, rows[i].json);
        const otel_log_options *kept = NULL;
        int got = otel_pipeline_decide(&p, rows[i].cat, rows[i].prio, &kept);
        ck_assert_msg((kept != NULL) == (got == K), "row %zu: options given %d, decision %d", i, kept != NULL, got);
        ck_assert_msg(got == rows[i].want, "row %zu (%s, %s, %d): got %d, want %d", i, rows[i].json, rows[i].cat,
                      rows[i].prio, got, rows[i].want);
        if (!p.disabled) /* the filter set alone says the same */
            ck_assert_int_eq(otel_filter_decide(&p.filters, rows[i].cat, otel_severity_number(rows[i].prio), NULL), got);
        /* never contradicts the worker's whole selection */
        int kept_some = 0, dropped_some = 0;
        for (size_t b = 0; b < sizeof bodies / sizeof bodies[0]; b++) {
            int why = 0;
            const otel_log_options *o =
                otel_pipeline_select(&p, rows[i].cat, rows[i].prio, bodies[b], strlen(bodies[b]), &why);
            if (o) {
                kept_some = 1;
                if (got == K) /* the options remembered are the ones selected for every body */
                    ck_assert_msg(o == kept, "row %zu, body %s: other options than decided", i, bodies[b]);
            }
            else {
                ck_assert_int_eq(why, OTEL_PIPELINE_FILTERED);
                dropped_some = 1;
            }
        }
        if (got == D)
            ck_assert_msg(!kept_some, "row %zu: decided DROP, but a body is kept", i);
        if (got == K)
            ck_assert_msg(!dropped_some, "row %zu: decided KEEP, but a body is dropped", i);
        if (got == U)
            ck_assert_msg(kept_some && dropped_some, "row %zu: UNDECIDED, but the body changes nothing", i);
        otel_pipeline_free(&p);
    }
    /* no configuration: not for the filter to count (dropped_config) */
    ck_assert_int_eq(otel_pipeline_decide(NULL, "c", INFO, NULL), OTEL_FILTER_UNDECIDED);
    /* no category: as "" (a prefix rule does not match, a match-all regex does) */
    otel_pipeline p;
    load(&p, "{\"filters\":[{\"categoryName\":\"#^$\",\"enabled\":false}]}");
    ck_assert_int_eq(otel_pipeline_decide(&p, NULL, INFO, NULL), OTEL_FILTER_DROP);
    ck_assert_int_eq(otel_pipeline_decide(&p, "x", INFO, NULL), OTEL_FILTER_KEEP);
    otel_pipeline_free(&p);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("filter");
    TCase *t = tcase_create("core");
    tcase_add_test(t, category_matching);
    tcase_add_test(t, severity_bands);
    tcase_add_test(t, body_regex);
    tcase_add_test(t, all_keys_must_match_and_first_rule_wins);
    tcase_add_test(t, gaps_come_from_defaults_then_builtins);
    tcase_add_test(t, masking);
    tcase_add_test(t, runaway_regex_masks_everything);
    tcase_add_test(t, union_masks_every_span_of_the_original);
    tcase_add_test(t, masks_add_up_across_matching_rules);
    tcase_add_test(t, runaway_body_regex_applies_every_candidate_mask);
    tcase_add_test(t, budget_per_value_masks_whole_and_counts);
    tcase_add_test(t, masking_in_attributes_and_limits);
    tcase_add_test(t, count_limit_counts_dropped_keys_once);
    tcase_add_test(t, attribute_precedence_and_context);
    tcase_add_test(t, disabled_and_no_config);
    tcase_add_test(t, resource_copies_obey_allow_list);
    tcase_add_test(t, early_decision);
    tcase_add_test(t, merged_first_wins_per_option);
    tcase_add_test(t, merged_body_regex_rules_in_the_middle);
    tcase_add_test(t, merged_decisions_through_the_caches);
    tcase_add_test(t, merged_runaway_body_regex);
    tcase_add_test(t, merged_combinations_are_built_once);
    tcase_add_test(t, own_attributes_alone);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return run_suite(suite()); }
