/*
 * config_source.h - the sources of the JSON configuration: finding the file
 * along the search path, reading it, parsing each source and normalising
 * its shape to one root object, merging the roots, and mapping a key path
 * of the merged root back to the source text that holds it (file, line,
 * column, and the path as that source writes it).
 *
 * Shapes: the bare `logs` object, {"logs": {...}, ...} and
 * {"otel": {"enabled": ..., "logs": {...}, ...}}; each becomes a root
 * {"enabled"?, "logs": {...}, <sections>...}. Roots merge member by member
 * (objects recursively; arrays and scalars replace); later sources win.
 */
#ifndef LOG4C_OTEL_CONFIG_SOURCE_H
#define LOG4C_OTEL_CONFIG_SOURCE_H

#include <jansson.h>
#include <stddef.h>
#include "config_error.h"
#include "settings.h"

#define OTEL_CONFIG_FILE_NAME "log4c-otel.json"
#define OTEL_CONFIG_MAX_BYTES (16u << 20)

typedef enum otel_config_shape {
    OTEL_CONFIG_SHAPE_BARE_LOGS,
    OTEL_CONFIG_SHAPE_LOGS_DOC,
    OTEL_CONFIG_SHAPE_OTEL_DOC
} otel_config_shape;

/* One JSON source: its text (for positions), its document, and how its
 * paths map to the merged root's ("otel.logs.x" <-> "logs.x"). Zeroed
 * before use. */
typedef struct otel_config_source {
    char name[OTEL_CONFIG_FILE_MAX]; /* the file, or "<json string>" */
    char *text;
    size_t len;
    json_t *doc;
    json_t *root; /* new reference: the normalized root {"enabled"?, "logs": {...}, ...} */
    otel_config_shape shape;
} otel_config_source;

void otel_config_source_free(otel_config_source *s);

/* Reads a file (at most OTEL_CONFIG_MAX_BYTES) into s; 0, or -1 with err
 * set (err->file names the file). */
int otel_config_source_read_file(otel_config_source *s, const char *path, otel_config_error *err);

/* Copies text[0..len) into s under name; 0, or -1 when out of memory. */
int otel_config_source_set_text(otel_config_source *s, const char *name, const char *text, size_t len);

/* The file the search path gives: LOG4C_OTEL_CONFIG, else log4c-otel.json
 * in $LOG4C_RCPATH, $HOME, ".". 1 found (path in out), 0 none. */
int otel_config_discover(otel_getenv_fn get, char *out, size_t len);

/* Parses every source and merges their roots into *root (a new reference;
 * NULL when n is 0). 0, LOG4C_OTEL_ECONFIG (err filled: file, line,
 * column, message) or LOG4C_OTEL_ENOMEM. */
int otel_config_sources_merge(otel_config_source *srcs, size_t n, json_t **root, otel_config_error *err);

/* "name, name, ..." of the sources (malloc'd); NULL when out of memory. */
char *otel_config_sources_names(const otel_config_source *srcs, size_t n);

/* Fills err's file/line/column (and rewrites its key path as the source
 * writes it) from the last source that holds err->key_path. */
void otel_config_sources_locate(otel_config_error *err, const otel_config_source *srcs, size_t n);

/* "file:line:column: path-as-written: message" for a root key path held
 * by a source (the last that holds it), malloc'd; NULL when none holds it
 * or out of memory. */
char *otel_config_sources_place(const otel_config_source *srcs, size_t n, const char *root_path, const char *message);

#endif
