/*
 * diag.h - the library's own diagnostics: one line on stderr, rate-limited,
 * never through log4c (that would re-enter the appender). Callers must never
 * pass header values or other secrets.
 */
#ifndef LOG4C_OTEL_DIAG_H
#define LOG4C_OTEL_DIAG_H

#include <stddef.h>

/* Prints one line (a newline is added), masked (diag_mask.h). At most 10
 * lines per 10 s window; the number suppressed is reported with the next
 * line printed. */
void otel_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints one line (a newline is added, masked as otel_diag's) whatever
 * the rate limit: for the few lines that must not be lost (a recovery, the
 * exit summary, the log4crc check at log4c_init()). */
void otel_diag_always(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 1 when LOG4C_OTEL_QUIET is set to a true value (1, true, yes, on; any
 * case): the delivery diagnostics (delivery_report.h) and informational
 * lines (which configuration file was found; that no log4c category
 * reaches the otel appender) are then not printed. */
int otel_diag_quiet(void);

/* Writes a sentence into err (when err and errlen) and returns -1: the
 * one-line error return of the section parsers. */
int otel_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* fork(): hold the diagnostics lock across it (pthread_atfork handlers),
 * so a child never inherits it locked. */
void otel_diag_atfork_prepare(void);
void otel_diag_atfork_release(void);


/* Lines suppressed so far (for tests). */
unsigned long otel_diag_suppressed(void);

#endif
