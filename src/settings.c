/*
 * settings.c - the exporter's settings: built-in defaults, then the standard
 * OTEL_* environment variables (per-signal LOGS_ variants win over the
 * generic ones), then our LOG4C_OTEL_* extras. A value that does not parse
 * is reported and ignored, as the OTel specification asks; an unsupported
 * protocol is an error, because exporting somewhere else would surprise.
 */
#include "settings.h"
#include "resource.h"
#include "diag.h"
#include "endpoint_text.h"
#include "hex.h"
#include "env_alias.h"
#include "spool.h"
#include "grpc_exporter.h"
#include "log4c-otel.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_ENDPOINT "http://localhost:4318"
#define DEFAULT_GRPC_ENDPOINT "http://localhost:4317"

/* The per-signal variable if set, else the generic one. */
static const char *pick(otel_getenv_fn get, const char *logs_name, const char *generic_name)
{
    const char *v = get(logs_name);
    if (v && *v)
        return v;
    v = get(generic_name);
    return v && *v ? v : NULL;
}

static char *trimmed_dup(const char *s, size_t len)
{
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    char *d = malloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

char *otel_resolve_logs_url(const char *logs_endpoint, const char *generic_endpoint)
{
    if (logs_endpoint && *logs_endpoint)
        return trimmed_dup(logs_endpoint, strlen(logs_endpoint));
    const char *base = generic_endpoint && *generic_endpoint ? generic_endpoint : DEFAULT_ENDPOINT;
    char *b = trimmed_dup(base, strlen(base));
    if (!b)
        return NULL;
    /* the signal's path goes at the end of the base's path, before any
     * query or fragment the base has */
    size_t n = strcspn(b, "?#"), tail = strlen(b + n);
    size_t path_end = n && b[n - 1] == '/' ? n - 1 : n;
    char *url = malloc(path_end + sizeof "/v1/logs" - 1 + tail + 1);
    if (url) {
        memcpy(url, b, path_end);
        memcpy(url + path_end, "/v1/logs", sizeof "/v1/logs" - 1);
        memcpy(url + path_end + sizeof "/v1/logs" - 1, b + n, tail + 1);
    }
    free(b);
    return url;
}

char *otel_resolve_grpc_url(const char *logs_endpoint, const char *generic_endpoint)
{
    const char *ep = logs_endpoint && *logs_endpoint       ? logs_endpoint
                     : generic_endpoint && *generic_endpoint ? generic_endpoint
                                                             : DEFAULT_GRPC_ENDPOINT;
    return trimmed_dup(ep, strlen(ep));
}

char *otel_percent_decode(const char *in, size_t len)
{
    char *out = malloc(len + 1);
    size_t o = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (in[i] != '%') {
            out[o++] = in[i];
            continue;
        }
        int hi = i + 1 < len ? otel_hex_value((unsigned char)in[i + 1]) : -1;
        int lo = i + 2 < len ? otel_hex_value((unsigned char)in[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) { /* "%00": a C string cannot carry it */
            free(out);
            return NULL;
        }
        out[o++] = (char)(hi * 16 + lo);
        i += 2;
    }
    out[o] = '\0';
    return out;
}

int otel_parse_kv_list(const char *list, int (*add)(void *ctx, const char *key, const char *value),
                       void *ctx, int *bad)
{
    const char *p = list;
    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        char *k = NULL, *v = NULL, *kt = NULL, *vt = NULL;
        int ok = 0;
        if (eq) {
            kt = trimmed_dup(p, (size_t)(eq - p));
            vt = trimmed_dup(eq + 1, n - (size_t)(eq - p) - 1);
            if (!kt || !vt) {
                free(kt), free(vt);
                return -1;
            }
            k = otel_percent_decode(kt, strlen(kt));
            v = otel_percent_decode(vt, strlen(vt));
            ok = k && v && *k;
        }
        if (ok) {
            if (add(ctx, k, v) != 0) {
                free(k), free(v), free(kt), free(vt);
                return -1;
            }
        } else if (n > 0 || end) {
            /* an empty trailing entry ("a=b,") is tolerated; anything else counts */
            int blank = 1;
            for (size_t i = 0; i < n; i++)
                if (!isspace((unsigned char)p[i]))
                    blank = 0;
            if (!blank && bad)
                (*bad)++;
        }
        free(k), free(v), free(kt), free(vt);
        p = end ? end + 1 : NULL;
    }
    return 0;
}

static int add_header(otel_settings *s, const char *key, const char *value)
{
    otel_header *h = realloc(s->headers, (s->nheaders + 1) * sizeof *h);
    if (!h)
        return -1;
    s->headers = h;
    h[s->nheaders].name = strdup(key);
    h[s->nheaders].value = strdup(value);
    if (!h[s->nheaders].name || !h[s->nheaders].value) {
        free(h[s->nheaders].name), free(h[s->nheaders].value);
        return -1;
    }
    s->nheaders++;
    return 0;
}

int otel_http_header_name_ok(const char *n)
{
    if (!n || !*n)
        return 0;
    for (; *n; n++) {
        unsigned char c = (unsigned char)*n;
        if (c <= 0x20 || c >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}", c))
            return 0;
    }
    return 1;
}

/* One header entry being parsed: handed to each when its name and value
 * can go on the wire as they are, else marked rejected. */
struct header_entry {
    int (*each)(void *ctx, const char *name, const char *value);
    void *ctx;
    int rejected;
};

static int add_checked_header(void *ctx, const char *key, const char *value)
{
    struct header_entry *e = ctx;
    if (!otel_http_header_name_ok(key) || strpbrk(value, "\r\n")) {
        e->rejected = 1;
        return 0;
    }
    return e->each(e->ctx, key, value);
}

int otel_settings_env_headers(const char *list, int (*each)(void *ctx, const char *name, const char *value),
                              void *ctx, char *bad_at, size_t bad_at_len)
{
    size_t wlen = 0;
    int bad_entries = 0;
    if (bad_at && bad_at_len)
        bad_at[0] = '\0';
    int pos = 1;
    for (const char *p = list; p; pos++) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *one = strndup(p, n);
        if (!one)
            return -1;
        struct header_entry e = {each, ctx, 0};
        int bad = 0;
        int rc = otel_parse_kv_list(one, add_checked_header, &e, &bad);
        free(one);
        if (rc != 0)
            return -1;
        if (bad || e.rejected) {
            bad_entries++;
            if (bad_at && wlen + 16 < bad_at_len)
                wlen += (size_t)snprintf(bad_at + wlen, bad_at_len - wlen, "%s%d", bad_entries > 1 ? ", " : "", pos);
        }
        p = end ? end + 1 : NULL;
    }
    return bad_entries;
}

static int add_header_to(void *s, const char *name, const char *value) { return add_header(s, name, value); }

/* The header list reports its malformed entries once per process: every
 * appender instance loads the same environment again. */
static atomic_int headers_reported;

/* Adds the headers the variable name's value list gives
 * (otel_settings_env_headers) to s, keeping the valid entries. The
 * malformed ones are reported with their positions, never their text:
 * headers carry credentials. -1 when out of memory. */
static int load_headers(otel_settings *s, const char *name, const char *list)
{
    char where[256];
    int bad_entries = otel_settings_env_headers(list, add_header_to, s, where, sizeof where);
    if (bad_entries < 0)
        return -1;
    if (bad_entries) {
        s->nwarnings++;
        if (!atomic_exchange(&headers_reported, 1))
            otel_diag("log4c-otel: ignoring malformed entr%s %s of %s (counted from 1; expected name=value, "
                      "the name an HTTP token, no CR or LF; values are never printed)",
                      bad_entries == 1 ? "y" : "ies", where, name);
    }
    return 0;
}

/* Parses a non-negative integer variable into *out (left as is when unset or
 * invalid; invalid values are reported). */
static void env_long(otel_getenv_fn get, const char *name, long min, long *out, otel_settings *s)
{
    const char *v = get(name);
    if (!v || !*v)
        return;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    while (*end && isspace((unsigned char)*end))
        end++;
    if (errno || *end || end == v || n < min) {
        otel_diag("log4c-otel: ignoring %s: not an integer >= %ld", name, min);
        s->nwarnings++;
        return;
    }
    *out = n;
}

static void env_size(otel_getenv_fn get, const char *name, long min, size_t *out, otel_settings *s)
{
    long v = (long)*out;
    env_long(get, name, min, &v, s);
    *out = (size_t)v;
}

static void env_long_pick(otel_getenv_fn get, const char *logs_name, const char *generic_name, long min,
                          long *out, otel_settings *s)
{
    const char *name = get(logs_name) && *get(logs_name) ? logs_name : generic_name;
    env_long(get, name, min, out, s);
}

/* An OTel boolean: 1 for "true" in any case; 0 for unset, empty and
 * "false"; -1 for anything else (false too, by the spec). */
static int flag_value(const char *v)
{
    if (!v || !*v || strcasecmp(v, "false") == 0)
        return 0;
    return strcasecmp(v, "true") == 0 ? 1 : -1;
}

/* An OTel boolean variable, with one warning for a value that is neither
 * true nor false (it then counts as false, as the spec says). */
static int env_flag(otel_getenv_fn get, const char *name, otel_settings *s)
{
    int f = flag_value(get(name));
    if (f < 0) {
        otel_diag("log4c-otel: ignoring %s: not true or false", name);
        s->nwarnings++;
    }
    return f == 1;
}

/* *dst = a copy of v (NULL when unset); -1 when out of memory: a dropped CA
 * bundle or client certificate must not silently change the TLS setup. */
static int dup_opt(char **dst, const char *v)
{
    *dst = v ? strdup(v) : NULL;
    return v && !*dst ? -1 : 0;
}

static int fail(char *err, size_t errlen, int code, const char *fmt, const char *arg)
{
    if (err && errlen)
        snprintf(err, errlen, fmt, arg);
    return code;
}

int otel_settings_set_protocol(otel_settings *s, otel_protocol protocol, otel_getenv_fn get)
{
    const char *logs_ep = get("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT");
    const char *gen_ep = get("OTEL_EXPORTER_OTLP_ENDPOINT");
    char *u = protocol == OTEL_PROTOCOL_GRPC ? otel_resolve_grpc_url(logs_ep, gen_ep)
                                             : otel_resolve_logs_url(logs_ep, gen_ep);
    if (!u)
        return LOG4C_OTEL_ENOMEM;
    free(s->logs_url);
    s->logs_url = u;
    s->protocol = protocol;
    return LOG4C_OTEL_OK;
}

int otel_settings_load(otel_settings *s, otel_getenv_fn get, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->protocol = OTEL_PROTOCOL_HTTP_PROTOBUF;
    s->compression = OTEL_COMPRESSION_NONE;
    s->request_timeout_ms = 10000;
    s->max_queue_size = 0; /* no record count unless set: the byte cap bounds (docs/PERFORMANCE.md) */
    s->max_queue_bytes = 64u << 20;
    s->max_export_batch_size = 512;
    s->schedule_delay_ms = 1000;
    s->export_timeout_ms = 30000;
    s->shutdown_timeout_ms = 5000;
    s->max_request_bytes = 4u << 20;
    s->body_limit = 16u << 20;
    s->spool_max_bytes = OTEL_SPOOL_DEFAULT_MAX_BYTES;
    if (err && errlen)
        err[0] = '\0';

    const char *logs_ep = get("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT");
    const char *gen_ep = get("OTEL_EXPORTER_OTLP_ENDPOINT");
    s->endpoint_configured = (logs_ep && *logs_ep) || (gen_ep && *gen_ep);
    const char *proto = pick(get, "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL");
    if (proto) {
        if (strcmp(proto, "http/protobuf") == 0)
            s->protocol = OTEL_PROTOCOL_HTTP_PROTOBUF;
        else if (strcmp(proto, "http/json") == 0)
            s->protocol = OTEL_PROTOCOL_HTTP_JSON;
        else if (strcmp(proto, "grpc") == 0 && otel_grpc_supported())
            s->protocol = OTEL_PROTOCOL_GRPC;
        else if (strcmp(proto, "grpc") == 0)
            return fail(err, errlen, LOG4C_OTEL_EUNSUPPORTED,
                        "log4c-otel: OTLP protocol \"%s\" needs a libcurl with HTTP/2, and this one has none: "
                        "use http/protobuf or http/json", proto);
        else
            return fail(err, errlen, LOG4C_OTEL_ECONFIG,
                        "log4c-otel: unknown OTLP protocol \"%s\": use http/protobuf, http/json or grpc", proto);
    }
    s->logs_url = s->protocol == OTEL_PROTOCOL_GRPC ? otel_resolve_grpc_url(logs_ep, gen_ep)
                                                     : otel_resolve_logs_url(logs_ep, gen_ep);
    if (!s->logs_url)
        return LOG4C_OTEL_ENOMEM;
    if (strncasecmp(s->logs_url, "http://", 7) != 0 && strncasecmp(s->logs_url, "https://", 8) != 0) {
        char shown[256]; /* never its user:password@ or query */
        otel_endpoint_text(s->logs_url, shown, sizeof shown);
        return fail(err, errlen, LOG4C_OTEL_ECONFIG,
                    "log4c-otel: the OTLP endpoint \"%s\" must start with http:// or https://", shown);
    }

    const char *comp = pick(get, "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION");
    if (comp) {
        if (strcmp(comp, "gzip") == 0)
            s->compression = OTEL_COMPRESSION_GZIP;
        else if (strcmp(comp, "none") == 0)
            s->compression = OTEL_COMPRESSION_NONE;
        else
            return fail(err, errlen, LOG4C_OTEL_EUNSUPPORTED,
                        "log4c-otel: OTLP compression \"%s\" is not supported: use gzip or none", comp);
    }

    const char *hdrs_name = get("OTEL_EXPORTER_OTLP_LOGS_HEADERS") && *get("OTEL_EXPORTER_OTLP_LOGS_HEADERS")
                                ? "OTEL_EXPORTER_OTLP_LOGS_HEADERS"
                                : "OTEL_EXPORTER_OTLP_HEADERS";
    const char *hdrs = pick(get, "OTEL_EXPORTER_OTLP_LOGS_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS");
    if (hdrs && load_headers(s, hdrs_name, hdrs) != 0)
        return LOG4C_OTEL_ENOMEM;

    env_long_pick(get, "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT", 1, &s->request_timeout_ms, s);
    if (dup_opt(&s->ca_file, pick(get, "OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE", "OTEL_EXPORTER_OTLP_CERTIFICATE")) ||
        dup_opt(&s->client_key_file, pick(get, "OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY", "OTEL_EXPORTER_OTLP_CLIENT_KEY")) ||
        dup_opt(&s->client_cert_file,
                pick(get, "OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE", "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE")))
        return LOG4C_OTEL_ENOMEM;
    const char *insecure = get("OTEL_EXPORTER_OTLP_LOGS_INSECURE");
    s->insecure = env_flag(get, insecure && *insecure ? "OTEL_EXPORTER_OTLP_LOGS_INSECURE" : "OTEL_EXPORTER_OTLP_INSECURE", s);
    s->sdk_disabled = env_flag(get, "OTEL_SDK_DISABLED", s);

    env_size(get, "OTEL_BLRP_MAX_QUEUE_SIZE", 1, &s->max_queue_size, s);
    env_size(get, "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", 1, &s->max_export_batch_size, s);
    env_long(get, "OTEL_BLRP_SCHEDULE_DELAY", 0, &s->schedule_delay_ms, s);
    env_long(get, "OTEL_BLRP_EXPORT_TIMEOUT", 1, &s->export_timeout_ms, s);
    env_size(get, "LOG4C_OTEL_MAX_QUEUE_BYTES", 1024, &s->max_queue_bytes, s);
    env_long(get, "LOG4C_OTEL_SHUTDOWN_TIMEOUT", 0, &s->shutdown_timeout_ms, s);
    env_size(get, "LOG4C_OTEL_MAX_REQUEST_BYTES", 1024, &s->max_request_bytes, s);
    env_size(get, "LOG4C_OTEL_BODY_LIMIT", 0, &s->body_limit, s);
    env_long(get, "LOG4C_OTEL_BLOCK_TIMEOUT", 0, &s->block_timeout_ms, s);
    /* the spec: a batch larger than the queue makes no sense */
    if (s->max_queue_size && s->max_export_batch_size > s->max_queue_size)
        s->max_export_batch_size = s->max_queue_size;
    /* the spool. A bad value is an error, not a warning: a spool
     * silently off or unbounded would surprise worse than a refused start. */
    const char *spool = get("LOG4C_OTEL_SPOOL_DIR");
    if (spool && *spool && !(s->spool_dir = strdup(spool)))
        return LOG4C_OTEL_ENOMEM;
    const char *smax = get("LOG4C_OTEL_SPOOL_MAX_BYTES");
    if (smax && *smax &&
        (otel_parse_size(smax, &s->spool_max_bytes) != 0 || s->spool_max_bytes < OTEL_SPOOL_MIN_MAX_BYTES))
        return fail(err, errlen, LOG4C_OTEL_ECONFIG,
                    "log4c-otel: LOG4C_OTEL_SPOOL_MAX_BYTES=\"%s\" is not a size of at least 64K "
                    "(such as 268435456, 256M or 1G)", smax);

    int rc = otel_resource_build(s, get);
    if (rc != 0)
        return rc;
    /* log sources and the file exporter */
    if (otel_sources_config_default(&s->sources) != 0)
        return LOG4C_OTEL_ENOMEM;
    otel_json_file_settings_init(&s->file);
    const char *file = get(otel_env_pick(get, "LOG4C_OTEL_JSON_FILE", "LOG4C_OTEL_FILE"));
    if (file && (strcasecmp(file, "none") == 0 || strcasecmp(file, "off") == 0))
        s->file.disabled = 1;
    else if (file && *file && !(s->file.path = strdup(file)))
        return LOG4C_OTEL_ENOMEM;
    const char *size_name = otel_env_pick(get, "LOG4C_OTEL_JSON_FILE_MAX_SIZE", "LOG4C_OTEL_FILE_MAX_SIZE");
    const char *size = get(size_name);
    if (size && *size && otel_parse_size(size, &s->file.max_size) != 0) {
        otel_diag("log4c-otel: ignoring %s: not a size such as 10485760, 512K, 10M or 1G", size_name);
        s->nwarnings++;
    }
    long backups = (long)s->file.backups;
    env_long(get, otel_env_pick(get, "LOG4C_OTEL_JSON_FILE_BACKUPS", "LOG4C_OTEL_FILE_BACKUPS"), 0, &backups, s);
    s->file.backups = backups > 10000 ? 10000u : (unsigned)backups;
    s->file.gzip = env_flag(get, otel_env_pick(get, "LOG4C_OTEL_JSON_FILE_GZIP", "LOG4C_OTEL_FILE_GZIP"), s);
    return otel_settings_resolve_exporters(s, get);
}

void otel_settings_free(otel_settings *s)
{
    free(s->logs_url);
    for (size_t i = 0; i < s->nheaders; i++) {
        free(s->headers[i].name);
        free(s->headers[i].value);
    }
    free(s->headers);
    free(s->ca_file);
    free(s->client_key_file);
    free(s->client_cert_file);
    free(s->spool_dir);
    otel_resource_free(s);
    otel_sources_config_free(&s->sources);
    otel_json_file_settings_free(&s->file);
    memset(s, 0, sizeof *s);
}

/* ---- which exporters run ---- */

int otel_settings_resolve_exporters(otel_settings *s, otel_getenv_fn get)
{
    if (s->endpoint_configured && s->file.is_default) {
        otel_json_file_settings_free(&s->file);
        s->file.is_default = 0;
    }
    if (s->file.disabled) {
        otel_json_file_settings_free(&s->file);
        s->file.is_default = 0;
    }
    if (!s->endpoint_configured && !s->file.path && !s->file.disabled) {
        const char *svc = NULL;
        for (size_t i = 0; i < s->nresource; i++)
            if (strcmp(s->resource[i].key, "service.name") == 0 && s->resource[i].type == OTEL_VALUE_STRING)
                svc = s->resource[i].v.str.s;
        if (!(s->file.path = otel_json_file_default_path(get, svc)))
            return LOG4C_OTEL_ENOMEM;
        s->file.is_default = 1;
    }
    return LOG4C_OTEL_OK;
}

int otel_settings_http_enabled(const otel_settings *s) { return s->endpoint_configured || !s->file.path; }

int otel_parse_size(const char *s, uint64_t *out)
{
    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    if (!isdigit((unsigned char)*s))
        return -1;
    uint64_t v = 0;
    for (; isdigit((unsigned char)*s); s++) {
        if (v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    unsigned shift = 0;
    switch (tolower((unsigned char)*s)) {
    case 'k': shift = 10; s++; break;
    case 'm': shift = 20; s++; break;
    case 'g': shift = 30; s++; break;
    default: break;
    }
    if (shift) {
        if (tolower((unsigned char)*s) == 'i' && tolower((unsigned char)s[1]) == 'b')
            s += 2;
        else if (tolower((unsigned char)*s) == 'b')
            s++;
    } else if (tolower((unsigned char)*s) == 'b') {
        s++;
    }
    while (isspace((unsigned char)*s))
        s++;
    if (*s || (shift && v > (UINT64_MAX >> shift)))
        return -1;
    *out = v << shift;
    return 0;
}

int otel_json_size(const json_t *v, uint64_t *out)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return 0;
    }
    return json_is_string(v) ? otel_parse_size(json_string_value(v), out) : -1;
}
