/*
 * configuration.h - the JSON configuration (the io.Insights `logs` settings, so an
 * io.Connect user can paste theirs), read with jansson: the typed model
 * and its entry points.
 *
 * Sources, later wins: built-in defaults, a file found by search
 * (log4c-otel.json in $LOG4C_RCPATH, $HOME, the current directory: the
 * first found; refused unless trusted, file_trust.h), the OTEL_* variables
 * that are set (settings.c; config_precedence.h removes from the searched
 * file what they set), the explicit file LOG4C_OTEL_CONFIG (which replaces
 * the search), then what the program passes to
 * log4c_otel_init_with_config() (a file, then a JSON string).
 * JSON sources are merged member by member (objects recursively; arrays and
 * scalars replace), then each section is parsed once into the typed
 * otel_config; nothing keeps JSON after load. An error names the source
 * that gave the bad value, its line and column, and the key path.
 *
 * Accepted shapes: {"otel": {"enabled": ..., "logs": {...}, ...}}; a
 * sectioned document (any section key: logs, traces, appenders, metrics, or
 * a key only the root has); a bare `logs` object (logs keys and no section
 * key). Anything else is an error naming the shapes. The logs module is on
 * unless an `enabled` (otel's or logs') says false.
 *
 * The work, one job a file: config_source.c (find, read, merge the
 * sources), config.c (the root and its own keys), config_sections.c (the
 * section table), config_logs.c, config_logs_file.c, config_appenders.c,
 * traces_config.c and sources.c (the section parsers), config_values.c
 * (value readers and key tables), config_apply.c (onto otel_settings),
 * config_describe.c (printing the effective settings).
 */
#ifndef LOG4C_OTEL_CONFIGURATION_H
#define LOG4C_OTEL_CONFIGURATION_H

#include <jansson.h>
#include <stdio.h>
#include "attributes.h"
#include "config_appenders.h"
#include "config_error.h"
#include "config_logs_file.h"
#include "config_values.h"
#include "filter.h"
#include "settings.h"
#include "sources.h"
#include "traces_config.h"

/* The logs section. Numbers are -1 when not given. */
typedef struct otel_logs_config {
    int enabled;
    char *url;              /* exporterSettings.url, else url */
    otel_attr_list headers; /* otel.headers < logs.headers < exporterSettings.headers (string values) */
    int compression;        /* OTEL_COMPRESSION_* */
    int protocol;           /* OTEL_PROTOCOL_* */
    long timeout_ms;        /* one HTTP request */
    int keep_alive;
    long max_queue_size, max_export_batch_size, scheduled_delay_ms, export_timeout_ms;
    long force_flush_timeout_ms;
    long attr_value_length_limit, attr_count_limit;
    long max_attribute_depth;
    long final_export_timeout_ms;
    long block_timeout_ms; /* batchSettings.blockTimeoutMillis */
    long publish_interval_ms; /* publishInterval: scheduledDelayMillis when that is not given */
    char *spool_dir;       /* spool.directory; NULL not given, "" = off */
    long long spool_max_bytes; /* spool.maxBytes; -1 not given */
    int add_resource_attrs_to_attrs;
    int log_settings_on_startup;
    otel_filter_set filters;
    otel_attr_list additional_attributes;          /* otel's, then logs' */
    otel_attr_list additional_resource_attributes; /* incl. serviceName & co. */
} otel_logs_config;

/* One line noted while loading: an unknown key or a warning. */
typedef struct otel_config_note {
    otel_config_note_kind kind;
    char *text; /* "key.path: message" */
} otel_config_note;

typedef struct otel_config {
    int enabled;            /* otel.enabled; -1 not given */
    otel_logs_config logs;
    otel_traces_config *traces;    /* root "traces": span filters; NULL when not given */
    otel_sources_config *log_sources; /* logs.sources over the default rules; NULL when not given */
    otel_logs_file_config file;       /* logs.file: applied over the LOG4C_OTEL_JSON_FILE* env */
    otel_appenders_config appenders;  /* root "appenders": otel_file appender settings by name */
    otel_config_note *notes;
    size_t nnotes;
    char *sources; /* what was read, e.g. "/etc/log4c-otel.json, <json string>"; NULL: nothing */
    char *searched; /* the file found by search and used; NULL: none */
    char *refused;  /* why a file found by search was not used ("PATH: reason"); NULL: none */
} otel_config;

/* Where the JSON comes from. */
typedef struct otel_config_request {
    int discover;         /* 1: LOG4C_OTEL_CONFIG, else the search path */
    const char *path;     /* a file (C API or the check tool), or NULL */
    const char *json;     /* a JSON text (C API), or NULL */
} otel_config_request;

void otel_config_init(otel_config *cfg);
/* Loads and validates. 0, LOG4C_OTEL_ECONFIG (err filled: file, line,
 * column, key path, message) or LOG4C_OTEL_ENOMEM. get looks up variables
 * (LOG4C_OTEL_CONFIG, LOG4C_RCPATH, HOME and %VAR% references). */
int otel_config_load(otel_config *cfg, const otel_config_request *req, otel_getenv_fn get, otel_config_error *err);
/* The same on one in-memory text (tests, fuzzing); name is used in errors. */
int otel_config_load_text(otel_config *cfg, const char *name, const char *text, size_t len, otel_getenv_fn get,
                          otel_config_error *err);
void otel_config_free(otel_config *cfg);

/* 1 when both enabled flags allow the logs module. */
int otel_config_logs_enabled(const otel_config *cfg);

/* Overrides exporter, batch, shutdown, resource, log-source and file-exporter
 * settings in *s with what the configuration gives (typed at load: every
 * section was parsed once); a protocol resolves the URL again from the
 * endpoint variables read through get (otel_settings_set_protocol). 0 or
 * LOG4C_OTEL_ENOMEM. The caller then runs otel_settings_resolve_exporters. */
int otel_config_apply(const otel_config *cfg, otel_getenv_fn get, otel_settings *s);

/* Loads everything as the runtime does: *s from the defaults and the
 * environment (settings.c), *cfg from the JSON sources req names, cfg
 * applied over s, the exporters resolved. cfg is initialised by the
 * caller; s is filled either way (free both). 0, or a LOG4C_OTEL_E* code
 * with a sentence in msg: an environment error as settings.c words it, a
 * JSON error as prefix + "file:line:column: key.path: message"; "" when
 * out of memory. One stderr line (each starting with prefix) says which
 * searched file is used (not with LOG4C_OTEL_QUIET) or why one was
 * refused, and, once loaded, one per unknown key. */
int otel_config_load_settings(otel_config *cfg, const otel_config_request *req, otel_getenv_fn get,
                              otel_settings *s, const char *prefix, char *msg, size_t msglen);
/* The same, printing nothing (the check tool reports from cfg itself). */
int otel_config_check_settings(otel_config *cfg, const otel_config_request *req, otel_getenv_fn get,
                               otel_settings *s, const char *prefix, char *msg, size_t msglen);

/* The settings a worker (one appender instance) starts from: the built-in
 * defaults and the OTEL_* / LOG4C_OTEL_* environment read through get, the
 * loaded configuration applied over them, then the exporters resolved.
 * 0 or a LOG4C_OTEL_E* code; *out is filled either way and freed with
 * otel_settings_free. */
int otel_config_worker_settings(const otel_config *cfg, otel_getenv_fn get, otel_settings *out);

/* The section parser of "logs" (contract in config_error.h). get resolves
 * %VAR% references. */
int otel_logs_config_from_json(const json_t *obj, const char *key_path, otel_logs_config *out,
                               otel_config_error *err, otel_getenv_fn get);
/* The keys the root (or `otel`) object shares with `logs` (a key table,
 * config_values.h, filling an otel_logs_config; attribute objects are
 * flattened down to its max_attribute_depth). */
extern const otel_config_key OTEL_LOGS_SHARED_KEYS[];
/* 1 when name is a key of the logs object (its own or shared). */
int otel_logs_config_knows(const char *name);
/* The root's keys that give a resource attribute, each with the attribute
 * it gives (serviceName: service.name, ...), OTEL_CONFIG_SERVICE_KEYS of
 * them: what the root's parser adds to additional_resource_attributes and
 * what a searched file gives up to a variable that sets the attribute
 * (config_precedence.c). */
#define OTEL_CONFIG_SERVICE_KEYS 4
extern const struct otel_config_service_key {
    const char *key, *attribute;
} OTEL_CONFIG_SERVICE_KEY[OTEL_CONFIG_SERVICE_KEYS];
/* 1 when name is a key only the root (or `otel`) object has (serviceName,
 * serviceId, serviceVersion, userId, and the io.Insights root keys it
 * ignores), not one it shares with `logs`. */
int otel_config_root_knows(const char *name);
void otel_logs_config_init(otel_logs_config *l);
void otel_logs_config_free(otel_logs_config *l);

/* Process-wide parts: registers the otel_file appender settings of the
 * "appenders" section (each over the LOG4C_OTEL_LINE_FILE_* env) and
 * hands the span filters to the span module. Call once, before log4c_init().
 * 0 or a LOG4C_OTEL_E* code (err filled). */
int otel_config_apply_global(otel_config *cfg, otel_getenv_fn get, char *err, size_t errlen);

/* Prints the effective settings, one per line, secrets masked: header
 * values always, and whatever defaults.hideRegex matches in the URL and
 * attribute values; then the notes. */
void otel_config_describe(const otel_config *cfg, const otel_settings *s, FILE *out);

#endif
