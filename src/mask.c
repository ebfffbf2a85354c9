/*
 * mask.c - the masking gate (mask.h).
 */
#include "mask.h"
#include "record.h"
#include "utf8.h"

#include <stdlib.h>

otel_mask_result otel_mask_value(const otel_filter_set *rules, const otel_mask_entry *e, const char *s, size_t len,
                                 otel_mask_buf *buf, const char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (!rules)
        return OTEL_MASK_NO_RULES;
    const otel_log_options *o =
        otel_filter_select(rules, e->category, otel_severity_number(e->log4c_priority), e->body, e->body_len);
    if (!o->hide) {
        *out = s;
        *out_len = len;
        return OTEL_MASK_UNTOUCHED;
    }
    /* a sanitised copy (invalid bytes -> U+FFFD), masked in place */
    size_t clean = otel_utf8_sanitized_len(s, len, 0);
    if (clean + 1 > buf->cap) {
        char *p = realloc(buf->p, clean + 1);
        if (!p)
            return OTEL_MASK_NOMEM;
        buf->p = p;
        buf->cap = clean + 1;
    }
    otel_utf8_sanitize(buf->p, s, len, 0);
    size_t n = otel_mask_in_place(o, buf->p, clean);
    buf->p[n] = '\0';
    *out = buf->p;
    *out_len = n;
    return OTEL_MASK_MASKED;
}

size_t otel_mask_in_place(const otel_log_options *o, char *s, size_t len)
{
    return o->hide ? otel_regex_mask_set(o->hide, s, len) : len;
}
