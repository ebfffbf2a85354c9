/*
 * config_error.c - filling and printing an otel_config_error, and building
 * the key paths it names (syntax in config_error.h).
 */
#include "config_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void otel_config_error_clear(otel_config_error *err)
{
    if (!err)
        return;
    err->file[0] = '\0';
    err->line = err->column = 0;
    err->key_path[0] = '\0';
    err->message[0] = '\0';
}

int otel_config_error_set(otel_config_error *err, const char *key_path, const char *fmt, ...)
{
    if (!err)
        return -1;
    snprintf(err->key_path, sizeof err->key_path, "%s", key_path ? key_path : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return -1;
}

void otel_config_unknown_key(otel_config_error *err, const char *key_path)
{
    if (err && err->note)
        err->note(err->note_ctx, OTEL_CONFIG_NOTE_UNKNOWN_KEY, key_path, "unknown key, ignored");
}

void otel_config_warn(otel_config_error *err, const char *key_path, const char *fmt, ...)
{
    if (!err || !err->note)
        return;
    char msg[OTEL_CONFIG_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err->note(err->note_ctx, OTEL_CONFIG_NOTE_WARNING, key_path, msg);
}

char *otel_config_error_format(const otel_config_error *err, char *buf, size_t len)
{
    if (!buf || !len)
        return buf;
    char pos[48] = "";
    if (err->file[0] && err->line > 0)
        snprintf(pos, sizeof pos, "%d:%d:", err->line, err->column);
    int f = err->file[0] != '\0', k = err->key_path[0] != '\0';
    snprintf(buf, len, "%s%s%s%s%s%s%s", err->file, f ? ":" : "", pos, f ? " " : "", err->key_path, k ? ": " : "",
             err->message[0] ? err->message : "invalid configuration");
    return buf;
}

static int needs_quotes(const char *m)
{
    if (!*m)
        return 1;
    return strpbrk(m, ".[]\"\\ ") != NULL;
}

void otel_config_path_member(char *out, size_t len, const char *path, const char *member)
{
    if (!len)
        return;
    size_t o = 0;
    const char *p = path ? path : "";
    /* out may alias nothing: build into a local, then copy */
    char tmp[OTEL_CONFIG_PATH_MAX];
    size_t cap = sizeof tmp;
#define ADD(c) do { if (o + 1 < cap) tmp[o++] = (c); } while (0)
    for (; *p; p++)
        ADD(*p);
    if (needs_quotes(member)) {
        ADD('[');
        ADD('"');
        for (const char *m = member; *m; m++) {
            if (*m == '"' || *m == '\\')
                ADD('\\');
            ADD(*m);
        }
        ADD('"');
        ADD(']');
    } else {
        if (o > 0)
            ADD('.');
        for (const char *m = member; *m; m++)
            ADD(*m);
    }
#undef ADD
    tmp[o] = '\0';
    snprintf(out, len, "%s", tmp);
}

void otel_config_path_index(char *out, size_t len, const char *path, size_t index)
{
    char tmp[OTEL_CONFIG_PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s[%zu]", path ? path : "", index);
    snprintf(out, len, "%s", tmp);
}
