/*
 * json_file_exporter.c - OTLP/JSON lines to a local file with size rotation
 * (see json_file_exporter.h). Runs on the worker thread only.
 */
#include "json_file_exporter.h"
#include "settings.h"
#include "diag.h"
#include "rotate.h"
#include "write_all.h"
#include "log4c-otel.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

/* ---- settings ---- */

void otel_json_file_settings_init(otel_json_file_settings *f)
{
    memset(f, 0, sizeof *f);
    f->max_size = OTEL_JSON_FILE_DEFAULT_MAX_SIZE;
    f->backups = OTEL_JSON_FILE_DEFAULT_BACKUPS;
}

void otel_json_file_settings_free(otel_json_file_settings *f)
{
    free(f->path);
    f->path = NULL;
}

char *otel_json_file_default_path(const char *(*get)(const char *), const char *service_name)
{
    const char *svc = service_name && *service_name ? service_name : "log4c-otel";
    const char *xdg = get("XDG_STATE_HOME"), *home = get("HOME");
    char dir[4096];
    if (xdg && xdg[0] == '/')
        snprintf(dir, sizeof dir, "%s/log4c-otel/", xdg);
    else if (home && home[0] == '/' && strcmp(home, "/") != 0)
        snprintf(dir, sizeof dir, "%s/.local/state/log4c-otel/", home);
    else
        snprintf(dir, sizeof dir, "./");
    size_t d = strlen(dir), n = strlen(svc);
    char *p = malloc(d + n + sizeof ".jsonl");
    if (!p)
        return NULL;
    memcpy(p, dir, d);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)svc[i];
        p[d + i] = c == '/' || c < 0x20 || c == 0x7f || (i == 0 && c == '.') ? '_' : (char)c;
    }
    memcpy(p + d + n, ".jsonl", sizeof ".jsonl");
    return p;
}

/* ---- the exporter ---- */

struct otel_json_file_exporter {
    otel_json_file_settings s;
    int fd;
    uint64_t size;
};

otel_json_file_exporter *otel_json_file_exporter_new(const otel_json_file_settings *s)
{
    otel_json_file_exporter *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->s = *s;
    e->s.path = s->path ? strdup(s->path) : NULL;
    e->fd = -1;
    if (!e->s.path) {
        free(e);
        return NULL;
    }
    return e;
}

void otel_json_file_exporter_free(otel_json_file_exporter *e)
{
    if (!e)
        return;
    if (e->fd >= 0)
        close(e->fd);
    free(e->s.path);
    free(e);
}

uint64_t otel_json_file_size(const otel_json_file_exporter *e) { return e->size; }

/* mkdir -p of path's directory, mode 0700 for what it creates. */
static void make_parent_dirs(const char *path)
{
    char *d = strdup(path);
    if (!d)
        return;
    for (char *p = d + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(d, 0700) != 0 && errno != EEXIST)
            break;
        *p = '/';
    }
    free(d);
}

static int open_file(otel_json_file_exporter *e)
{
    if (e->s.is_default)
        make_parent_dirs(e->s.path);
    e->fd = open(e->s.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
    if (e->fd < 0) {
        otel_diag("log4c-otel: cannot open %s: %s; records are dropped", e->s.path, strerror(errno));
        return -1;
    }
    struct stat st;
    e->size = fstat(e->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    return 0;
}

/* The current file moves to <path>.1 (see rotate.h); the next write opens
 * a fresh one. */
static void rotate(otel_json_file_exporter *e)
{
    close(e->fd);
    e->fd = -1;
    e->size = 0;
    if (otel_rotate(e->s.path, e->s.backups, e->s.gzip) != 0) {
        if (e->s.backups == 0)
            otel_diag("log4c-otel: cannot remove %s for rotation: %s", e->s.path, strerror(errno));
        else
            otel_diag("log4c-otel: cannot rotate %s: %s", e->s.path, strerror(errno));
    }
}

int otel_json_file_export(otel_json_file_exporter *e, const char *line, size_t len)
{
    if (e->fd < 0 && open_file(e) != 0)
        return -1;
    if (e->s.max_size && e->size > 0 && e->size + len + 1 > e->s.max_size) {
        rotate(e);
        if (open_file(e) != 0)
            return -1;
    }
    /* one write for the line and its newline, so that a reader (tail -f)
     * never sees half a line unless the disk fills up */
    struct iovec iov[2] = {{(void *)line, len}, {"\n", 1}};
    size_t written = 0;
    int rc = otel_writev_all(e->fd, iov, 2, &written);
    if (rc != 0)
        otel_diag("log4c-otel: cannot write %s: %s; records are dropped", e->s.path, strerror(errno));
    e->size += written;
    return rc;
}
