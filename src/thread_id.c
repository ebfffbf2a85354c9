/*
 * thread_id.c - gettid() once per thread. fork() copies the forking
 * thread's cache into the child, whose thread has another id: an atfork
 * handler forgets it there.
 */
#include "thread_id.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

static __thread int64_t cached; /* 0: not read yet (no thread has id 0) */
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void forget_in_child(void) { cached = 0; }

static void install_atfork(void) { (void)pthread_atfork(NULL, NULL, forget_in_child); }

int64_t otel_thread_id(void)
{
    if (cached)
        return cached;
    /* registered before the first value is cached: a fork after it finds the handler */
    pthread_once(&atfork_once, install_atfork);
    cached = (int64_t)syscall(SYS_gettid);
    return cached;
}
