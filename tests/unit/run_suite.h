/*
 * run_suite.h - the one main() body every Check unit test shares: run the
 * suite, print Check's summary, exit non-zero on any failure.
 */
#ifndef LOG4C_OTEL_TEST_RUN_SUITE_H
#define LOG4C_OTEL_TEST_RUN_SUITE_H

#include <check.h>
#include <stdlib.h>

static inline int run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
