/*
 * test_dlopen.c - the library loads with dlopen() into a running process
 * (every symbol resolved: RTLD_NOW) and its per-thread state works there,
 * in the loading thread and in a thread started afterwards. A plugin host
 * may load it so; its TLS stays in the default (global-dynamic) model for
 * that reason: initial-exec would put the library's whole TLS block (over
 * 1 KiB) into glibc's small static reserve for late-loaded libraries. The
 * program does not link the library; it loads the one just built
 * (LIBRARY_PATH, set by Makefile.am).
 */
#include <check.h>
#include "run_suite.h"
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "log4c-otel.h"

typedef int (*attach_fn)(const char *);
typedef int (*current_fn)(char *, size_t);
typedef int (*detach_fn)(void);

static attach_fn attach;
static current_fn current;
static detach_fn detach;

static const char TP[] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

/* a context attached on this thread is this thread's alone */
static void *roundtrip(void *arg)
{
    (void)arg;
    char buf[64] = "";
    ck_assert_int_ne(current(buf, sizeof buf), LOG4C_OTEL_OK); /* none here yet */
    ck_assert_int_eq(attach(TP), LOG4C_OTEL_OK);
    ck_assert_int_eq(current(buf, sizeof buf), LOG4C_OTEL_OK);
    ck_assert_str_eq(buf, TP);
    ck_assert_int_eq(detach(), LOG4C_OTEL_OK);
    ck_assert_int_ne(current(buf, sizeof buf), LOG4C_OTEL_OK);
    return NULL;
}

START_TEST(loads_and_keeps_per_thread_state)
{
    void *h = dlopen(LIBRARY_PATH, RTLD_NOW | RTLD_LOCAL);
    ck_assert_msg(h != NULL, "dlopen(%s): %s", LIBRARY_PATH, dlerror());
    attach = (attach_fn)dlsym(h, "log4c_otel_context_attach_traceparent");
    current = (current_fn)dlsym(h, "log4c_otel_traceparent_current");
    detach = (detach_fn)dlsym(h, "log4c_otel_context_detach");
    ck_assert_ptr_nonnull(attach);
    ck_assert_ptr_nonnull(current);
    ck_assert_ptr_nonnull(detach);
    roundtrip(NULL);
    /* a thread started after the load, while this one holds a context */
    ck_assert_int_eq(attach(TP), LOG4C_OTEL_OK);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, roundtrip, NULL), 0);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    char buf[64] = "";
    ck_assert_int_eq(current(buf, sizeof buf), LOG4C_OTEL_OK); /* still ours */
    ck_assert_str_eq(buf, TP);
    ck_assert_int_eq(detach(), LOG4C_OTEL_OK);
    /* not unloaded: log4c registers its appender types with it (atexit) */
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("dlopen");
    TCase *tc = tcase_create("dlopen");
    tcase_add_test(tc, loads_and_keeps_per_thread_state);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()); }
