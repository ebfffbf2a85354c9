/*
 * json_pos.h - finds where a value sits in JSON text, by its key path.
 *
 * jansson reports line/column for syntax errors only: a parsed json_t keeps
 * no positions. To point a user at a value that parsed but is wrong (a bad
 * regex, a negative size), the loader looks the value's key path (syntax in
 * config_error.h) up in the raw text with this small scanner.
 */
#ifndef LOG4C_OTEL_JSON_POS_H
#define LOG4C_OTEL_JSON_POS_H

#include <stddef.h>

/* Finds the value at key_path ("" = the document itself) in the JSON text
 * t[0..n). On success returns 0 and sets *line and *column (1-based; the
 * column counts code points, as jansson's do) of the value's first
 * character. Returns -1 when the path is not in the text or the text is not
 * well-formed where the scanner walks. Duplicate members: the first wins. */
int otel_json_locate(const char *t, size_t n, const char *key_path, int *line, int *column);

#endif
