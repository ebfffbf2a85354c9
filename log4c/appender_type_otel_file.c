/*
 * appender_type_otel_file.c - the log4c appender type "otel_file": a
 * crash-safe file appender. The file path is the appender's name (as with
 * log4c's stream appender): <appender name="traces.log" type="otel_file"/>.
 *
 * Each event's message (evt_msg; log4c's layouts would cut it at
 * 511/1023 bytes, so no layout is applied), masked by the gate under its
 * category's rules (mask.h), plus a newline reaches the file in one
 * write(2) on an O_APPEND descriptor before append returns: a crash loses
 * nothing already logged, and a line cut by a crash or a full disk is
 * never glued to the next (src/line_file.h). With no valid rules a fixed
 * placeholder line is written instead (fail closed). Missing directories
 * of the path are created; what cannot be written is said once per reason
 * on stderr and counted (line_file_errors). Size rotation, backups and fdatasync come
 * from the settings (src/line_file_settings.h): defaults, LOG4C_OTEL_LINE_FILE_*
 * variables, then the JSON configuration registered under the appender's
 * name.
 */
#include "diag.h"
#include "line_file_settings.h"
#include "line_file.h"
#include "log4c-otel.h"
#include "mask.h"
#include "tls_scratch.h"

#include <errno.h>
#include <log4c.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

const log4c_appender_type_t otel_file_appender_type;

static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *real_getenv(const char *name) { return getenv(name); }

/* The appender's file, opened on first use. log4c opens lazily, maybe from
 * two threads at once, and publishes udata through a plain field: udata is
 * only read or written under open_lock. */
static otel_line_file *file_get(log4c_appender_t *app)
{
    pthread_mutex_lock(&open_lock);
    otel_line_file *f = log4c_appender_get_udata(app);
    if (!f) {
        const char *path = log4c_appender_get_name(app);
        otel_line_file_settings s;
        char err[256];
        otel_line_file_settings_defaults(&s);
        if (otel_line_file_settings_from_env(&s, real_getenv, err, sizeof err) != 0)
            otel_diag("log4c-otel: %s; ignored for \"%s\"", err, path);
        (void)otel_line_file_settings_lookup(path, &s); /* the JSON section, when the loader registered one */
        f = otel_line_file_open(path, &s); /* NULL only when out of memory */
        if (f) {
            log4c_appender_set_udata(app, f);
            /* we write evt_msg: log4c's built-in layouts format into one static
             * buffer shared by all threads (a data race), and the result is unused */
            log4c_appender_set_layout(app, NULL);
        }
        else
            otel_diag("log4c-otel: cannot open \"%s\": %s", path, strerror(errno));
    }
    pthread_mutex_unlock(&open_lock);
    return f;
}

static int file_open(log4c_appender_t *app)
{
    return file_get(app) ? 0 : -1;
}

/* per-thread buffer for the masked message (freed at thread exit) */
static void buf_fini(void *p) { free(((otel_mask_buf *)p)->p); }

static otel_tls_kind buf_kind = {.size = sizeof(otel_mask_buf), .fini = buf_fini};

#define WITHHELD "[message withheld: no valid log4c-otel configuration]"
#define WITHHELD_NOMEM "[message withheld: out of memory while masking]"

static int file_append(log4c_appender_t *app, const log4c_logging_event_t *ev)
{
    otel_line_file *f = file_get(app);
    if (!f)
        return -1;
    const char *msg = ev->evt_msg ? ev->evt_msg : "";
    size_t len = strlen(msg);
    otel_mask_entry e = {ev->evt_category ? ev->evt_category : "", ev->evt_priority, msg, len};
    otel_mask_buf local = {NULL, 0}, *buf = otel_tls_get(&buf_kind);
    if (!buf)
        buf = &local; /* no per-thread buffer: one for this call */
    const char *line;
    size_t line_len;
    otel_mask_result r = otel_mask_for_sink(&e, msg, len, buf, &line, &line_len);
    if (r < 0) {
        line = r == OTEL_MASK_NO_RULES ? WITHHELD : WITHHELD_NOMEM;
        line_len = strlen(line);
    }
    int rc = otel_line_file_write(f, line, line_len); /* a failure is said and counted there */
    free(local.p);
    return rc == 0 ? 0 : -1;
}

static int file_close(log4c_appender_t *app)
{
    pthread_mutex_lock(&open_lock);
    otel_line_file *f = log4c_appender_get_udata(app);
    log4c_appender_set_udata(app, NULL);
    pthread_mutex_unlock(&open_lock);
    otel_line_file_close(f);
    return 0;
}

const log4c_appender_type_t otel_file_appender_type = {
    LOG4C_OTEL_FILE_APPENDER_TYPE,
    file_open,
    file_append,
    file_close,
};
