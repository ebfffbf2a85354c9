/*
 * line_file.c - the crash-safe line file (see line_file.h): one write(2)
 * per line on an O_APPEND descriptor, under a mutex (threads) and flock
 * (processes) that also cover the check that the file ends with '\n' and
 * the rotation; fdatasync per policy; missing directories created; what
 * could not be written said once per reason and counted.
 */
#include "line_file.h"
#include "clock.h"
#include "diag.h"
#include "rotate.h"
#include "write_all.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct otel_line_file {
    pthread_mutex_t lock;
    struct otel_line_file *next_open; /* in open_files (fork handlers) */
    char *path;
    otel_line_file_settings s;
    int fd;          /* -1 when not open (a failed open): opened again at the next write */
    int readable;    /* fd was opened O_RDWR, so the last byte can be read */
    int forked;      /* in a child of fork(): reopen, so flock is this process's own */
    dev_t end_dev;   /* the file this writer's last line went to ... */
    ino_t end_ino;
    off_t end;       /* ... and the offset after it (-1: unknown) */
    uint64_t last_sync_ns;
    int dirty; /* written since the last fdatasync */
    int said_errno; /* the reason last said on stderr (0: none) */
    unsigned long rotations;
};

static atomic_ulong lines_lost; /* every line file of the process */

/* ---- fork(): a thread of the parent may hold a file's lock at the moment
 * of the fork; in the child that thread is gone and the lock would stay
 * held forever, so the child's first line to that file would hang. The
 * handlers take every open file's lock around fork (after the list lock,
 * the only order used) so the child starts with all of them free. The
 * child shares the parent's open file description, and with it the
 * flock, so it reopens the path before its first line. ---- */
static pthread_mutex_t open_files_lock = PTHREAD_MUTEX_INITIALIZER;
static otel_line_file *open_files;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void atfork_prepare(void)
{
    pthread_mutex_lock(&open_files_lock);
    for (otel_line_file *f = open_files; f; f = f->next_open)
        pthread_mutex_lock(&f->lock);
}

static void atfork_parent(void)
{
    for (otel_line_file *f = open_files; f; f = f->next_open)
        pthread_mutex_unlock(&f->lock);
    pthread_mutex_unlock(&open_files_lock);
}

static void atfork_child(void)
{
    for (otel_line_file *f = open_files; f; f = f->next_open)
        f->forked = 1;
    atfork_parent();
}

static void install_atfork(void) { pthread_atfork(atfork_prepare, atfork_parent, atfork_child); }

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

/* Creates the missing directories above path (mode 0700). 0 or -1. */
static int make_parents(const char *path)
{
    char *dir = strdup(path);
    if (!dir)
        return -1;
    char *last = strrchr(dir, '/');
    int rc = 0;
    if (last && last != dir) {
        *last = '\0';
        for (char *p = dir + 1;; p++) {
            if (*p != '/' && *p != '\0')
                continue;
            char c = *p;
            *p = '\0';
            if (mkdir(dir, 0700) != 0 && errno != EEXIST)
                rc = -1;
            *p = c;
            if (c == '\0' || rc != 0)
                break;
        }
    }
    int e = errno;
    free(dir);
    errno = e;
    return rc;
}

static int open_flags(int rw) { return (rw ? O_RDWR : O_WRONLY) | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW; }

/* Opens the path for appending, read-write when allowed (so that the last
 * byte can be checked), creating missing directories. Sets f->readable. */
static int open_path(otel_line_file *f)
{
    f->end = -1;
    f->readable = 1;
    int fd = open(f->path, open_flags(1), (mode_t)f->s.mode);
    if (fd < 0 && errno == ENOENT) {
        if (make_parents(f->path) != 0)
            return -1; /* errno says why the directory cannot be made */
        fd = open(f->path, open_flags(1), (mode_t)f->s.mode);
    }
    if (fd < 0 && errno == EACCES) { /* a file we may append to but not read */
        f->readable = 0;
        fd = open(f->path, open_flags(0), (mode_t)f->s.mode);
    }
    return fd;
}

/* Says on stderr why the path cannot be written, once per reason. */
static void say_failure(otel_line_file *f, int e)
{
    if (f->said_errno == e)
        return;
    f->said_errno = e;
    otel_diag("log4c-otel: cannot write \"%s\": %s; its lines are lost (counted in line_file_errors)", f->path,
              strerror(e));
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
    if (f->fd < 0)
        say_failure(f, errno);
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

/* The lock all writers of the file share, processes included: flock(2) on
 * the file. Waits at most about 0.2 s (a process stopped while holding it
 * must not stop every other writer), then returns 0 and the caller goes on
 * without it. 1 when held. */
static int lock_file(int fd)
{
    if (flock(fd, LOCK_EX | LOCK_NB) == 0)
        return 1;
    if (errno != EWOULDBLOCK)
        return 0;
    for (int i = 0; i < 20; i++) { /* holders keep it for a few microseconds */
        sched_yield();
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return 1;
    }
    long waited_ns = 0;
    for (long d = 20000; waited_ns < 200000000; d = d < 5000000 ? d * 2 : d) {
        struct timespec ts = {0, d};
        nanosleep(&ts, NULL);
        waited_ns += d;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return 1;
    }
    return 0;
}

/* Replaces f->fd by a fresh descriptor of the path (the old one is closed,
 * which releases its flock). -1 when the path cannot be opened: f->fd is
 * then -1, retried at the next write. */
static int reopen(otel_line_file *f)
{
    int old = f->fd;
    f->fd = open_path(f);
    int e = errno;
    if (old >= 0)
        close(old);
    errno = e;
    return f->fd >= 0 ? 0 : -1;
}

/* Rotation, called with f->lock and the file's flock held when *st (the
 * file's state under that lock) says the line would take it past max_size.
 * Returns 1 when f->fd is now another file (the caller locks and looks
 * again), 0 when the rotation failed and the line goes to the current file
 * (nothing is lost), -1 when no file is open any more. */
static int rotate(otel_line_file *f, const struct stat *st)
{
    struct stat now;
    if (stat(f->path, &now) != 0 || now.st_ino != st->st_ino || now.st_dev != st->st_dev)
        return reopen(f) == 0 ? 1 : -1; /* rotated by another process: follow the path */
    if (f->s.fsync_policy != OTEL_FSYNC_NEVER)
        sync_now(f);
    if (otel_rotate(f->path, f->s.backups, 0) != 0)
        return 0;
    int rc = reopen(f);
    if (f->s.fsync_policy != OTEL_FSYNC_NEVER)
        sync_dir(f->path);
    f->rotations++;
    f->dirty = 0;
    return rc == 0 ? 1 : -1;
}

/* 1 when the file, whose state under the lock is *st, may not end with
 * '\n' (a line cut by a crash or a full disk, by any writer): the next line
 * must then start with one. */
static int tail_needs_newline(otel_line_file *f, const struct stat *st)
{
    if (st->st_size == 0)
        return 0;
    if (f->end == st->st_size && f->end_ino == st->st_ino && f->end_dev == st->st_dev)
        return 0; /* nobody wrote after this writer's last whole line */
    char c;
    if (!f->readable || pread(f->fd, &c, 1, st->st_size - 1) != 1)
        return 0; /* cannot tell: a line is never doubled on a guess */
    return c != '\n';
}

/* Writes out[0..n) (out[0] is a '\n' slot, used when the file needs it)
 * under f->lock: open, lock, rotate, check the tail, one write. */
static int write_locked(otel_line_file *f, char *out, size_t n)
{
    if (f->forked && f->fd >= 0) {
        int fd = open_path(f); /* keep the inherited one if the path cannot be opened */
        if (fd >= 0) {
            close(f->fd);
            f->fd = fd;
        }
    }
    f->forked = 0;
    size_t total = n - 1;
    for (int tries = 0;; tries++) {
        if (f->fd < 0 && reopen(f) != 0)
            return -1;
        int locked = lock_file(f->fd);
        struct stat st;
        if (fstat(f->fd, &st) != 0) {
            int e = errno;
            if (locked)
                flock(f->fd, LOCK_UN);
            errno = e;
            return -1;
        }
        if (f->s.max_size > 0 && st.st_size > 0 && (uint64_t)st.st_size + total > f->s.max_size && tries < 4) {
            int r = rotate(f, &st);
            if (r != 0) {
                if (r < 0)
                    return -1;
                continue; /* the old descriptor is closed: its flock went with it */
            }
        }
        int nl = tail_needs_newline(f, &st);
        char *p = out + 1 - nl;
        size_t len = total + (size_t)nl;
        struct iovec iov = {p, len};
        size_t written = 0;
        int rc = otel_writev_all(f->fd, &iov, 1, &written);
        int e = errno;
        if (rc == 0) {
            f->end = locked ? st.st_size + (off_t)len : -1;
            f->end_ino = st.st_ino;
            f->end_dev = st.st_dev;
            f->dirty = 1;
        } else {
            f->end = -1;
            if (written > (size_t)nl && p[written - 1] != '\n')
                (void)!write(f->fd, "\n", 1); /* end the cut line now; else the next writer does */
        }
        if (locked)
            flock(f->fd, LOCK_UN);
        errno = e;
        return rc;
    }
}

int otel_line_file_write(otel_line_file *f, const char *line, size_t len)
{
    int add_nl = len == 0 || line[len - 1] != '\n';
    size_t n = 1 + len + (size_t)add_nl; /* a '\n' slot in front */
    char small[4096];
    char *buf = n <= sizeof small ? small : malloc(n);
    if (!buf) {
        atomic_fetch_add(&lines_lost, 1);
        errno = ENOMEM;
        return -1;
    }
    buf[0] = '\n';
    memcpy(buf + 1, line, len);
    if (add_nl)
        buf[n - 1] = '\n';

    pthread_mutex_lock(&f->lock);
    int rc = write_locked(f, buf, n);
    int e = errno;
    if (rc == 0) {
        if (f->s.fsync_policy == OTEL_FSYNC_LINE ||
            (f->s.fsync_policy == OTEL_FSYNC_INTERVAL &&
             otel_now_ns() - f->last_sync_ns >= (uint64_t)f->s.fsync_interval_ms * 1000000u))
            sync_now(f);
    } else {
        atomic_fetch_add(&lines_lost, 1);
        say_failure(f, e);
    }
    pthread_mutex_unlock(&f->lock);
    if (buf != small)
        free(buf);
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

uint64_t otel_line_file_lines_lost(void) { return atomic_load(&lines_lost); }
