/*
 * test_convert_memo.c - the consumer's memo of what a category decides
 * (src/decision_cache.h): a run of one category is classified and
 * decided once; a new priority is decided again but not classified again;
 * a new category, generation, owner or pipeline starts over; what it
 * remembers always equals deciding and classifying afresh; a category too
 * long to remember is never answered from the memo; the inline byte
 * comparison of a hit finds any difference.
 */
#include <check.h>
#include "run_suite.h"
#include "load_pipeline.h"
#include <string.h>

#include "configuration.h"
#include "decision_cache.h"

enum { ERROR = 300, WARN = 400, INFO = 600, DEBUG = 700 };

/* a classifier that counts its calls: "app.<name>[...]" is source "app"
 * with app.name <name>, anything else "platform" */
static int classified;
static void classify(void *inst, const char *cat, otel_source_class *cls)
{
    (void)inst;
    classified++;
    memset(cls, 0, sizeof *cls);
    if (strncmp(cat, "app.", 4) == 0) {
        cls->source = "app";
        cls->source_len = 3;
        cls->app_name = cat + 4;
        const char *dot = strchr(cat + 4, '.');
        cls->app_name_len = dot ? (size_t)(dot - (cat + 4)) : strlen(cat + 4);
    } else {
        cls->source = "platform";
        cls->source_len = 8;
    }
}

static const char RULES[] = "{\"filters\":["
                            "{\"categoryName\":\"app.drop\",\"enabled\":false},"
                            "{\"categoryName\":\"app.mask\",\"hideRegex\":\"secret\"},"
                            "{\"categoryName\":\"app.body\",\"bodyRegex\":\"ping\",\"enabled\":false},"
                            "{\"severity\":\"DEBUG\",\"enabled\":false}]}";

/* What the memo says for (cat, prio), checked against a fresh decision and
 * classification; the category is copied into a buffer of its own each
 * time, as each staged entry has its own copy. */
static const otel_decision_memo *get(otel_decision_memo *m, unsigned gen, void *inst, const otel_pipeline *p,
                                    const char *cat, int prio)
{
    static char entry[512];
    size_t len = strlen(cat);
    ck_assert_uint_lt(len, sizeof entry);
    memcpy(entry, cat, len + 1);
    int before = classified;
    const otel_decision_memo *r = otel_decision_memo_get(m, gen, inst, p, entry, (uint32_t)len, prio, classify);
    if (!r)
        return NULL;
    int calls = classified - before;
    const otel_log_options *kept = NULL;
    ck_assert_int_eq(r->decision, otel_pipeline_decide(p, cat, prio, &kept));
    if (r->decision == OTEL_FILTER_KEEP)
        ck_assert_ptr_eq(r->kept, kept);
    otel_source_class got, want;
    otel_decision_memo_class(r, entry, &got);
    classify(inst, entry, &want);
    classified = before + calls; /* the check's own call does not count */
    ck_assert_str_eq(got.source, want.source);
    ck_assert_uint_eq(got.source_len, want.source_len);
    ck_assert_ptr_eq(got.app_name, want.app_name); /* into this entry's category */
    ck_assert_uint_eq(got.app_name_len, want.app_name_len);
    return r;
}

START_TEST(run_of_one_category_is_classified_and_decided_once)
{
    otel_pipeline p;
    load(&p, RULES);
    otel_decision_memo m = OTEL_DECISION_MEMO_EMPTY;
    void *inst = (void *)&m; /* only compared */
    classified = 0;
    for (int i = 0; i < 50; i++) {
        const otel_decision_memo *r = get(&m, 8, inst, &p, "app.orders.db", INFO);
        ck_assert_ptr_nonnull(r);
        ck_assert_int_eq(r->decision, OTEL_FILTER_KEEP);
    }
    ck_assert_int_eq(classified, 1);
    /* another priority of the same category: decided again, not classified */
    ck_assert_int_eq(get(&m, 8, inst, &p, "app.orders.db", DEBUG)->decision, OTEL_FILTER_DROP);
    ck_assert_int_eq(get(&m, 8, inst, &p, "app.orders.db", WARN)->decision, OTEL_FILTER_KEEP);
    ck_assert_int_eq(classified, 1);
    /* categories alternating: each change classifies again */
    static const struct {
        const char *cat;
        int prio, want;
    } rows[] = {
        {"app.drop", INFO, OTEL_FILTER_DROP},      {"app.drop.x", ERROR, OTEL_FILTER_DROP},
        {"app.dropx", INFO, OTEL_FILTER_KEEP},     {"app.mask.y", INFO, OTEL_FILTER_KEEP},
        {"app.body", INFO, OTEL_FILTER_UNDECIDED}, {"gw.conn", INFO, OTEL_FILTER_KEEP},
        {"gw.conn", DEBUG, OTEL_FILTER_DROP},      {"app.orders", INFO, OTEL_FILTER_KEEP},
        {"app.order", INFO, OTEL_FILTER_KEEP}, /* a prefix of the last one: another category */
        {"app.orders", INFO, OTEL_FILTER_KEEP},
    };
    int before = classified;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        ck_assert_msg((int)get(&m, 8, inst, &p, rows[i].cat, rows[i].prio)->decision == rows[i].want, "row %zu (%s)", i,
                      rows[i].cat);
    /* every row but the priority change of gw.conn is a new category */
    ck_assert_int_eq(classified - before, (int)(sizeof rows / sizeof rows[0]) - 1);
    /* the masked category keeps its hideRegex options */
    ck_assert_ptr_nonnull(get(&m, 8, inst, &p, "app.mask.y", INFO)->kept->hide);
    otel_pipeline_free(&p);
}
END_TEST

START_TEST(generation_instance_or_pipeline_change_starts_over)
{
    otel_pipeline keep_all, drop_all;
    load(&keep_all, "{}");
    load(&drop_all, "{\"defaults\":{\"enabled\":false}}");
    otel_decision_memo m = OTEL_DECISION_MEMO_EMPTY;
    void *a = (void *)&keep_all, *b = (void *)&drop_all;
    classified = 0;
    ck_assert_int_eq(get(&m, 4, a, &keep_all, "c", INFO)->decision, OTEL_FILTER_KEEP);
    ck_assert_int_eq(get(&m, 4, a, &keep_all, "c", INFO)->decision, OTEL_FILTER_KEEP);
    ck_assert_int_eq(classified, 1);
    /* another pipeline (a configuration loaded): decided again */
    ck_assert_int_eq(get(&m, 4, a, &drop_all, "c", INFO)->decision, OTEL_FILTER_DROP);
    ck_assert_int_eq(classified, 2);
    /* another owner (an instance's record builder) */
    ck_assert_int_eq(get(&m, 4, b, &drop_all, "c", INFO)->decision, OTEL_FILTER_DROP);
    ck_assert_int_eq(classified, 3);
    /* the generation moved on (an invalidation): same pointers, asked again */
    ck_assert_int_eq(get(&m, 8, b, &drop_all, "c", INFO)->decision, OTEL_FILTER_DROP);
    ck_assert_int_eq(classified, 4);
    /* no pipeline (no valid configuration): for the full selection to count */
    ck_assert_int_eq(get(&m, 8, b, NULL, "c", INFO)->decision, OTEL_FILTER_UNDECIDED);
    ck_assert_int_eq(classified, 5);
    otel_pipeline_free(&keep_all);
    otel_pipeline_free(&drop_all);
}
END_TEST

START_TEST(long_category_is_never_remembered)
{
    otel_pipeline p;
    load(&p, "{}");
    otel_decision_memo m = OTEL_DECISION_MEMO_EMPTY;
    void *inst = (void *)&m;
    char longcat[OTEL_DECISION_MEMO_CAT_MAX + 8];
    memset(longcat, 'a', sizeof longcat - 1);
    longcat[sizeof longcat - 1] = '\0';
    ck_assert_ptr_nonnull(get(&m, 4, inst, &p, "app.x", INFO));
    ck_assert_ptr_null(get(&m, 4, inst, &p, longcat, INFO));
    /* the short one before it is not answered from a memo the long one emptied */
    classified = 0;
    ck_assert_ptr_nonnull(get(&m, 4, inst, &p, "app.x", INFO));
    ck_assert_int_eq(classified, 1);
    /* the longest remembered length works */
    longcat[OTEL_DECISION_MEMO_CAT_MAX - 1] = '\0';
    ck_assert_ptr_nonnull(get(&m, 4, inst, &p, longcat, INFO));
    ck_assert_ptr_nonnull(get(&m, 4, inst, &p, longcat, INFO));
    ck_assert_int_eq(classified, 2);
    otel_pipeline_free(&p);
}
END_TEST

/* the inline comparison a hit rests on: every length up to the longest
 * remembered, a difference at any position (first, middle, in the last
 * overlapping eight) found, equal bytes equal */
START_TEST(category_bytes_compared_at_every_length_and_position)
{
    char a[OTEL_DECISION_MEMO_CAT_MAX], b[OTEL_DECISION_MEMO_CAT_MAX];
    for (size_t i = 0; i < sizeof a; i++)
        a[i] = b[i] = (char)('a' + i % 26);
    for (size_t n = 0; n < sizeof a; n++) {
        ck_assert_int_eq(otel_equal_short(a, b, n), 1);
        for (size_t k = 0; k < n; k++) {
            b[k] ^= 0x20;
            ck_assert_msg(!otel_equal_short(a, b, n), "length %zu, differing at %zu", n, k);
            b[k] ^= 0x20;
        }
        b[n] ^= 0x20; /* a byte past the length is not compared */
        ck_assert_int_eq(otel_equal_short(a, b, n), 1);
        b[n] ^= 0x20;
    }
}
END_TEST

/* same length and priority but another category: not a hit */
START_TEST(same_length_other_category_is_not_a_hit)
{
    otel_pipeline p;
    load(&p, RULES);
    otel_decision_memo m = OTEL_DECISION_MEMO_EMPTY;
    int inst;
    classified = 0;
    const otel_decision_memo *r = get(&m, 4, &inst, &p, "app.abcdefgh.one", INFO);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(classified, 1);
    r = get(&m, 4, &inst, &p, "app.abcdefgh.two", INFO);
    ck_assert_int_eq(classified, 2);
    otel_source_class cls;
    otel_decision_memo_class(r, "app.abcdefgh.two", &cls);
    ck_assert_str_eq(cls.source, "app");
    r = get(&m, 4, &inst, &p, "app.abcdefgh.two", INFO);
    ck_assert_int_eq(classified, 2);
    otel_pipeline_free(&p);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("convert_memo");
    TCase *tc = tcase_create("memo");
    tcase_add_test(tc, run_of_one_category_is_classified_and_decided_once);
    tcase_add_test(tc, generation_instance_or_pipeline_change_starts_over);
    tcase_add_test(tc, long_category_is_never_remembered);
    tcase_add_test(tc, category_bytes_compared_at_every_length_and_position);
    tcase_add_test(tc, same_length_other_category_is_not_a_hit);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()); }
