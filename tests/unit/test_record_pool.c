/*
 * test_record_pool.c - per-thread recycling of record memory: reuse by
 * size class, the per-thread bound, blocks too big to keep, blocks freed by
 * another thread, records built and freed through it, and a batch freed
 * in one pass.
 */
#include <check.h>
#include "run_suite.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "record_pool.h"

/* a block comes back for the next request of its class, on this thread */
START_TEST(reuse_within_a_class)
{
    size_t before = otel_record_pool_bytes();
    char *a = otel_record_mem_alloc(700);
    ck_assert_ptr_nonnull(a);
    memset(a, 0xab, 700); /* all of it is usable */
    otel_record_mem_free(a, 700);
    if (otel_record_pool_enabled()) {
        ck_assert_uint_eq(otel_record_pool_bytes(), before + 1024);
        char *b = otel_record_mem_alloc(600); /* same class (1 KiB) */
        ck_assert_ptr_eq(b, a);
        ck_assert_uint_eq(otel_record_pool_bytes(), before);
        char *c = otel_record_mem_alloc(200); /* another class: not that block */
        ck_assert_ptr_ne(c, a);
        memset(c, 0, 200);
        otel_record_mem_free(c, 200);
        otel_record_mem_free(b, 600);
    } else {
        ck_assert_uint_eq(otel_record_pool_bytes(), 0);
    }
}
END_TEST

/* what a thread keeps is bounded; what does not fit is freed at once */
START_TEST(bounded_per_thread)
{
    enum { N = 1500, SIZE = 2000, CLASS = 2048 };
    size_t other = otel_record_pool_bytes(); /* other classes, kept by earlier tests */
    void **blocks = malloc(N * sizeof *blocks);
    for (int i = 0; i < N; i++) {
        blocks[i] = otel_record_mem_alloc(SIZE);
        ck_assert_ptr_nonnull(blocks[i]);
    }
    for (int i = 0; i < N; i++)
        otel_record_mem_free(blocks[i], SIZE);
    free(blocks);
    ck_assert_uint_le(otel_record_pool_bytes(), OTEL_RECORD_POOL_MAX_BYTES);
    if (otel_record_pool_enabled())
        ck_assert_uint_gt(otel_record_pool_bytes() + CLASS, OTEL_RECORD_POOL_MAX_BYTES); /* full */
    /* all of it is handed out again, then the thread keeps only the rest */
    size_t kept = (otel_record_pool_bytes() - other) / CLASS;
    void **again = malloc((kept + 1) * sizeof *again);
    for (size_t i = 0; i < kept; i++)
        again[i] = otel_record_mem_alloc(CLASS);
    ck_assert_uint_eq(otel_record_pool_bytes(), other);
    for (size_t i = 0; i < kept; i++)
        otel_record_mem_free(again[i], CLASS);
    free(again);
}
END_TEST

/* above the largest class: straight to malloc and free, never kept */
START_TEST(big_blocks_not_kept)
{
    size_t before = otel_record_pool_bytes();
    for (size_t size = 4097; size < 100000; size *= 3) {
        char *p = otel_record_mem_alloc(size);
        ck_assert_ptr_nonnull(p);
        memset(p, 1, size);
        otel_record_mem_free(p, size);
        ck_assert_uint_eq(otel_record_pool_bytes(), before);
    }
    otel_record_mem_free(NULL, 100); /* nothing */
    ck_assert_uint_eq(otel_record_pool_bytes(), before);
}
END_TEST

static void *alloc_on_thread(void *arg)
{
    (void)arg;
    return otel_record_mem_alloc(300);
}

/* a block allocated on one thread and freed on another joins the freeing
 * thread's pool (the worker frees what a logging thread built) */
START_TEST(freed_by_another_thread)
{
    pthread_t t;
    void *p = NULL;
    ck_assert_int_eq(pthread_create(&t, NULL, alloc_on_thread, NULL), 0);
    ck_assert_int_eq(pthread_join(t, &p), 0);
    ck_assert_ptr_nonnull(p);
    size_t before = otel_record_pool_bytes();
    otel_record_mem_free(p, 300);
    if (otel_record_pool_enabled()) {
        ck_assert_uint_eq(otel_record_pool_bytes(), before + 512);
        ck_assert_ptr_eq(otel_record_mem_alloc(400), p);
        otel_record_mem_free(p, 400);
    } else {
        ck_assert_uint_eq(otel_record_pool_bytes(), before);
    }
}
END_TEST

/* records built from recycled memory are whole: nothing of the previous
 * record shows through */
START_TEST(records_from_recycled_memory)
{
    otel_attr a = {.key = "k", .type = OTEL_VALUE_STRING, .v.str = {"first-value", 11}};
    otel_record_input in = {.category = "cat.one", .body = "body one", .body_len = 8, .attrs = &a, .nattrs = 1,
                            .log4c_priority = 300};
    otel_record *r1 = otel_record_new(&in);
    ck_assert_ptr_nonnull(r1);
    otel_record_free(r1);
    otel_record_input in2 = {.category = "c2", .body = "b2", .body_len = 2, .log4c_priority = 600};
    otel_record *r2 = otel_record_new(&in2);
    ck_assert_ptr_nonnull(r2);
    ck_assert_str_eq(r2->category, "c2");
    ck_assert_str_eq(r2->body, "b2");
    ck_assert_uint_eq(r2->nattrs, 0);
    ck_assert_int_eq(r2->severity_number, 9);
    ck_assert_uint_eq(r2->flags, 0);
    for (int i = 0; i < 16; i++)
        ck_assert_int_eq(r2->trace_id[i], 0);
    otel_record_free(r2);
}
END_TEST

/* a batch of records given back in one pass: NULL skipped, each block in
 * its own class, the per-thread bound kept, a big one freed at once */
START_TEST(records_freed_as_a_batch)
{
    enum { N = 6 };
    static char big_body[5000];
    memset(big_body, 'x', sizeof big_body);
    size_t before = otel_record_pool_bytes();
    otel_record *recs[N + 1] = {NULL};
    size_t expect = 0;
    for (int i = 0; i < N; i++) {
        size_t blen = i == N - 1 ? sizeof big_body : (size_t)(50 << i); /* 50 .. 800, then one above 4 KiB */
        otel_record_input in = {.category = "batch", .body = big_body, .body_len = blen, .log4c_priority = 600};
        recs[i + 1] = otel_record_new(&in);
        ck_assert_ptr_nonnull(recs[i + 1]);
        size_t size = recs[i + 1]->size, cls = 256;
        while (cls < size)
            cls <<= 1;
        if (cls <= 4096)
            expect += cls;
    }
    otel_records_free(recs, N + 1); /* recs[0] is NULL */
    if (otel_record_pool_enabled() && before + expect <= OTEL_RECORD_POOL_MAX_BYTES)
        ck_assert_uint_eq(otel_record_pool_bytes(), before + expect);
    else if (otel_record_pool_enabled())
        ck_assert_uint_le(otel_record_pool_bytes(), OTEL_RECORD_POOL_MAX_BYTES);
    else
        ck_assert_uint_eq(otel_record_pool_bytes(), before);
    otel_records_free(recs, 0); /* nothing */

    /* past the bound: the rest is freed, what is kept stays within it */
    enum { M = 1200, SIZE = 2000 };
    void **blocks = malloc(M * sizeof *blocks);
    for (int i = 0; i < M; i++) {
        blocks[i] = otel_record_mem_alloc(SIZE);
        ck_assert_ptr_nonnull(blocks[i]);
        memcpy(blocks[i], &(size_t){SIZE}, sizeof(size_t));
    }
    otel_record_mem_free_n(blocks, M, 0);
    free(blocks);
    ck_assert_uint_le(otel_record_pool_bytes(), OTEL_RECORD_POOL_MAX_BYTES);
    if (otel_record_pool_enabled())
        ck_assert_uint_gt(otel_record_pool_bytes() + 2048, OTEL_RECORD_POOL_MAX_BYTES);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("record_pool");
    TCase *tc = tcase_create("pool");
    tcase_add_test(tc, reuse_within_a_class);
    tcase_add_test(tc, bounded_per_thread);
    tcase_add_test(tc, big_blocks_not_kept);
    tcase_add_test(tc, freed_by_another_thread);
    tcase_add_test(tc, records_from_recycled_memory);
    tcase_add_test(tc, records_freed_as_a_batch);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
