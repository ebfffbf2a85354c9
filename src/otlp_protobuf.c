/*
 * otlp_protobuf.c - OTLP/protobuf encoding of a batch (the body of
 * POST /v1/logs with Content-Type application/x-protobuf), and the decoding
 * of the collector's answer (partial_success), in protobuf or JSON.
 *
 * The encoder builds a protobuf-c message tree that points into the records
 * (no string is copied) and packs it once. Every message of the tree lives
 * in one allocation sized for the whole batch, so a 512-record batch costs
 * one malloc for the tree, one for the scope grouping, and the output.
 */
#include "encode.h"

#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "log4c-otel.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb-c.h"

/* Short local names for the generated types. */
typedef Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceRequest pb_request;
typedef Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceResponse pb_response;
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

int otel_encode_protobuf(const otel_resource *res, otel_record *const *recs, size_t n, otel_buf *out)
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

/* ---- the collector's answer ---- */

static void copy_message(char *msg, size_t msglen, const char *s)
{
    size_t n;

    if (msg == NULL || msglen == 0 || s == NULL)
        return;
    n = strlen(s);
    if (n >= msglen)
        n = msglen - 1;
    memcpy(msg, s, n);
    msg[n] = '\0';
}

static long long decode_rejected_protobuf(const char *body, size_t len, char *msg, size_t msglen)
{
    pb_response *resp;
    long long rejected = 0;

    resp = opentelemetry__proto__collector__logs__v1__export_logs_service_response__unpack(
        NULL, len, (const uint8_t *)body);
    if (resp == NULL)
        return -1;
    if (resp->partial_success != NULL) {
        rejected = resp->partial_success->rejected_log_records;
        copy_message(msg, msglen, resp->partial_success->error_message);
    }
    opentelemetry__proto__collector__logs__v1__export_logs_service_response__free_unpacked(resp, NULL);
    return rejected < 0 ? -1 : rejected;
}

/* The proto3 JSON mapping lets a parser meet either spelling of a field. */
static json_t *json_field(json_t *obj, const char *camel, const char *snake)
{
    json_t *v = json_object_get(obj, camel);
    return v != NULL ? v : json_object_get(obj, snake);
}

/* int64 in OTLP/JSON: a decimal string, though numbers are accepted too. */
static long long json_int64(json_t *v)
{
    const char *s;
    char *end;
    long long x;

    if (v == NULL || json_is_null(v))
        return 0;
    if (json_is_integer(v))
        return (long long)json_integer_value(v);
    if (!json_is_string(v))
        return -1;
    s = json_string_value(v);
    if (*s == '\0')
        return 0;
    errno = 0;
    x = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || end == s)
        return -1;
    return x;
}

static int all_space(const char *s, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

static long long decode_rejected_json(const char *body, size_t len, char *msg, size_t msglen)
{
    json_t *root, *ps, *em;
    long long rejected = 0;

    if (all_space(body, len))
        return 0;
    root = json_loadb(body, len, JSON_DECODE_ANY, NULL);
    if (root == NULL)
        return -1;
    if (!json_is_object(root)) {
        json_decref(root);
        return -1;
    }
    ps = json_field(root, "partialSuccess", "partial_success");
    if (ps != NULL && json_is_object(ps)) {
        rejected = json_int64(json_field(ps, "rejectedLogRecords", "rejected_log_records"));
        em = json_field(ps, "errorMessage", "error_message");
        if (json_is_string(em))
            copy_message(msg, msglen, json_string_value(em));
    } else if (ps != NULL && !json_is_null(ps)) {
        rejected = -1;
    }
    json_decref(root);
    return rejected < 0 ? -1 : rejected;
}

long long otel_decode_rejected(const char *body, size_t len, int is_json, char *msg, size_t msglen)
{
    if (msg != NULL && msglen > 0)
        msg[0] = '\0';
    if (body == NULL || len == 0) /* a 200 with no body is full success */
        return 0;
    return is_json ? decode_rejected_json(body, len, msg, msglen)
                   : decode_rejected_protobuf(body, len, msg, msglen);
}
