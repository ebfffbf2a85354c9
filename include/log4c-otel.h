/*
 * log4c-otel.h - the one public header of log4c-otel.
 *
 * log4c-otel is a log4c appender that turns every log entry into an
 * OpenTelemetry log record and ships it with OTLP/HTTP (protobuf or JSON).
 *
 * Usage, in short:
 *
 *     #include <log4c.h>
 *     #include <log4c-otel.h>
 *
 *     int main(void) {
 *         if (log4c_otel_init() != LOG4C_OTEL_OK) ...;   // BEFORE log4c_init()
 *         log4c_init();
 *         ...                                            // log as usual
 *         log4c_fini();                                  // flushes and stops
 *     }
 *
 * and, in log4crc, `appender="otel"` on a category (or LOG4C_APPENDER=otel).
 *
 * Every function returns LOG4C_OTEL_OK (0) or a negative LOG4C_OTEL_E* code;
 * log4c_otel_strerror() turns a code into a sentence. No function calls exit().
 * All functions are safe to call from any thread.
 */
#ifndef LOG4C_OTEL_H
#define LOG4C_OTEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of the library, also sent as telemetry.sdk.version and scope version. */
#define LOG4C_OTEL_VERSION "0.1.0"

/** Name of the appender type and of the appender instance log4c_otel_init() creates. */
#define LOG4C_OTEL_APPENDER_NAME "otel"

/** Return codes. */
enum log4c_otel_code {
    LOG4C_OTEL_OK = 0,
    LOG4C_OTEL_ENOMEM = -1,       /**< out of memory */
    LOG4C_OTEL_ECONFIG = -2,      /**< invalid configuration (details on stderr) */
    LOG4C_OTEL_EUNSUPPORTED = -3, /**< a requested feature is not supported (e.g. grpc) */
    LOG4C_OTEL_ETIMEDOUT = -4,    /**< the deadline passed before the work was done */
    LOG4C_OTEL_ESTATE = -5,       /**< called in the wrong state (e.g. after log4c_fini) */
    LOG4C_OTEL_EINVAL = -6,       /**< invalid argument */
    LOG4C_OTEL_ETHREAD = -7,      /**< a thread could not be created */
    LOG4C_OTEL_ELOG4C = -8,       /**< log4c refused a registration */
    /* ---- issue 4 (tracing) ---- */
    LOG4C_OTEL_ENOCONTEXT = -9    /**< the calling thread has no active span or attached context */
};

/**
 * Registers the appender type "otel" with log4c and pre-creates an appender
 * instance named "otel", so that `appender="otel"` in log4crc (or
 * LOG4C_APPENDER=otel) is all the configuration log4c needs.
 *
 * Must be called before log4c_init(): log4c resolves appender types only
 * while it parses log4crc. Reads the OTEL_* environment variables and
 * validates them; on an invalid configuration it returns LOG4C_OTEL_ECONFIG
 * (or LOG4C_OTEL_EUNSUPPORTED for OTEL_EXPORTER_OTLP_PROTOCOL=grpc), prints
 * the reason once on stderr and the appender then exports nothing (fail
 * closed). Calling it again is harmless and returns the first result.
 * Also registers an atexit() handler that flushes within the shutdown
 * deadline (LOG4C_OTEL_SHUTDOWN_TIMEOUT, default 5000 ms).
 */
int log4c_otel_init(void);

/**
 * Waits until every record accepted before the call has been exported (or
 * dropped and counted), in every otel appender instance, for at most
 * timeout_ms milliseconds (negative: the configured shutdown deadline).
 * Returns LOG4C_OTEL_OK, or LOG4C_OTEL_ETIMEDOUT when the deadline passed first.
 */
int log4c_otel_flush(int timeout_ms);

/**
 * Flushes within timeout_ms (negative: the configured deadline), then stops
 * every worker thread. Whatever is still queued at the deadline is dropped
 * and counted as dropped_shutdown. Records logged after shutdown are dropped
 * and counted the same way. log4c_fini() and the atexit handler call this.
 * Returns LOG4C_OTEL_OK or LOG4C_OTEL_ETIMEDOUT.
 */
int log4c_otel_shutdown(int timeout_ms);

/** Counters, summed over all otel appender instances of the process. */
typedef struct log4c_otel_stats {
    uint64_t accepted;              /**< records taken into a queue */
    uint64_t exported;              /**< records the collector accepted */
    uint64_t dropped_queue_full;    /**< dropped at append: queue full (count or bytes) */
    uint64_t dropped_export_failed; /**< dropped after retries ran out or the export timeout passed */
    uint64_t dropped_rejected;      /**< rejected by the collector in partial_success */
    uint64_t dropped_http_error;    /**< dropped on a permanent HTTP error (4xx/5xx not retried) */
    uint64_t dropped_shutdown;      /**< still queued at the shutdown deadline, or logged after it */
    uint64_t dropped_config;        /**< dropped because the configuration is invalid (fail closed) */
    uint64_t queued;                /**< records in the queues now */
    uint64_t export_requests;       /**< HTTP requests sent, retries included */
    uint64_t export_retries;        /**< of those, retries */
} log4c_otel_stats_t;

/** Fills *out with the current counters. Returns LOG4C_OTEL_EINVAL if out is NULL. */
int log4c_otel_stats(log4c_otel_stats_t *out);

/** A static, human-readable sentence for a return code. Never NULL. */
const char *log4c_otel_strerror(int code);

/* ======================================================================
 * Tracing (issue 4): spans, W3C trace context, traces as logs.
 *
 * A span is a named, timed piece of work. Starting one makes it the calling
 * thread's active span: every log record created on that thread until it
 * ends carries its trace id, span id and flags (the "otel" appender sends
 * them as the record's trace_id / span_id / flags). Ending it restores the
 * context that was active when it started (its parent), and logs one line
 * (traces as logs) to the log4c category "traces" (LOG4C_OTEL_TRACES_CATEGORY
 * to change it):
 *
 *   <trace-id>-<span-id>-<parent-span-id> <span-name> <status> <duration-ms> <attributes-json>
 *
 * e.g. 4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0000000000000000 checkout 1 12 {"items":3}
 *
 * Route the category with one log4crc line to any appender: the crash-safe
 * "otel_file" appender (one write(2) per line, size rotation), or "otel"
 * (the record is then correlated to the span that just ended).
 *
 * Threads: the active context is per thread. A span handle may be used
 * from any thread, but not concurrently by two threads with end. Ending a
 * span that is not the thread's innermost one (out of order) removes just
 * that span: the spans started inside it stay active and keep it as their
 * parent. Ending a span on another thread than the one that started it
 * writes the line at once; the starting thread stops using it as its
 * active context from that moment (its next record or span falls back to
 * the span's parent).
 * ====================================================================== */

/** A span (opaque). Valid from start until log4c_otel_span_end() returns. */
typedef struct log4c_otel_span log4c_otel_span_t;

/** A W3C trace context: what a traceparent carries. */
typedef struct log4c_otel_context {
    uint8_t trace_id[16]; /**< never all zero in a valid context */
    uint8_t span_id[8];   /**< never all zero in a valid context */
    uint8_t flags;        /**< W3C trace flags; bit 0 (0x01): sampled */
} log4c_otel_context_t;

/** Span status, as in OpenTelemetry (and in the traces-as-logs line). */
enum log4c_otel_status {
    LOG4C_OTEL_STATUS_UNSET = 0,
    LOG4C_OTEL_STATUS_OK = 1,
    LOG4C_OTEL_STATUS_ERROR = 2
};

/** Bytes a traceparent needs: 55 characters and a NUL. */
#define LOG4C_OTEL_TRACEPARENT_SIZE 56

/**
 * Starts a span named name (any UTF-8; whitespace is shown as '_' in the
 * traces line) as a child of the calling thread's active context, or as a
 * root span (a new trace id) when there is none, and makes it the thread's
 * active span. The span id (8 bytes) and a new trace id (16 bytes) come
 * from getrandom(2) and are never all zero. *out receives the handle.
 * Returns LOG4C_OTEL_OK, LOG4C_OTEL_EINVAL (name or out NULL) or
 * LOG4C_OTEL_ENOMEM.
 */
int log4c_otel_span_start(const char *name, log4c_otel_span_t **out);

/**
 * As log4c_otel_span_start(), with an explicit parent: its trace id and span
 * id become the new span's trace id and parent span id. parent NULL starts a
 * root span even when the thread has an active context.
 */
int log4c_otel_span_start_with_parent(const char *name, const log4c_otel_context_t *parent,
                                      log4c_otel_span_t **out);

/**
 * As log4c_otel_span_start_with_parent(), the parent given as a W3C
 * traceparent string (e.g. from an HTTP header). Returns LOG4C_OTEL_EINVAL
 * when traceparent is not valid (see log4c_otel_traceparent_parse()); no
 * span is started then.
 */
int log4c_otel_span_start_from_traceparent(const char *name, const char *traceparent,
                                           log4c_otel_span_t **out);

/**
 * Sets a typed attribute (key non-empty UTF-8). Setting a key again replaces
 * its value (the key keeps its first position). At most 128 attributes per
 * span; more are dropped (LOG4C_OTEL_EINVAL). String values are copied.
 * Returns LOG4C_OTEL_OK, LOG4C_OTEL_EINVAL or LOG4C_OTEL_ENOMEM.
 */
int log4c_otel_span_set_string(log4c_otel_span_t *span, const char *key, const char *value);
int log4c_otel_span_set_int(log4c_otel_span_t *span, const char *key, int64_t value);
int log4c_otel_span_set_double(log4c_otel_span_t *span, const char *key, double value);
int log4c_otel_span_set_bool(log4c_otel_span_t *span, const char *key, int value);

/**
 * Sets the status (enum log4c_otel_status). message (may be NULL) is kept
 * only with LOG4C_OTEL_STATUS_ERROR; the traces line shows it as the
 * attribute "otel.status_description" (the OpenTelemetry name for non-OTLP
 * formats). Returns LOG4C_OTEL_OK, LOG4C_OTEL_EINVAL or LOG4C_OTEL_ENOMEM.
 */
int log4c_otel_span_set_status(log4c_otel_span_t *span, int status, const char *message);

/** Copies the span's own context (trace id, span id, flags) into *out. */
int log4c_otel_span_context(const log4c_otel_span_t *span, log4c_otel_context_t *out);

/**
 * Ends the span: measures its duration, writes its traces-as-logs line
 * (unless a span filter says not to) before returning, removes it from the
 * active contexts (see "Threads" above) and frees the handle. Returns
 * LOG4C_OTEL_OK or LOG4C_OTEL_EINVAL (span NULL).
 */
int log4c_otel_span_end(log4c_otel_span_t *span);

/**
 * Copies the calling thread's active context (its innermost active span or
 * attached context) into *out. Returns LOG4C_OTEL_OK, or
 * LOG4C_OTEL_ENOCONTEXT when there is none.
 */
int log4c_otel_context_current(log4c_otel_context_t *out);

/**
 * Writes the calling thread's active context as a traceparent
 * ("00-<32 hex>-<16 hex>-<2 hex>", lowercase) and a NUL into out, which has
 * room for size bytes (at least LOG4C_OTEL_TRACEPARENT_SIZE). Returns
 * LOG4C_OTEL_OK, LOG4C_OTEL_ENOCONTEXT or LOG4C_OTEL_EINVAL (size too small).
 */
int log4c_otel_traceparent_current(char *out, size_t size);

/** Formats *ctx as a traceparent, as log4c_otel_traceparent_current(). */
int log4c_otel_traceparent_format(const log4c_otel_context_t *ctx, char *out, size_t size);

/**
 * Parses a W3C traceparent strictly: version two lowercase hex digits, not
 * "ff"; version 00 is exactly 55 characters; a later version is accepted
 * when its first four fields are valid and anything after them starts with
 * '-' (as the specification asks); lowercase hex only; trace id and span id
 * must not be all zero. No surrounding whitespace. Returns LOG4C_OTEL_OK
 * and fills *out, or LOG4C_OTEL_EINVAL (*out untouched).
 */
int log4c_otel_traceparent_parse(const char *traceparent, log4c_otel_context_t *out);

/**
 * Makes ctx (received from another process or tracer) the calling thread's
 * active context without creating a span: records carry its ids, and spans
 * started afterwards become its children. Attachments nest (a stack, per
 * thread) with the spans. Returns LOG4C_OTEL_OK, LOG4C_OTEL_EINVAL (NULL or
 * all-zero ids) or LOG4C_OTEL_ENOMEM.
 */
int log4c_otel_context_attach(const log4c_otel_context_t *ctx);

/** As log4c_otel_context_attach() with a traceparent string (EINVAL when invalid). */
int log4c_otel_context_attach_traceparent(const char *traceparent);

/**
 * Removes the calling thread's most recent attachment (spans started since
 * then and still running stay active). Returns LOG4C_OTEL_OK or
 * LOG4C_OTEL_ENOCONTEXT when the thread has no attached context.
 */
int log4c_otel_context_detach(void);

/** Name of the crash-safe file appender type (appender name = file path). */
#define LOG4C_OTEL_FILE_APPENDER_TYPE "otel_file"
/* ====================== end of tracing (issue 4) ====================== */

#ifdef __cplusplus
}
#endif
#endif /* LOG4C_OTEL_H */
