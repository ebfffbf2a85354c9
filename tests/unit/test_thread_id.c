/*
 * test_thread_id.c - the per-thread gettid() cache: the real id, another
 * thread's own, and the child's own after fork().
 */
#include <check.h>
#include "run_suite.h"
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "thread_id.h"

static int64_t real_tid(void) { return (int64_t)syscall(SYS_gettid); }

START_TEST(own_id_cached)
{
    ck_assert_int_eq(otel_thread_id(), real_tid());
    ck_assert_int_eq(otel_thread_id(), real_tid()); /* the cached value */
}
END_TEST

static void *other(void *arg)
{
    int64_t *out = arg;
    out[0] = otel_thread_id();
    out[1] = real_tid();
    return NULL;
}

START_TEST(each_thread_its_own)
{
    int64_t mine = otel_thread_id(), theirs[2] = {0, 0};
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, other, theirs), 0);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    ck_assert_int_eq(theirs[0], theirs[1]);
    ck_assert_int_ne(theirs[0], mine);
    ck_assert_int_eq(otel_thread_id(), mine);
}
END_TEST

START_TEST(fork_child_reads_its_own)
{
    int64_t parent = otel_thread_id(); /* cached before the fork */
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(otel_thread_id() == real_tid() && otel_thread_id() != parent ? 0 : 1);
    int st = 0;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFEXITED(st));
    ck_assert_int_eq(WEXITSTATUS(st), 0);
    ck_assert_int_eq(otel_thread_id(), parent);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("thread_id");
    TCase *tc = tcase_create("thread_id");
    tcase_add_test(tc, own_id_cached);
    tcase_add_test(tc, each_thread_its_own);
    tcase_add_test(tc, fork_child_reads_its_own);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
