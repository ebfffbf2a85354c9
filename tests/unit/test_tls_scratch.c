/*
 * test_tls_scratch.c - per-thread objects: created zeroed on first use and
 * the same object afterwards, one per thread, never created by a peek,
 * released (fini) at thread exit, and a failed init gives NULL with
 * nothing kept.
 */
#include <check.h>
#include "run_suite.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "tls_scratch.h"

typedef struct thing {
    uint64_t zero[8];
    int inited;
} thing;

static atomic_int finis;
static atomic_int fail_init;

static int thing_init(void *p)
{
    ((thing *)p)->inited = 1;
    return atomic_load(&fail_init) ? -1 : 0;
}

static void thing_fini(void *p)
{
    (void)p;
    atomic_fetch_add(&finis, 1);
}

static otel_tls_kind kind = {.size = sizeof(thing), .init = thing_init, .fini = thing_fini};

static void *in_thread(void *arg)
{
    (void)arg;
    ck_assert_ptr_null(otel_tls_peek(&kind));
    thing *t = otel_tls_get(&kind);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_eq(otel_tls_peek(&kind), t);
    return t;
}

START_TEST(one_object_per_thread_released_at_exit)
{
    thing *mine = otel_tls_get(&kind);
    ck_assert_ptr_nonnull(mine);
    ck_assert_int_eq(mine->inited, 1);
    for (int i = 0; i < 8; i++)
        ck_assert_uint_eq(mine->zero[i], 0);
    ck_assert_ptr_eq(otel_tls_get(&kind), mine);
    ck_assert_uint_eq((uintptr_t)mine % _Alignof(max_align_t), 0);

    int before = atomic_load(&finis);
    pthread_t th;
    void *theirs;
    ck_assert_int_eq(pthread_create(&th, NULL, in_thread, NULL), 0);
    ck_assert_int_eq(pthread_join(th, &theirs), 0);
    ck_assert_ptr_ne(theirs, mine);
    ck_assert_int_eq(atomic_load(&finis), before + 1);
}
END_TEST

static void *failing(void *arg)
{
    (void)arg;
    ck_assert_ptr_null(otel_tls_get(&kind));
    ck_assert_ptr_null(otel_tls_peek(&kind));
    return NULL;
}

START_TEST(failed_init_gives_null)
{
    atomic_store(&fail_init, 1);
    int before = atomic_load(&finis);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, failing, NULL), 0);
    ck_assert_int_eq(pthread_join(th, NULL), 0);
    atomic_store(&fail_init, 0);
    ck_assert_int_eq(atomic_load(&finis), before + 1); /* fini ran on the failed object, once */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tls_scratch");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, one_object_per_thread_released_at_exit);
    tcase_add_test(tc, failed_init_gives_null);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
