/*
 * config_sections.h - the section table of the JSON configuration: which
 * members of the merged root (or of its `logs` object) are sections, the
 * parser each goes to, and which mark a document as the sectioned shape.
 *
 * To add a section: write otel_<name>_config_from_json (contract in
 * config_error.h), a field in otel_config, and a row in config_sections.c
 * (and, for a root member, an OTEL_CONFIG_ELSEWHERE row in config.c's
 * ROOT_KEYS).
 */
#ifndef LOG4C_OTEL_CONFIG_SECTIONS_H
#define LOG4C_OTEL_CONFIG_SECTIONS_H

#include <jansson.h>
#include "configuration.h"

/* Parses every section the merged root holds, in table order, into cfg.
 * 0, or -1 with err set. */
int otel_config_parse_sections(const json_t *root, otel_config *cfg, otel_config_error *err, otel_getenv_fn get);

/* 1 when doc (a document without an `otel` member) is the sectioned shape
 * ({"logs": {...}, ...}) rather than a bare logs object: a root member
 * whose row marks the shape is an object. */
int otel_config_doc_is_sectioned(const json_t *doc);

#endif
