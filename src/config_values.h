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
/* "http/protobuf", "http/json" or "grpc" (the values of
 * OTEL_EXPORTER_OTLP_PROTOCOL) as OTEL_PROTOCOL_*; "grpc" is an error when
 * this libcurl has no HTTP/2 (otel_grpc_supported). */
int otel_config_want_protocol(const json_t *v, const char *path, int *out, otel_config_error *err);
/* Any object. */
int otel_config_want_object(const json_t *v, const char *path, otel_config_error *err);


/* ---- key tables: one row per accepted key of an object ---------------- */

typedef enum otel_config_kind {
    OTEL_CONFIG_BOOL,        /* int: 0 or 1 */
    OTEL_CONFIG_LONG,        /* long >= min */
    OTEL_CONFIG_URL,         /* char *, replaced */
    OTEL_CONFIG_HEADERS,     /* otel_attr_list, added to */
    OTEL_CONFIG_COMPRESSION, /* int: OTEL_COMPRESSION_* */
    OTEL_CONFIG_PROTOCOL,    /* int: OTEL_PROTOCOL_* */
    OTEL_CONFIG_OBJECT,      /* a nested object whose keys are the rows of sub, into the same destination */
    OTEL_CONFIG_CUSTOM,      /* parse() reads the value */
    OTEL_CONFIG_IGNORED,     /* an io.Insights key log4c-otel does not support: noted */
    OTEL_CONFIG_ELSEWHERE,   /* read by another parser (a section of its own, or before or after the walk) */
    OTEL_CONFIG_INCLUDE      /* the rows of sub belong to this table too (keys shared by two objects);
                              * offset: where sub's struct lies inside this table's */
} otel_config_kind;

typedef struct otel_config_key {
    const char *name;
    const char *alias; /* a second accepted spelling, or NULL */
    otel_config_kind kind;
    size_t offset;     /* of the destination field in the struct the table fills (offsetof);
                        * OTEL_CONFIG_INCLUDE: of the struct sub fills */
    long min;          /* OTEL_CONFIG_LONG: the least value accepted (0 or 1) */
    const struct otel_config_key *sub; /* OTEL_CONFIG_OBJECT, OTEL_CONFIG_INCLUDE: that table */
    /* OTEL_CONFIG_CUSTOM: 0, or -1 with err set; dest is the whole struct */
    int (*parse)(const json_t *v, const char *path, void *dest, otel_config_error *err, otel_getenv_fn get);
} otel_config_key;

/* The row for name (its name or alias) in a table ended by a row whose
 * name is NULL, searching included tables in place; NULL: unknown. *base
 * (0 on entry) gets the offset of the struct the row fills inside the
 * table's own (non-zero only for a row of an included table). */
const otel_config_key *otel_config_key_find(const otel_config_key *table, const char *name, size_t *base);

/* Reads v (at path) as row says into dest, the struct the table fills. 0,
 * or -1 with err set. */
int otel_config_key_read(const otel_config_key *row, const json_t *v, const char *path, void *dest,
                         otel_config_error *err, otel_getenv_fn get);

/* ---- unknown keys ------------------------------------------------------ */

/* The keys that decide what is masked or filtered (hideRegex, bodyRegex,
 * categoryName, severity, enabled, allowedAttributes, filters, defaults,
 * source, log), NULL-ended: an unknown key near one of them is an error,
 * since ignoring it could let text out unmasked or unfiltered. */
extern const char *const OTEL_CONFIG_MASKING_KEYS[];
/* The keys of a logs filter entry (filters[i] and defaults), NULL-ended. */
extern const char *const OTEL_CONFIG_FILTER_RULE_KEYS[];

/* Levenshtein distance between a and b, counted up to limit + 1. */
unsigned otel_config_edit_distance(const char *a, const char *b, unsigned limit);

/* An unknown key (named key, at path): when it is within edit distance 2
 * (but not 0) of one of candidates (NULL-ended; those that are masking
 * keys count) it
 * is an error, "unknown key; did you mean hideRegex?", and -1 is returned;
 * otherwise it is noted (otel_config_unknown_key) and 0 returned. */
int otel_config_unknown_key_near(otel_config_error *err, const char *path, const char *key,
                                 const char *const *candidates);

/* Every member of obj (an object at path) that known (NULL-ended) does not
 * list goes to otel_config_unknown_key_near with known as candidates. 0,
 * or -1 with err set. Not an object: 0 (the parser reports the type). */
int otel_config_check_keys(const json_t *obj, const char *path, const char *const *known, otel_config_error *err);

/* Walks an object: each member read by its row, in the object's order; a
 * member no row names goes to otel_config_unknown_key_near() with the
 * table's names as candidates. Not an object: an error. A
 * member of the document root (path "") is named as written. 0, or -1
 * with err set (at the first bad value). */
int otel_config_walk(const json_t *obj, const char *path, const otel_config_key *table, void *dest,
                     otel_config_error *err, otel_getenv_fn get);

#endif
