/*
 * line_file.h - a crash-safe line file: O_APPEND, each line reaches the
 * kernel in one write(2) before the call returns (no user-space buffer, so
 * a crash or SIGKILL loses nothing already written), size-based rotation
 * with numbered backups, optional fdatasync. Used by the "otel_file"
 * appender type.
 *
 * The guarantee (docs/OPERATIONS.md, "Crash-safe lines"):
 *  - a line whose otel_line_file_write() returned 0 is a whole line of the
 *    file, whatever happens to any writer afterwards;
 *  - a line being written when its process dies or the disk fills may be
 *    cut (the kernel stops a write at a page boundary of the file when a
 *    fatal signal is pending, or when space runs out); a cut line is never
 *    glued to another: before each line a writer makes sure, under the
 *    lock below, that the file ends with '\n', writing one first when it
 *    does not; after a short write it ends the cut line at once when it
 *    can. A reader may thus see a line that is the beginning of a line,
 *    never a line made of two.
 *
 * Threads: one mutex per file object covers the size check, the rotation,
 * the end check and the write, so rotation never loses or splits a line and
 * every line is in exactly one file. Processes: every writer takes flock(2)
 * on the file for the same steps; a process that finds the path already
 * rotated by another reopens it instead of rotating again. A writer that
 * cannot get the flock within about 0.2 s (a process stopped while holding
 * it) goes on without it: its line is still one write(2), and the end check
 * is then made without the lock. A file that can be appended to but not
 * read is written without the end check. fork(): every file's mutex is taken around
 * fork (pthread_atfork), so a child can write at once even if a parent
 * thread was mid-write; the child reopens the path before its first line,
 * so that its flock is its own.
 */
#ifndef LOG4C_OTEL_LINE_FILE_H
#define LOG4C_OTEL_LINE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "line_file_settings.h"

typedef struct otel_line_file otel_line_file;

/* Opens (creates) path for appending, creating missing parent directories
 * with mode 0700. Returns NULL (errno ENOMEM) only when out of memory: when
 * the path cannot be opened now, the reason is said once on stderr and the
 * object is returned all the same; each write then tries the open again
 * (and fails, counted, until it succeeds). */
otel_line_file *otel_line_file_open(const char *path, const otel_line_file_settings *s);

/* Appends line[0..len) and a '\n' (unless line already ends with one) with
 * one write(2) (otel_write_all: further writes only after a short write or
 * EINTR), preceded by a '\n' in the same write when the file does not end
 * with one, rotating first when the line would take the file past max_size
 * (a line longer than max_size goes alone into a fresh file). Returns 0, or
 * -1 with errno set: the line is then lost (a part of it may be in the
 * file, ended by '\n'), counted in otel_line_file_lines_lost(), and the
 * reason said on stderr once per file and reason. */
int otel_line_file_write(otel_line_file *f, const char *line, size_t len);

/* fdatasync when the policy is not "never", then closes and frees. */
void otel_line_file_close(otel_line_file *f);

/* Rotations this object performed (for tests). */
unsigned long otel_line_file_rotations(const otel_line_file *f);

/* Lines that every line file of the process failed to write (stats
 * line_file_errors). */
uint64_t otel_line_file_lines_lost(void);

#endif
