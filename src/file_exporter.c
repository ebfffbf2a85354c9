/*
 * file_exporter.c - OTLP/JSON lines to a local file with size rotation
 * (see file_exporter.h). Runs on the worker thread only.
 */
#include "file_exporter.h"
#include "settings.h"
#include "diag.h"
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
#include <zlib.h>

/* ---- settings ---- */

void otel_file_settings_init(otel_file_settings *f)
{
    memset(f, 0, sizeof *f);
    f->max_size = OTEL_FILE_DEFAULT_MAX_SIZE;
    f->backups = OTEL_FILE_DEFAULT_BACKUPS;
}

void otel_file_settings_free(otel_file_settings *f)
{
    free(f->path);
    f->path = NULL;
}

char *otel_file_default_path(const char *(*get)(const char *), const char *service_name)
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

struct otel_file_exporter {
    otel_file_settings s;
    int fd;
    uint64_t size;
};

otel_file_exporter *otel_file_exporter_new(const otel_file_settings *s)
{
    otel_file_exporter *e = calloc(1, sizeof *e);
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

void otel_file_exporter_free(otel_file_exporter *e)
{
    if (!e)
        return;
    if (e->fd >= 0)
        close(e->fd);
    free(e->s.path);
    free(e);
}

uint64_t otel_file_size(const otel_file_exporter *e) { return e->size; }

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

static int open_file(otel_file_exporter *e)
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

static char *numbered(const char *path, unsigned k, const char *suffix)
{
    size_t n = strlen(path) + 24;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s.%u%s", path, k, suffix);
    return p;
}

/* Compresses src into dst (mode 0600, written to dst.tmp then renamed). */
static int gzip_file(const char *src, const char *dst)
{
    size_t n = strlen(dst) + 5;
    char *tmp = malloc(n);
    if (!tmp)
        return -1;
    snprintf(tmp, n, "%s.tmp", dst);
    int rc = -1;
    int in = open(src, O_RDONLY | O_CLOEXEC);
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    gzFile gz = out >= 0 ? gzdopen(out, "wb") : NULL;
    if (in >= 0 && gz) {
        char buf[65536];
        ssize_t r;
        rc = 0;
        while ((r = read(in, buf, sizeof buf)) > 0)
            if (gzwrite(gz, buf, (unsigned)r) != (int)r) {
                rc = -1;
                break;
            }
        if (r < 0)
            rc = -1;
    }
    if (gz) {
        if (gzclose(gz) != Z_OK)
            rc = -1;
    } else if (out >= 0) {
        close(out);
    }
    if (in >= 0)
        close(in);
    if (rc == 0 && rename(tmp, dst) != 0)
        rc = -1;
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

/* Current file -> .1 (compressed when asked), older ones shifted, the oldest
 * removed. Every record ends up in exactly one file. */
static void rotate(otel_file_exporter *e)
{
    close(e->fd);
    e->fd = -1;
    e->size = 0;
    const char *path = e->s.path;
    if (e->s.backups == 0) {
        if (unlink(path) != 0 && errno != ENOENT)
            otel_diag("log4c-otel: cannot remove %s for rotation: %s", path, strerror(errno));
        return;
    }
    const char *sfx = e->s.gzip ? ".gz" : "";
    char *oldest = numbered(path, e->s.backups, sfx);
    if (oldest) {
        unlink(oldest);
        free(oldest);
    }
    for (unsigned k = e->s.backups; k > 1; k--) {
        char *from = numbered(path, k - 1, sfx), *to = numbered(path, k, sfx);
        if (from && to)
            rename(from, to);
        free(from);
        free(to);
    }
    char *first = numbered(path, 1, sfx);
    if (!first)
        return;
    if (e->s.gzip) {
        if (gzip_file(path, first) == 0) {
            unlink(path);
        } else {
            /* keep the records: an uncompressed .1 rather than nothing */
            char *plain = numbered(path, 1, "");
            if (plain && rename(path, plain) != 0)
                otel_diag("log4c-otel: cannot rotate %s: %s", path, strerror(errno));
            free(plain);
        }
    } else if (rename(path, first) != 0) {
        otel_diag("log4c-otel: cannot rotate %s: %s", path, strerror(errno));
    }
    free(first);
}

int otel_file_export(otel_file_exporter *e, const char *line, size_t len)
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
    size_t total = len + 1, off = 0;
    int rc = 0;
    while (off < total) {
        ssize_t w;
        if (off < len) {
            iov[0].iov_base = (char *)line + off;
            iov[0].iov_len = len - off;
            w = writev(e->fd, iov, 2);
        } else {
            w = write(e->fd, "\n", 1);
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            otel_diag("log4c-otel: cannot write %s: %s; records are dropped", e->s.path, strerror(errno));
            rc = -1;
            break;
        }
        off += (size_t)w;
    }
    e->size += off;
    return rc;
}
