/*
 * encode.h - OTLP encodings of a batch: protobuf (the wire format written
 * directly by otlp_protobuf.c; the protobuf-c code generated at build time
 * from proto/ only decodes the collector's answer) and OTLP/JSON
 * (otlp_json.c). One ExportLogsServiceRequest per
 * call: one ResourceLogs carrying the resource, one ScopeLogs per category
 * (scope name = category, scope version = LOG4C_OTEL_VERSION), records in
 * input order within each scope.
 */
#ifndef LOG4C_OTEL_ENCODE_H
#define LOG4C_OTEL_ENCODE_H

#include <stddef.h>
#include <string.h>
#include "buf.h"
#include "log4c-otel.h"
#include "record.h"

typedef struct otel_resource {
    const otel_attr *attrs;
    size_t nattrs;
} otel_resource;

/* Each appends the encoded request to out. Returns 0, -1 when out of memory. */
int otel_encode_protobuf(const otel_resource *res, otel_record *const *recs, size_t n, otel_buf *out);
int otel_encode_json(const otel_resource *res, otel_record *const *recs, size_t n, otel_buf *out);

/* The bytes of r's LogRecord message as packed (without its own tag and
 * length): r->wire_size, which otel_record_new sets while it builds the
 * record; measured here and kept there when 0 (a record built by hand, or
 * changed after it was built: whoever changes it clears wire_size). The
 * split and the encoder both need it. */
static inline size_t otel_log_record_size(otel_record *r);
/* What otel_log_record_size does when wire_size is 0: measures and keeps. */
size_t otel_log_record_measure(otel_record *r);

/* An upper bound of the bytes record r adds to a protobuf request (the
 * LogRecord with its tag and length, plus its share of a ScopeLogs header). */
size_t otel_encoded_size_bound(otel_record *r);

/* How many of recs[0..n) go into the next request so that the sum of
 * otel_encoded_size_bound stays <= cap. Always >= 1 when n >= 1 (a record
 * larger than cap travels alone). */
size_t otel_batch_split(otel_record *const *recs, size_t n, size_t cap);

/* Decodes an ExportLogsServiceResponse (protobuf or JSON, per is_json) and
 * returns partial_success.rejected_log_records (0 when absent or on an empty
 * body); -1 when the body cannot be parsed. The error message, if any, is
 * copied to msg. */
long long otel_decode_rejected(const char *body, size_t len, int is_json, char *msg, size_t msglen);

/* An upper bound of the bytes a request spends outside its ScopeLogs: the
 * request's ResourceLogs tag and length (worst case) and the Resource with
 * its attributes. For any split made with otel_batch_split(..., cap):
 *     packed request size <= cap + otel_resource_overhead_bound(res)
 * (or, for a lone record larger than cap, its bound plus that overhead).
 * So a caller that must stay under a hard limit passes
 * cap = limit - otel_resource_overhead_bound(res). */
size_t otel_resource_overhead_bound(const otel_resource *res);

/* The records of a batch grouped per category (= per ScopeLogs), shared by
 * both encoders. Groups are in first-seen order; within a group, records
 * keep their input order. Records are compared by category bytes
 * (category, category_len; NULL = ""). The encoders assume category is
 * NUL-terminated at category_len, as otel_record_new makes it. */
typedef struct otel_scope_groups {
    size_t ngroups;
    size_t *start; /* ngroups + 1 entries: group g is order[start[g] .. start[g+1]) */
    size_t *order; /* n indices into recs */
} otel_scope_groups;

/* Fills g in O(n) expected time (one allocation). Returns 0, -1 when out of
 * memory (g is then empty and needs no free). */
int otel_scope_groups_build(otel_scope_groups *g, otel_record *const *recs, size_t n);
void otel_scope_groups_free(otel_scope_groups *g);

/* Bytes a protobuf varint of v takes (1..10): the size pass of the writer
 * and the batch bound must agree on it. */
static inline size_t otel_varint_size(uint64_t v)
{
    if (v < 0x80) /* most lengths and values: one or two bytes, told by one test each */
        return 1;
    if (v < 0x4000)
        return 2;
    size_t n = 3;
    for (v >>= 21; v; v >>= 7)
        n++;
    return n;
}

/* The sizes below are shared by the writer (otlp_protobuf.c) and the batch
 * bound (batch.c): every field number we write is below 16, so a tag is
 * one byte. */

/* A length-delimited field (string, bytes, submessage): tag, length, data. */
static inline size_t otel_pb_len_field(size_t payload) { return 1 + otel_varint_size(payload) + payload; }

/* AnyValue without its own tag and length; an unknown type is an empty
 * AnyValue (no oneof member set). */
static inline size_t otel_pb_any_value_size(const otel_attr *a)
{
    switch (a->type) {
    case OTEL_VALUE_STRING: return otel_pb_len_field(a->v.str.s ? a->v.str.s_len : 0);
    case OTEL_VALUE_INT: return 1 + otel_varint_size((uint64_t)a->v.i);
    case OTEL_VALUE_DOUBLE: return 1 + 8;
    case OTEL_VALUE_BOOL: return 1 + 1;
    }
    return 0;
}

/* A key's bytes: a record's attributes carry them (otel_record_new set
 * key_len); any other attribute (the resource's) is measured. */
static inline size_t otel_pb_key_len(const otel_attr *a, int in_record)
{
    return in_record ? a->key_len : a->key ? strlen(a->key) : 0;
}

/* KeyValue without its own tag and length, from its key's bytes (absent
 * when empty) and its AnyValue's size (otel_pb_any_value_size). */
static inline size_t otel_pb_kv_size(size_t key_len, size_t value_size)
{
    return (key_len ? otel_pb_len_field(key_len) : 0) + otel_pb_len_field(value_size);
}

/* KeyValue without its own tag and length: key (absent when empty), value. */
static inline size_t otel_pb_key_value_size(const otel_attr *a, size_t key_len)
{
    return otel_pb_kv_size(key_len, otel_pb_any_value_size(a));
}

/* InstrumentationScope{name = the record's category, version} without its
 * own tag and length (an empty name is left out). */
static inline size_t otel_pb_scope_size(const otel_record *r)
{
    size_t name = r->category ? r->category_len : 0;
    return (name ? otel_pb_len_field(name) : 0) + otel_pb_len_field(sizeof LOG4C_OTEL_VERSION - 1);
}

/* The longest key and string value of a short KeyValue together: with
 * them, the KeyValue's payload is at most 127 bytes. */
#define OTEL_PB_SHORT_KV_TEXT 121

/* KeyValue without its own tag and length, as otel_pb_key_value_size, when
 * every length in it (its own, the key's, the AnyValue's, a string's) takes
 * one varint byte: a string value whose key and value together are at most
 * OTEL_PB_SHORT_KV_TEXT bytes, or an integer under a key of at most that
 * many bytes less 10 (most attributes). 0 for any other. The writer then
 * writes it without varint arithmetic for the lengths. */
static inline size_t otel_pb_short_kv_size(const otel_attr *a, size_t key_len)
{
    size_t key = key_len ? 2 + key_len : 0; /* tag, length, bytes */
    if (a->type == OTEL_VALUE_STRING) {
        size_t slen = a->v.str.s ? a->v.str.s_len : 0;
        /* value: tag, length, AnyValue{tag, length, bytes} */
        return key_len + slen <= OTEL_PB_SHORT_KV_TEXT ? key + 4 + slen : 0;
    }
    if (a->type == OTEL_VALUE_INT) /* value: tag, length, AnyValue{tag, varint} */
        return key_len <= OTEL_PB_SHORT_KV_TEXT - 10 ? key + 3 + otel_varint_size((uint64_t)a->v.i) : 0;
    return 0;
}

/* One attribute as an element of a repeated KeyValue field (with its tag
 * and length), from its key's bytes. */
static inline size_t otel_pb_attr_field_size(const otel_attr *a, size_t key_len)
{
    size_t kv = otel_pb_short_kv_size(a, key_len);
    return kv ? 2 + kv : otel_pb_len_field(otel_pb_key_value_size(a, key_len));
}

/* n attributes as a repeated KeyValue field (each with its tag and length). */
static inline size_t otel_pb_attrs_size(const otel_attr *attrs, size_t n, int in_record)
{
    size_t sz = 0;
    for (size_t i = 0; i < n; i++)
        sz += otel_pb_attr_field_size(&attrs[i], otel_pb_key_len(&attrs[i], in_record));
    return sz;
}

/* The bytes of r's LogRecord message as packed, but for its attributes
 * (field 6), given strlen(r->severity_text) (0 when NULL). Field by field
 * what otlp_protobuf.c writes (proto3: zero/empty scalars are not written;
 * the body, a set submessage, always is). */
static inline size_t otel_pb_log_record_base_size(const otel_record *r, size_t severity_text_len)
{
    size_t sz = 0;
    if (r->time_unix_nano != 0)
        sz += 1 + 8;
    if (r->observed_time_unix_nano != 0)
        sz += 1 + 8;
    if (r->severity_number != 0) /* enums are int32: negative ones take 10 bytes */
        sz += 1 + otel_varint_size((uint64_t)(int64_t)r->severity_number);
    if (severity_text_len)
        sz += otel_pb_len_field(severity_text_len);
    sz += otel_pb_len_field(otel_pb_len_field(r->body == NULL ? 0 : r->body_len)); /* body: AnyValue{string_value} */
    if (r->dropped_attrs != 0)
        sz += 1 + otel_varint_size(r->dropped_attrs);
    if (r->flags != 0)
        sz += 1 + 4;
    if (!otel_bytes_all_zero(r->trace_id, sizeof r->trace_id))
        sz += otel_pb_len_field(sizeof r->trace_id);
    if (!otel_bytes_all_zero(r->span_id, sizeof r->span_id))
        sz += otel_pb_len_field(sizeof r->span_id);
    return sz;
}

/* inline: the split and the encoder ask for every record */
static inline size_t otel_log_record_size(otel_record *r)
{
    return r->wire_size ? r->wire_size : otel_log_record_measure(r);
}

#endif
