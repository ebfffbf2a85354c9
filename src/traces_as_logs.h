/*
 * traces_as_logs.h - the one line a finished span becomes (io.Insights'
 * "traces as logs" format, docs/CONFIGURATION.md, "Traces as logs"):
 *
 *   <trace-id>-<span-id>-<parent-span-id> <span-name> <span-status> <span-duration-in-ms> <span-attributes-as-json>
 *
 * and the hook through which hideRegex masks its string values.
 */
#ifndef LOG4C_OTEL_TRACES_AS_LOGS_H
#define LOG4C_OTEL_TRACES_AS_LOGS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "record.h"

/* What a finished span contributes to its line. */
typedef struct otel_span_line {
    const uint8_t *trace_id;       /* 16 bytes */
    const uint8_t *span_id;        /* 8 bytes */
    const uint8_t *parent_span_id; /* 8 bytes, or NULL for a root span (printed as zeros) */
    const char *name;              /* any bytes, NUL-terminated */
    int status;                    /* 0 unset, 1 ok, 2 error (others printed as 0) */
    uint64_t duration_ms;
    const otel_attr *attrs; /* keys and string values: any bytes (sanitised to UTF-8) */
    size_t nattrs;
    const char *status_message; /* NULL or the error description, added as "otel.status_description" */
} otel_span_line;

/*
 * Appends the line (no trailing newline) to out. Returns 0, or -1 when out
 * of memory (out is then left as it was).
 *
 * - ids: lowercase hex, 32-16-16; the parent is 16 zeros for a root span;
 * - every text (the name, attribute keys, string values, the status
 *   message) passes through otel_redact_string first, before any rewrite
 *   or escape, so a mask sees it as given; a text the redactor cannot
 *   mask is withheld: a name or key is written "[withheld]", a value null;
 * - name: invalid UTF-8 becomes U+FFFD; every whitespace or control
 *   character (ASCII and Unicode White_Space, e.g. U+00A0, U+2028) becomes
 *   '_', so the line always splits into five fields on ' ' (the JSON, the
 *   last field, may hold spaces inside strings); '\' is written "\\" and
 *   every other character outside printable ASCII as \uXXXX (surrogate
 *   pairs above U+FFFF), as in the JSON; an empty name is "_";
 * - status: 0, 1 or 2; duration: whole milliseconds (rounded down);
 * - attributes: one compact JSON object in the order given; strings
 *   escaped as JSON requires, with every character outside printable ASCII
 *   as \uXXXX (surrogate pairs above U+FFFF), so the line is pure ASCII;
 *   invalid UTF-8 becomes \ufffd; integers as integers, doubles in the
 *   shortest form that reads back exactly (NaN and infinities as null, as
 *   JSON.stringify does), booleans as true/false.
 */
int otel_traces_line_format(const otel_span_line *s, otel_buf *out);

/*
 * The redactor: returns a malloc'd copy of s[0..len) with every secret
 * masked (its length in *out_len), or NULL when the value passes unchanged
 * (*out_len = len), or NULL with *out_len = (size_t)-1 when it cannot be
 * masked (no valid rules, out of memory): the caller then withholds the
 * value, never printing it unmasked. With no redactor set, values pass
 * unchanged. The runtime sets one when it loads the configuration (before
 * any traces line can be logged): it masks through the gate under the
 * traces category's rules (mask.h, otel_mask_for_sink), and withholds
 * every text when the configuration is invalid.
 */
typedef char *(*otel_redact_fn)(void *ctx, const char *s, size_t len, size_t *out_len);
void otel_traces_set_redactor(otel_redact_fn fn, void *ctx);

/* Calls the redactor set above (NULL and *out_len = len when none). */
char *otel_redact_string(const char *s, size_t len, size_t *out_len);

#endif
