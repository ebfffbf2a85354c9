/*
 * clock.h - the two clocks of the core: monotonic nanoseconds for deadlines,
 * timeouts and backoff (immune to wall-clock jumps), and realtime nanoseconds
 * for timestamps that leave the process (log record times, Retry-After dates).
 */
#ifndef LOG4C_OTEL_CLOCK_H
#define LOG4C_OTEL_CLOCK_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds: what every deadline is expressed in. */
static inline uint64_t otel_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CLOCK_REALTIME in nanoseconds since the Unix epoch. */
static inline uint64_t otel_realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A condition variable whose timed waits use CLOCK_MONOTONIC deadlines. */
static inline void otel_cond_init_monotonic(pthread_cond_t *c)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(c, &ca);
    pthread_condattr_destroy(&ca);
}

/* A CLOCK_MONOTONIC nanosecond deadline as a timespec for timed waits. */
static inline struct timespec otel_timespec(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
    return ts;
}

#endif
