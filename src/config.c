/*
 * config.c - the root of the JSON configuration: sources (config_source.h)
 * -> one merged root -> the root's own keys and the section table -> each
 * section's parser -> the typed otel_config; notes and errors placed in
 * the source text that holds them.
 */
#include "configuration.h"
#include "config_source.h"
#include "config_values.h"
#include "log4c-otel.h"
#include "sources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void otel_config_init(otel_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->enabled = -1;
    otel_logs_config_init(&cfg->logs);
    otel_logs_file_config_init(&cfg->file);
}

void otel_config_free(otel_config *cfg)
{
    otel_logs_config_free(&cfg->logs);
    if (cfg->traces) {
        otel_traces_config_free(cfg->traces);
        free(cfg->traces);
    }
    if (cfg->log_sources) {
        otel_sources_config_free(cfg->log_sources);
        free(cfg->log_sources);
    }
    otel_logs_file_config_free(&cfg->file);
    otel_appenders_config_free(&cfg->appenders);
    for (size_t i = 0; i < cfg->nnotes; i++)
        free(cfg->notes[i].text);
    free(cfg->notes);
    free(cfg->sources);
    otel_config_init(cfg);
}

int otel_config_logs_enabled(const otel_config *cfg) { return cfg->enabled != 0 && cfg->logs.enabled != 0; }

static void add_note(void *ctx, otel_config_note_kind kind, const char *path, const char *msg)
{
    otel_config *cfg = ctx;
    size_t len = strlen(path) + strlen(msg) + 3;
    char *t = malloc(len);
    if (!t)
        return;
    snprintf(t, len, "%s: %s", path, msg);
    for (size_t i = 0; i < cfg->nnotes; i++) /* each once */
        if (cfg->notes[i].kind == kind && strcmp(cfg->notes[i].text, t) == 0) {
            free(t);
            return;
        }
    otel_config_note *n = realloc(cfg->notes, (cfg->nnotes + 1) * sizeof *n);
    if (!n) {
        free(t);
        return;
    }
    cfg->notes = n;
    n[cfg->nnotes].kind = kind;
    n[cfg->nnotes].text = t;
    cfg->nnotes++;
}

/* Sections of the merged root object, parsed in this order after the keys
 * `otel` shares with `logs`. To add one (e.g. "traces", "sources"): write
 * otel_<name>_config_from_json (config_error.h), a field in otel_config,
 * and a row here. */
typedef int (*section_parser)(const json_t *obj, const char *key_path, otel_config *cfg, otel_config_error *err,
                              otel_getenv_fn get);

static int logs_section(const json_t *obj, const char *key_path, otel_config *cfg, otel_config_error *err,
                        otel_getenv_fn get)
{
    return otel_logs_config_from_json(obj, key_path, &cfg->logs, err, get);
}

static int traces_section(const json_t *obj, const char *key_path, otel_config *cfg, otel_config_error *err,
                          otel_getenv_fn get)
{
    (void)get;
    cfg->traces = calloc(1, sizeof *cfg->traces);
    if (!cfg->traces)
        return otel_config_error_set(err, key_path, "out of memory");
    return otel_traces_config_from_json(obj, key_path, cfg->traces, err);
}

/* logs.sources: its rules replace the default rules. */
static int sources_section(const json_t *obj, const char *key_path, otel_config *cfg, otel_config_error *err,
                           otel_getenv_fn get)
{
    (void)get;
    cfg->log_sources = calloc(1, sizeof *cfg->log_sources);
    if (!cfg->log_sources || otel_sources_config_default(cfg->log_sources) != 0)
        return otel_config_error_set(err, key_path, "out of memory");
    return otel_sources_config_from_json(obj, key_path, cfg->log_sources, err);
}

/* logs.file: applied over the environment by otel_config_apply (defaults
 * -> env -> JSON). */
static int file_section(const json_t *obj, const char *key_path, otel_config *cfg, otel_config_error *err,
                        otel_getenv_fn get)
{
    (void)get;
    return otel_logs_file_config_from_json(obj, key_path, &cfg->file, err);
}

/* "appenders": { "<otel_file appender name>": { maxLogSize, backups, fsync, mode } } */
static int appenders_section(const json_t *obj, const char *key_path, otel_config *cfg, otel_config_error *err,
                             otel_getenv_fn get)
{
    (void)get;
    return otel_appenders_config_from_json(obj, key_path, &cfg->appenders, err);
}

static const struct {
    const char *name; /* a member of the root, or "logs.<member>" */
    section_parser parse;
} SECTIONS[] = {
    {"logs", logs_section},
    {"logs.sources", sources_section},
    {"logs.file", file_section},
    {"traces", traces_section},
    {"appenders", appenders_section},
};

/* The value of a SECTIONS name in the merged root. */
static json_t *section_value(const json_t *root, const char *name)
{
    if (strncmp(name, "logs.", 5) == 0)
        return json_object_get(json_object_get(root, "logs"), name + 5);
    return json_object_get(root, name);
}

/* Root keys that are io.Insights settings for other signals or for the
 * platform: accepted and ignored. */
static const char *const ROOT_IGNORED[] = {
    "errorlessMode", "failOnInitError", "finalExportGracePeriodMs", "platformVersion", "metrics",
};

static int parse_root(const json_t *root, otel_config *cfg, otel_config_error *err, otel_getenv_fn get)
{
    const char *k;
    json_t *v;
    long depth = -1;
    json_t *mad = json_object_get(json_object_get(root, "logs"), "maxAttributeDepth");
    if (json_is_integer(mad) && json_integer_value(mad) >= 0)
        depth = (long)json_integer_value(mad);
    /* the root's attribute objects are flattened like the logs section's
     * (which reads the same value again) */
    cfg->logs.max_attribute_depth = depth;
    json_object_foreach((json_t *)root, k, v) {
        int rc = 0, known = 0;
        for (size_t i = 0; i < sizeof SECTIONS / sizeof SECTIONS[0]; i++)
            known |= strcmp(k, SECTIONS[i].name) == 0;
        if (known)
            continue;
        if (strcmp(k, "enabled") == 0) {
            rc = otel_config_want_bool(v, k, &cfg->enabled, err);
        } else if (strcmp(k, "serviceName") == 0 || strcmp(k, "serviceId") == 0 || strcmp(k, "serviceVersion") == 0 ||
                   strcmp(k, "userId") == 0) {
            static const char *const map[][2] = {{"serviceName", "service.name"},
                                                 {"serviceId", "service.instance.id"},
                                                 {"serviceVersion", "service.version"},
                                                 {"userId", "user.id"}};
            char *s;
            rc = otel_config_want_string(v, k, 1, 1, &s, get, err);
            if (!rc && s) {
                for (size_t i = 0; i < 4; i++)
                    if (strcmp(k, map[i][0]) == 0) {
                        otel_attr a = {.key = map[i][1], .type = OTEL_VALUE_STRING, .v.str = {s, strlen(s)}};
                        if (otel_attr_list_set(&cfg->logs.additional_resource_attributes, &a))
                            rc = otel_config_error_set(err, k, "out of memory");
                    }
                free(s);
            }
        } else if ((rc = otel_logs_config_shared_key(k, v, k, &cfg->logs, err, get)) == 1) {
            rc = 0;
            int ignored = 0;
            for (size_t i = 0; i < sizeof ROOT_IGNORED / sizeof ROOT_IGNORED[0]; i++)
                ignored |= strcmp(k, ROOT_IGNORED[i]) == 0;
            if (ignored)
                otel_config_ignored(err, k);
            else
                otel_config_unknown_key(err, k);
        }
        if (rc)
            return -1;
    }
    for (size_t i = 0; i < sizeof SECTIONS / sizeof SECTIONS[0]; i++) {
        json_t *s = section_value(root, SECTIONS[i].name);
        if (s && SECTIONS[i].parse(s, SECTIONS[i].name, cfg, err, get))
            return -1;
    }
    return 0;
}

static int load_sources(otel_config *cfg, otel_config_source *srcs, size_t n, otel_getenv_fn get,
                        otel_config_error *err)
{
    json_t *root;
    int rc = otel_config_sources_merge(srcs, n, &root, err);
    if (rc || !root)
        return rc;
    cfg->sources = otel_config_sources_names(srcs, n);
    void (*note)(void *, otel_config_note_kind, const char *, const char *) = err->note;
    void *note_ctx = err->note_ctx;
    if (!note) {
        err->note = add_note;
        err->note_ctx = cfg;
    }
    rc = parse_root(root, cfg, err, get);
    err->note = note;
    err->note_ctx = note_ctx;
    json_decref(root);
    if (rc) {
        if (strcmp(err->message, "out of memory") == 0)
            return LOG4C_OTEL_ENOMEM;
        otel_config_sources_locate(err, srcs, n);
        return LOG4C_OTEL_ECONFIG;
    }
    /* rewrite the notes' paths as the (last) source writes them */
    for (size_t i = 0; i < cfg->nnotes; i++) {
        char *t = cfg->notes[i].text;
        char *colon = strstr(t, ": ");
        if (!colon)
            continue;
        *colon = '\0';
        char *placed = otel_config_sources_place(srcs, n, t, colon + 2);
        *colon = ':';
        if (placed) {
            free(t);
            cfg->notes[i].text = placed;
        }
    }
    return 0;
}

int otel_config_load(otel_config *cfg, const otel_config_request *req, otel_getenv_fn get, otel_config_error *err)
{
    otel_config_error local;
    if (!err) {
        memset(&local, 0, sizeof local);
        err = &local;
    }
    otel_config_error_clear(err);
    otel_config_source srcs[3];
    size_t n = 0;
    memset(srcs, 0, sizeof srcs);
    int rc = 0;
    char path[OTEL_CONFIG_FILE_MAX];
    if (req->discover && otel_config_discover(get, path, sizeof path)) {
        if (otel_config_source_read_file(&srcs[n], path, err)) {
            rc = LOG4C_OTEL_ECONFIG;
            goto out;
        }
        n++;
    }
    if (req->path) {
        if (otel_config_source_read_file(&srcs[n], req->path, err)) {
            rc = LOG4C_OTEL_ECONFIG;
            goto out;
        }
        n++;
    }
    if (req->json) {
        if (otel_config_source_set_text(&srcs[n], "<json string>", req->json, strlen(req->json))) {
            rc = LOG4C_OTEL_ENOMEM;
            goto out;
        }
        n++;
    }
    rc = load_sources(cfg, srcs, n, get, err);
out:
    for (size_t i = 0; i < 3; i++)
        otel_config_source_free(&srcs[i]);
    return rc;
}

int otel_config_load_text(otel_config *cfg, const char *name, const char *text, size_t len, otel_getenv_fn get,
                          otel_config_error *err)
{
    otel_config_error local;
    if (!err) {
        memset(&local, 0, sizeof local);
        err = &local;
    }
    otel_config_error_clear(err);
    otel_config_source s;
    memset(&s, 0, sizeof s);
    if (otel_config_source_set_text(&s, name ? name : "<json string>", text, len)) {
        otel_config_source_free(&s);
        return LOG4C_OTEL_ENOMEM;
    }
    int rc = load_sources(cfg, &s, 1, get, err);
    otel_config_source_free(&s);
    return rc;
}
