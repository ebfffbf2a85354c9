/*
 * log_from_send.c - an LD_PRELOAD shim for the no-feedback-loop test: code
 * the library's export thread calls logs through log4c. Every send() and
 * sendto() (libcurl sends requests with them, on the export thread) first
 * logs one record to the log4c category LOG_FROM_SEND_CATEGORY, at most
 * LOG_FROM_SEND_MAX (default 5) in all, then sends. At exit it prints
 * "log_from_send: N" on stderr, N being the records it logged. Unset
 * category: a plain send. A process that never sent prints nothing. Only the test build uses it (check_LTLIBRARIES).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include <dlfcn.h>
#include <log4c.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

typedef ssize_t (*send_fn)(int, const void *, size_t, int);
typedef ssize_t (*sendto_fn)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);

static atomic_int logged;
static atomic_int sends; /* a process that never sent (a wrapper shell) reports nothing */

static void log_one(void)
{
    atomic_fetch_add(&sends, 1);
    const char *cat = getenv("LOG_FROM_SEND_CATEGORY");
    if (!cat || !*cat)
        return;
    const char *m = getenv("LOG_FROM_SEND_MAX");
    int max = m && *m ? atoi(m) : 5;
    int n = atomic_fetch_add(&logged, 1);
    if (n >= max) {
        atomic_fetch_sub(&logged, 1);
        return;
    }
    log4c_category_log(log4c_category_get(cat), LOG4C_PRIORITY_INFO, "logged from inside send() %d", n);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    log_one();
    send_fn real = (send_fn)dlsym(RTLD_NEXT, "send");
    return real(fd, buf, len, flags);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen)
{
    log_one();
    sendto_fn real = (sendto_fn)dlsym(RTLD_NEXT, "sendto");
    return real(fd, buf, len, flags, to, tolen);
}

__attribute__((destructor)) static void report(void)
{
    if (getenv("LOG_FROM_SEND_CATEGORY") && atomic_load(&sends) > 0)
        fprintf(stderr, "log_from_send: %d\n", atomic_load(&logged));
}
