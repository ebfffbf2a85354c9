/*
 * http_exporter.h - OTLP export with libcurl, over HTTP (http/protobuf,
 * http/json) or gRPC (settings protocol grpc: a unary LogsService/Export
 * call over HTTP/2): one reused connection per exporter, optional gzip, TLS
 * options, and the retry policy (docs/OPERATIONS.md, "Retries": for HTTP
 * retry only 429/502/503/504 and connection failures, for gRPC the codes
 * grpc_status.h lists; jittered exponential backoff, Retry-After or
 * RetryInfo honoured, everything bounded by a deadline).
 */
#ifndef LOG4C_OTEL_HTTP_EXPORTER_H
#define LOG4C_OTEL_HTTP_EXPORTER_H

#include <stddef.h>
#include <stdint.h>
#include "settings.h"

typedef struct otel_http_exporter otel_http_exporter;

typedef enum otel_export_outcome {
    OTEL_EXPORT_OK = 0,        /* 2xx, or grpc-status 0 (records may still be partially rejected) */
    OTEL_EXPORT_FAILED = 1,    /* retryable failures until the deadline/abort: give up */
    OTEL_EXPORT_PERMANENT = 2  /* a status (HTTP or gRPC) that must not be retried */
} otel_export_outcome;

typedef struct otel_export_result {
    otel_export_outcome outcome;
    long http_status;        /* last status, 0 when no response */
    long long rejected;      /* partial_success.rejected_log_records */
    unsigned attempts;       /* requests sent */
    unsigned unanswered;     /* of those, sent in full with no answer (timeout, lost connection,
                                abort): the collector may have taken them */
    char message[256];       /* why it failed; never contains header values */
} otel_export_result;

/* Creates an exporter for s (copied what it needs). NULL when out of memory. */
otel_http_exporter *otel_http_exporter_new(const otel_settings *s);
void otel_http_exporter_free(otel_http_exporter *e);

/* Sends one encoded request body (already protobuf or JSON per settings;
 * the exporter gzips it when configured), retrying under the policy above, never
 * past deadline_ns (CLOCK_MONOTONIC nanoseconds) and stopping early when
 * *abort becomes non-zero (checked during transfers and backoff sleeps). */
void otel_http_export(otel_http_exporter *e, const char *body, size_t len, uint64_t deadline_ns,
                      const volatile int *abort, otel_export_result *res);

/* Retry policy, exposed for tests. */
int otel_http_status_retryable(long status);
/* Parses a Retry-After value (delta-seconds or an HTTP-date) into
 * milliseconds from now_unix_s; -1 when invalid. A date in the past gives 0. */
long otel_parse_retry_after(const char *value, long long now_unix_s);
/* Backoff before retry number attempt (1-based): base_ms doubled per
 * attempt, capped at max_ms (the exporter and the spool sender pass
 * otel_retry_base_ms() and 30 s), then jittered into [50%, 100%] of that;
 * rnd is a uniform random 32-bit value. */
long otel_backoff_ms(unsigned attempt, long base_ms, long max_ms, uint32_t rnd);

/* The first backoff step: LOG4C_OTEL_RETRY_BASE_MS (1..30000), else 1000.
 * The exporter and the spool sender space their retries alike. */
long otel_retry_base_ms(void);

/* Says that the calling thread blocks every signal for the rest of its
 * life (the library's export threads do, from their start): its exports
 * then leave the signal mask alone. Elsewhere each export blocks SIGPIPE
 * for its duration and discards one it raised (a TLS write to a peer that
 * went away), since the default action would kill the host program. */
void otel_http_thread_blocks_signals(void);

/* gzip-compresses in into out (appending). Returns 0 or -1. */
struct otel_buf;
int otel_gzip(const char *in, size_t len, struct otel_buf *out);

#endif
