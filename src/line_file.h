/*
 * line_file.h - a crash-safe line file: O_APPEND, each line reaches the
 * kernel in one write(2) before the call returns (no user-space buffer, so
 * a crash or SIGKILL loses nothing already written), size-based rotation
 * with numbered backups, optional fdatasync. Used by the "otel_file"
 * appender type.
 *
 * Threads: one mutex per file covers the size check, the rotation and the
 * write, so rotation never loses or splits a line and every line is in
 * exactly one file. Processes: several processes may append to the same
 * path; each line still goes whole into one file (O_APPEND), and rotation
 * is serialised with flock(2) on the file being rotated: a process that
 * finds the path already rotated by another reopens it instead of rotating
 * again. The size limit may then be overshot by the lines in flight.
 * fork(): every open file's lock is taken around fork (pthread_atfork), so
 * a child can write at once even if a parent thread was mid-write.
 */
#ifndef LOG4C_OTEL_LINE_FILE_H
#define LOG4C_OTEL_LINE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "line_file_settings.h"

typedef struct otel_line_file otel_line_file;

/* Opens (creates) path for appending. NULL with errno set on failure. */
otel_line_file *otel_line_file_open(const char *path, const otel_line_file_settings *s);

/* Appends line[0..len) and a '\n' (unless line already ends with one) with
 * one write(2) (otel_write_all: further writes only after a short write or
 * EINTR), rotating first when the line would take the file past max_size
 * (a line longer than max_size goes alone into a fresh file). Returns 0, or
 * -1 with errno set. */
int otel_line_file_write(otel_line_file *f, const char *line, size_t len);

/* fdatasync when the policy is not "never", then closes and frees. */
void otel_line_file_close(otel_line_file *f);

/* Rotations this object performed (for tests). */
unsigned long otel_line_file_rotations(const otel_line_file *f);

#endif
