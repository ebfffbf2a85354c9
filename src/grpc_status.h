/*
 * grpc_status.h - what a gRPC answer means for an OTLP export
 * (docs/OPERATIONS.md, "OTLP/gRPC"): the status codes OTLP allows to retry,
 * the RetryInfo delay a server may attach in grpc-status-details-bin, the
 * grpc-message text, and the partial_success of a framed response.
 *
 * Pure functions (no I/O, no clock), so that they can be tested and fuzzed
 * alone; http_exporter.c feeds them what libcurl delivered.
 */
#ifndef LOG4C_OTEL_GRPC_STATUS_H
#define LOG4C_OTEL_GRPC_STATUS_H

#include <stddef.h>
#include <stdint.h>

/* The longest wait a RetryInfo may ask for; longer delays are cut to it. */
#define OTEL_GRPC_RETRY_DELAY_MAX_MS 3600000L

/* 1 for the codes OTLP retries unconditionally: CANCELLED(1),
 * DEADLINE_EXCEEDED(4), ABORTED(10), OUT_OF_RANGE(11), UNAVAILABLE(14),
 * DATA_LOSS(15). RESOURCE_EXHAUSTED(8) is not among them: it is retried only
 * with a RetryInfo (see otel_grpc_judge). */
int otel_grpc_code_retryable(int code);

/* The canonical name of a status code ("UNAVAILABLE"), "UNKNOWN" for codes
 * outside 0..16. */
const char *otel_grpc_code_name(int code);

/* The retry_delay of the google.rpc.RetryInfo inside a serialized
 * google.rpc.Status (data[0..len)), in milliseconds (rounded up, at most
 * OTEL_GRPC_RETRY_DELAY_MAX_MS); -1 when the status holds no RetryInfo or
 * cannot be parsed. */
long otel_grpc_retry_info_ms(const uint8_t *data, size_t len);

/* The same for the grpc-status-details-bin header value: base64 (padded or
 * not) of a google.rpc.Status. -1 when absent (NULL), not base64, or without
 * a RetryInfo. */
long otel_grpc_details_retry_ms(const char *details_bin);

/* Percent-decodes a grpc-message value into out (always NUL-terminated,
 * truncated to outlen - 1 bytes); a malformed escape is copied as is. */
void otel_grpc_message_decode(const char *in, char *out, size_t outlen);

typedef enum otel_grpc_verdict {
    OTEL_GRPC_OK = 0,     /* grpc-status 0: read the response message */
    OTEL_GRPC_RETRY = 1,  /* try again: after *delay_ms when >= 0, else after the backoff */
    OTEL_GRPC_PERMANENT = 2
} otel_grpc_verdict;

/* The most of grpc-message's text a verdict quotes (with the NUL). */
#define OTEL_GRPC_TEXT_MAX 160

typedef struct otel_grpc_answer {
    long http_status;    /* the HTTP/2 :status */
    int status;          /* grpc-status from the headers or trailers; -1 when none came */
    const char *message; /* grpc-message as received (percent-encoded), or NULL */
    const char *details; /* grpc-status-details-bin as received, or NULL */
    const char *text;    /* grpc-message already decoded (and masked) by the caller; used instead of message */
} otel_grpc_answer;

/* Decides what a finished call means. An answer without grpc-status is
 * judged by its HTTP status as the gRPC HTTP mapping does (429, 502, 503,
 * 504 become UNAVAILABLE and are retried; anything else is permanent).
 * RetryInfo's delay, when present, is honoured for every retried code.
 * why gets a one-line description (code, name, message) for a non-OK verdict. */
otel_grpc_verdict otel_grpc_judge(const otel_grpc_answer *a, long *delay_ms, char *why, size_t whylen);

/* Reads partial_success.rejected_log_records from a framed
 * ExportLogsServiceResponse (body[0..len), as the server sent it): 0 for an
 * empty body or message, -1 when the frame or the message cannot be read
 * (a compressed response included: we ask for identity). msg as for
 * otel_decode_rejected. */
long long otel_grpc_decode_rejected(const char *body, size_t len, char *msg, size_t msglen);

#endif
