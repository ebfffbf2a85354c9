/*
 * layout_type_otel_redact.c - the log4c layout type "otel_redact": log4c's
 * "basic" line (`PRIORITY category - message`) with the configuration's
 * hideRegex applied to the message (defaults', or the first matching
 * filter's), so log4c's own file/stream/syslog appenders never write what
 * the otel appender would mask: one rule set protects every sink.
 *
 * The whole message is masked before the line is cut to log4c's buffer, so
 * a cut cannot leave part of a secret that the pattern no longer matches.
 * With an invalid configuration, or none loaded yet while
 * LOG4C_OTEL_INIT_WAIT_MS holds for log4c_otel_init*(), the message is
 * withheld (fail closed) and counted (`withheld`).
 */
#include "mask.h"
#include "tls_scratch.h"

#include <log4c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* per-thread buffer for the masked message (kept, grown as needed by the
 * masking; freed at thread exit) */
static void buf_fini(void *p) { free(((otel_mask_buf *)p)->p); }

static otel_tls_kind buf_kind = {.size = sizeof(otel_mask_buf), .fini = buf_fini};

static otel_mask_buf *scratch(void) { return otel_tls_get(&buf_kind); }

#define WITHHELD "[message withheld: no valid log4c-otel configuration]"
#define WITHHELD_NOMEM "[message withheld: out of memory while masking]"

static const char *redact_format(const log4c_layout_t *layout, const log4c_logging_event_t *ev)
{
    (void)layout;
    const char *msg = ev->evt_msg ? ev->evt_msg : "";
    const char *cat = ev->evt_category ? ev->evt_category : "";
    size_t len = strlen(msg);
    otel_mask_entry e = {cat, ev->evt_priority, msg, len};
    otel_mask_buf local = {NULL, 0}, *buf = scratch();
    if (!buf)
        buf = &local; /* no per-thread buffer: one for this call */
    const char *shown;
    size_t shown_len;
    otel_mask_result r = otel_mask_for_sink(&e, msg, len, buf, &shown, &shown_len);
    if (r == OTEL_MASK_NO_RULES)
        shown = WITHHELD;
    else if (r < 0)
        shown = WITHHELD_NOMEM;
    snprintf(ev->evt_buffer.buf_data, ev->evt_buffer.buf_size, "%-8s %s - %s\n",
             log4c_priority_to_string(ev->evt_priority), cat, shown);
    free(local.p);
    return ev->evt_buffer.buf_data;
}

const log4c_layout_type_t otel_redact_layout_type = {
    "otel_redact",
    redact_format,
};
