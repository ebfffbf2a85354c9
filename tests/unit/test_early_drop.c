/*
 * test_early_drop.c - the logging thread's cache of filter decisions
 * (src/decision_cache.h): a repeated (category, priority) is decided once;
 * priorities of one category and categories sharing a slot are decided
 * apart; the key is the category's address, so only an invalidation makes
 * a reused address (a category freed by log4c_fini and another created
 * there) or a new pipeline decide again; each thread has its own cache.
 */
#include <check.h>
#include "run_suite.h"
#include "load_pipeline.h"
#include <pthread.h>
#include <string.h>

#include "configuration.h"
#include "decision_cache.h"
#include "pipeline.h"

enum { ERROR = 300, WARN = 400, INFO = 600, DEBUG = 700 };

/* what otel_runtime_pipeline() is in the library: counted */
static const otel_pipeline *current;
static int asked;
static const otel_pipeline *pipeline(void)
{
    asked++;
    return current;
}

static otel_filter_decision decide(const char *cat, int prio)
{
    return otel_decision_cache_decide(cat, prio, pipeline);
}

START_TEST(repeated_key_is_decided_once)
{
    otel_pipeline p;
    load(&p, "{\"filters\":[{\"categoryName\":\"app.drop\",\"enabled\":false}]}");
    current = &p;
    otel_decision_cache_invalidate();
    static const char drop[] = "app.drop", keep[] = "app.keep";
    asked = 0;
    ck_assert_int_eq(decide(drop, INFO), OTEL_FILTER_DROP);
    ck_assert_int_eq(asked, 1);
    ck_assert_int_eq(decide(keep, INFO), OTEL_FILTER_KEEP);
    ck_assert_int_eq(asked, 2);
    for (int i = 0; i < 100; i++) {
        ck_assert_int_eq(decide(drop, INFO), OTEL_FILTER_DROP);
        ck_assert_int_eq(decide(keep, INFO), OTEL_FILTER_KEEP); /* KEEP is cached too */
    }
    ck_assert_int_eq(asked, 2);
    otel_pipeline_free(&p);
}
END_TEST

START_TEST(priorities_are_decided_apart)
{
    otel_pipeline p;
    load(&p, "{\"filters\":[{\"categoryName\":\"gw\",\"severity\":\"DEBUG\",\"enabled\":false},"
             "{\"categoryName\":\"gw\",\"severity\":\"WARN\",\"bodyRegex\":\"x\",\"enabled\":false}]}");
    current = &p;
    otel_decision_cache_invalidate();
    static const char gw[] = "gw.conn";
    asked = 0;
    for (int round = 0; round < 3; round++) {
        ck_assert_int_eq(decide(gw, DEBUG), OTEL_FILTER_DROP);
        ck_assert_int_eq(decide(gw, INFO), OTEL_FILTER_KEEP);
        ck_assert_int_eq(decide(gw, WARN), OTEL_FILTER_UNDECIDED);
        ck_assert_int_eq(decide(gw, ERROR), OTEL_FILTER_KEEP);
    }
    ck_assert_int_eq(asked, 4); /* each priority once */
    otel_pipeline_free(&p);
}
END_TEST

START_TEST(slot_sharing_keys_do_not_mix)
{
    otel_pipeline p;
    load(&p, "{\"filters\":[{\"categoryName\":\"a\",\"enabled\":false}]}");
    current = &p;
    otel_decision_cache_invalidate();
    /* 16 * SLOTS bytes apart: the same slot for the same priority */
    static char names[2 * 16 * OTEL_DECISION_CACHE_SLOTS] __attribute__((aligned(16)));
    char *a = names, *b = names + 16 * OTEL_DECISION_CACHE_SLOTS;
    strcpy(a, "a.x");
    strcpy(b, "b.x");
    asked = 0;
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(decide(a, INFO), OTEL_FILTER_DROP);
        ck_assert_int_eq(decide(b, INFO), OTEL_FILTER_KEEP);
    }
    ck_assert_int_eq(asked, 6); /* they evict each other: decided every time, never mixed */
    otel_pipeline_free(&p);
}
END_TEST

START_TEST(invalidation_decides_again)
{
    otel_pipeline drop_gw, keep_all;
    load(&drop_gw, "{\"filters\":[{\"categoryName\":\"gw\",\"enabled\":false}]}");
    load(&keep_all, "{}");
    current = &drop_gw;
    otel_decision_cache_invalidate();
    static char name[16] __attribute__((aligned(16)));
    strcpy(name, "gw");
    asked = 0;
    ck_assert_int_eq(decide(name, INFO), OTEL_FILTER_DROP);

    /* another category at the same address (log4c_fini freed "gw", a new
     * one got its memory): the key is the address, so the cache still
     * says DROP until it is invalidated ... */
    strcpy(name, "app");
    ck_assert_int_eq(decide(name, INFO), OTEL_FILTER_DROP);
    ck_assert_int_eq(asked, 1);
    otel_decision_cache_invalidate();
    ck_assert_int_eq(decide(name, INFO), OTEL_FILTER_KEEP);
    ck_assert_int_eq(asked, 2);

    /* ... and so does a new pipeline */
    strcpy(name, "gw");
    otel_decision_cache_invalidate();
    ck_assert_int_eq(decide(name, INFO), OTEL_FILTER_DROP);
    current = &keep_all;
    otel_decision_cache_invalidate();
    ck_assert_int_eq(decide(name, INFO), OTEL_FILTER_KEEP);
    ck_assert_int_eq(decide(name, INFO), OTEL_FILTER_KEEP);
    ck_assert_int_eq(asked, 4);

    /* no pipeline (invalid configuration): undecided, left to the path
     * that counts it as dropped_config */
    current = NULL;
    otel_decision_cache_invalidate();
    ck_assert_int_eq(decide(name, INFO), OTEL_FILTER_UNDECIDED);
    otel_pipeline_free(&drop_gw);
    otel_pipeline_free(&keep_all);
}
END_TEST

START_TEST(zeroed_slots_never_hit)
{
    /* a thread's fresh cache is all zeros: a NULL category at priority 0
     * (FATAL) must still be decided, not read from an empty slot */
    otel_pipeline p;
    load(&p, "{\"defaults\":{\"enabled\":false}}");
    current = &p;
    asked = 0;
    ck_assert_int_eq(decide(NULL, 0), OTEL_FILTER_DROP);
    ck_assert_int_eq(asked, 1);
    otel_pipeline_free(&p);
}
END_TEST

static void *other_thread(void *arg)
{
    const char *cat = arg;
    int before = asked;
    otel_filter_decision d = decide(cat, INFO);
    return (void *)(intptr_t)(d == OTEL_FILTER_DROP && asked == before + 1);
}

START_TEST(each_thread_has_its_own_cache)
{
    otel_pipeline p;
    load(&p, "{\"filters\":[{\"categoryName\":\"t\",\"enabled\":false}]}");
    current = &p;
    otel_decision_cache_invalidate();
    static const char cat[] = "t.x";
    asked = 0;
    ck_assert_int_eq(decide(cat, INFO), OTEL_FILTER_DROP);
    pthread_t th;
    void *ok = NULL;
    ck_assert_int_eq(pthread_create(&th, NULL, other_thread, (void *)cat), 0);
    ck_assert_int_eq(pthread_join(th, &ok), 0);
    ck_assert_msg(ok, "a new thread decides for itself");
    ck_assert_int_eq(decide(cat, INFO), OTEL_FILTER_DROP);
    ck_assert_int_eq(asked, 2);
    otel_pipeline_free(&p);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("early_drop");
    TCase *t = tcase_create("core");
    tcase_add_test(t, repeated_key_is_decided_once);
    tcase_add_test(t, priorities_are_decided_apart);
    tcase_add_test(t, slot_sharing_keys_do_not_mix);
    tcase_add_test(t, invalidation_decides_again);
    tcase_add_test(t, zeroed_slots_never_hit);
    tcase_add_test(t, each_thread_has_its_own_cache);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return run_suite(suite()); }
