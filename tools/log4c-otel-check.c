/*
 * log4c-otel-check - validates a log4c-otel configuration and prints the
 * effective settings (header values, URL credentials and whatever
 * defaults.hideRegex matches are masked) and the destinations the library
 * will write to, resolved by the library's own code.
 *
 *     log4c-otel-check [--strict] [FILE]
 *     log4c-otel-check --help | --version
 *
 * With FILE, that file is checked on top of the environment (as
 * log4c_otel_init_with_config(FILE, NULL) would load it, without the file
 * search); without, the file log4c_otel_init() would use (LOG4C_OTEL_CONFIG,
 * else log4c-otel.json in $LOG4C_RCPATH, $HOME, the current directory, which
 * is refused when not trusted). Every error of the file is reported, each
 * as "file:line:column: key.path: message": after an error the bad value is
 * left out and the file checked again, as long as that finds new ones.
 * Exit status: 0 valid, 1 invalid (any error; with --strict any unknown key
 * too; a searched file that would be refused), 2 usage.
 */
#include "config.h"
#include "configuration.h"
#include "json_pos.h"
#include "log4c-otel.h"
#include "settings.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ERRORS 100

static const char *real_getenv(const char *name) { return getenv(name); }

/* (log4c_otel_strerror lives in the log4c glue, which this tool does not link) */
static const char *reason(int rc)
{
    return rc == LOG4C_OTEL_ENOMEM ? "out of memory" : rc == LOG4C_OTEL_EUNSUPPORTED ? "not supported"
                                                                                     : "invalid configuration";
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: log4c-otel-check [--strict] [FILE]\n"
            "       log4c-otel-check --help | --version\n"
            "Validates a log4c-otel JSON configuration (default: the one log4c_otel_init() uses)\n"
            "and prints the effective settings, secrets masked, and where records will go.\n"
            "  --strict   an unknown key is an error\n"
            "Exit status: 0 valid, 1 invalid, 2 usage.\n");
}

/* One step of a key path (config_error.h syntax): a member or an index.
 * Returns the text after it, or NULL at the end or on a syntax error. */
static const char *path_step(const char *p, char *name, size_t len, long *index)
{
    *index = -1;
    if (*p == '.')
        p++;
    if (p[0] == '[' && p[1] == '"') {
        size_t n = 0;
        for (p += 2; *p && *p != '"'; p++) {
            if (*p == '\\' && p[1])
                p++;
            if (n + 1 < len)
                name[n++] = *p;
        }
        name[n] = '\0';
        return *p == '"' && p[1] == ']' ? p + 2 : NULL;
    }
    if (*p == '[') {
        char *end;
        *index = strtol(p + 1, &end, 10);
        return *end == ']' ? end + 1 : NULL;
    }
    size_t n = strcspn(p, ".[");
    if (n == 0 || n >= len)
        return NULL;
    memcpy(name, p, n);
    name[n] = '\0';
    return p + n;
}

/* Leaves out the value at path in doc: an object member is removed, an
 * array element replaced by an empty object (the indexes of the others,
 * and so their positions in the text, stay). 0, or -1 when path does not
 * lead to a value. */
static int leave_out(json_t *doc, const char *path)
{
    json_t *parent = NULL, *cur = doc;
    char name[256];
    long index = -1;
    const char *p = path;
    while (*p) {
        p = path_step(p, name, sizeof name, &index);
        if (!p)
            return -1;
        parent = cur;
        cur = index >= 0 ? json_array_get(parent, (size_t)index) : json_object_get(parent, name);
        if (!cur)
            return -1;
    }
    if (!parent)
        return -1;
    if (index >= 0)
        return json_array_set_new(parent, (size_t)index, json_object());
    return json_object_del(parent, name);
}

/* path without its last step, in place ("" when it had one). */
static void parent_path(char *path)
{
    size_t n = strlen(path);
    if (n && path[n - 1] == ']') {
        char *open = strrchr(path, '[');
        if (open)
            *open = '\0';
        return;
    }
    char *dot = strrchr(path, '.');
    char *open = strrchr(path, '[');
    char *cut = dot > open ? dot : open;
    if (cut)
        *cut = '\0';
    else
        path[0] = '\0';
}

/* Reports every error of the JSON file `file` (text in text/len) on stderr:
 * loads it alone, and after each error leaves the bad value out and loads
 * it again. Positions are the original text's. Returns how many. */
static int report_every_error(const char *file, const char *text, size_t len)
{
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    if (!doc)
        return 0; /* invalid JSON: the one error already says where */
    int n = 0;
    char last[OTEL_CONFIG_PATH_MAX] = "";
    int repeats = 0;
    while (n < MAX_ERRORS) {
        char *t = json_dumps(doc, JSON_COMPACT);
        if (!t)
            break;
        otel_config cfg;
        otel_config_error e;
        memset(&e, 0, sizeof e);
        otel_config_init(&cfg);
        int rc = otel_config_load_text(&cfg, file, t, strlen(t), real_getenv, &e);
        otel_config_free(&cfg);
        free(t);
        if (rc != LOG4C_OTEL_ECONFIG)
            break;
        if (strcmp(e.key_path, last) != 0) {
            int l, c;
            if (otel_json_locate(text, len, e.key_path, &l, &c) == 0) {
                e.line = l;
                e.column = c;
            } else {
                e.line = e.column = 0;
            }
            snprintf(e.file, sizeof e.file, "%s", file);
            char where[OTEL_CONFIG_FILE_MAX + OTEL_CONFIG_PATH_MAX + OTEL_CONFIG_MESSAGE_MAX];
            fprintf(stderr, "log4c-otel-check: %s\n", otel_config_error_format(&e, where, sizeof where));
            n++;
            snprintf(last, sizeof last, "%s", e.key_path);
            repeats = 0;
        } else if (++repeats > 8) {
            break;
        }
        /* the same path again: what holds it goes instead */
        char gone[OTEL_CONFIG_PATH_MAX];
        snprintf(gone, sizeof gone, "%s", e.key_path);
        for (int i = 0; i < repeats; i++)
            parent_path(gone);
        if (!gone[0] || leave_out(doc, gone) != 0)
            break;
    }
    json_decref(doc);
    return n;
}

/* The file the error is in, read whole; NULL when it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    const char *file = NULL;
    int strict = 0, options_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            usage(stdout);
            return 0;
        }
        if (!options_done && (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0)) {
            printf("log4c-otel-check %s\n", PACKAGE_VERSION);
            return 0;
        }
        if (!options_done && strcmp(a, "--strict") == 0)
            strict = 1;
        else if (!options_done && strcmp(a, "--") == 0)
            options_done = 1;
        else if (!options_done && a[0] == '-' && a[1]) {
            fprintf(stderr, "log4c-otel-check: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else if (!file)
            file = a;
        else {
            usage(stderr);
            return 2;
        }
    }
    otel_settings s;
    otel_config cfg;
    char err[1024];
    otel_config_init(&cfg);
    otel_config_request req = {file == NULL, file, NULL};
    /* the runtime's own loading: environment, JSON sources, applied */
    int rc = otel_config_check_settings(&cfg, &req, real_getenv, &s, "log4c-otel-check: ", err, sizeof err);
    int invalid = 0;
    if (cfg.refused) {
        fprintf(stderr, "log4c-otel-check: the configuration file found by search would be refused: %s (it must "
                        "belong to you or root and not be writable by group or others)\n", cfg.refused);
        invalid = 1;
    } else if (cfg.searched) {
        printf("searched file: %s (trusted; OTEL_* variables that are set win over it)\n", cfg.searched);
    }
    if (rc != LOG4C_OTEL_OK) {
        const char *explicit_path = getenv("LOG4C_OTEL_CONFIG");
        const char *json_file = file ? file : explicit_path && *explicit_path ? explicit_path : cfg.searched;
        int reported = 0;
        size_t len = 0;
        char *text = rc == LOG4C_OTEL_ECONFIG && json_file && strstr(err, json_file) ? slurp(json_file, &len) : NULL;
        if (text)
            reported = report_every_error(json_file, text, len);
        free(text);
        if (!reported) {
            if (err[0])
                fprintf(stderr, "%s\n", err);
            else
                fprintf(stderr, "log4c-otel-check: %s\n", reason(rc));
        }
        otel_config_free(&cfg);
        otel_settings_free(&s);
        return 1;
    }
    otel_config_describe(&cfg, &s, stdout);
    for (size_t i = 0; strict && i < cfg.nnotes; i++)
        if (cfg.notes[i].kind == OTEL_CONFIG_NOTE_UNKNOWN_KEY && strstr(cfg.notes[i].text, ": unknown key")) {
            fprintf(stderr, "log4c-otel-check: %s (an error with --strict)\n", cfg.notes[i].text);
            invalid = 1;
        }
    if (!invalid)
        printf("configuration valid\n");
    otel_config_free(&cfg);
    otel_settings_free(&s);
    return invalid;
}
