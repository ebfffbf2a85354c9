/*
 * fake_env.h - a fake environment for unit tests: they set NAME=VALUE pairs
 * here and pass fake_getenv where the code takes an otel_getenv_fn, instead
 * of touching the real environment.
 */
#ifndef LOG4C_OTEL_TEST_FAKE_ENV_H
#define LOG4C_OTEL_TEST_FAKE_ENV_H

#include <stddef.h>
#include <string.h>

#define FAKE_ENV_MAX 32

static const char *fake_env[FAKE_ENV_MAX][2];
static size_t fake_n;

static inline void env_reset(void) { fake_n = 0; }

static inline void env_set(const char *k, const char *v)
{
    if (fake_n < FAKE_ENV_MAX) {
        fake_env[fake_n][0] = k;
        fake_env[fake_n][1] = v;
        fake_n++;
    }
}

static inline const char *fake_getenv(const char *name)
{
    for (size_t i = 0; i < fake_n; i++)
        if (strcmp(fake_env[i][0], name) == 0)
            return fake_env[i][1];
    return NULL;
}

#endif
