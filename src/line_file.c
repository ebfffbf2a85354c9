/*
 * line_file.c - the crash-safe line file (see line_file.h): one write(2)
 * per line on an O_APPEND descriptor, rotation under a mutex (threads) and
 * flock (processes), fdatasync per policy.
 */
#include "line_file.h"
#include "clock.h"
#include "rotate.h"
#include "write_all.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct otel_line_file {
    pthread_mutex_t lock;
    struct otel_line_file *next_open; /* in open_files (fork handlers) */
    char *path;
    otel_line_file_settings s;
    int fd; /* -1 after a failed reopen: retried at the next write */
    uint64_t last_sync_ns;
    int dirty; /* written since the last fdatasync */
    unsigned long rotations;
};

/* ---- fork(): a thread of the parent may hold a file's lock at the moment
 * of the fork; in the child that thread is gone and the lock would stay
 * held forever, so the child's first line to that file would hang. The
 * handlers take every open file's lock around fork (after the list lock,
 * the only order used) so the child starts with all of them free. ---- */
static pthread_mutex_t open_files_lock = PTHREAD_MUTEX_INITIALIZER;
static otel_line_file *open_files;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void atfork_prepare(void)
{
    pthread_mutex_lock(&open_files_lock);
    for (otel_line_file *f = open_files; f; f = f->next_open)
        pthread_mutex_lock(&f->lock);
}

static void atfork_release(void)
{
    for (otel_line_file *f = open_files; f; f = f->next_open)
        pthread_mutex_unlock(&f->lock);
    pthread_mutex_unlock(&open_files_lock);
}

static void install_atfork(void) { pthread_atfork(atfork_prepare, atfork_release, atfork_release); }

static void track(otel_line_file *f)
{
    pthread_once(&atfork_once, install_atfork);
    pthread_mutex_lock(&open_files_lock);
    f->next_open = open_files;
    open_files = f;
    pthread_mutex_unlock(&open_files_lock);
}

static void untrack(otel_line_file *f)
{
    pthread_mutex_lock(&open_files_lock);
    for (otel_line_file **p = &open_files; *p; p = &(*p)->next_open)
        if (*p == f) {
            *p = f->next_open;
            break;
        }
    pthread_mutex_unlock(&open_files_lock);
}

static int open_path(const otel_line_file *f)
{
    return open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, (mode_t)f->s.mode);
}

otel_line_file *otel_line_file_open(const char *path, const otel_line_file_settings *s)
{
    otel_line_file *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    if (!(f->path = strdup(path))) {
        free(f);
        errno = ENOMEM;
        return NULL;
    }
    f->s = *s;
    f->fd = open_path(f);
    if (f->fd < 0) {
        int e = errno;
        free(f->path);
        free(f);
        errno = e;
        return NULL;
    }
    pthread_mutex_init(&f->lock, NULL);
    f->last_sync_ns = otel_now_ns();
    track(f);
    return f;
}

static void sync_now(otel_line_file *f)
{
    if (f->fd >= 0 && f->dirty) {
        (void)fdatasync(f->fd);
        f->dirty = 0;
    }
    f->last_sync_ns = otel_now_ns();
}

/* The directory entry changes of a rotation reach the disk too. */
static void sync_dir(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return;
    int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    free(copy);
}

/* Moves path to path.1, shifting older backups (see rotate.h; path removed
 * with no backups), and opens a fresh path. Called with f->lock held. */
static int rotate(otel_line_file *f)
{
    int old = f->fd;
    struct stat mine, now;
    /* another process may be rotating the same file: one at a time */
    (void)flock(old, LOCK_EX);
    if (fstat(old, &mine) == 0 && (stat(f->path, &now) != 0 || now.st_ino != mine.st_ino ||
                                   now.st_dev != mine.st_dev)) {
        /* already rotated by another process: just follow the path */
        f->fd = open_path(f);
        close(old); /* releases the lock */
        return f->fd >= 0 ? 0 : -1;
    }
    if (f->s.fsync_policy != OTEL_FSYNC_NEVER)
        sync_now(f);
    if (otel_rotate(f->path, f->s.backups, 0) != 0) { /* keep writing to the file we have: nothing is lost */
        int e = errno;
        (void)flock(old, LOCK_UN);
        errno = e;
        return -1;
    }
    f->fd = open_path(f);
    int e = errno;
    close(old);
    if (f->s.fsync_policy != OTEL_FSYNC_NEVER)
        sync_dir(f->path);
    f->rotations++;
    f->dirty = 0;
    errno = e;
    return f->fd >= 0 ? 0 : -1;
}

int otel_line_file_write(otel_line_file *f, const char *line, size_t len)
{
    int add_nl = len == 0 || line[len - 1] != '\n';
    size_t total = len + (size_t)add_nl;
    char small[4096];
    char *buf = total <= sizeof small ? small : malloc(total);
    if (!buf) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(buf, line, len);
    if (add_nl)
        buf[len] = '\n';

    int rc = 0, e = 0;
    pthread_mutex_lock(&f->lock);
    if (f->fd < 0 && (f->fd = open_path(f)) < 0) {
        rc = -1;
        e = errno;
    }
    if (rc == 0 && f->s.max_size > 0) {
        struct stat st; /* the real size: other processes may append too */
        if (fstat(f->fd, &st) == 0 && st.st_size > 0 && (uint64_t)st.st_size + total > f->s.max_size &&
            rotate(f) != 0) {
            e = errno;
            if (f->fd < 0)
                rc = -1;
        }
    }
    if (rc == 0 && otel_write_all(f->fd, buf, total) != 0) {
        rc = -1;
        e = errno;
    }
    if (rc == 0) {
        f->dirty = 1;
        if (f->s.fsync_policy == OTEL_FSYNC_LINE ||
            (f->s.fsync_policy == OTEL_FSYNC_INTERVAL &&
             otel_now_ns() - f->last_sync_ns >= (uint64_t)f->s.fsync_interval_ms * 1000000u))
            sync_now(f);
    }
    pthread_mutex_unlock(&f->lock);
    if (buf != small)
        free(buf);
    if (rc != 0)
        errno = e;
    return rc;
}

void otel_line_file_close(otel_line_file *f)
{
    if (!f)
        return;
    untrack(f);
    if (f->s.fsync_policy != OTEL_FSYNC_NEVER)
        sync_now(f);
    if (f->fd >= 0)
        close(f->fd);
    pthread_mutex_destroy(&f->lock);
    free(f->path);
    free(f);
}

unsigned long otel_line_file_rotations(const otel_line_file *f) { return f->rotations; }
