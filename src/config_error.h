/*
 * config_error.h - where a configuration error is and what was expected.
 *
 * Every parser of the JSON configuration reports through one of these, so
 * that a user always reads the same kind of sentence:
 *
 *     log4c-otel: /etc/app/log4c-otel.json:12:20: otel.logs.filters[2].hideRegex:
 *     expected a valid regular expression (JavaScript: missing closing parenthesis at offset 7)
 *
 * The pattern for a configuration section (config.c calls them in turn from
 * its section table; a new section writes one more and adds a row there):
 *
 *     int otel_<section>_config_from_json(const json_t *obj, const char *key_path,
 *                                         otel_<section>_config *out,
 *                                         otel_config_error *err);
 *
 *  - obj is the section's JSON value (any type: the parser checks it);
 *    key_path is its path from the document root in the syntax below;
 *  - returns 0, or -1 after otel_config_error_set(err, path_of_the_bad_value,
 *    "expected ...") -- the parser never prints, never guesses positions;
 *    config.c fills err->file, err->line and err->column by finding the
 *    path in the raw text (config_source.h, json_pos.h);
 *  - report each unknown key with otel_config_unknown_key_near() (or
 *    otel_config_check_keys() for a whole object, config_values.h): one
 *    within edit distance 2 of a masking or filtering key of that position
 *    is an error, any other is noted; an object read through a key table
 *    gets this, and its value checks, from otel_config_walk;
 *  - *out is owned by the caller and freed with otel_<section>_config_free
 *    even after a failure;
 *  - a section whose strings may hold %VAR% references (envsubst.h) also
 *    takes the otel_getenv_fn to resolve them, after err.
 *
 * Key path syntax: object members joined by '.', array elements as [i]; a
 * member name that is empty or holds '.', '[', ']', '"', '\\' or a space is written
 * ["name"] with '"' and '\\' escaped by '\\'. Example:
 *     filters[2].hideRegex     additionalAttributes["deployment.environment"]
 */
#ifndef LOG4C_OTEL_CONFIG_ERROR_H
#define LOG4C_OTEL_CONFIG_ERROR_H

#include <stddef.h>

#define OTEL_CONFIG_PATH_MAX 256
#define OTEL_CONFIG_MESSAGE_MAX 384
#define OTEL_CONFIG_FILE_MAX 512

typedef enum otel_config_note_kind { OTEL_CONFIG_NOTE_UNKNOWN_KEY = 0, OTEL_CONFIG_NOTE_WARNING = 1 } otel_config_note_kind;

typedef struct otel_config_error {
    char file[OTEL_CONFIG_FILE_MAX];         /* the file, or "<json string>"; "" when unknown */
    int line;                                /* 1-based; 0 when unknown */
    int column;                              /* 1-based, in code points as jansson counts; 0 when unknown */
    char key_path[OTEL_CONFIG_PATH_MAX];     /* e.g. "filters[2].hideRegex"; "" for the whole document */
    char message[OTEL_CONFIG_MESSAGE_MAX];   /* what was expected, e.g. "expected a non-negative integer" */

    /* Where parsers send what is not an error: unknown keys and warnings
     * (e.g. an unset variable without fallback). NULL: dropped. */
    void (*note)(void *ctx, otel_config_note_kind kind, const char *key_path, const char *message);
    void *note_ctx;
} otel_config_error;

/* Clears the error part of *err (file, position, path, message); keeps the
 * note sink. */
void otel_config_error_clear(otel_config_error *err);

/* Reports an unknown key / a warning to err's note sink (err may be NULL). */
void otel_config_unknown_key(otel_config_error *err, const char *key_path);
void otel_config_warn(otel_config_error *err, const char *key_path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records key_path and the printf-formatted message in *err (err may be
 * NULL); returns -1 so that a parser can `return otel_config_error_set(...)`. */
int otel_config_error_set(otel_config_error *err, const char *key_path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "file:line:column: key.path: message" (parts that are unknown are left
 * out) into buf; returns buf. */
char *otel_config_error_format(const otel_config_error *err, char *buf, size_t len);

/* Appends to a key path: path + "." + member (quoted when needed) or
 * path + "[index]" (member NULL). Always NUL-terminates (truncates). */
void otel_config_path_member(char *out, size_t len, const char *path, const char *member);
void otel_config_path_index(char *out, size_t len, const char *path, size_t index);

#endif
