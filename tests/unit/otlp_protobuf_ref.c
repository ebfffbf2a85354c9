/*
 * otlp_protobuf_ref.c - the reference the direct protobuf writer of
 * src/otlp_protobuf.c is compared with, byte for byte: the same request
 * built as a protobuf-c message tree (pointing into the records) and packed
 * by protobuf-c. This was the library's encoder before the direct writer.
 * Strings are packed by protobuf-c up to their first NUL, so comparisons
 * use NUL-free records.
 */
#include "otlp_protobuf_ref.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log4c-otel.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb-c.h"

/* Short local names for the generated types. */
typedef Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceRequest pb_request;
typedef Opentelemetry__Proto__Logs__V1__ResourceLogs pb_resource_logs;
typedef Opentelemetry__Proto__Logs__V1__ScopeLogs pb_scope_logs;
typedef Opentelemetry__Proto__Logs__V1__LogRecord pb_log_record;
typedef Opentelemetry__Proto__Resource__V1__Resource pb_resource;
typedef Opentelemetry__Proto__Common__V1__InstrumentationScope pb_scope;
typedef Opentelemetry__Proto__Common__V1__KeyValue pb_key_value;
typedef Opentelemetry__Proto__Common__V1__AnyValue pb_any_value;

/* protobuf-c takes char * for strings but only reads them while packing;
 * the casts below drop a const that the generated structs cannot carry. */
static char *pb_str(const char *s)
{
    return s == NULL ? (char *)"" : (char *)s;
}

/* ---- one allocation for the whole tree ---- */

/* Offsets of each array inside the block, computed before the malloc. */
typedef struct tree_layout {
    size_t off_rl, off_rlp, off_res, off_kv, off_kvp, off_av;
    size_t off_sl, off_slp, off_sc, off_lr, off_lrp;
    size_t total;
    int overflow;
} tree_layout;

static size_t layout_take(tree_layout *l, size_t count, size_t elem)
{
    const size_t align = alignof(max_align_t);
    size_t off = (l->total + align - 1) / align * align, bytes;

    if (off < l->total || (elem != 0 && count > SIZE_MAX / elem))
        l->overflow = 1;
    bytes = count * elem;
    if (l->overflow || bytes > SIZE_MAX - off) {
        l->overflow = 1;
        return 0;
    }
    l->total = off + bytes;
    return off;
}

/* The message tree: arrays of every message type, all in one block. */
typedef struct tree {
    void *block;
    pb_resource_logs *rl, **rlp;
    pb_resource *res;
    pb_key_value *kv, **kvp; /* resource attributes first, then the records' */
    pb_any_value *av;        /* one per key/value (av[i] is kv[i]'s), then one body per record */
    size_t nkv;              /* key/values in the tree: bodies start at av[nkv] */
    pb_scope_logs *sl, **slp;
    pb_scope *sc;
    pb_log_record *lr, **lrp; /* lrp is in scope order: scope g owns a slice */
} tree;

static int tree_alloc(tree *t, size_t nres, size_t nattrs, size_t ngroups, size_t n)
{
    tree_layout l;
    char *b;
    size_t nkv = nres + nattrs;

    memset(&l, 0, sizeof l);
    l.off_rl = layout_take(&l, 1, sizeof(pb_resource_logs));
    l.off_rlp = layout_take(&l, 1, sizeof(pb_resource_logs *));
    l.off_res = layout_take(&l, 1, sizeof(pb_resource));
    l.off_kv = layout_take(&l, nkv, sizeof(pb_key_value));
    l.off_kvp = layout_take(&l, nkv, sizeof(pb_key_value *));
    l.off_av = layout_take(&l, nkv + n, sizeof(pb_any_value));
    l.off_sl = layout_take(&l, ngroups, sizeof(pb_scope_logs));
    l.off_slp = layout_take(&l, ngroups, sizeof(pb_scope_logs *));
    l.off_sc = layout_take(&l, ngroups, sizeof(pb_scope));
    l.off_lr = layout_take(&l, n, sizeof(pb_log_record));
    l.off_lrp = layout_take(&l, n, sizeof(pb_log_record *));
    if (l.overflow || nkv < nres)
        return -1;
    b = malloc(l.total);
    if (b == NULL)
        return -1;
    t->block = b;
    t->nkv = nkv;
    t->rl = (pb_resource_logs *)(void *)(b + l.off_rl);
    t->rlp = (pb_resource_logs **)(void *)(b + l.off_rlp);
    t->res = (pb_resource *)(void *)(b + l.off_res);
    t->kv = (pb_key_value *)(void *)(b + l.off_kv);
    t->kvp = (pb_key_value **)(void *)(b + l.off_kvp);
    t->av = (pb_any_value *)(void *)(b + l.off_av);
    t->sl = (pb_scope_logs *)(void *)(b + l.off_sl);
    t->slp = (pb_scope_logs **)(void *)(b + l.off_slp);
    t->sc = (pb_scope *)(void *)(b + l.off_sc);
    t->lr = (pb_log_record *)(void *)(b + l.off_lr);
    t->lrp = (pb_log_record **)(void *)(b + l.off_lrp);
    return 0;
}

/* ---- filling the tree ---- */

static void fill_any_value(pb_any_value *av, const otel_attr *a)
{
    opentelemetry__proto__common__v1__any_value__init(av);
    switch (a->type) {
    case OTEL_VALUE_STRING:
        av->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE;
        av->string_value = pb_str(a->v.str.s);
        break;
    case OTEL_VALUE_INT:
        av->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE;
        av->int_value = a->v.i;
        break;
    case OTEL_VALUE_DOUBLE:
        av->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_DOUBLE_VALUE;
        av->double_value = a->v.d;
        break;
    case OTEL_VALUE_BOOL:
        av->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BOOL_VALUE;
        av->bool_value = a->v.b != 0;
        break;
    }
}

/* Fills kv/kvp/av[0..n) from attrs. */
static void fill_attributes(pb_key_value *kv, pb_key_value **kvp, pb_any_value *av,
                              const otel_attr *attrs, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        opentelemetry__proto__common__v1__key_value__init(&kv[i]);
        kv[i].key = pb_str(attrs[i].key);
        fill_any_value(&av[i], &attrs[i]);
        kv[i].value = &av[i];
        kvp[i] = &kv[i];
    }
}

static void fill_log_record(pb_log_record *lr, pb_any_value *body, otel_record *r,
                            pb_key_value *kv, pb_key_value **kvp, pb_any_value *av)
{
    opentelemetry__proto__logs__v1__log_record__init(lr);
    lr->time_unix_nano = r->time_unix_nano;
    lr->observed_time_unix_nano = r->observed_time_unix_nano;
    lr->severity_number = (Opentelemetry__Proto__Logs__V1__SeverityNumber)r->severity_number;
    lr->severity_text = pb_str(r->severity_text);

    opentelemetry__proto__common__v1__any_value__init(body);
    body->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE;
    body->string_value = pb_str(r->body);
    lr->body = body;

    fill_attributes(kv, kvp, av, r->attrs, r->nattrs);
    lr->n_attributes = r->nattrs;
    lr->attributes = r->nattrs ? kvp : NULL;
    lr->flags = r->flags;
    lr->dropped_attributes_count = r->dropped_attrs;
    /* An all-zero id means "none": OTLP wants the field absent then. */
    if (!otel_bytes_all_zero(r->trace_id, sizeof r->trace_id)) {
        lr->trace_id.len = sizeof r->trace_id;
        lr->trace_id.data = r->trace_id;
    }
    if (!otel_bytes_all_zero(r->span_id, sizeof r->span_id)) {
        lr->span_id.len = sizeof r->span_id;
        lr->span_id.data = r->span_id;
    }
}

static void fill_scope(tree *t, size_t g, const otel_record *first, pb_log_record **records, size_t count)
{
    opentelemetry__proto__common__v1__instrumentation_scope__init(&t->sc[g]);
    t->sc[g].name = pb_str(first->category);
    t->sc[g].version = (char *)LOG4C_OTEL_VERSION;
    opentelemetry__proto__logs__v1__scope_logs__init(&t->sl[g]);
    t->sl[g].scope = &t->sc[g];
    t->sl[g].n_log_records = count;
    t->sl[g].log_records = records;
    t->slp[g] = &t->sl[g];
}

static void fill_tree(tree *t, const otel_resource *res, otel_record *const *recs, size_t n,
                      const otel_scope_groups *groups)
{
    size_t nres = res == NULL ? 0 : res->nattrs;
    size_t next = nres; /* next free key/value slot: records' attributes follow the resource's */
    size_t i, g;

    opentelemetry__proto__resource__v1__resource__init(t->res);
    fill_attributes(t->kv, t->kvp, t->av, nres ? res->attrs : NULL, nres);
    t->res->n_attributes = nres;
    t->res->attributes = nres ? t->kvp : NULL;

    /* Records in scope order, so each scope's pointers are one slice. */
    for (i = 0; i < n; i++) {
        otel_record *r = recs[groups->order[i]];
        t->lrp[i] = &t->lr[i];
        fill_log_record(&t->lr[i], &t->av[t->nkv + i], r, &t->kv[next], &t->kvp[next], &t->av[next]);
        next += r->nattrs;
    }
    for (g = 0; g < groups->ngroups; g++) {
        size_t s = groups->start[g];
        fill_scope(t, g, recs[groups->order[s]], &t->lrp[s], groups->start[g + 1] - s);
    }

    opentelemetry__proto__logs__v1__resource_logs__init(t->rl);
    t->rl->resource = t->res;
    t->rl->n_scope_logs = groups->ngroups;
    t->rl->scope_logs = groups->ngroups ? t->slp : NULL;
    t->rlp[0] = t->rl;
}

static int pack_into(const pb_request *req, otel_buf *out)
{
    size_t size = opentelemetry__proto__collector__logs__v1__export_logs_service_request__get_packed_size(req);

    if (otel_buf_reserve(out, size) != 0)
        return -1;
    out->len += opentelemetry__proto__collector__logs__v1__export_logs_service_request__pack(
        req, (uint8_t *)out->data + out->len);
    return 0;
}

int otel_encode_protobuf_ref(const otel_resource *res, otel_record *const *recs, size_t n, otel_buf *out)
{
    otel_scope_groups groups;
    pb_request req = OPENTELEMETRY__PROTO__COLLECTOR__LOGS__V1__EXPORT_LOGS_SERVICE_REQUEST__INIT;
    tree t;
    size_t i, nattrs = 0;
    int rc;

    for (i = 0; i < n; i++)
        nattrs += recs[i]->nattrs;
    if (otel_scope_groups_build(&groups, recs, n) != 0)
        return -1;
    if (tree_alloc(&t, res == NULL ? 0 : res->nattrs, nattrs, groups.ngroups, n) != 0) {
        otel_scope_groups_free(&groups);
        return -1;
    }
    fill_tree(&t, res, recs, n, &groups);
    req.n_resource_logs = 1;
    req.resource_logs = t.rlp;
    rc = pack_into(&req, out);
    free(t.block);
    otel_scope_groups_free(&groups);
    return rc;
}
