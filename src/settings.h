/*
 * settings.h - the exporter's effective settings: built-in defaults, then the
 * standard OTEL_* environment variables (and LOG4C_OTEL_* extras).
 */
#ifndef LOG4C_OTEL_SETTINGS_H
#define LOG4C_OTEL_SETTINGS_H

#include <stddef.h>
#include "record.h"
#include "sources.h"
#include "json_file_exporter.h"

typedef enum otel_protocol {
    OTEL_PROTOCOL_HTTP_PROTOBUF = 0,
    OTEL_PROTOCOL_HTTP_JSON = 1,
    OTEL_PROTOCOL_GRPC = 2 /* protobuf in gRPC frames over HTTP/2 */
} otel_protocol;
typedef enum otel_compression { OTEL_COMPRESSION_NONE = 0, OTEL_COMPRESSION_GZIP = 1 } otel_compression;

typedef struct otel_header {
    char *name;
    char *value; /* a secret: never printed */
} otel_header;

typedef struct otel_settings {
    char *logs_url;         /* the full URL the exporter POSTs to (gRPC: the endpoint; its path is not used) */
    int endpoint_configured; /* 1 when any endpoint variable was set */
    otel_protocol protocol;
    otel_compression compression;
    otel_header *headers;
    size_t nheaders;
    long request_timeout_ms; /* one HTTP request: OTEL_EXPORTER_OTLP_{,LOGS_}TIMEOUT, default 10000 */
    char *ca_file;           /* ..._CERTIFICATE */
    char *client_key_file;   /* ..._CLIENT_KEY */
    char *client_cert_file;  /* ..._CLIENT_CERTIFICATE */
    int insecure;            /* ..._INSECURE=true: no TLS verification */
    int sdk_disabled;        /* OTEL_SDK_DISABLED=true: nothing is exported (records count as filtered) */

    size_t max_queue_size;        /* OTEL_BLRP_MAX_QUEUE_SIZE: records waiting (lanes and queue
                                     together); default 0 = no count, the bytes bound them */
    size_t max_queue_bytes;       /* LOG4C_OTEL_MAX_QUEUE_BYTES, default 64 MiB */
    size_t max_export_batch_size; /* OTEL_BLRP_MAX_EXPORT_BATCH_SIZE, default 512 */
    long schedule_delay_ms;       /* OTEL_BLRP_SCHEDULE_DELAY, default 1000 */
    long export_timeout_ms;       /* OTEL_BLRP_EXPORT_TIMEOUT, default 30000: one batch, retries included */
    long shutdown_timeout_ms;     /* LOG4C_OTEL_SHUTDOWN_TIMEOUT, default 5000 */
    size_t max_request_bytes;     /* LOG4C_OTEL_MAX_REQUEST_BYTES, default 4 MiB, before compression */
    size_t body_limit;            /* LOG4C_OTEL_BODY_LIMIT, default 16 MiB (keeps requests < 20 MiB) */
    long block_timeout_ms;        /* LOG4C_OTEL_BLOCK_TIMEOUT: a caller waits this long for
                                     room in a full queue; default 0 = never waits */
    char *spool_dir;              /* LOG4C_OTEL_SPOOL_DIR: the disk spool; NULL = off */
    uint64_t spool_max_bytes;     /* LOG4C_OTEL_SPOOL_MAX_BYTES, default 256 MiB, at least 64 KiB */

    unsigned nwarnings;   /* values that were reported and ignored */

    /* set only by the JSON configuration (config_apply.c) */
    int no_keep_alive;    /* keepAlive: false -> a new connection per request */

    otel_attr *resource; /* resource attributes, owned (key and string values malloc'd) */
    size_t nresource;

    otel_sources_config sources;   /* log source rules (defaults; the JSON "logs.sources" section) */
    otel_json_file_settings file;  /* the JSON file exporter: LOG4C_OTEL_JSON_FILE*, the JSON "logs.file" section */
} otel_settings;

/* Looks a variable up; tests pass their own. Returns NULL when unset. */
typedef const char *(*otel_getenv_fn)(const char *name);

/* Fills *s from defaults and the environment. Returns 0, or a negative
 * LOG4C_OTEL_E* code with a sentence naming the variable in err. *s is always
 * safe to pass to otel_settings_free afterwards. */
int otel_settings_load(otel_settings *s, otel_getenv_fn getenv_fn, char *err, size_t errlen);
void otel_settings_free(otel_settings *s);

/* Decides the exporters after everything was loaded (settings_load
 * calls it; a loader that changes the endpoint or the file settings later
 * must call it again). With no endpoint configured and no file given (and
 * the file not disabled), the file exporter writes to the default path
 * (otel_json_file_default_path, from service.name); with an endpoint configured,
 * a default path is dropped. HTTP runs when an endpoint is configured or
 * when there is no file at all (then to http://localhost:4318). Returns 0
 * or LOG4C_OTEL_ENOMEM. */
int otel_settings_resolve_exporters(otel_settings *s, otel_getenv_fn get);
/* 1 when the worker must export over HTTP (see above). */
int otel_settings_http_enabled(const otel_settings *s);

/* Sets the protocol a configuration file gives and resolves the URL again
 * for it from the endpoint variables (OTEL_EXPORTER_OTLP_ENDPOINT gets
 * "/v1/logs" for HTTP, nothing for gRPC; neither: that protocol's default
 * endpoint), as OTEL_EXPORTER_OTLP_PROTOCOL would have. A url in the file
 * is applied after it. 0 or LOG4C_OTEL_ENOMEM. */
int otel_settings_set_protocol(otel_settings *s, otel_protocol protocol, otel_getenv_fn get);

/* Endpoint rules: the per-signal endpoint is used as is; the
 * generic one gets "/v1/logs" appended (after one trailing '/' is removed);
 * neither gives http://localhost:4318/v1/logs. Returns a malloc'd URL. */
char *otel_resolve_logs_url(const char *logs_endpoint, const char *generic_endpoint);
/* The same for gRPC: either endpoint is used as is (nothing appended);
 * neither gives http://localhost:4317. */
char *otel_resolve_grpc_url(const char *logs_endpoint, const char *generic_endpoint);

/* Parses a W3C-baggage-like list "k1=v1,k2=v2" (OTEL_EXPORTER_OTLP_HEADERS,
 * OTEL_RESOURCE_ATTRIBUTES): entries split on ',', key and value trimmed and
 * percent-decoded. Calls add(ctx, key, value) for each valid entry; skips
 * (and counts in *bad) entries without '=' or with an empty key or a bad
 * percent escape. Returns 0 or -1 when add fails. */
int otel_parse_kv_list(const char *list, int (*add)(void *ctx, const char *key, const char *value),
                       void *ctx, int *bad);

/* 1 when n is a non-empty HTTP header name: a token (RFC 9110), with no
 * blank, control or separator character; what both the variable's and a
 * configuration file's header names must be. */
int otel_http_header_name_ok(const char *n);

/* The headers an OTEL_EXPORTER_OTLP_(LOGS_)HEADERS value (list) gives, as
 * otel_settings_load applies them: entries split on ',', each parsed by
 * otel_parse_kv_list (name and value trimmed and percent-decoded);
 * each(ctx, name, value) for each entry that is kept, in order (a repeated
 * name is given again). A malformed entry (no '=', an empty name or a name
 * that is not an HTTP token, CR or LF in the value, a bad percent escape)
 * is skipped alone; empty entries are skipped silently. When bad_at is not
 * NULL it receives the positions of the malformed entries, counted from 1
 * ("2, 4"; as many as bad_at_len holds). Returns the number of malformed
 * entries, or -1 when out of memory or each returned non-zero. */
int otel_settings_env_headers(const char *list, int (*each)(void *ctx, const char *name, const char *value),
                              void *ctx, char *bad_at, size_t bad_at_len);

/* Percent-decodes in[0..len) into a malloc'd NUL-terminated string; NULL on
 * a malformed escape (including "%00", which a C string cannot carry and
 * which would silently cut a header value) or out of memory. */
char *otel_percent_decode(const char *in, size_t len);

/* Parses a size: digits with an optional suffix K, M or G (binary: 1024,
 * case-insensitive, optionally followed by "B" or "iB"; surrounding blanks
 * allowed). Returns 0 and sets *out, or -1. */
int otel_parse_size(const char *s, uint64_t *out);

/* A size in a JSON configuration: a non-negative integer (bytes) or a
 * string otel_parse_size accepts. Returns 0 and sets *out, or -1. */
struct json_t;
int otel_json_size(const struct json_t *v, uint64_t *out);

#endif
