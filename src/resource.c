/*
 * resource.c - detects the process's resource attributes and applies
 * OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME on top (user values win);
 * masks them (keys and string values) through the gate before a worker
 * sends them.
 */
#include "resource.h"
#include "diag.h"
#include "random_bytes.h"
#include "log4c-otel.h"
#include "mask.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Sets key to a string value, replacing an existing entry. */
static int set_str(otel_settings *s, const char *key, const char *value)
{
    char *v = strdup(value);
    if (!v)
        return -1;
    for (size_t i = 0; i < s->nresource; i++) {
        if (strcmp(s->resource[i].key, key) == 0) {
            if (s->resource[i].type == OTEL_VALUE_STRING)
                free((char *)s->resource[i].v.str.s);
            s->resource[i].type = OTEL_VALUE_STRING;
            s->resource[i].v.str.s = v;
            s->resource[i].v.str.s_len = strlen(v);
            return 0;
        }
    }
    otel_attr *a = realloc(s->resource, (s->nresource + 1) * sizeof *a);
    char *k = strdup(key);
    if (!a || !k) {
        free(v), free(k);
        if (a)
            s->resource = a;
        return -1;
    }
    s->resource = a;
    a[s->nresource].key = k;
    a[s->nresource].type = OTEL_VALUE_STRING;
    a[s->nresource].v.str.s = v;
    a[s->nresource].v.str.s_len = strlen(v);
    s->nresource++;
    return 0;
}

static int set_int(otel_settings *s, const char *key, int64_t value)
{
    if (set_str(s, key, "") != 0)
        return -1;
    for (size_t i = 0; i < s->nresource; i++) {
        if (strcmp(s->resource[i].key, key) == 0) {
            free((char *)s->resource[i].v.str.s);
            s->resource[i].type = OTEL_VALUE_INT;
            s->resource[i].v.i = value;
        }
    }
    return 0;
}

static int add_resource_kv(void *ctx, const char *key, const char *value)
{
    return set_str(ctx, key, value);
}

int otel_resource_env_attributes(const char *list, int (*each)(void *ctx, const char *key, const char *value),
                                 void *ctx)
{
    /* validate first: a malformed value is discarded whole */
    int bad = 0, rc = 0;
    otel_settings probe;
    memset(&probe, 0, sizeof probe);
    if (otel_parse_kv_list(list, add_resource_kv, &probe, &bad) != 0)
        rc = -1;
    for (size_t i = 0; rc == 0 && !bad && i < probe.nresource; i++)
        if (each(ctx, probe.resource[i].key, probe.resource[i].v.str.s) != 0)
            rc = -1;
    otel_resource_free(&probe);
    return rc < 0 ? -1 : bad;
}

/* A random UUID v4: unique per process start, as service.instance.id asks. */
static void uuid4(char out[37])
{
    unsigned char b[16];
    if (otel_random_bytes(b, sizeof b) != 0) { /* no random source: still distinct per process */
        uint64_t x = (uint64_t)getpid() * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)&b;
        for (size_t i = 0; i < sizeof b; i++, x = x * 6364136223846793005ull + 1442695040888963407ull)
            b[i] = (unsigned char)(x >> 56);
    }
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
             b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* service.instance.id: drawn once per process, so every appender
 * instance's resource and every record's copy carry the same one; a forked
 * child draws its own (the pid it was drawn for differs). */
static pthread_mutex_t id_lock = PTHREAD_MUTEX_INITIALIZER;
static char id_value[37];
static pid_t id_pid;

void otel_resource_instance_id(char out[37])
{
    pthread_mutex_lock(&id_lock);
    if (id_pid != getpid()) {
        uuid4(id_value);
        id_pid = getpid();
    }
    memcpy(out, id_value, 37);
    pthread_mutex_unlock(&id_lock);
}

void otel_resource_atfork_held_id(char out[37]) { memcpy(out, id_value, 37); }

void otel_resource_atfork_prepare(void) { pthread_mutex_lock(&id_lock); }
void otel_resource_atfork_release(void) { pthread_mutex_unlock(&id_lock); }

static const char *program_name(void)
{
    extern char *program_invocation_short_name; /* glibc */
    return program_invocation_short_name && *program_invocation_short_name ? program_invocation_short_name
                                                                            : "unknown_service";
}

int otel_resource_build(otel_settings *s, otel_getenv_fn get)
{
    char uuid[37], host[256];
    otel_resource_instance_id(uuid);
    if (gethostname(host, sizeof host) != 0)
        host[0] = '\0';
    host[sizeof host - 1] = '\0';

    if (set_str(s, "service.name", program_name()) || set_str(s, "service.instance.id", uuid) ||
        (host[0] && set_str(s, "host.name", host)) || set_int(s, "process.pid", (int64_t)getpid()) ||
        set_str(s, "process.executable.name", program_name()) ||
        set_str(s, "telemetry.sdk.name", "log4c-otel") ||
        set_str(s, "telemetry.sdk.version", LOG4C_OTEL_VERSION) || set_str(s, "telemetry.sdk.language", "c"))
        return LOG4C_OTEL_ENOMEM;

    const char *ra = get("OTEL_RESOURCE_ATTRIBUTES");
    if (ra && *ra) {
        int bad = otel_resource_env_attributes(ra, add_resource_kv, s);
        if (bad < 0)
            return LOG4C_OTEL_ENOMEM;
        if (bad) {
            otel_diag("log4c-otel: ignoring OTEL_RESOURCE_ATTRIBUTES: %d malformed entr%s", bad,
                      bad == 1 ? "y" : "ies");
            s->nwarnings++;
        }
    }
    const char *svc = get("OTEL_SERVICE_NAME");
    if (svc && *svc && set_str(s, "service.name", svc) != 0)
        return LOG4C_OTEL_ENOMEM;
    return 0;
}

void otel_resource_free(otel_settings *s)
{
    for (size_t i = 0; i < s->nresource; i++) {
        free((char *)s->resource[i].key);
        if (s->resource[i].type == OTEL_VALUE_STRING)
            free((char *)s->resource[i].v.str.s);
    }
    free(s->resource);
    s->resource = NULL;
    s->nresource = 0;
}

const char *otel_resource_get(const otel_settings *s, const char *key)
{
    for (size_t i = 0; i < s->nresource; i++)
        if (s->resource[i].type == OTEL_VALUE_STRING && strcmp(s->resource[i].key, key) == 0)
            return s->resource[i].v.str.s;
    return NULL;
}

int otel_resource_set_attr(otel_settings *s, const otel_attr *a)
{
    if (a->type == OTEL_VALUE_STRING)
        return set_str(s, a->key, a->v.str.s);
    if (set_int(s, a->key, 0) != 0)
        return -1;
    for (size_t i = 0; i < s->nresource; i++)
        if (strcmp(s->resource[i].key, a->key) == 0) {
            s->resource[i].type = a->type;
            s->resource[i].v = a->v;
        }
    return 0;
}

/* *p (a malloc'd string) replaced by its masked copy; 0, or -1 when it
 * cannot be masked (no rules, out of memory). */
static int mask_string(const otel_filter_set *rules, char **p, size_t *len, otel_mask_buf *buf)
{
    otel_mask_entry e = {"", 0, "", 0};
    const char *out;
    size_t n;
    otel_mask_result r = otel_mask_value(rules, &e, *p, strlen(*p), buf, &out, &n);
    if (r < 0)
        return -1;
    if (r == OTEL_MASK_UNTOUCHED)
        return 0;
    char *copy = malloc(n + 1);
    if (!copy)
        return -1;
    memcpy(copy, out, n);
    copy[n] = '\0';
    free(*p);
    *p = copy;
    if (len)
        *len = n;
    return 0;
}

int otel_resource_mask(otel_settings *s, const otel_filter_set *rules)
{
    otel_mask_buf buf = {NULL, 0};
    int rc = 0;
    for (size_t i = 0; i < s->nresource && rc == 0; i++) {
        otel_attr *a = &s->resource[i];
        rc = mask_string(rules, (char **)&a->key, NULL, &buf);
        if (rc == 0 && a->type == OTEL_VALUE_STRING)
            rc = mask_string(rules, (char **)&a->v.str.s, &a->v.str.s_len, &buf);
    }
    free(buf.p);
    return rc;
}
