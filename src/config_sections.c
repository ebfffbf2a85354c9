/*
 * config_sections.c - the section table of the JSON configuration and the
 * glue from each row to its section's parser (config_sections.h).
 */
#include "config_sections.h"

#include <stdlib.h>
#include <string.h>

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

/* Parsed in this order, after the root's own keys. */
static const struct {
    const char *name; /* a member of the root, or "logs.<member>" */
    section_parser parse;
    int marks_shape;  /* a root member that, as an object, makes a document the sectioned shape */
} SECTIONS[] = {
    {"logs", logs_section, 1},
    {"logs.sources", sources_section, 0},
    {"logs.file", file_section, 0},
    {"traces", traces_section, 0},
    {"appenders", appenders_section, 0},
};

/* The value of a SECTIONS name in the merged root. */
static json_t *section_value(const json_t *root, const char *name)
{
    if (strncmp(name, "logs.", 5) == 0)
        return json_object_get(json_object_get(root, "logs"), name + 5);
    return json_object_get(root, name);
}

int otel_config_parse_sections(const json_t *root, otel_config *cfg, otel_config_error *err, otel_getenv_fn get)
{
    for (size_t i = 0; i < sizeof SECTIONS / sizeof SECTIONS[0]; i++) {
        json_t *s = section_value(root, SECTIONS[i].name);
        if (s && SECTIONS[i].parse(s, SECTIONS[i].name, cfg, err, get))
            return -1;
    }
    return 0;
}

int otel_config_doc_is_sectioned(const json_t *doc)
{
    for (size_t i = 0; i < sizeof SECTIONS / sizeof SECTIONS[0]; i++)
        if (SECTIONS[i].marks_shape && json_is_object(json_object_get(doc, SECTIONS[i].name)))
            return 1;
    return 0;
}
