/*
 * reentry.h - the no-feedback-loop guard. Records produced while
 * the library itself is at work must never come back into the appender:
 * a library thread (the export worker) never appends, and an append that
 * starts while the same thread is already inside one (something our own
 * code called logged through log4c) is dropped, not recursed into.
 */
#ifndef LOG4C_OTEL_REENTRY_H
#define LOG4C_OTEL_REENTRY_H

/* Marks the calling thread as the library's own: every append on it is refused. */
void otel_reentry_mark_internal_thread(void);

/* 1 when the calling thread may append now (it is then "inside" until
 * otel_reentry_leave); 0 for a library thread or a nested append. */
int otel_reentry_enter(void);
void otel_reentry_leave(void);

#endif
