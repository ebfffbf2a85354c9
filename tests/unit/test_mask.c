/*
 * test_mask.c - the masking gate (src/mask.h): no rules fails closed; a
 * category no hideRegex applies to is passed as given; otherwise the value
 * is sanitised and masked into the caller's buffer, under the rule the
 * entry's category, priority and body select; the in-place form agrees.
 */
#include <check.h>
#include "run_suite.h"
#include "load_pipeline.h"
#include <stdlib.h>
#include <string.h>

#include "mask.h"

enum { INFO = 600, DEBUG = 700 };

static const char RULES[] = "{\"filters\":["
                            "{\"categoryName\":\"pay\",\"hideRegex\":\"\\\\d{4}\"},"
                            "{\"categoryName\":\"gw\",\"bodyRegex\":\"login\",\"hideRegex\":\"pw=\\\\S+\"},"
                            "{\"categoryName\":\"quiet\",\"severity\":\"DEBUG\",\"hideRegex\":\"x\"}],"
                            "\"defaults\":{\"hideRegex\":\"secret\"}}";

static otel_mask_result mask(const otel_filter_set *fs, const char *cat, int prio, const char *body, const char *v,
                             otel_mask_buf *buf, const char **out, size_t *out_len)
{
    otel_mask_entry e = {cat, prio, body, strlen(body)};
    return otel_mask_value(fs, &e, v, strlen(v), buf, out, out_len);
}

START_TEST(no_rules_fails_closed)
{
    otel_mask_buf buf = {NULL, 0};
    const char *out = "x";
    size_t n = 1;
    ck_assert_int_eq(mask(NULL, "app", INFO, "", "my secret", &buf, &out, &n), OTEL_MASK_NO_RULES);
    ck_assert_ptr_null(out);
    ck_assert_uint_eq(n, 0);
    free(buf.p);
}
END_TEST

START_TEST(masks_under_the_selected_rule)
{
    otel_pipeline p;
    load(&p, RULES);
    otel_mask_buf buf = {NULL, 0};
    const char *out;
    size_t n;
    /* defaults: "secret" */
    ck_assert_int_eq(mask(&p.filters, "app", INFO, "", "a secret here", &buf, &out, &n), OTEL_MASK_MASKED);
    ck_assert_str_eq(out, "a ****** here");
    ck_assert_uint_eq(n, strlen("a ****** here"));
    ck_assert_ptr_eq(out, buf.p);
    /* the category's own rule */
    ck_assert_int_eq(mask(&p.filters, "pay.card", INFO, "", "card 1234 5678", &buf, &out, &n), OTEL_MASK_MASKED);
    ck_assert_str_eq(out, "card **** ****");
    /* a bodyRegex rule selects on the entry's body, not on the value */
    ck_assert_int_eq(mask(&p.filters, "gw", INFO, "login ok", "pw=hunter2 ok", &buf, &out, &n), OTEL_MASK_MASKED);
    ck_assert_str_eq(out, "********** ok");
    ck_assert_int_eq(mask(&p.filters, "gw", INFO, "logout", "pw=hunter2 secret", &buf, &out, &n), OTEL_MASK_MASKED);
    ck_assert_str_eq(out, "pw=hunter2 ******");
    /* the priority selects too */
    ck_assert_int_eq(mask(&p.filters, "quiet", DEBUG, "", "xyz", &buf, &out, &n), OTEL_MASK_MASKED);
    ck_assert_str_eq(out, "*yz");
    ck_assert_int_eq(mask(&p.filters, "quiet", INFO, "", "xyz secret", &buf, &out, &n), OTEL_MASK_MASKED);
    ck_assert_str_eq(out, "xyz ******");
    /* invalid UTF-8 is sanitised before masking: U+FFFD is one code point */
    ck_assert_int_eq(mask(&p.filters, "app", INFO, "", "\xff secret", &buf, &out, &n), OTEL_MASK_MASKED);
    ck_assert_str_eq(out, "\xef\xbf\xbd ******");
    free(buf.p);
    otel_pipeline_free(&p);
}
END_TEST

START_TEST(no_hide_regex_passes_the_value_as_given)
{
    otel_pipeline p;
    load(&p, "{\"filters\":[{\"categoryName\":\"pay\",\"hideRegex\":\"\\\\d{4}\"}]}");
    otel_mask_buf buf = {NULL, 0};
    const char *out;
    size_t n;
    const char *v = "1234 \xff";
    ck_assert_int_eq(mask(&p.filters, "app", INFO, "", v, &buf, &out, &n), OTEL_MASK_UNTOUCHED);
    ck_assert_ptr_eq(out, v);
    ck_assert_uint_eq(n, strlen(v));
    ck_assert_ptr_null(buf.p); /* no copy made */
    otel_pipeline_free(&p);
}
END_TEST

START_TEST(in_place_agrees_with_the_copy)
{
    otel_pipeline p;
    load(&p, RULES);
    otel_mask_buf buf = {NULL, 0};
    const char *out;
    size_t n;
    const char *v = "secret 1234 x secret";
    ck_assert_int_eq(mask(&p.filters, "pay", INFO, "", v, &buf, &out, &n), OTEL_MASK_MASKED);
    char copy[64];
    strcpy(copy, v);
    int why;
    const otel_log_options *o = otel_pipeline_select(&p, "pay", INFO, "", 0, &why);
    ck_assert_ptr_nonnull(o);
    size_t m = otel_mask_in_place(o, copy, strlen(copy));
    ck_assert_uint_eq(m, n);
    ck_assert_mem_eq(copy, out, n);
    free(buf.p);
    otel_pipeline_free(&p);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("mask");
    TCase *tc = tcase_create("gate");
    tcase_add_test(tc, no_rules_fails_closed);
    tcase_add_test(tc, masks_under_the_selected_rule);
    tcase_add_test(tc, no_hide_regex_passes_the_value_as_given);
    tcase_add_test(tc, in_place_agrees_with_the_copy);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()); }
