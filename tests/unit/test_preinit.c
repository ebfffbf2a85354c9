/*
 * test_preinit.c - the pre-initialisation buffer (deep copies,
 * order, record and byte bounds) and the no-feedback-loop guard (nested
 * appends and library threads refused).
 */
#include <check.h>
#include "run_suite.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "preinit.h"
#include "reentry.h"

static otel_preinit_entry *entry(const char *body, char *scratch)
{
    /* everything the caller passes lives in scratch, overwritten afterwards */
    strcpy(scratch, body);
    otel_attr a[2] = {{.key = "thread.id", .type = OTEL_VALUE_INT, .v.i = 7},
                      {.key = "k", .type = OTEL_VALUE_STRING, .v.str = {scratch, strlen(scratch)}}};
    otel_attr call[1] = {{.key = "credential", .type = OTEL_VALUE_STRING, .v.str = {scratch, strlen(scratch)}}};
    otel_attr lda[1] = {{.key = "log.iostream", .type = OTEL_VALUE_STRING, .v.str = {"stderr", 6}}};
    otel_loc_data ld = {.magic = OTEL_LOC_DATA_MAGIC, .kind = OTEL_LOC_DATA_APP, .app_name = "app",
                        .app_instance = NULL, .attrs = lda, .nattrs = 1};
    uint8_t tid[16] = {1, 2, 3}, sid[8] = {9};
    otel_pipeline_input in = {.rec = {.category = "cat.x", .body = scratch, .body_len = strlen(scratch),
                                      .log4c_priority = 600, .trace_id = tid, .span_id = sid, .attrs = a, .nattrs = 2},
                              .call_attrs = call, .ncall_attrs = 1};
    return otel_preinit_entry_new("otel", &in, &ld);
}

START_TEST(deep_copy_and_order)
{
    otel_preinit b = {.lock = PTHREAD_MUTEX_INITIALIZER, .max_records = 10, .max_bytes = 1 << 20};
    char scratch[64];
    ck_assert_int_eq(otel_preinit_push(&b, entry("first secret", scratch)), 0);
    ck_assert_int_eq(otel_preinit_push(&b, entry("second", scratch)), 0);
    memset(scratch, 'Z', sizeof scratch - 1); /* the caller's memory is gone */
    otel_preinit_entry *e = otel_preinit_take(&b);
    ck_assert_ptr_null(otel_preinit_take(&b)); /* emptied */
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->tag, "otel");
    ck_assert_str_eq(e->in.rec.body, "first secret");
    ck_assert_str_eq(e->in.rec.category, "cat.x");
    ck_assert_int_eq(e->in.rec.attrs[0].v.i, 7);
    ck_assert_str_eq(e->in.rec.attrs[1].v.str.s, "first secret");
    ck_assert_str_eq(e->in.call_attrs[0].key, "credential");
    ck_assert_int_eq(e->in.rec.trace_id[2], 3);
    ck_assert_int_eq(e->in.rec.span_id[0], 9);
    ck_assert(e->has_ld);
    ck_assert_str_eq(e->ld.app_name, "app");
    ck_assert_ptr_null(e->ld.app_instance);
    ck_assert_str_eq(e->ld.attrs[0].v.str.s, "stderr");
    ck_assert_uint_eq((uintptr_t)e->in.rec.attrs % _Alignof(otel_attr), 0);
    ck_assert_uint_eq((uintptr_t)e->in.call_attrs % _Alignof(otel_attr), 0);
    ck_assert_uint_eq((uintptr_t)e->ld.attrs % _Alignof(otel_attr), 0);
    otel_preinit_entry *second = e->next;
    ck_assert_str_eq(second->in.rec.body, "second");
    ck_assert_ptr_null(second->next);
    otel_preinit_entry_free(e);
    otel_preinit_entry_free(second);
}
END_TEST

START_TEST(bounds)
{
    char scratch[64];
    otel_preinit b = {.lock = PTHREAD_MUTEX_INITIALIZER, .max_records = 2, .max_bytes = 1 << 20};
    ck_assert_int_eq(otel_preinit_push(&b, entry("a", scratch)), 0);
    ck_assert_int_eq(otel_preinit_push(&b, entry("b", scratch)), 0);
    ck_assert_int_eq(otel_preinit_push(&b, entry("c", scratch)), -1); /* freed by push */
    ck_assert_uint_eq(b.count, 2);
    otel_preinit_entry *e = otel_preinit_take(&b);
    size_t one = e->size;
    otel_preinit_entry_free(e->next);
    otel_preinit_entry_free(e);

    otel_preinit c = {.lock = PTHREAD_MUTEX_INITIALIZER, .max_records = 100, .max_bytes = 2 * one};
    ck_assert_int_eq(otel_preinit_push(&c, entry("a", scratch)), 0);
    ck_assert_int_eq(otel_preinit_push(&c, entry("b", scratch)), 0);
    ck_assert_int_eq(otel_preinit_push(&c, entry("c", scratch)), -1);
    ck_assert_uint_eq(c.bytes, 2 * one);
    e = otel_preinit_take(&c);
    otel_preinit_entry_free(e->next);
    otel_preinit_entry_free(e);
}
END_TEST

START_TEST(reentry_nested_refused)
{
    ck_assert_int_eq(otel_reentry_enter(), 1);
    ck_assert_int_eq(otel_reentry_enter(), 0); /* an append inside an append */
    otel_reentry_leave();
    ck_assert_int_eq(otel_reentry_enter(), 1); /* and fine again afterwards */
    otel_reentry_leave();
}
END_TEST

static void *internal_thread(void *arg)
{
    otel_reentry_mark_internal_thread();
    *(int *)arg = otel_reentry_enter();
    return NULL;
}

START_TEST(reentry_internal_thread_refused)
{
    int got = -1;
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, internal_thread, &got), 0);
    pthread_join(t, NULL);
    ck_assert_int_eq(got, 0);
    ck_assert_int_eq(otel_reentry_enter(), 1); /* the mark is per thread */
    otel_reentry_leave();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("preinit");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, deep_copy_and_order);
    tcase_add_test(tc, bounds);
    tcase_add_test(tc, reentry_nested_refused);
    tcase_add_test(tc, reentry_internal_thread_refused);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
