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
    LOG4C_OTEL_ELOG4C = -8        /**< log4c refused a registration */
};

/**
 * Registers the appender type "otel" with log4c and pre-creates an appender
 * instance named "otel", so that `appender="otel"` in log4crc (or
 * LOG4C_APPENDER=otel) is all the configuration log4c needs.
 *
 * Must be called before log4c_init(): log4c resolves appender types only
 * while it parses log4crc. Also registers the layout type "otel_redact"
 * (LOG4C_OTEL_LAYOUT_REDACT). Reads the OTEL_* environment variables and
 * the JSON configuration file if there is one (see
 * log4c_otel_init_with_config) and validates them; on an invalid configuration it returns LOG4C_OTEL_ECONFIG
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
 * timeout_ms milliseconds (negative: the configuration's
 * forceFlushTimeoutMillis when given, else the shutdown deadline).
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

/* ---- configuration (issue 3) ------------------------------------------
 *
 * The JSON configuration has the shape of io.Insights' `logs` settings
 * (README, "Configuration"). Sources, later wins: built-in defaults; the
 * OTEL_* environment; the file named by LOG4C_OTEL_CONFIG, else
 * log4c-otel.json in $LOG4C_RCPATH, $HOME or the current directory (the
 * first found); then what is passed here.
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

/* ---- attributes of one call and of a thread ----------------------------- */

/** The type of an attribute value. */
typedef enum log4c_otel_attr_type {
    LOG4C_OTEL_ATTR_STRING = 0, /**< v.s: a NUL-terminated string (NULL: "") */
    LOG4C_OTEL_ATTR_INT = 1,    /**< v.i */
    LOG4C_OTEL_ATTR_DOUBLE = 2, /**< v.d */
    LOG4C_OTEL_ATTR_BOOL = 3    /**< v.b, 0 or not */
} log4c_otel_attr_type;

/** One typed attribute. Build it with the initializer macros below. */
typedef struct log4c_otel_attr {
    const char *key;
    log4c_otel_attr_type type;
    union {
        const char *s;
        int64_t i;
        double d;
        int b;
    } v;
} log4c_otel_attr;

/** Initializers, usable in an array or in LOG4C_OTEL_ATTRS(...). */
#define LOG4C_OTEL_STRING(k, val) { (k), LOG4C_OTEL_ATTR_STRING, { .s = (val) } }
#define LOG4C_OTEL_INT(k, val) { (k), LOG4C_OTEL_ATTR_INT, { .i = (int64_t)(val) } }
#define LOG4C_OTEL_DOUBLE(k, val) { (k), LOG4C_OTEL_ATTR_DOUBLE, { .d = (double)(val) } }
#define LOG4C_OTEL_BOOL(k, val) { (k), LOG4C_OTEL_ATTR_BOOL, { .b = !!(val) } }

/** Expands to "array, count" for log4c_otel_log() (a C99 compound literal). */
#define LOG4C_OTEL_ATTRS(...)                              \
    ((const log4c_otel_attr[]){__VA_ARGS__}),               \
        (sizeof((const log4c_otel_attr[]){__VA_ARGS__}) / sizeof(log4c_otel_attr))

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
                      const char *function, const log4c_otel_attr *attrs, size_t nattrs, const char *format, ...)
    __attribute__((format(printf, 8, 9)));
int log4c_otel_vlog_at(const struct __log4c_category *category, int priority, const char *file, int line,
                       const char *function, const log4c_otel_attr *attrs, size_t nattrs, const char *format,
                       va_list args);

/**
 * The calling thread's attribute context: attributes added to every record
 * the thread logs to an otel appender until removed (e.g. a request id).
 * put copies key and value and replaces an attribute with the same key;
 * LOG4C_OTEL_OK, LOG4C_OTEL_EINVAL (NULL attribute, NULL or empty key,
 * unknown type) or LOG4C_OTEL_ENOMEM. The context is freed when the
 * thread exits.
 */
int log4c_otel_context_put(const log4c_otel_attr *attr);
int log4c_otel_context_put_string(const char *key, const char *value);
int log4c_otel_context_put_int(const char *key, int64_t value);
int log4c_otel_context_put_double(const char *key, double value);
int log4c_otel_context_put_bool(const char *key, int value);
/** Removes key from the thread's context: LOG4C_OTEL_OK (also when it was
 *  not there) or LOG4C_OTEL_EINVAL (NULL key). */
int log4c_otel_context_remove(const char *key);
/** Empties the thread's context. */
void log4c_otel_context_clear(void);

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
    uint64_t filtered;              /**< dropped on purpose by the configuration: a filter
                                         with enabled:false, or logs disabled */
} log4c_otel_stats_t;

/** Fills *out with the current counters. Returns LOG4C_OTEL_EINVAL if out is NULL. */
int log4c_otel_stats(log4c_otel_stats_t *out);

/** A static, human-readable sentence for a return code. Never NULL. */
const char *log4c_otel_strerror(int code);

#ifdef __cplusplus
}
#endif
#endif /* LOG4C_OTEL_H */
