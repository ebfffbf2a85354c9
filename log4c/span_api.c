/*
 * span_api.c - the public span and trace-context functions of
 * log4c-otel.h (log4c_otel_span_*, log4c_otel_context_*,
 * log4c_otel_traceparent_*): argument checks and conversions over the core
 * (src/span.c, src/trace_context.c). After log4c_fini() the functions
 * that would start, change or log a span return LOG4C_OTEL_ESTATE
 * (log4c's categories are gone); span_end still frees the span.
 */
#include "log4c-otel.h"
#include "runtime.h"
#include "span.h"
#include "trace_context.h"

#include <stdlib.h>
#include <string.h>

static void to_internal(const log4c_otel_context_t *in, otel_span_context *out)
{
    memset(out, 0, sizeof *out);
    memcpy(out->trace_id, in->trace_id, 16);
    memcpy(out->span_id, in->span_id, 8);
    out->flags = in->flags;
}

static void to_public(const otel_span_context *in, log4c_otel_context_t *out)
{
    memcpy(out->trace_id, in->trace_id, 16);
    memcpy(out->span_id, in->span_id, 8);
    out->flags = in->flags;
}

static int valid_ids(const log4c_otel_context_t *c)
{
    return !otel_bytes_all_zero(c->trace_id, 16) && !otel_bytes_all_zero(c->span_id, 8);
}

static int start(const char *name, const otel_span_context *parent, int use_current, log4c_otel_span_t **out)
{
    if (!name || !out)
        return LOG4C_OTEL_EINVAL;
    if (otel_runtime_finalized())
        return LOG4C_OTEL_ESTATE;
    otel_span *s;
    if (otel_span_start(name, parent, use_current, &s) != 0)
        return LOG4C_OTEL_ENOMEM;
    *out = (log4c_otel_span_t *)s;
    return LOG4C_OTEL_OK;
}

int log4c_otel_span_start(const char *name, log4c_otel_span_t **out) { return start(name, NULL, 1, out); }

/* The public pairs as core attributes (keys and strings borrowed). Returns
 * LOG4C_OTEL_OK, LOG4C_OTEL_EINVAL (no key, an unknown type). */
static int filter_context_in(const log4c_otel_attr_t *in, size_t n, otel_attr *out)
{
    for (size_t i = 0; i < n; i++) {
        if (!in[i].key || !*in[i].key)
            return LOG4C_OTEL_EINVAL;
        memset(&out[i], 0, sizeof out[i]);
        out[i].key = in[i].key;
        switch (in[i].type) {
        case LOG4C_OTEL_ATTR_STRING:
            out[i].type = OTEL_VALUE_STRING;
            out[i].v.str.s = in[i].v.s ? in[i].v.s : "";
            out[i].v.str.s_len = strlen(out[i].v.str.s);
            break;
        case LOG4C_OTEL_ATTR_INT:
            out[i].type = OTEL_VALUE_INT;
            out[i].v.i = in[i].v.i;
            break;
        case LOG4C_OTEL_ATTR_DOUBLE:
            out[i].type = OTEL_VALUE_DOUBLE;
            out[i].v.d = in[i].v.d;
            break;
        case LOG4C_OTEL_ATTR_BOOL:
            out[i].type = OTEL_VALUE_BOOL;
            out[i].v.b = in[i].v.b != 0;
            break;
        default:
            return LOG4C_OTEL_EINVAL;
        }
    }
    return LOG4C_OTEL_OK;
}

int log4c_otel_span_start_with_filter_context(const char *name, const log4c_otel_attr_t *context,
                                              size_t ncontext, log4c_otel_span_t **out)
{
    if (!name || !out || (!context && ncontext > 0))
        return LOG4C_OTEL_EINVAL;
    otel_attr *fctx = NULL;
    if (ncontext > 0) {
        if (!(fctx = calloc(ncontext, sizeof *fctx)))
            return LOG4C_OTEL_ENOMEM;
        int rc = filter_context_in(context, ncontext, fctx);
        if (rc != LOG4C_OTEL_OK) {
            free(fctx);
            return rc;
        }
    }
    otel_span *s;
    int rc = otel_span_start_with_filter_context(name, NULL, 1, fctx, ncontext, &s);
    free(fctx);
    if (rc != 0)
        return LOG4C_OTEL_ENOMEM;
    *out = (log4c_otel_span_t *)s;
    return LOG4C_OTEL_OK;
}

int log4c_otel_span_start_with_parent(const char *name, const log4c_otel_context_t *parent,
                                      log4c_otel_span_t **out)
{
    if (!parent)
        return start(name, NULL, 0, out);
    if (!valid_ids(parent))
        return LOG4C_OTEL_EINVAL;
    otel_span_context p;
    to_internal(parent, &p);
    return start(name, &p, 0, out);
}

int log4c_otel_span_start_from_traceparent(const char *name, const char *traceparent, log4c_otel_span_t **out)
{
    otel_span_context p;
    if (otel_traceparent_parse(traceparent, &p) != 0)
        return LOG4C_OTEL_EINVAL;
    return start(name, &p, 0, out);
}

static int set(log4c_otel_span_t *span, const char *key, const otel_attr *v)
{
    if (!span || !key || !*key)
        return LOG4C_OTEL_EINVAL;
    if (otel_runtime_finalized())
        return LOG4C_OTEL_ESTATE;
    int rc = otel_span_set_attr((otel_span *)span, key, v);
    return rc == 0 ? LOG4C_OTEL_OK : rc == -2 ? LOG4C_OTEL_EINVAL : LOG4C_OTEL_ENOMEM;
}

int log4c_otel_span_set_string(log4c_otel_span_t *span, const char *key, const char *value)
{
    if (!value)
        return LOG4C_OTEL_EINVAL;
    otel_attr a = {.type = OTEL_VALUE_STRING, .v.str = {value, strlen(value)}};
    return set(span, key, &a);
}

int log4c_otel_span_set_int(log4c_otel_span_t *span, const char *key, int64_t value)
{
    otel_attr a = {.type = OTEL_VALUE_INT, .v.i = value};
    return set(span, key, &a);
}

int log4c_otel_span_set_double(log4c_otel_span_t *span, const char *key, double value)
{
    otel_attr a = {.type = OTEL_VALUE_DOUBLE, .v.d = value};
    return set(span, key, &a);
}

int log4c_otel_span_set_bool(log4c_otel_span_t *span, const char *key, int value)
{
    otel_attr a = {.type = OTEL_VALUE_BOOL, .v.b = value != 0};
    return set(span, key, &a);
}

int log4c_otel_span_set_status(log4c_otel_span_t *span, int status, const char *message)
{
    if (!span || status < LOG4C_OTEL_STATUS_UNSET || status > LOG4C_OTEL_STATUS_ERROR)
        return LOG4C_OTEL_EINVAL;
    if (otel_runtime_finalized())
        return LOG4C_OTEL_ESTATE;
    return otel_span_set_status((otel_span *)span, status, message) == 0 ? LOG4C_OTEL_OK : LOG4C_OTEL_ENOMEM;
}

int log4c_otel_span_context(const log4c_otel_span_t *span, log4c_otel_context_t *out)
{
    if (!span || !out)
        return LOG4C_OTEL_EINVAL;
    otel_span_context c;
    otel_span_get_context((const otel_span *)span, &c);
    to_public(&c, out);
    return LOG4C_OTEL_OK;
}

int log4c_otel_span_end(log4c_otel_span_t *span)
{
    if (!span)
        return LOG4C_OTEL_EINVAL;
    /* after log4c_fini() the traces sink writes nothing; the span is freed
     * and the thread's context restored all the same */
    int finalized = otel_runtime_finalized();
    otel_span_end((otel_span *)span);
    return finalized ? LOG4C_OTEL_ESTATE : LOG4C_OTEL_OK;
}

int log4c_otel_context_current(log4c_otel_context_t *out)
{
    if (!out)
        return LOG4C_OTEL_EINVAL;
    otel_span_context c;
    if (!otel_context_current(&c))
        return LOG4C_OTEL_ENOCONTEXT;
    to_public(&c, out);
    return LOG4C_OTEL_OK;
}

int log4c_otel_traceparent_format(const log4c_otel_context_t *ctx, char *out, size_t size)
{
    if (!ctx || !out || size < LOG4C_OTEL_TRACEPARENT_SIZE)
        return LOG4C_OTEL_EINVAL;
    otel_span_context c;
    to_internal(ctx, &c);
    otel_traceparent_format(&c, out);
    return LOG4C_OTEL_OK;
}

int log4c_otel_traceparent_current(char *out, size_t size)
{
    if (!out || size < LOG4C_OTEL_TRACEPARENT_SIZE)
        return LOG4C_OTEL_EINVAL;
    otel_span_context c;
    if (!otel_context_current(&c))
        return LOG4C_OTEL_ENOCONTEXT;
    otel_traceparent_format(&c, out);
    return LOG4C_OTEL_OK;
}

int log4c_otel_traceparent_parse(const char *traceparent, log4c_otel_context_t *out)
{
    otel_span_context c;
    if (!out || otel_traceparent_parse(traceparent, &c) != 0)
        return LOG4C_OTEL_EINVAL;
    to_public(&c, out);
    return LOG4C_OTEL_OK;
}

int log4c_otel_context_attach(const log4c_otel_context_t *ctx)
{
    if (!ctx || !valid_ids(ctx))
        return LOG4C_OTEL_EINVAL;
    if (otel_runtime_finalized())
        return LOG4C_OTEL_ESTATE;
    otel_span_context c;
    to_internal(ctx, &c);
    return otel_context_attach(&c) == 0 ? LOG4C_OTEL_OK : LOG4C_OTEL_ENOMEM;
}

int log4c_otel_context_attach_traceparent(const char *traceparent)
{
    otel_span_context c;
    if (otel_traceparent_parse(traceparent, &c) != 0)
        return LOG4C_OTEL_EINVAL;
    if (otel_runtime_finalized())
        return LOG4C_OTEL_ESTATE;
    return otel_context_attach(&c) == 0 ? LOG4C_OTEL_OK : LOG4C_OTEL_ENOMEM;
}

int log4c_otel_context_detach(void)
{
    return otel_context_detach() == 0 ? LOG4C_OTEL_OK : LOG4C_OTEL_ENOCONTEXT;
}
