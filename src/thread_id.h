/*
 * thread_id.h - the calling thread's kernel id (gettid), cached per thread:
 * every record carries it as thread.id, and a syscall per log call costs
 * more than the rest of a filtered call.
 */
#ifndef LOG4C_OTEL_THREAD_ID_H
#define LOG4C_OTEL_THREAD_ID_H

#include <stdint.h>

/* gettid() of the calling thread; after fork() the child's own. */
int64_t otel_thread_id(void);

#endif
