/*
 * config.c - the root of the JSON configuration: sources (config_source.h)
 * -> one merged root -> the root's own keys (a key table) and the section
 * table (config_sections.h) -> the typed otel_config; notes and errors
 * placed in the source text that holds them.
 */
#include "configuration.h"
#include "config_sections.h"
#include "config_source.h"
#include "config_values.h"
#include "file_trust.h"
#include "log4c-otel.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

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
    free(cfg->searched);
    free(cfg->refused);
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

#define CFG(field) offsetof(otel_config, field)

const struct otel_config_service_key OTEL_CONFIG_SERVICE_KEY[OTEL_CONFIG_SERVICE_KEYS] = {
    {"serviceName", "service.name"},
    {"serviceId", "service.instance.id"},
    {"serviceVersion", "service.version"},
    {"userId", "user.id"},
};

/* The root's key (one of OTEL_CONFIG_SERVICE_KEY): its resource attribute. */
static int service_attr(const json_t *v, const char *path, otel_config *cfg, const char *key, otel_config_error *err,
                        otel_getenv_fn get)
{
    const char *attr = NULL;
    for (size_t k = 0; k < OTEL_CONFIG_SERVICE_KEYS && !attr; k++)
        if (strcmp(OTEL_CONFIG_SERVICE_KEY[k].key, key) == 0)
            attr = OTEL_CONFIG_SERVICE_KEY[k].attribute;
    if (!attr) /* the callers below name keys of the table */
        return otel_config_error_set(err, path, "not a key that gives a resource attribute");
    char *s;
    if (otel_config_want_string(v, path, 1, 1, &s, get, err))
        return -1;
    if (!s)
        return 0; /* unset variable: omitted (warned) */
    otel_attr a = {.key = attr, .type = OTEL_VALUE_STRING, .v.str = {s, strlen(s)}};
    int rc = otel_attr_list_set(&cfg->logs.additional_resource_attributes, &a);
    free(s);
    return rc ? otel_config_error_set(err, path, "out of memory") : 0;
}

static int service_name(const json_t *v, const char *path, void *dest, otel_config_error *err, otel_getenv_fn get)
{
    return service_attr(v, path, dest, "serviceName", err, get);
}

static int service_id(const json_t *v, const char *path, void *dest, otel_config_error *err, otel_getenv_fn get)
{
    return service_attr(v, path, dest, "serviceId", err, get);
}

static int service_version(const json_t *v, const char *path, void *dest, otel_config_error *err, otel_getenv_fn get)
{
    return service_attr(v, path, dest, "serviceVersion", err, get);
}

static int user_id(const json_t *v, const char *path, void *dest, otel_config_error *err, otel_getenv_fn get)
{
    return service_attr(v, path, dest, "userId", err, get);
}

/* The root's own keys (the `otel` object's, or a {"logs": ...} document's
 * top level), filling otel_config. */
static const otel_config_key ROOT_KEYS[] = {
    {"enabled", NULL, OTEL_CONFIG_BOOL, CFG(enabled), 0, NULL, NULL},
    {"serviceName", NULL, OTEL_CONFIG_CUSTOM, 0, 0, NULL, service_name},
    {"serviceId", NULL, OTEL_CONFIG_CUSTOM, 0, 0, NULL, service_id},
    {"serviceVersion", NULL, OTEL_CONFIG_CUSTOM, 0, 0, NULL, service_version},
    {"userId", NULL, OTEL_CONFIG_CUSTOM, 0, 0, NULL, user_id},
    {"shared", NULL, OTEL_CONFIG_INCLUDE, CFG(logs), 0, OTEL_LOGS_SHARED_KEYS, NULL},
    /* the root sections (config_sections.c) */
    {"logs", NULL, OTEL_CONFIG_ELSEWHERE, 0, 0, NULL, NULL},
    {"traces", NULL, OTEL_CONFIG_ELSEWHERE, 0, 0, NULL, NULL},
    {"appenders", NULL, OTEL_CONFIG_ELSEWHERE, 0, 0, NULL, NULL},
    /* io.Insights settings for other signals or for the platform */
    {"errorlessMode", NULL, OTEL_CONFIG_IGNORED, 0, 0, NULL, NULL},
    {"failOnInitError", NULL, OTEL_CONFIG_IGNORED, 0, 0, NULL, NULL},
    {"finalExportGracePeriodMs", NULL, OTEL_CONFIG_IGNORED, 0, 0, NULL, NULL},
    {"platformVersion", NULL, OTEL_CONFIG_IGNORED, 0, 0, NULL, NULL},
    {"metrics", NULL, OTEL_CONFIG_IGNORED, 0, 0, NULL, NULL},
    {NULL, NULL, 0, 0, 0, NULL, NULL},
};

int otel_config_root_knows(const char *name)
{
    size_t base = 0;
    const otel_config_key *row = otel_config_key_find(ROOT_KEYS, name, &base);
    return row && !otel_logs_config_knows(name);
}

static int parse_root(const json_t *root, otel_config *cfg, otel_config_error *err, otel_getenv_fn get)
{
    long depth = -1;
    json_t *mad = json_object_get(json_object_get(root, "logs"), "maxAttributeDepth");
    if (json_is_integer(mad) && json_integer_value(mad) >= 0)
        depth = (long)json_integer_value(mad);
    /* the root's attribute objects are flattened like the logs section's
     * (which reads the same value again) */
    cfg->logs.max_attribute_depth = depth;
    if (otel_config_walk(root, "", ROOT_KEYS, cfg, err, get))
        return -1;
    return otel_config_parse_sections(root, cfg, err, get);
}

static int load_sources(otel_config *cfg, otel_config_source *srcs, size_t n, otel_getenv_fn get,
                        otel_config_error *err)
{
    json_t *root;
    int rc = otel_config_sources_merge(srcs, n, &root, get, err);
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

/* The file found by search: read into s when trusted (1), else its
 * refusal noted in cfg->refused (0); -1 unreadable (err set), -2 out of
 * memory. */
static int read_searched(otel_config *cfg, otel_config_source *s, const char *path, otel_config_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        snprintf(err->file, sizeof err->file, "%s", path);
        otel_config_error_set(err, "", "cannot open the configuration file: %s", strerror(errno));
        return -1;
    }
    char why[OTEL_CONFIG_FILE_MAX + 256];
    if (otel_trust_searched_file(fd, path, why, sizeof why) != 0) {
        close(fd);
        free(cfg->refused);
        return (cfg->refused = strdup(why)) ? 0 : -2;
    }
    if (otel_config_source_read_fd(s, fd, path, err))
        return -1;
    s->searched = 1;
    free(cfg->searched);
    return (cfg->searched = strdup(path)) ? 1 : -2;
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
    const char *explicit_path = req->discover ? get("LOG4C_OTEL_CONFIG") : NULL;
    if (explicit_path && *explicit_path) {
        if (otel_config_source_read_file(&srcs[n], explicit_path, err)) {
            rc = LOG4C_OTEL_ECONFIG;
            goto out;
        }
        n++;
    } else if (req->discover && otel_config_search(get, path, sizeof path)) {
        rc = read_searched(cfg, &srcs[n], path, err);
        if (rc < 0) {
            rc = rc == -2 ? LOG4C_OTEL_ENOMEM : LOG4C_OTEL_ECONFIG;
            goto out;
        }
        n += (size_t)rc;
        rc = 0;
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
