/*
 * layout_type_otel_redact.c - the log4c layout type "otel_redact": log4c's
 * "basic" line (`PRIORITY category - message`) with the configuration's
 * hideRegex applied to the message (defaults', or the first matching
 * filter's), so log4c's own file/stream/syslog appenders never write what
 * the otel appender would mask: one rule set protects every sink.
 *
 * The whole message is masked before the line is cut to log4c's buffer, so
 * a cut cannot leave part of a secret that the pattern no longer matches.
 * With an invalid configuration the message is withheld (fail closed).
 */
#include "runtime.h"
#include "pipeline.h"
#include "redact.h"
#include "utf8.h"

#include <log4c.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* per-thread copy of the message to mask (kept, grown as needed; freed at thread exit) */
static pthread_key_t buf_key;
static pthread_once_t buf_once = PTHREAD_ONCE_INIT;
static int buf_key_ok;

typedef struct msg_buf {
    char *p;
    size_t cap;
} msg_buf;

static void buf_free(void *p)
{
    msg_buf *b = p;
    if (b) {
        free(b->p);
        free(b);
    }
}

static void make_key(void) { buf_key_ok = pthread_key_create(&buf_key, buf_free) == 0; }

static char *scratch(size_t n)
{
    pthread_once(&buf_once, make_key);
    if (!buf_key_ok)
        return NULL;
    msg_buf *b = pthread_getspecific(buf_key);
    if (!b) {
        b = calloc(1, sizeof *b);
        if (!b || pthread_setspecific(buf_key, b) != 0) {
            free(b);
            return NULL;
        }
    }
    if (n + 1 > b->cap) {
        char *p = realloc(b->p, n + 1);
        if (!p)
            return NULL;
        b->p = p;
        b->cap = n + 1;
    }
    return b->p;
}

#define WITHHELD "[message withheld: the log4c-otel configuration is invalid]"

static const char *redact_format(const log4c_layout_t *layout, const log4c_logging_event_t *ev)
{
    (void)layout;
    const char *msg = ev->evt_msg ? ev->evt_msg : "";
    const char *cat = ev->evt_category ? ev->evt_category : "";
    size_t len = strlen(msg);
    const otel_pipeline *p = otel_runtime_pipeline();
    const char *shown = WITHHELD;
    if (p) {
        const otel_regex *hide = otel_pipeline_hide_regex(p, cat, ev->evt_priority, msg, len);
        if (!hide) {
            shown = msg;
        } else {
            /* a sanitised copy (invalid bytes -> U+FFFD), masked in place */
            size_t clean = otel_utf8_sanitized_len(msg, len, 0);
            char *m = scratch(clean);
            if (m) {
                otel_utf8_sanitize(m, msg, len, 0);
                size_t n = otel_regex_mask(hide, m, clean);
                m[n] = '\0';
                shown = m;
            } else {
                shown = "[message withheld: out of memory while masking]";
            }
        }
    }
    snprintf(ev->evt_buffer.buf_data, ev->evt_buffer.buf_size, "%-8s %s - %s\n",
             log4c_priority_to_string(ev->evt_priority), cat, shown);
    return ev->evt_buffer.buf_data;
}

const log4c_layout_type_t otel_redact_layout_type = {
    "otel_redact",
    redact_format,
};
