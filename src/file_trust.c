/*
 * file_trust.c - ownership and mode checks for files the library finds
 * rather than is told about (file_trust.h).
 */
#include "file_trust.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int otel_trust_stat(const struct stat *st, int allow_root, char *why, size_t len)
{
    uid_t me = geteuid();
    if (st->st_uid != me && !(allow_root && st->st_uid == 0)) {
        snprintf(why, len, "owned by uid %lu, not by the effective user (uid %lu)%s", (unsigned long)st->st_uid,
                 (unsigned long)me, allow_root ? " or root" : "");
        return -1;
    }
    if (st->st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(why, len, "writable by group or others (mode %03o)", (unsigned)(st->st_mode & 0777));
        return -1;
    }
    return 0;
}

int otel_trust_searched_file(int fd, const char *path, char *why, size_t len)
{
    struct stat st;
    char reason[160];
    if (fstat(fd, &st) != 0) {
        snprintf(why, len, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, len, "%s: not a regular file", path);
        return -1;
    }
    if (otel_trust_stat(&st, 1, reason, sizeof reason) != 0) {
        snprintf(why, len, "%s: %s", path, reason);
        return -1;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    if (stat(dir, &st) != 0) {
        snprintf(why, len, "%s: %s", dir, strerror(errno));
        return -1;
    }
    if (otel_trust_stat(&st, 1, reason, sizeof reason) != 0) {
        snprintf(why, len, "%s: its directory %s is %s", path, dir, reason);
        return -1;
    }
    return 0;
}

int otel_trust_spool_dir(const char *dir, char *why, size_t len)
{
    struct stat st;
    char reason[160];
    if (stat(dir, &st) != 0) {
        snprintf(why, len, "%s: %s", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, len, "%s: not a directory", dir);
        return -1;
    }
    if (otel_trust_stat(&st, 0, reason, sizeof reason) != 0) {
        snprintf(why, len, "%s: %s", dir, reason);
        return -1;
    }
    return 0;
}
