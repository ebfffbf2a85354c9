/*
 * test_diag_mask.c - diagnostics quote text from outside (a collector's
 * answer) masked whole before it is cut: otel_diag_mask_cut at every cut
 * length, and otel_diag()'s own 511-byte line, never leave a part of a
 * secret that the rules match whole. Without rules, text is cut on a
 * character boundary.
 */
#include <check.h>
#include "run_suite.h"
#include "load_pipeline.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "diag_mask.h"

/* cards one after another: any cut falls inside one of them */
#define CARD " 4929123456781234"
static const char RULES[] = "{\"defaults\":{\"hideRegex\":\"\\\\b\\\\d{16}\\\\b\"}}";

/* The longest run of digits in s. */
static size_t digit_run(const char *s)
{
    size_t best = 0, run = 0;
    for (; *s; s++) {
        run = isdigit((unsigned char)*s) ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

static char *cards(size_t lead, size_t n)
{
    char *t = malloc(lead + n * strlen(CARD) + 16);
    ck_assert_ptr_nonnull(t);
    strcpy(t, "bad record:");
    memset(t + strlen(t), 'x', lead);
    t[11 + lead] = '\0';
    for (size_t i = 0; i < n; i++)
        strcat(t, CARD);
    return t;
}

START_TEST(cut_after_masking_at_every_length)
{
    otel_pipeline p;
    load(&p, RULES);
    otel_diag_mask_set_rules(&p.filters);
    for (size_t lead = 0; lead < 17; lead++) {
        char *t = cards(lead, 12);
        for (size_t outlen = 1; outlen <= strlen(t) + 1; outlen++) {
            char out[512];
            memset(out, '#', sizeof out);
            otel_diag_mask_cut(t, strlen(t), out, outlen);
            ck_assert_msg(strlen(out) == (outlen - 1 < strlen(t) ? outlen - 1 : strlen(t)),
                          "lead %zu, outlen %zu: %zu bytes", lead, outlen, strlen(out));
            ck_assert_msg(digit_run(out) == 0, "lead %zu, outlen %zu: digits in \"%s\"", lead, outlen, out);
        }
        free(t);
    }
    otel_diag_mask_set_rules(NULL);
    otel_pipeline_free(&p);
}
END_TEST

START_TEST(without_rules_cut_on_a_character)
{
    otel_diag_mask_set_rules(NULL);
    char out[8];
    otel_diag_mask_cut("abcd\xc3\xa9xyz", 10, out, 6); /* the cut would split the é */
    ck_assert_str_eq(out, "abcd");
    otel_diag_mask_cut("abcd\xc3\xa9xyz", 10, out, 7);
    ck_assert_str_eq(out, "abcd\xc3\xa9");
    otel_diag_mask_cut("4929123456781234", 16, out, sizeof out);
    ck_assert_str_eq(out, "4929123"); /* no rules: as given, cut */
    otel_diag_mask_cut(NULL, 0, out, sizeof out);
    ck_assert_str_eq(out, "");
}
END_TEST

/* otel_diag() cuts its line at 511 bytes: masked whole first */
START_TEST(long_diagnostic_masked_before_its_cut)
{
    otel_pipeline p;
    load(&p, RULES);
    otel_diag_mask_set_rules(&p.filters);
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    ck_assert_int_ge(dup2(fileno(f), STDERR_FILENO), 0);
    for (size_t lead = 0; lead < 17; lead++) {
        char *t = cards(lead, 40); /* past 511 bytes */
        otel_diag_always("log4c-otel: %s", t);
        free(t);
    }
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(f);
    char line[1024];
    size_t lines = 0;
    while (fgets(line, sizeof line, f)) {
        lines++;
        ck_assert_msg(strlen(line) <= 512, "a line of %zu bytes", strlen(line));
        ck_assert_msg(strstr(line, "bad record:") != NULL, "%s", line);
        /* "log4c-otel" holds the one digit a line may have */
        ck_assert_msg(digit_run(line) <= 1, "digits in \"%s\"", line);
    }
    ck_assert_uint_eq(lines, 17);
    fclose(f);
    otel_diag_mask_set_rules(NULL);
    otel_pipeline_free(&p);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("diag_mask");
    TCase *t = tcase_create("core");
    tcase_add_test(t, cut_after_masking_at_every_length);
    tcase_add_test(t, without_rules_cut_on_a_character);
    tcase_add_test(t, long_diagnostic_masked_before_its_cut);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return run_suite(suite()); }
