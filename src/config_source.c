/*
 * config_source.c - finding, reading, parsing and merging the sources of
 * the JSON configuration, and placing a key path in the text that holds it
 * (config_source.h).
 */
#include "config_source.h"
#include "config_precedence.h"
#include "config_sections.h"
#include "filter.h"
#include "json_pos.h"
#include "log4c-otel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void otel_config_source_free(otel_config_source *s)
{
    free(s->text);
    json_decref(s->doc);
    json_decref(s->root);
    memset(s, 0, sizeof *s);
}

/* The path in the source's own document for a root path; 0, or -1 when the
 * source cannot hold it (a bare logs object has no root keys). */
static int source_path(const otel_config_source *s, const char *root_path, char *out, size_t len)
{
    switch (s->shape) {
    case OTEL_CONFIG_SHAPE_LOGS_DOC:
        snprintf(out, len, "%s", root_path);
        return 0;
    case OTEL_CONFIG_SHAPE_OTEL_DOC:
        snprintf(out, len, "otel%s%s", root_path[0] && root_path[0] != '[' ? "." : "", root_path);
        return 0;
    case OTEL_CONFIG_SHAPE_BARE_LOGS:
        if (strcmp(root_path, "logs") == 0) {
            out[0] = '\0';
            return 0;
        }
        if (strncmp(root_path, "logs.", 5) == 0 || strncmp(root_path, "logs[", 5) == 0) {
            snprintf(out, len, "%s", root_path + (root_path[4] == '.' ? 5 : 4));
            return 0;
        }
        return -1;
    }
    return -1;
}

int otel_config_source_read_file(otel_config_source *s, const char *path, otel_config_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        snprintf(s->name, sizeof s->name, "%s", path);
        snprintf(err->file, sizeof err->file, "%s", path);
        return otel_config_error_set(err, "", "cannot open the configuration file: %s", strerror(errno));
    }
    return otel_config_source_read_fd(s, fd, path, err);
}

int otel_config_source_read_fd(otel_config_source *s, int fd, const char *path, otel_config_error *err)
{
    snprintf(s->name, sizeof s->name, "%s", path);
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        snprintf(err->file, sizeof err->file, "%s", path);
        return otel_config_error_set(err, "", "cannot open the configuration file: %s", strerror(errno));
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
        if (len == cap) {
            if (cap >= OTEL_CONFIG_MAX_BYTES) {
                fclose(f);
                free(buf);
                snprintf(err->file, sizeof err->file, "%s", path);
                return otel_config_error_set(err, "", "the configuration file is larger than %u bytes",
                                             OTEL_CONFIG_MAX_BYTES);
            }
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf) {
        snprintf(err->file, sizeof err->file, "%s", path);
        return otel_config_error_set(err, "", "out of memory");
    }
    if (bad) {
        free(buf);
        snprintf(err->file, sizeof err->file, "%s", path);
        return otel_config_error_set(err, "", "cannot read the configuration file");
    }
    buf[len] = '\0';
    s->text = buf;
    s->len = len;
    return 0;
}

/* jansson's message without the text it stopped at ("... near 'Bearer
 * abc'"): that can be a header value or a token, and the line and column
 * say where. A duplicate key's message keeps the key. */
static void json_error_text(const char *in, char *out, size_t size)
{
    snprintf(out, size, "%s", in);
    char *near = strstr(out, " near '");
    if (near && strncmp(out, "duplicate object key", strlen("duplicate object key")) != 0)
        *near = '\0';
}

/* Parses s->text and normalizes it to a root object. */
static int parse_source(otel_config_source *s, otel_config_error *err)
{
    json_error_t je;
    s->doc = json_loadb(s->text, s->len, JSON_REJECT_DUPLICATES, &je);
    if (!s->doc) {
        snprintf(err->file, sizeof err->file, "%s", s->name);
        err->line = je.line > 0 ? je.line : 0;
        err->column = je.column > 0 ? je.column : 0;
        char text[sizeof je.text];
        json_error_text(je.text, text, sizeof text);
        return otel_config_error_set(err, "", "invalid JSON: %s", text);
    }
    if (!json_is_object(s->doc)) {
        snprintf(err->file, sizeof err->file, "%s", s->name);
        err->line = err->column = 1;
        return otel_config_error_set(err, "", "expected a JSON object (the logs settings, {\"logs\": ...} or "
                                              "{\"otel\": ...}), got %s", otel_json_type_name(s->doc));
    }
    json_t *otel = json_object_get(s->doc, "otel");
    if (otel) {
        s->shape = OTEL_CONFIG_SHAPE_OTEL_DOC;
        if (!json_is_object(otel)) {
            snprintf(err->file, sizeof err->file, "%s", s->name);
            otel_json_locate(s->text, s->len, "otel", &err->line, &err->column);
            return otel_config_error_set(err, "otel", "expected an object, got %s", otel_json_type_name(otel));
        }
        s->root = json_incref(otel);
    } else if (otel_config_doc_shape(s->doc) == OTEL_CONFIG_DOC_SECTIONED) {
        s->shape = OTEL_CONFIG_SHAPE_LOGS_DOC;
        s->root = json_incref(s->doc);
    } else if (otel_config_doc_shape(s->doc) == OTEL_CONFIG_DOC_UNKNOWN) {
        snprintf(err->file, sizeof err->file, "%s", s->name);
        err->line = err->column = 1;
        return otel_config_error_set(err, "", "no key of an accepted shape: {\"otel\": {...}}, a document of "
                                              "sections (logs, traces, appenders, metrics, serviceName, ...) or a "
                                              "bare logs object (url, exporterSettings, filters, defaults, ...)");
    } else {
        s->shape = OTEL_CONFIG_SHAPE_BARE_LOGS;
        s->root = json_object();
        if (!s->root || json_object_set(s->root, "logs", s->doc) != 0) {
            snprintf(err->file, sizeof err->file, "%s", s->name);
            return otel_config_error_set(err, "", "out of memory");
        }
    }
    return 0;
}

/* dst := dst merged with src: objects member by member, recursively;
 * anything else replaces. */
static int merge(json_t *dst, json_t *src)
{
    const char *k;
    json_t *v;
    json_object_foreach(src, k, v) {
        json_t *d = json_object_get(dst, k);
        if (json_is_object(d) && json_is_object(v)) {
            json_t *copy = json_deep_copy(d); /* never modify a source's own document */
            if (!copy || merge(copy, v) != 0 || json_object_set_new(dst, k, copy) != 0)
                return -1;
        } else if (json_object_set(dst, k, v) != 0) {
            return -1;
        }
    }
    return 0;
}

void otel_config_sources_locate(otel_config_error *err, const otel_config_source *srcs, size_t n)
{
    for (size_t i = n; i-- > 0;) {
        char p[OTEL_CONFIG_PATH_MAX];
        int line, col;
        if (source_path(&srcs[i], err->key_path, p, sizeof p) != 0)
            continue;
        if (otel_json_locate(srcs[i].text, srcs[i].len, p, &line, &col) == 0) {
            snprintf(err->file, sizeof err->file, "%s", srcs[i].name);
            err->line = line;
            err->column = col;
            snprintf(err->key_path, sizeof err->key_path, "%s", p);
            return;
        }
    }
    if (n) { /* not in any text (e.g. a value built from several): name the last source */
        char p[OTEL_CONFIG_PATH_MAX];
        snprintf(err->file, sizeof err->file, "%s", srcs[n - 1].name);
        if (source_path(&srcs[n - 1], err->key_path, p, sizeof p) == 0)
            snprintf(err->key_path, sizeof err->key_path, "%s", p);
    }
}

int otel_config_search(otel_getenv_fn get, char *out, size_t len)
{
    const char *dirs[] = {get("LOG4C_RCPATH"), get("HOME"), "."};
    for (size_t i = 0; i < 3; i++) {
        if (!dirs[i] || !*dirs[i])
            continue;
        struct stat st;
        snprintf(out, len, "%s/%s", dirs[i], OTEL_CONFIG_FILE_NAME);
        if (stat(out, &st) == 0 && S_ISREG(st.st_mode))
            return 1;
    }
    return 0;
}

int otel_config_source_set_text(otel_config_source *s, const char *name, const char *text, size_t len)
{
    snprintf(s->name, sizeof s->name, "%s", name);
    if (!(s->text = malloc(len + 1)))
        return -1;
    memcpy(s->text, text, len);
    s->text[len] = '\0';
    s->len = len;
    return 0;
}

int otel_config_sources_merge(otel_config_source *srcs, size_t n, json_t **out, otel_getenv_fn get,
                              otel_config_error *err)
{
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        if (parse_source(&srcs[i], err))
            return LOG4C_OTEL_ECONFIG;
        if (srcs[i].searched && otel_config_yield_to_env(srcs[i].root, get) != 0)
            return LOG4C_OTEL_ENOMEM;
    }
    if (n == 0)
        return 0;
    json_t *root = json_deep_copy(srcs[0].root);
    if (!root)
        return LOG4C_OTEL_ENOMEM;
    for (size_t i = 1; i < n; i++)
        if (merge(root, srcs[i].root) != 0) {
            json_decref(root);
            return LOG4C_OTEL_ENOMEM;
        }
    *out = root;
    return 0;
}

char *otel_config_sources_names(const otel_config_source *srcs, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(srcs[i].name) + 2;
    char *names = malloc(len);
    if (names) {
        names[0] = '\0';
        for (size_t i = 0; i < n; i++) {
            if (i)
                strcat(names, ", ");
            strcat(names, srcs[i].name);
        }
    }
    return names;
}

char *otel_config_sources_place(const otel_config_source *srcs, size_t n, const char *root_path, const char *message)
{
    for (size_t s = n; s-- > 0;) {
        char p[OTEL_CONFIG_PATH_MAX];
        int l, c;
        if (source_path(&srcs[s], root_path, p, sizeof p) != 0 ||
            otel_json_locate(srcs[s].text, srcs[s].len, p, &l, &c) != 0)
            continue;
        size_t len = strlen(srcs[s].name) + strlen(p) + strlen(message) + 64;
        char *t = malloc(len);
        if (t) {
            snprintf(t, len, "%s:%d:%d: %s: %s", srcs[s].name, l, c, p, message);
            return t;
        }
    }
    return NULL;
}
