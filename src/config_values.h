/*
 * config_values.h - the value readers the section parsers of the JSON
 * configuration share (contract in config_error.h). Each takes the value,
 * its key path (for the error) and where to store it; returns 0, or -1
 * with err set and the destination untouched.
 */
#ifndef LOG4C_OTEL_CONFIG_VALUES_H
#define LOG4C_OTEL_CONFIG_VALUES_H

#include <jansson.h>
#include "attributes.h"
#include "config_error.h"
#include "envsubst.h"

/* true or false. */
int otel_config_want_bool(const json_t *v, const char *path, int *out, otel_config_error *err);
/* An integer >= min (0 or 1: milliseconds, sizes, counts); clamped to LONG_MAX. */
int otel_config_want_long(const json_t *v, const char *path, long min, long *out, otel_config_error *err);
/* A string, copied (*out malloc'd), with %VAR% references expanded when
 * expand. A variable unset without fallback: *out NULL and a warning when
 * unset_ok, an error otherwise. */
int otel_config_want_string(const json_t *v, const char *path, int expand, int unset_ok, char **out,
                            otel_getenv_fn get, otel_config_error *err);
/* A key io.Insights defines and log4c-otel ignores: noted, never an error;
 * returns 0. */
int otel_config_ignored(otel_config_error *err, const char *path);
/* An object of attributes added to l: scalars as they are, strings
 * expanded, nested objects flattened to dotted keys down to max_depth
 * levels (-1: no limit), arrays as compact JSON text, null omitted. */
int otel_config_want_attrs(const json_t *v, const char *path, long max_depth, otel_attr_list *l, otel_getenv_fn get,
                           otel_config_error *err);
/* An object of HTTP header names and string values (expanded) added to l. */
int otel_config_want_headers(const json_t *v, const char *path, otel_attr_list *l, otel_getenv_fn get,
                             otel_config_error *err);
/* An http:// or https:// URL (expanded; an unset variable is an error);
 * replaces *out. */
int otel_config_want_url(const json_t *v, const char *path, char **out, otel_getenv_fn get, otel_config_error *err);
/* "none" or "gzip" as OTEL_COMPRESSION_*. */
int otel_config_want_compression(const json_t *v, const char *path, int *out, otel_config_error *err);
/* Any object. */
int otel_config_want_object(const json_t *v, const char *path, otel_config_error *err);

#endif
