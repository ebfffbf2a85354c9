/*
 * rotate.c - numbered-backup rotation shared by the file sinks (see
 * rotate.h).
 */
#include "rotate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* "<path>.<k><suffix>", malloc'd; NULL (errno ENOMEM) when out of memory. */
static char *numbered(const char *path, unsigned k, const char *suffix)
{
    size_t n = strlen(path) + strlen(suffix) + 16;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s.%u%s", path, k, suffix);
    else
        errno = ENOMEM;
    return p;
}

/* Compresses src into dst (mode 0600, written to a new dst.tmp, created
 * with O_EXCL | O_NOFOLLOW, then renamed). Returns 0 or -1; dst.tmp never
 * stays behind. */
static int gzip_file(const char *src, const char *dst)
{
    size_t n = strlen(dst) + 5;
    char *tmp = malloc(n);
    if (!tmp)
        return -1;
    snprintf(tmp, n, "%s.tmp", dst);
    int rc = -1;
    int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    /* a fresh file, never one already there: a planted symlink (or a
     * leftover of a crash) fails the compression and is removed below */
    int out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
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

/* path -> <path>.1, compressed when asked (uncompressed when that fails). */
static int move_to_first(const char *path, int gzip)
{
    char *plain = numbered(path, 1, "");
    if (!plain)
        return -1;
    int rc = 0;
    if (gzip) {
        char *first = numbered(path, 1, ".gz");
        if (first && gzip_file(path, first) == 0) {
            unlink(path);
            free(first);
            free(plain);
            return 0;
        }
        free(first);
    }
    if (rename(path, plain) != 0)
        rc = -1;
    int e = errno;
    free(plain);
    errno = e;
    return rc;
}

int otel_rotate(const char *path, unsigned backups, int gzip)
{
    if (backups == 0)
        return unlink(path) != 0 && errno != ENOENT ? -1 : 0;
    const char *sfx = gzip ? ".gz" : "";
    for (unsigned k = backups - 1; k >= 1; k--) {
        char *from = numbered(path, k, sfx), *to = from ? numbered(path, k + 1, sfx) : NULL;
        int rc = from && to && (rename(from, to) == 0 || errno == ENOENT) ? 0 : -1;
        int e = errno;
        free(from);
        free(to);
        if (rc != 0) {
            errno = e;
            return -1;
        }
    }
    return move_to_first(path, gzip);
}
