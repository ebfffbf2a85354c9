/*
 * random_bytes.h - random bytes from the kernel, for ids (trace and span
 * ids, service.instance.id).
 */
#ifndef LOG4C_OTEL_RANDOM_BYTES_H
#define LOG4C_OTEL_RANDOM_BYTES_H

#include <stddef.h>

/* Fills p[0..n) from getrandom(2) (blocking until the pool is ready, looping
 * on EINTR and short reads), else from /dev/urandom. Returns 0, or -1 when
 * neither source gave n bytes. */
int otel_random_bytes(void *p, size_t n);

#endif
