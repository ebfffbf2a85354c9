/*
 * file_trust.h - whether a file or directory the library did not name
 * itself may be trusted: a configuration file found by search, the spool
 * directory and the spool files in it. The rule is ssh's StrictModes: the
 * object belongs to the process's effective user (or, where allowed, to
 * root) and neither group nor others may write it.
 */
#ifndef LOG4C_OTEL_FILE_TRUST_H
#define LOG4C_OTEL_FILE_TRUST_H

#include <stddef.h>
#include <sys/stat.h>

/* 0 when st belongs to the effective user (or to root when allow_root)
 * and is not writable by group or others; -1 with a reason ("writable by
 * group or others", "owned by uid N") in why. */
int otel_trust_stat(const struct stat *st, int allow_root, char *why, size_t len);

/* A configuration file found by search, open on fd at path: a regular
 * file, trusted by otel_trust_stat (root allowed), in a directory trusted
 * the same way. 0, or -1 with "PATH: reason" in why. */
int otel_trust_searched_file(int fd, const char *path, char *why, size_t len);

/* The spool directory: a directory of the effective user (root only when
 * the process is root), not writable by group or others. 0, or -1 with
 * "DIR: reason" in why. */
int otel_trust_spool_dir(const char *dir, char *why, size_t len);

#endif
