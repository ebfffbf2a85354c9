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
#include "pipeline.h"
#include "redact.h"

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
    load(&p, "{\"filters\":[{\"categoryName\":\"gw\",\"hideRegex\":\"aaa\"},"
             "{\"categoryName\":\"gw.x\",\"hideRegex\":\"bbb\",\"enabled\":false},"
             "{\"categoryName\":\"gw\",\"severity\":\"ERROR\",\"hideRegex\":\"ccc\"},"
             "{\"categoryName\":\"gw\",\"bodyRegex\":\"tok\",\"hideRegex\":\"tok=\\\\w+\"},"
             "{\"categoryName\":\"other\",\"hideRegex\":\"eee\"}],"
             "\"defaults\":{\"hideRegex\":\"ddd\"}}");
    /* enabled comes from the first matching rule (gw: enabled), masks from all of them */
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
        {"{\"filters\":[{\"categoryName\":\"gw.keep\"},{\"categoryName\":\"gw\",\"enabled\":false}]}", "gw.keep", INFO,
         K},
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
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return run_suite(suite()); }
