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
 *
 * Contents, by topic: return codes; start and stop; configuration;
 * attributes of one call and of a thread; counters; tracing (spans, W3C
 * trace context, traces as logs); log sources; output capture. The
 * settings are described in docs/CONFIGURATION.md, failure behaviour and
 * the counters in docs/OPERATIONS.md.
 *
 * Type names end in _t, like log4c's own. The spellings without _t
 * (log4c_otel_attr, log4c_otel_attr_type, log4c_otel_capture,
 * log4c_otel_capture_options) are aliases of the same types, kept so that
 * code written against them compiles unchanged.
 */
#ifndef LOG4C_OTEL_H
#define LOG4C_OTEL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of the library, also sent as telemetry.sdk.version and scope version. */
#define LOG4C_OTEL_VERSION "0.1.0"

/** Name of the appender type and of the appender instance log4c_otel_init() creates. */
#define LOG4C_OTEL_APPENDER_NAME "otel"

/* ==== Return codes ==================================================== */

/** Return codes. */
enum log4c_otel_code {
    LOG4C_OTEL_OK = 0,
    LOG4C_OTEL_ENOMEM = -1,       /**< out of memory */
    LOG4C_OTEL_ECONFIG = -2,      /**< invalid configuration (details on stderr) */
    LOG4C_OTEL_EUNSUPPORTED = -3, /**< a requested feature is not supported (e.g. grpc with a
                                       libcurl without HTTP/2, or a compression other than gzip) */
    LOG4C_OTEL_ETIMEDOUT = -4,    /**< the deadline passed before the work was done */
    LOG4C_OTEL_ESTATE = -5,       /**< called in the wrong state (e.g. after log4c_fini) */
    LOG4C_OTEL_EINVAL = -6,       /**< invalid argument */
    LOG4C_OTEL_ETHREAD = -7,      /**< a thread could not be created */
    LOG4C_OTEL_ELOG4C = -8,       /**< log4c refused a registration */
    LOG4C_OTEL_ENOCONTEXT = -9,   /**< the calling thread has no active span or attached context */
    LOG4C_OTEL_ESPAWN = -10       /**< a process could not be started or a pipe created (errno says why) */
};

/** A static, human-readable sentence for a return code. Never NULL. */
const char *log4c_otel_strerror(int code);

/* ==== Start and stop ================================================== */

/**
 * Registers the appender type "otel" with log4c and pre-creates an appender
 * instance named "otel", so that `appender="otel"` in log4crc (or
 * LOG4C_APPENDER=otel) is all the configuration log4c needs.
 *
 * Must be called before log4c_init(): log4c resolves appender types only
 * while it parses log4crc. Also registers the layout type "otel_redact"
 * (LOG4C_OTEL_LAYOUT_REDACT). Reads the OTEL_* environment variables and
 * the JSON configuration file if there is one (see
 * log4c_otel_init_with_config) and validates them; on an invalid
 * configuration it returns LOG4C_OTEL_ECONFIG (or LOG4C_OTEL_EUNSUPPORTED,
 * e.g. for OTEL_EXPORTER_OTLP_COMPRESSION=zstd), prints the reason once on
 * stderr and the appender then exports nothing (fail closed). Also
 * registers the crash-safe file appender type "otel_file"
 * (LOG4C_OTEL_FILE_APPENDER_TYPE) and creates the traces category. Calling
 * it again is harmless and returns the first result.
 * Also registers an atexit() handler that flushes within the shutdown
 * deadline (LOG4C_OTEL_SHUTDOWN_TIMEOUT, default 5000 ms).
 */
int log4c_otel_init(void);

/**
 * Waits until every record logged before the call has been exported (or
 * dropped and counted), in every otel appender instance, for at most
 * timeout_ms milliseconds (negative: the configuration's
 * forceFlushTimeoutMillis when given, else the shutdown deadline).
 * Returns LOG4C_OTEL_OK, or LOG4C_OTEL_ETIMEDOUT when the deadline passed first.
 */
int log4c_otel_flush(int timeout_ms);

/**
 * Flushes within timeout_ms (negative: the configured deadline), then stops
 * every worker thread. Whatever is still queued at the deadline is dropped
 * and counted as dropped_shutdown (with a disk spool: appended to it and
 * counted as spooled; the spool is replayed first while the collector
 * answers). Records logged after shutdown are dropped and counted the same
 * way. log4c_fini() and the atexit handler call this.
 * Returns LOG4C_OTEL_OK or LOG4C_OTEL_ETIMEDOUT.
 */
int log4c_otel_shutdown(int timeout_ms);

/*
 * After log4c_fini() (which closes the otel appender log4c_otel_init()
 * opened), log4c's categories and appenders are freed memory and log4c
 * cannot be initialised again. From then on, without touching them:
 *  - LOG4C_OTEL_ESTATE, doing nothing: log4c_otel_init*, _flush,
 *    _shutdown, _log_at, _vlog_at, _app_log, _span_start*, _span_set_*,
 *    _context_attach*, _context_put*, _capture_spawn, _capture_fd;
 *  - log4c_otel_span_end() frees the span and restores the thread's
 *    context, writes no traces line and returns LOG4C_OTEL_ESTATE;
 *  - a capture started before goes on reading, but logs nothing;
 *    _capture_wait/_kill/_pid/_free work as before;
 *  - working as before (they touch only the library's own memory):
 *    _stats (the final counters), _strerror, _span_context,
 *    _context_current, _context_detach, _context_remove, _context_clear,
 *    _traceparent_format/_parse/_current, _capture_options_init.
 * After log4c_otel_shutdown() alone, log4c still works: every function
 * behaves as before it, except that records reaching the otel appender
 * are dropped and counted as dropped_shutdown (spans still write their
 * traces lines to log4c).
 */

/* ==== Configuration ===================================================
 *
 * The JSON configuration has the shape of io.Insights' `logs` settings
 * (docs/CONFIGURATION.md). Sources, later wins: built-in defaults; the
 * OTEL_* and LOG4C_OTEL_* environment; the file named by LOG4C_OTEL_CONFIG,
 * else log4c-otel.json in $LOG4C_RCPATH, $HOME or the current directory
 * (the first found); then what is passed here.
 */

/**
 * log4c_otel_init() plus configuration from the program: path (a JSON file,
 * or NULL) and json (a JSON text, or NULL), applied in that order on top of
 * the environment and the file found as above; JSON objects merge member by
 * member (arrays and scalars replace).
 *
 * Returns LOG4C_OTEL_OK; LOG4C_OTEL_ECONFIG when a source is unreadable or
 * invalid (stderr then names the file, line, column and key path, e.g.
 * `app.json:7:22: logs.filters[2].hideRegex: expected a valid regular
 * expression (...)`) -- the appender then exports nothing and log4c's
 * layouts of type "otel_redact" withhold every message: never unredacted
 * data; LOG4C_OTEL_ESTATE when the configuration was already loaded (by an
 * earlier init call or by log4c opening the appender) -- call it once,
 * before log4c_init(). With both arguments NULL it is log4c_otel_init().
 */
int log4c_otel_init_with_config(const char *path, const char *json);

/** Name of the layout type that masks defaults.hideRegex (and the matching
 *  filter's) in log4c's own output: `<appender ... layout="otel_redact"/>`
 *  with a layout of that type, e.g. `<layout name="otel_redact"
 *  type="otel_redact"/>`. Lines look like log4c's "basic" layout:
 *  `PRIORITY category - message`. Registered by log4c_otel_init(). */
#define LOG4C_OTEL_LAYOUT_REDACT "otel_redact"

/* ==== Attributes of one call and of a thread ========================== */

/** The type of an attribute value. */
typedef enum log4c_otel_attr_type {
    LOG4C_OTEL_ATTR_STRING = 0, /**< v.s: a NUL-terminated string (NULL: "") */
    LOG4C_OTEL_ATTR_INT = 1,    /**< v.i */
    LOG4C_OTEL_ATTR_DOUBLE = 2, /**< v.d */
    LOG4C_OTEL_ATTR_BOOL = 3    /**< v.b, 0 or not */
} log4c_otel_attr_type_t;

/** One typed attribute. Build it with the initializer macros below. */
typedef struct log4c_otel_attr {
    const char *key;
    log4c_otel_attr_type_t type;
    union {
        const char *s;
        int64_t i;
        double d;
        int b;
    } v;
} log4c_otel_attr_t;

/** Aliases: the same types under their names without _t. */
typedef log4c_otel_attr_type_t log4c_otel_attr_type;
typedef log4c_otel_attr_t log4c_otel_attr;

/** Initializers, usable in an array or in LOG4C_OTEL_ATTRS(...). */
#define LOG4C_OTEL_STRING(k, val) { (k), LOG4C_OTEL_ATTR_STRING, { .s = (val) } }
#define LOG4C_OTEL_INT(k, val) { (k), LOG4C_OTEL_ATTR_INT, { .i = (int64_t)(val) } }
#define LOG4C_OTEL_DOUBLE(k, val) { (k), LOG4C_OTEL_ATTR_DOUBLE, { .d = (double)(val) } }
#define LOG4C_OTEL_BOOL(k, val) { (k), LOG4C_OTEL_ATTR_BOOL, { .b = !!(val) } }

/** Expands to "array, count" for log4c_otel_log() (a C99 compound literal). */
#define LOG4C_OTEL_ATTRS(...)                              \
    ((const log4c_otel_attr_t[]){__VA_ARGS__}),             \
        (sizeof((const log4c_otel_attr_t[]){__VA_ARGS__}) / sizeof(log4c_otel_attr_t))

struct __log4c_category; /* log4c_category_t */

/**
 * log4c_otel_log(category, priority, attrs, nattrs, format, ...):
 * logs like log4c_category_log() with the caller's real location
 * (code.file.path, code.line.number, code.function.name) and extra
 * attributes on this one record:
 *
 *     log4c_otel_log(cat, LOG4C_PRIORITY_INFO,
 *                    LOG4C_OTEL_ATTRS(LOG4C_OTEL_STRING("order.id", id), LOG4C_OTEL_INT("items", n)),
 *                    "order %s paid", id);
 *
 * Goes through log4c (log4c_category_log_locinfo), so the category's
 * priority, additivity and every appender apply; the otel appender adds
 * the attributes (other appenders ignore them). Keys and string values
 * are copied before the call returns. Per-call attributes win over the
 * thread's context, which wins over the library's own (thread.id, code.*)
 * and the configured additionalAttributes; the filters' allowedAttributes,
 * hideRegex and logRecordLimits apply to them like to any other.
 */
#define log4c_otel_log(category, priority, ... /* attrs, nattrs, format, args */) \
    log4c_otel_log_at((category), (priority), __FILE__, __LINE__, __func__, __VA_ARGS__)

/**
 * What log4c_otel_log() calls. Returns LOG4C_OTEL_OK (also when the
 * priority is disabled for the category: nothing is logged),
 * LOG4C_OTEL_EINVAL (NULL category or format, attrs NULL with nattrs > 0,
 * a NULL or empty key, an unknown type) or LOG4C_OTEL_ENOMEM.
 */
int log4c_otel_log_at(const struct __log4c_category *category, int priority, const char *file, int line,
                      const char *function, const log4c_otel_attr_t *attrs, size_t nattrs, const char *format, ...)
    __attribute__((format(printf, 8, 9)));

/** As log4c_otel_log_at(), the arguments of format given as a va_list. */
int log4c_otel_vlog_at(const struct __log4c_category *category, int priority, const char *file, int line,
                       const char *function, const log4c_otel_attr_t *attrs, size_t nattrs, const char *format,
                       va_list args);

/**
 * The calling thread's attribute context: attributes added to every record
 * the thread logs to an otel appender until removed (e.g. a request id).
 * put copies key and value and replaces an attribute with the same key;
 * LOG4C_OTEL_OK, LOG4C_OTEL_EINVAL (NULL attribute, NULL or empty key,
 * unknown type) or LOG4C_OTEL_ENOMEM. The context is freed when the
 * thread exits.
 */
int log4c_otel_context_put(const log4c_otel_attr_t *attr);
/** log4c_otel_context_put() of a string attribute (value NULL: ""). */
int log4c_otel_context_put_string(const char *key, const char *value);
/** log4c_otel_context_put() of an integer attribute. */
int log4c_otel_context_put_int(const char *key, int64_t value);
/** log4c_otel_context_put() of a double attribute. */
int log4c_otel_context_put_double(const char *key, double value);
/** log4c_otel_context_put() of a boolean attribute (0 or not). */
int log4c_otel_context_put_bool(const char *key, int value);
/** Removes key from the thread's context: LOG4C_OTEL_OK (also when it was
 *  not there) or LOG4C_OTEL_EINVAL (NULL key). */
int log4c_otel_context_remove(const char *key);
/** Empties the thread's context. */
void log4c_otel_context_clear(void);

/* ==== Counters ========================================================
 *
 * log4c_otel_stats() fills a log4c_otel_stats_t, summed over every otel
 * appender instance of the process (docs/OPERATIONS.md, "Counters"). It is
 * one snapshot: a record moving from one counter to another (a lane into
 * the queue or the filtered count, the pre-initialisation buffer into a
 * worker, the queue into in_flight, in_flight into an outcome) is counted
 * in exactly one place, so these identities hold in every snapshot:
 *
 *   accepted == exported + queued + in_flight + spooled
 *               + dropped_queue_full + dropped_export_failed + dropped_rejected
 *               + dropped_http_error + dropped_shutdown + dropped_config
 *               + dropped_preinit + dropped_reentrant + dropped_spool_full
 *
 *   log calls routed to otel that returned before the call
 *     <= accepted + filtered + staged
 *     <= log calls routed to otel that started before it returned
 *
 * (an equality once every such call has returned: after a flush, staged
 * is 0 and the calls logged == accepted + filtered), and
 *
 *   dropped_queue_full == shed_debug + shed_info + shed_warn + shed_error
 *
 * (the same drops by severity band; docs/OPERATIONS.md, "Shedding").
 *
 * The fields by topic (the struct keeps its historical field order, which
 * is part of the ABI):
 *   records logged:     staged, filtered, accepted
 *   where they are now: queued, in_flight
 *   outcomes:           exported, spooled, dropped_queue_full,
 *                       dropped_export_failed, dropped_rejected,
 *                       dropped_http_error, dropped_shutdown, dropped_config,
 *                       dropped_preinit, dropped_reentrant, dropped_spool_full
 *   by severity band:   shed_debug, shed_info, shed_warn, shed_error (of
 *                       dropped_queue_full: a breakdown, not in the sums)
 *   export activity:    export_requests, export_retries, export_unanswered
 *   the disk spool:     replayed, replay_dropped (entries sent from the spool,
 *                       possibly written by an earlier process: not in the sums)
 *   the OTLP/JSON file: file_records, file_errors
 *   otel_file appenders: line_file_errors (log4c appenders, not records
 *                       logged to otel: not in the sums)
 *   the masking gate:   withheld (values and lines of any sink, not records:
 *                       not in the sums)
 *
 * exported and the dropped_* counters follow the primary exporter: HTTP
 * when an endpoint is configured, else the OTLP/JSON file exporter (a file
 * write error is then dropped_export_failed).
 */
typedef struct log4c_otel_stats {
    uint64_t accepted;              /**< records logged: taken in, no filter dropped them */
    uint64_t exported;              /**< outcome: accepted by the collector (or written by the
                                         file exporter when it is the only exporter) */
    uint64_t dropped_queue_full;    /**< outcome: dropped at append, no room in the lanes and queue
                                         (bytes, or a maxQueueSize set, in the record's severity
                                         band's share), or a blocking-mode wait ran out */
    uint64_t dropped_export_failed; /**< outcome: dropped after retries ran out or the export timeout passed */
    uint64_t dropped_rejected;      /**< outcome: rejected by the collector in partial_success */
    uint64_t dropped_http_error;    /**< outcome: dropped on a permanent HTTP error (a status not retried) */
    uint64_t dropped_shutdown;      /**< outcome: still queued at the shutdown deadline, or logged after it */
    uint64_t dropped_config;        /**< outcome: dropped because the configuration is invalid (fail closed) */
    uint64_t queued;                /**< now: in the queues, including records held in the
                                         pre-initialisation buffer */
    uint64_t export_requests;       /**< export activity: HTTP requests sent, retries included */
    uint64_t export_retries;        /**< export activity: of those, retries */
    uint64_t file_records;          /**< OTLP/JSON file: records the file exporter wrote */
    uint64_t file_errors;           /**< OTLP/JSON file: records the file exporter failed to write */
    uint64_t filtered;              /**< records logged: dropped on purpose by the configuration
                                         (a filter with enabled:false, logs disabled,
                                         OTEL_SDK_DISABLED); never queued */
    uint64_t dropped_preinit;       /**< outcome: logged before the configuration was loaded and
                                         over the pre-initialisation buffer's bound (or out of memory) */
    uint64_t dropped_reentrant;     /**< outcome: logged to otel by the library's own threads, or
                                         from inside an otel append on the same thread
                                         (the no-feedback-loop guard) */
    uint64_t in_flight;             /**< now: taken from the queue by the export thread, export not finished */
    uint64_t spooled;               /**< outcome: written to the disk spool (LOG4C_OTEL_SPOOL_DIR),
                                         during an outage or at the shutdown deadline */
    uint64_t dropped_spool_full;    /**< outcome: the spool could not take them (maxBytes reached or
                                         a write error) */
    uint64_t replayed;              /**< disk spool: spooled records this process delivered later */
    uint64_t replay_dropped;        /**< disk spool: spooled records the collector refused for good on replay */
    uint64_t staged;                /**< records logged: copied into a logging thread's hand-off
                                         lane (raw, in memory), not yet through the filters;
                                         0 after a flush */
    uint64_t export_unanswered;     /**< export activity: records in requests sent in full that got
                                         no answer (a timeout, a closed connection, the shutdown
                                         deadline); the collector may have taken them, so this
                                         bounds the duplicates it can have seen. Delivery is at
                                         least once. Not in the sums */
    uint64_t line_file_errors;      /**< otel_file appenders: lines they could not write (the file
                                         could not be opened, or a write failed; a part of such a
                                         line may be in the file, ended by a newline). Not in the
                                         sums */
    uint64_t withheld;              /**< the masking gate: values or lines a sink (the traces line, an
                                         otel_file line, the otel_redact layout, the --tee copy)
                                         wrote as a placeholder, or not at all, because no valid
                                         masking rules existed (an invalid configuration, or one
                                         not loaded yet while LOG4C_OTEL_INIT_WAIT_MS holds for
                                         log4c_otel_init*()) or the masked copy could not be made.
                                         Not in the sums */
    uint64_t masked_whole;          /**< masking: values (bodies, attribute values, ...) replaced by
                                         '*' in full because matching their hideRegex patterns ran
                                         past its budget (a runaway or very costly pattern). Not in
                                         the sums */
    uint64_t shed_debug;            /**< of dropped_queue_full: TRACE and DEBUG records (OTel
                                         SeverityNumber 1-8), refused for lack of room. The four
                                         shed_* counters sum to dropped_queue_full; records of the
                                         lowest band present are refused first. Not in the sums */
    uint64_t shed_info;             /**< of dropped_queue_full: INFO records (log4c NOTICE and INFO;
                                         SeverityNumber 9-12). Not in the sums */
    uint64_t shed_warn;             /**< of dropped_queue_full: WARN records (13-16). Not in the sums */
    uint64_t shed_error;            /**< of dropped_queue_full: ERROR and FATAL records (log4c ERROR,
                                         CRIT, ALERT, FATAL; 17-24). Not in the sums */
} log4c_otel_stats_t;

/** Fills *out with the current counters. Returns LOG4C_OTEL_OK, or
 *  LOG4C_OTEL_EINVAL if out is NULL. */
int log4c_otel_stats(log4c_otel_stats_t *out);

/* ======================================================================
 * Tracing: spans, W3C trace context, traces as logs.
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
 * As log4c_otel_span_start(), with a filtering context: the pairs the
 * `traces.filters[].context` of the configuration are matched against
 * (docs/CONFIGURATION.md, "Traces"). context[0..ncontext) (NULL with
 * ncontext 0: none) is copied; keys must be non-empty, a key given twice
 * counts once (the first). The span's filtering context is these pairs over
 * those of its parent when the parent is the thread's innermost live span
 * (its own win; a context attached with log4c_otel_context_attach() or given
 * as an explicit parent carries none), plus `service.name` (the resource's)
 * unless the pairs set it. They are not attributes: they are not written
 * in the traces line. The filters are resolved once, here: which filters
 * apply does not change while the span lives. Returns LOG4C_OTEL_OK,
 * LOG4C_OTEL_EINVAL (name or out NULL, context NULL with ncontext > 0, a
 * pair with a NULL or empty key or an unknown type) or LOG4C_OTEL_ENOMEM.
 */
int log4c_otel_span_start_with_filter_context(const char *name, const log4c_otel_attr_t *context,
                                              size_t ncontext, log4c_otel_span_t **out);

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
/** As log4c_otel_span_set_string(), an integer value. */
int log4c_otel_span_set_int(log4c_otel_span_t *span, const char *key, int64_t value);
/** As log4c_otel_span_set_string(), a double value (NaN and infinities show as null). */
int log4c_otel_span_set_double(log4c_otel_span_t *span, const char *key, double value);
/** As log4c_otel_span_set_string(), a boolean value (0 or not). */
int log4c_otel_span_set_bool(log4c_otel_span_t *span, const char *key, int value);

/**
 * Sets the status (enum log4c_otel_status). message (may be NULL) is kept
 * only with LOG4C_OTEL_STATUS_ERROR; the traces line shows it as the
 * attribute "otel.status_description" (the OpenTelemetry name for non-OTLP
 * formats). Returns LOG4C_OTEL_OK, LOG4C_OTEL_EINVAL or LOG4C_OTEL_ENOMEM.
 */
int log4c_otel_span_set_status(log4c_otel_span_t *span, int status, const char *message);

/** Copies the span's own context (trace id, span id, flags) into *out.
 *  Returns LOG4C_OTEL_OK or LOG4C_OTEL_EINVAL (span or out NULL). */
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

/** Formats *ctx as a traceparent, as log4c_otel_traceparent_current().
 *  Returns LOG4C_OTEL_OK or LOG4C_OTEL_EINVAL (NULL argument, size too small). */
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

/** Name of the crash-safe file appender type (appender name = file path):
 *  each entry's raw message and a newline in one write(2), size rotation
 *  (docs/CONFIGURATION.md, "The crash-safe line appender"); a line cut by a
 *  crash or a full disk is never glued to the next (docs/OPERATIONS.md,
 *  "Crash-safe lines"). Registered by log4c_otel_init(). */
#define LOG4C_OTEL_FILE_APPENDER_TYPE "otel_file"

/* ==== Log sources: entries logged on behalf of applications ==========
 *
 * Every record carries the attribute log.source: "app" for categories
 * app.<name>[.…], "gateway" for gw and gw.*, "captured" for captured.<name>[.…]
 * and "platform" for everything else (configurable: the "sources" section of
 * the JSON configuration). Records of app and captured sources also carry
 * app.name, and app.instance when one was given.
 */

/* log4c_otel_attr_t: see "Attributes of one call and of a thread" above. */

/**
 * Logs message on behalf of the application app_name: what a platform calls
 * when an application hands it a log entry. The entry goes through log4c, in
 * the category "app.<app_name>" (every '.' in the name replaced by '_', so
 * that the name stays one category level), so log4crc's priorities and
 * appenders apply to it as to any entry; the otel appender adds
 * log.source=app, app.name=app_name (as given), app.instance=instance (when
 * not NULL) and the attributes attrs[0..nattrs) (at most 48; keys the
 * appender already set, such as app.name, are ignored). priority is a log4c
 * priority (LOG4C_PRIORITY_*). message is logged as is (not a format).
 * The caller's active trace context stamps the record as for any entry.
 *
 * The first call for an application creates its log4c category, under a
 * lock of this library; log4c's own category table has no lock, so do not
 * create categories with log4c_category_get() on other threads at the same
 * time (as log4c requires anyway). Returns LOG4C_OTEL_OK, LOG4C_OTEL_EINVAL
 * (app_name NULL or empty, message NULL, attrs NULL with nattrs > 0, an
 * attribute with no key) or LOG4C_OTEL_ENOMEM.
 */
int log4c_otel_app_log(const char *app_name, const char *instance, int priority, const char *message,
                       const log4c_otel_attr_t *attrs, size_t nattrs);

/* ==== Output capture ==================================================
 *
 * A captured child's stdout and stderr (or any descriptor) become log
 * entries, line by line, in the log4c category "captured.<name>", so they
 * take the same path as every entry (log4crc routing, the otel appender's
 * filters and redaction). Each record carries log.iostream ("stdout" or
 * "stderr"; for a descriptor, the name given), process.pid (the child's pid,
 * not the resource's), app.name (<name>) and app.instance when given.
 * Lines: CRLF is taken as LF; a last line without a newline is still a
 * record; invalid UTF-8 and NUL bytes become U+FFFD; a line longer than
 * max_line bytes is split into records of at most max_line bytes, each with
 * log.line.part = 1, 2, ... and, on all but the last, log.line.continued =
 * true; a line is masked (hideRegex of its category) whole, up to 256 KiB,
 * before it is split (docs/API.md). When the child exits, a final record says how ("exited with status
 * N" / "killed by signal N (SIGxxx)"), with process.exit.code or
 * process.exit.signal: at stdout_priority for status 0, else at
 * stderr_priority. Records are stamped with the trace context that was
 * active on the thread that started the capture (else the TRACEPARENT the
 * child receives, if any).
 *
 * The child gets TRACEPARENT (and TRACESTATE, when not empty) describing the
 * caller's active trace context, replacing any inherited ones; with no
 * active context its environment is passed unchanged. Its output goes
 * through pipes, so it is not a terminal: many programs then buffer their
 * stdout (stdbuf -oL, PYTHONUNBUFFERED=1, ...).
 *
 * Lifetime: free every capture (log4c_otel_capture_free) before
 * log4c_fini(); the reader thread logs through log4c until the capture ends.
 */

/** An output capture (opaque). */
typedef struct log4c_otel_capture log4c_otel_capture_t;

/** Flags of log4c_otel_capture_options.flags. */
#define LOG4C_OTEL_CAPTURE_TEE 1u        /**< also copy each line, masked as its record is (a line
                                              with no valid rules as a placeholder), to our own
                                              stdout/stderr (a descriptor capture: to tee_fd) */
#define LOG4C_OTEL_CAPTURE_STDIN_NULL 2u /**< the child's stdin is /dev/null (default: inherited) */
#define LOG4C_OTEL_CAPTURE_NEW_PGROUP 4u /**< the child leads a new process group (default: ours) */
#define LOG4C_OTEL_CAPTURE_NO_EXIT_RECORD 8u /**< no final record when the child exits */

/** Options of a capture; log4c_otel_capture_options_init() sets the defaults. */
typedef struct log4c_otel_capture_options {
    const char *app_name;     /**< category captured.<app_name> ('.' becomes '_'); NULL: the
                                   program's base name (spawn) or "fd<N>" (descriptor) */
    const char *app_instance; /**< app.instance of every record; NULL: none */
    char *const *envp;        /**< the child's environment; NULL: ours (environ) */
    int stdout_priority;      /**< log4c priority of stdout lines (default 600, INFO) */
    int stderr_priority;      /**< log4c priority of stderr lines (default 300, ERROR) */
    size_t max_line;          /**< longer lines are split (default 16384 bytes) */
    unsigned flags;           /**< LOG4C_OTEL_CAPTURE_* */
    int tee_fd;               /**< descriptor capture with TEE: where to copy (default -1: none) */
} log4c_otel_capture_options_t;

/** Aliases: the same types under their names without _t. */
typedef log4c_otel_capture_t log4c_otel_capture;
typedef log4c_otel_capture_options_t log4c_otel_capture_options;

/** Fills *opts with the defaults. */
void log4c_otel_capture_options_init(log4c_otel_capture_options_t *opts);

/**
 * Starts argv[0] (searched on PATH) with arguments argv (NULL-terminated),
 * stdout and stderr captured; opts NULL means the defaults. The program is
 * started with posix_spawn (no signal blocked or ignored in the child; the
 * pipes never leak into other children). On success *out is the capture.
 * Returns LOG4C_OTEL_OK, LOG4C_OTEL_EINVAL, LOG4C_OTEL_ENOMEM or
 * LOG4C_OTEL_ESPAWN (errno says why: ENOENT no such program, EACCES not
 * executable, EMFILE, ...).
 */
int log4c_otel_capture_spawn(log4c_otel_capture_t **out, char *const argv[],
                             const log4c_otel_capture_options_t *opts);

/**
 * Captures the descriptor fd until end of file: its lines are logged with
 * log.iostream = iostream (NULL: "stdout") at opts->stdout_priority. fd
 * belongs to the capture from then on (closed when it ends). To capture the
 * process's own stderr: pipe(p); saved = dup(2); dup2(p[1], 2); close(p[1]);
 * capture p[0] with iostream "stderr", opts.tee_fd = saved and the TEE flag
 * so the terminal still sees it; dup2(saved, 2) later gives end of file once
 * no other copy of the write end is open (children inherit it). This
 * library's own diagnostics, written to stderr, are then captured too.
 * Returns as log4c_otel_capture_spawn (LOG4C_OTEL_EINVAL for fd < 0).
 */
int log4c_otel_capture_fd(log4c_otel_capture_t **out, int fd, const char *iostream,
                          const log4c_otel_capture_options_t *opts);

/** The child's pid (0 for a descriptor capture, -1 for NULL). */
int log4c_otel_capture_pid(const log4c_otel_capture_t *c);

/**
 * Sends signal sig to the child (e.g. SIGTERM, then SIGKILL for one that
 * never exits), unless it has already exited and been reaped: a recycled
 * pid is never signalled. Returns LOG4C_OTEL_OK, LOG4C_OTEL_ESTATE (already
 * exited, or a descriptor capture) or LOG4C_OTEL_EINVAL (bad signal).
 */
int log4c_otel_capture_kill(log4c_otel_capture_t *c, int sig);

/**
 * Waits at most timeout_ms (negative: forever) until the capture is over:
 * the child exited and every line and the exit record were logged (a
 * descriptor: end of file). *wstatus (if not NULL) gets the child's status
 * as waitpid(2) gives it (WIFEXITED, WEXITSTATUS, WIFSIGNALED, ...), or -1
 * when unknown (a descriptor capture, or another part of the program reaped
 * the child first, e.g. with SIGCHLD ignored). A child that closed its
 * output but keeps running keeps the capture open until it exits. Returns
 * LOG4C_OTEL_OK or LOG4C_OTEL_ETIMEDOUT.
 */
int log4c_otel_capture_wait(log4c_otel_capture_t *c, int timeout_ms, int *wstatus);

/**
 * Ends the capture and frees it: a child still running is killed (SIGKILL)
 * and reaped (its exit record is logged); a descriptor capture logs what can
 * be read without waiting and stops. Returns when the reader thread is gone.
 * NULL is allowed.
 */
void log4c_otel_capture_free(log4c_otel_capture_t *c);

#ifdef __cplusplus
}
#endif
#endif /* LOG4C_OTEL_H */
