/*
 * fuzz_common.h - shared by the fuzz targets (tests/fuzz/fuzz_*.c) and the
 * corpus replayer (replay_main.c). Each target defines the libFuzzer entry
 * point and checks its invariants with FUZZ_CHECK, which abort()s so that
 * both libFuzzer and `make check` see a violation as a crash.
 */
#ifndef LOG4C_OTEL_FUZZ_COMMON_H
#define LOG4C_OTEL_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                       \
        }                                                                                  \
    } while (0)

/* A malloc'd NUL-terminated copy of data[0..size) (never NULL: aborts). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    for (size_t i = 0; i < size; i++)
        s[i] = (char)data[i];
    s[size] = '\0';
    return s;
}

#endif
