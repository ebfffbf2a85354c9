/*
 * slow_dns.c - an LD_PRELOAD shim for the shutdown-deadline tests: a
 * resolver that hangs. getaddrinfo() for the one host named by
 * SLOW_DNS_HOST (default "hang.dns.test") sleeps SLOW_DNS_SECONDS (default
 * 60) and then fails; every other name goes to the real getaddrinfo.
 * Only the test build uses it (check_LTLIBRARIES).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include <dlfcn.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *, struct addrinfo **);

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res)
{
    const char *slow = getenv("SLOW_DNS_HOST");
    if (!slow || !*slow)
        slow = "hang.dns.test";
    if (node && strcmp(node, slow) == 0) {
        const char *s = getenv("SLOW_DNS_SECONDS");
        long secs = s && *s ? atol(s) : 60;
        /* bounded: the test kills the process long before, if the deadline fails */
        struct timespec ts = {secs > 0 ? secs : 60, 0};
        while (nanosleep(&ts, &ts) != 0) /* EINTR: sleep the rest */
            ;
        return EAI_AGAIN;
    }
    gai_fn real = (gai_fn)dlsym(RTLD_NEXT, "getaddrinfo");
    if (!real)
        return EAI_SYSTEM;
    return real(node, service, hints, res);
}
