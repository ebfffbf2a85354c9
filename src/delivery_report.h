/*
 * delivery_report.h - what the library says on stderr about delivery,
 * rate-limited and never with header values or record content: an
 * endpoint that starts failing (one line at once), a summary at most once
 * per interval while it lasts, and one line when it recovers; the first
 * drop of each reason at once, then counts at most once per interval; at
 * exit, one line if anything was not delivered. LOG4C_OTEL_QUIET silences
 * all of it (docs/OPERATIONS.md, "Diagnostics on stderr").
 */
#ifndef LOG4C_OTEL_DELIVERY_REPORT_H
#define LOG4C_OTEL_DELIVERY_REPORT_H

#include "log4c-otel.h"
#include "queue.h"

#include <stdint.h>

/* Seconds between two summary lines of one kind. */
#define OTEL_REPORT_INTERVAL_S 30

/* An export attempt to endpoint failed for why (a status or transport
 * error; never a header value), and will be tried again. */
void otel_report_attempt_failed(const char *endpoint, const char *why);
/* The same for an answer that is not retried: that request's records are
 * dropped (the endpoint is failing as above; only the first line differs). */
void otel_report_attempt_refused(const char *endpoint, const char *why);
/* An export attempt to endpoint was answered with success. */
void otel_report_attempt_ok(const char *endpoint);
/* n records ended as why (only the dropped outcomes are reported). */
void otel_report_outcome(otel_outcome why, uint64_t n);
/* The exit line: once, when s shows records not delivered; spool_dir (or
 * NULL) is where spooled ones wait. */
void otel_report_exit(const log4c_otel_stats_t *s, const char *spool_dir);

#endif
