/*
 * oom_settings.c - the settings loader under allocation failure. Not a
 * libFuzzer target: linked with replay_main.c and -Wl,--wrap=malloc,
 * --wrap=realloc,--wrap=calloc,--wrap=strdup, it replays the settings
 * corpus (same NAME=VALUE lines as fuzz_settings.c) and, for each input,
 * loads the settings once per allocation the load makes, failing that one.
 *
 * Checks: no crash (and, under ASan, no leak or double free) on any failure
 * path; the result is OK, ENOMEM or the configuration error the input
 * gives anyway; otel_settings_free leaves a zeroed struct; and a load that
 * reports success kept every TLS file it was given (a CA bundle dropped for
 * lack of memory would silently trust the system CAs instead).
 */
#include "fuzz_common.h"

#include <string.h>

#include "log4c-otel.h"
#include "settings.h"

void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_calloc(size_t n, size_t m);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_calloc(size_t n, size_t m);
char *__wrap_strdup(const char *s);

static long countdown = -1; /* the allocation that fails (0-based); -1: none */
static int fired;

static int fail_now(void)
{
    if (countdown < 0)
        return 0;
    if (countdown-- == 0) {
        fired = 1;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n) { return fail_now() ? NULL : __real_malloc(n); }
void *__wrap_realloc(void *p, size_t n) { return fail_now() ? NULL : __real_realloc(p, n); }
void *__wrap_calloc(size_t n, size_t m) { return fail_now() ? NULL : __real_calloc(n, m); }
char *__wrap_strdup(const char *s) { return fail_now() ? NULL : __real_strdup(s); }

#define MAX_VARS 64
static const char *names[MAX_VARS], *values[MAX_VARS];
static size_t nvars;

static const char *fake_getenv(const char *name)
{
    for (size_t i = 0; i < nvars; i++)
        if (strcmp(names[i], name) == 0)
            return values[i];
    return NULL;
}

static const char *picked(const char *logs_name, const char *generic_name)
{
    const char *v = fake_getenv(logs_name);
    if (v && *v)
        return v;
    v = fake_getenv(generic_name);
    return v && *v ? v : NULL;
}

static int is_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    nvars = 0;
    for (char *line = text; line && nvars < MAX_VARS;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *eq = strchr(line, '=');
        if (eq) {
            *eq = '\0';
            names[nvars] = line;
            values[nvars++] = eq + 1;
        }
        line = nl ? nl + 1 : NULL;
    }

    otel_settings s;
    char err[256];
    int clean_rc = otel_settings_load(&s, fake_getenv, err, sizeof err);
    otel_settings_free(&s);

    for (long k = 0; k < 100000; k++) {
        countdown = k;
        fired = 0;
        int rc = otel_settings_load(&s, fake_getenv, err, sizeof err);
        countdown = -1;
        FUZZ_CHECK(rc == clean_rc || rc == LOG4C_OTEL_ENOMEM);
        if (rc == LOG4C_OTEL_OK) {
            FUZZ_CHECK(s.logs_url != NULL);
            if (picked("OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE", "OTEL_EXPORTER_OTLP_CERTIFICATE"))
                FUZZ_CHECK(s.ca_file != NULL);
            if (picked("OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY", "OTEL_EXPORTER_OTLP_CLIENT_KEY"))
                FUZZ_CHECK(s.client_key_file != NULL);
            if (picked("OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE", "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE"))
                FUZZ_CHECK(s.client_cert_file != NULL);
        }
        otel_settings_free(&s);
        FUZZ_CHECK(is_zero(&s, sizeof s));
        if (!fired) /* every allocation of this load has been failed once */
            break;
    }
    free(text);
    return 0;
}
