/*
 * fuzz_settings.c - the settings loader, otel_settings_load, with a fake
 * getenv fed from the input: one NAME=VALUE per line (lines without '=' are
 * ignored; the first definition of a name wins; a NUL ends the input, as it
 * would end an environment string).
 *
 * Checks: no crash or leak; the return code is one the header documents;
 * the error text is terminated and set exactly when loading fails; on
 * success every setting is within its documented range (endpoint http(s),
 * batch <= queue when a queue size is set, minimums of each variable, unique resource keys with
 * consistent lengths, OTEL_SERVICE_NAME applied; the file exporter's path
 * set exactly when no endpoint is configured or LOG4C_OTEL_FILE names one);
 * only OTEL_* and LOG4C_OTEL_* variables are looked up (and XDG_STATE_HOME
 * and HOME, for the default file); otel_settings_free leaves a zeroed
 * struct and may be called twice.
 */
#include "fuzz_common.h"

#include <string.h>
#include <strings.h>

#include "log4c-otel.h"
#include "settings.h"

#define MAX_VARS 64

static struct {
    const char *name[MAX_VARS];
    const char *value[MAX_VARS];
    size_t n;
} env;

static const char *fake_getenv(const char *name)
{
    FUZZ_CHECK(name != NULL);
    FUZZ_CHECK(strncmp(name, "OTEL_", 5) == 0 || strncmp(name, "LOG4C_OTEL_", 11) == 0 ||
               strcmp(name, "XDG_STATE_HOME") == 0 || strcmp(name, "HOME") == 0);
    for (size_t i = 0; i < env.n; i++)
        if (strcmp(env.name[i], name) == 0)
            return env.value[i];
    return NULL;
}

/* Splits text (modified in place) into the fake environment. */
static void env_parse(char *text)
{
    env.n = 0;
    char *line = text;
    while (line && env.n < MAX_VARS) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *eq = strchr(line, '=');
        if (eq) {
            *eq = '\0';
            env.name[env.n] = line;
            env.value[env.n] = eq + 1;
            env.n++;
        }
        line = nl ? nl + 1 : NULL;
    }
}

static const char *nonempty(const char *v)
{
    return v && *v ? v : NULL;
}

static int is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static void check_loaded(const otel_settings *s)
{
    FUZZ_CHECK(s->logs_url != NULL);
    FUZZ_CHECK(strncasecmp(s->logs_url, "http://", 7) == 0 || strncasecmp(s->logs_url, "https://", 8) == 0);
    const char *logs_ep = nonempty(fake_getenv("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"));
    const char *gen_ep = nonempty(fake_getenv("OTEL_EXPORTER_OTLP_ENDPOINT"));
    FUZZ_CHECK(s->endpoint_configured == (logs_ep || gen_ep));
    if (logs_ep) { /* used as is, but for surrounding white space */
        while (is_space(*logs_ep))
            logs_ep++;
        size_t n = strlen(logs_ep);
        while (n && is_space(logs_ep[n - 1]))
            n--;
        FUZZ_CHECK(strlen(s->logs_url) == n && memcmp(s->logs_url, logs_ep, n) == 0);
    } else if (s->protocol == OTEL_PROTOCOL_GRPC) { /* the generic endpoint as is, or the gRPC default */
        FUZZ_CHECK(strstr(s->logs_url, "/v1/logs") == NULL || gen_ep);
        FUZZ_CHECK(gen_ep || strcmp(s->logs_url, "http://localhost:4317") == 0);
    } else { /* the path ends in /v1/logs, before any query or fragment the base has */
        size_t n = strcspn(s->logs_url, "?#");
        FUZZ_CHECK(n >= 8 && memcmp(s->logs_url + n - 8, "/v1/logs", 8) == 0);
    }

    /* which exporters run */
    FUZZ_CHECK(s->file.path == NULL || s->file.path[0] != '\0');
    FUZZ_CHECK(s->file.backups <= 10000);
    FUZZ_CHECK(!s->file.is_default || (s->file.path && !s->endpoint_configured));
    if (!s->endpoint_configured && !s->file.disabled)
        FUZZ_CHECK(s->file.path != NULL);
    if (s->file.disabled)
        FUZZ_CHECK(s->file.path == NULL);
    FUZZ_CHECK(otel_settings_http_enabled(s) == (s->endpoint_configured || s->file.path == NULL));
    FUZZ_CHECK(s->protocol == OTEL_PROTOCOL_HTTP_PROTOBUF || s->protocol == OTEL_PROTOCOL_HTTP_JSON ||
               s->protocol == OTEL_PROTOCOL_GRPC);
    FUZZ_CHECK(s->compression == OTEL_COMPRESSION_NONE || s->compression == OTEL_COMPRESSION_GZIP);
    FUZZ_CHECK(s->insecure == 0 || s->insecure == 1);
    FUZZ_CHECK(s->request_timeout_ms >= 1);
    /* max_queue_size 0: no record bound (the default; the byte cap bounds) */
    FUZZ_CHECK(s->max_export_batch_size >= 1 && (s->max_queue_size == 0 || s->max_export_batch_size <= s->max_queue_size));
    FUZZ_CHECK(s->schedule_delay_ms >= 0);
    FUZZ_CHECK(s->export_timeout_ms >= 1);
    FUZZ_CHECK(s->shutdown_timeout_ms >= 0);
    FUZZ_CHECK(s->max_queue_bytes >= 1024);
    FUZZ_CHECK(s->max_request_bytes >= 1024);

    FUZZ_CHECK(s->nheaders == 0 || s->headers != NULL);
    for (size_t i = 0; i < s->nheaders; i++) {
        FUZZ_CHECK(s->headers[i].name != NULL && s->headers[i].name[0] != '\0');
        FUZZ_CHECK(s->headers[i].value != NULL);
    }

    int have_name = 0, have_id = 0;
    for (size_t i = 0; i < s->nresource; i++) {
        const otel_attr *a = &s->resource[i];
        FUZZ_CHECK(a->key != NULL && a->key[0] != '\0');
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(s->resource[j].key, a->key) != 0);
        FUZZ_CHECK(a->type == OTEL_VALUE_STRING || a->type == OTEL_VALUE_INT);
        if (a->type == OTEL_VALUE_STRING) {
            FUZZ_CHECK(a->v.str.s != NULL && strlen(a->v.str.s) == a->v.str.s_len);
            if (strcmp(a->key, "service.name") == 0) {
                have_name = 1;
                const char *svc = nonempty(fake_getenv("OTEL_SERVICE_NAME"));
                if (svc)
                    FUZZ_CHECK(strcmp(a->v.str.s, svc) == 0);
            }
            if (strcmp(a->key, "service.instance.id") == 0)
                have_id = 1;
        }
    }
    FUZZ_CHECK(have_name && have_id);
}

static int is_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

static int load_and_check(size_t errlen)
{
    otel_settings s;
    char *err = errlen ? malloc(errlen) : NULL; /* exact size: ASan sees overruns */
    if (err)
        memset(err, 'x', errlen);
    int rc = otel_settings_load(&s, fake_getenv, err, errlen);
    FUZZ_CHECK(rc == LOG4C_OTEL_OK || rc == LOG4C_OTEL_ECONFIG || rc == LOG4C_OTEL_EUNSUPPORTED);
    if (err) {
        FUZZ_CHECK(memchr(err, '\0', errlen) != NULL);
        if (rc == LOG4C_OTEL_OK)
            FUZZ_CHECK(err[0] == '\0');
        else if (errlen > 1)
            FUZZ_CHECK(err[0] != '\0'); /* a failure always says why */
    }
    if (rc == LOG4C_OTEL_OK)
        check_loaded(&s);
    otel_settings_free(&s);
    FUZZ_CHECK(is_zero(&s, sizeof s));
    otel_settings_free(&s); /* harmless on a freed (zeroed) struct */
    free(err);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    env_parse(text);
    int rc = load_and_check(256);
    FUZZ_CHECK(load_and_check(0) == rc);
    FUZZ_CHECK(load_and_check(1) == rc);
    FUZZ_CHECK(load_and_check(16) == rc);
    env.n = 0;
    free(text);
    return 0;
}
