/*
 * test_preinit.c - the pre-initialisation buffer (entries kept as lane
 * entries: a copy of everything, the logging thread's context included,
 * built into the same record later; order; record and byte bounds) and
 * the no-feedback-loop guard (nested appends and library threads refused).
 */
#include <check.h>
#include "run_suite.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "load_pipeline.h"
#include "lane_entry.h"
#include "preinit.h"
#include "reentry.h"
#include "span.h"

/* An entry holding ev as the runtime keeps it: packed as a lane entry. */
static otel_preinit_entry *entry_of(const otel_log_event *ev)
{
    size_t size = otel_lane_entry_pack(NULL, 0, ev);
    otel_preinit_entry *e = otel_preinit_entry_new("otel", size);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(otel_lane_entry_pack(e->data, size, ev), size);
    return e;
}

static otel_preinit_entry *entry(const char *body, char *scratch)
{
    /* everything the caller passes lives in scratch, overwritten afterwards */
    strcpy(scratch, body);
    otel_attr call[1] = {{.key = "credential", .type = OTEL_VALUE_STRING, .v.str = {scratch, strlen(scratch)}}};
    otel_call_attrs ca = {call, 1};
    otel_log_event ev = {.category = "cat.x", .priority = 600, .message = scratch, .time_ns = 1000, .call = &ca};
    return entry_of(&ev);
}

static otel_attr *find(otel_record *r, const char *key)
{
    for (size_t i = 0; i < r->nattrs; i++)
        if (strcmp(r->attrs[i].key, key) == 0)
            return &r->attrs[i];
    return NULL;
}

/* what the loading thread builds from a buffered entry */
static otel_record *replay(const otel_pipeline *p, const otel_preinit_entry *e)
{
    static atomic_uint_fast64_t filtered, dropped_config;
    otel_record_builder b = {.pipeline = p, .filtered = &filtered, .dropped_config = &dropped_config};
    return otel_lane_entry_record(&b, e->data, e->data_size, 0, NULL);
}

START_TEST(copy_and_order)
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
    ck_assert_uint_eq((uintptr_t)e->data % 8, 0);
    ck_assert_uint_ge(e->size, e->data_size);
    otel_pipeline p;
    load(&p, "{}");
    otel_record *r = replay(&p, e);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->body, "first secret");
    ck_assert_str_eq(r->category, "cat.x");
    ck_assert_str_eq(find(r, "credential")->v.str.s, "first secret");
    ck_assert_uint_eq(r->observed_time_unix_nano, 1000); /* observed when logged */
    otel_record_free(r);
    otel_preinit_entry *second = e->next;
    ck_assert_ptr_null(second->next);
    r = replay(&p, second);
    ck_assert_str_eq(r->body, "second");
    otel_record_free(r);
    otel_preinit_entry_free(e);
    otel_preinit_entry_free(second);
    otel_pipeline_free(&p);
}
END_TEST

/* The logging thread's trace ids, context attributes and loc_data are taken
 * when the entry is made, not when (or on which thread) it is replayed. */
START_TEST(logging_threads_context_is_kept)
{
    otel_attr lda[1] = {{.key = "log.iostream", .type = OTEL_VALUE_STRING, .v.str = {"stderr", 6}}};
    otel_loc_data ld = {.magic = OTEL_LOC_DATA_MAGIC, .kind = OTEL_LOC_DATA_APP, .app_name = "app",
                        .attrs = lda, .nattrs = 1};
    otel_attr mine = {.key = "tenant", .type = OTEL_VALUE_STRING, .v.str = {"blue", 4}};
    ck_assert_int_eq(otel_thread_attrs_put(&mine), 0);
    otel_span_context c = {.trace_id = {1, 2, 3}, .span_id = {9}, .flags = 1};
    otel_context_set_current(&c);
    otel_log_event ev = {.category = "cat.x", .priority = 600, .message = "m", .time_ns = 5,
                         .file = "f.c", .line = 7, .function = "fn", .ld = &ld};
    otel_preinit_entry *e = entry_of(&ev);
    otel_context_set_current(NULL);
    otel_thread_attrs_clear(); /* the replaying thread has none */
    otel_pipeline p;
    load(&p, "{}");
    otel_record *r = replay(&p, e);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(find(r, "tenant")->v.str.s, "blue");
    ck_assert_str_eq(find(r, "log.iostream")->v.str.s, "stderr");
    ck_assert_str_eq(find(r, "code.file.path")->v.str.s, "f.c");
    ck_assert_int_eq(find(r, "code.line.number")->v.i, 7);
    ck_assert_int_eq(r->trace_id[2], 3);
    ck_assert_int_eq(r->span_id[0], 9);
    otel_record_free(r);
    otel_preinit_entry_free(e);
    otel_pipeline_free(&p);
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
    tcase_add_test(tc, copy_and_order);
    tcase_add_test(tc, logging_threads_context_is_kept);
    tcase_add_test(tc, bounds);
    tcase_add_test(tc, reentry_nested_refused);
    tcase_add_test(tc, reentry_internal_thread_refused);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
