/*
 * mask_sink.c - the masking gate's entry for the sinks that write at once
 * (mask.h, otel_mask_for_sink): the runtime's current rules, and the
 * `withheld` counter for what could not be masked. Apart from mask.c so
 * that the gate itself does not depend on the runtime.
 */
#include "mask.h"
#include "runtime.h"

otel_mask_result otel_mask_for_sink(const otel_mask_entry *e, const char *s, size_t len, otel_mask_buf *buf,
                                    const char **out, size_t *out_len)
{
    otel_mask_result r = otel_mask_value(otel_runtime_sink_rules(), e, s, len, buf, out, out_len);
    if (r < 0)
        otel_runtime_count_withheld();
    return r;
}
