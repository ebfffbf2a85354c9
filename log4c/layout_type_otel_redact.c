/*
 * layout_type_otel_redact.c - the log4c layout type "otel_redact": log4c's
 * "basic" line (`PRIORITY category - message`) with the configuration's
 * hideRegex applied to the message (defaults' and every matching
 * filter's: src/filter.h), so log4c's own file/stream/syslog appenders never write what
 * the otel appender would mask: one rule set protects every sink.
 *
 * The line is built in a per-thread buffer that holds the whole masked
 * message (log4c's own evt_buffer holds 511 bytes, or bufsize-1), cut only
 * at the body limit (LOG4C_OTEL_BODY_LIMIT, as records are) or when memory
 * runs out; a cut is marked "...[+N bytes]" and the line always ends with
 * '\n', so log4c's file appenders never glue two entries. The whole
 * message is masked before any cut, so a cut cannot leave part of a secret
 * that the pattern no longer matches. With an invalid configuration, or
 * none loaded yet while LOG4C_OTEL_INIT_WAIT_MS holds for
 * log4c_otel_init*(), the message is withheld (fail closed) and counted
 * (`withheld`).
 */
#include "mask.h"
#include "runtime.h"
#include "tls_scratch.h"

#include <log4c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* per-thread buffers: the masked message and the line handed to log4c
 * (kept, grown as needed; freed at thread exit) */
typedef struct redact_scratch {
    otel_mask_buf mask;
    char *line;
    size_t line_cap;
} redact_scratch;

static void scratch_fini(void *p)
{
    redact_scratch *s = p;
    free(s->mask.p);
    free(s->line);
}

static otel_tls_kind scratch_kind = {.size = sizeof(redact_scratch), .fini = scratch_fini};

#define WITHHELD "[message withheld: no valid log4c-otel configuration]"
#define WITHHELD_NOMEM "[message withheld: out of memory while masking]"
#define CUT_MARK_MAX 48 /* "...[+18446744073709551615 bytes]" and room to spare */
#define KEEP_LINE_BYTES (64u << 10) /* a bigger line buffer is released at the next small line */

/* How many bytes of s[0..len) fit in room without splitting a UTF-8
 * sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t room)
{
    if (len <= room)
        return len;
    size_t n = room;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* Writes "PRIORITY category - message\n" into dst (size bytes, at least
 * CUT_MARK_MAX + 2). A message that does not fit (or is over limit bytes,
 * when limit is not 0) is cut and the cut marked "...[+N bytes]"; the
 * line always ends with '\n'. */
static void format_line(char *dst, size_t size, const char *prio, const char *cat, const char *msg, size_t len,
                        size_t limit)
{
    int p = snprintf(dst, size, "%-8s %s - ", prio, cat);
    size_t head = p < 0 ? 0 : (size_t)p;
    if (head > size - CUT_MARK_MAX - 2)
        head = size - CUT_MARK_MAX - 2; /* a category name longer than the buffer */
    size_t room = size - head - 2; /* the newline and the NUL */
    size_t keep = len;
    if (limit && keep > limit)
        keep = limit;
    if (keep < len || keep > room) { /* cut: keep room for the marker */
        if (keep > room - CUT_MARK_MAX)
            keep = room - CUT_MARK_MAX;
        keep = utf8_cut(msg, len, keep);
        memcpy(dst + head, msg, keep);
        head += keep;
        head += (size_t)snprintf(dst + head, size - head - 1, "...[+%zu bytes]", len - keep);
    } else {
        memcpy(dst + head, msg, len);
        head += len;
    }
    dst[head++] = '\n';
    dst[head] = '\0';
}

/* A line buffer of at least need bytes in s, or NULL (out of memory). */
static char *line_buffer(redact_scratch *s, size_t need)
{
    if (s->line && s->line_cap > KEEP_LINE_BYTES && need <= KEEP_LINE_BYTES) {
        free(s->line); /* one huge message must not pin its size for ever */
        s->line = NULL;
        s->line_cap = 0;
    }
    if (s->line_cap < need) {
        char *n = realloc(s->line, need);
        if (!n)
            return NULL;
        s->line = n;
        s->line_cap = need;
    }
    return s->line;
}

static const char *redact_format(const log4c_layout_t *layout, const log4c_logging_event_t *ev)
{
    (void)layout;
    const char *msg = ev->evt_msg ? ev->evt_msg : "";
    const char *cat = ev->evt_category ? ev->evt_category : "";
    const char *prio = log4c_priority_to_string(ev->evt_priority);
    size_t len = strlen(msg);
    otel_mask_entry e = {cat, ev->evt_priority, msg, len};
    redact_scratch *s = otel_tls_get(&scratch_kind);
    otel_mask_buf local = {NULL, 0}, *buf = s ? &s->mask : &local;
    const char *shown;
    size_t shown_len;
    otel_mask_result r = otel_mask_for_sink(&e, msg, len, buf, &shown, &shown_len);
    if (r == OTEL_MASK_NO_RULES)
        shown = WITHHELD, shown_len = strlen(WITHHELD);
    else if (r < 0)
        shown = WITHHELD_NOMEM, shown_len = strlen(WITHHELD_NOMEM);
    size_t limit = otel_runtime_body_limit();
    size_t body = limit && shown_len > limit ? limit + CUT_MARK_MAX : shown_len;
    size_t need = strlen(prio) + strlen(cat) + 16 + body + CUT_MARK_MAX + 2;
    /* the whole line in this thread's buffer; log4c's own (512 bytes, or
     * bufsize) only when that cannot be had */
    char *dst = s ? line_buffer(s, need) : NULL;
    size_t size = need;
    if (!dst) {
        dst = ev->evt_buffer.buf_data;
        size = ev->evt_buffer.buf_size;
    }
    if (size >= CUT_MARK_MAX + 2)
        format_line(dst, size, prio, cat, shown, shown_len, limit);
    else if (size > 0)
        snprintf(dst, size, "\n");
    free(local.p);
    return dst;
}

const log4c_layout_type_t otel_redact_layout_type = {
    "otel_redact",
    redact_format,
};
