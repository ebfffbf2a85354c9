/*
 * record.h - the log record model shared by the whole core.
 *
 * A record is one allocation: the struct, its attribute array and every
 * string it points to but the library's own attribute key names, which
 * are constants. It is built from a lane entry (lane_entry.h) through
 * the pipeline, which masks it in place before anything else sees it; then
 * it does not change: the queue moves the pointer, the worker encodes and
 * frees it. Nothing in the core knows log4c's types.
 */
#ifndef LOG4C_OTEL_RECORD_H
#define LOG4C_OTEL_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef enum otel_value_type {
    OTEL_VALUE_STRING = 0,
    OTEL_VALUE_INT = 1,
    OTEL_VALUE_DOUBLE = 2,
    OTEL_VALUE_BOOL = 3
} otel_value_type;

/* One typed attribute. In a record, key and s point into the record's own
 * allocation (a key may also be one of the library's string constants,
 * otel_record_input.static_keys); s is valid UTF-8 of s_len bytes, NUL-terminated; key_len is
 * strlen(key), set by otel_record_new so the encoders need not measure
 * every key of every record again. Outside a record key_len means nothing
 * (whoever builds an attribute may leave it unset) unless the one who made
 * the list says so (otel_record_input.keys_measured). */
typedef struct otel_attr {
    const char *key;
    otel_value_type type;
    uint32_t key_len; /* in a record only; fills the padding before the union */
    union {
        struct {
            const char *s;
            size_t s_len;
        } str;
        int64_t i;
        double d;
        int b;
    } v;
} otel_attr;

typedef struct otel_record {
    uint64_t time_unix_nano;          /* when the event happened */
    uint64_t observed_time_unix_nano; /* when the appender saw it */
    int32_t severity_number;          /* OTel SeverityNumber, 0 = unspecified */
    uint32_t severity_text_len;       /* strlen(severity_text), set by otel_record_new; 0 = not known */
    const char *severity_text;        /* static string, e.g. "ERROR" */
    const char *category;             /* instrumentation scope name */
    size_t category_len;
    const char *body; /* valid UTF-8, NUL-terminated */
    size_t body_len;
    uint8_t trace_id[16]; /* all zero = none */
    uint8_t span_id[8];   /* all zero = none */
    uint32_t flags;       /* W3C trace flags (bit 0 = sampled) */
    uint32_t dropped_attrs; /* attributes left out by attributeCountLimit (dropped_attributes_count) */
    size_t nattrs;
    otel_attr *attrs;
    size_t size; /* bytes of the whole allocation: what the queue's byte cap counts */
    size_t wire_size; /* the packed LogRecord's bytes (otel_log_record_size), set by otel_record_new;
                       * 0 = not measured yet: whoever changes a record after it was built (masking)
                       * clears it */
} otel_record;

/* What the producer gives to otel_record_new; strings are copied. */
typedef struct otel_record_input {
    uint64_t time_unix_nano;
    uint64_t observed_time_unix_nano;
    int log4c_priority; /* mapped with otel_severity_* */
    const char *category;
    size_t category_len; /* strlen(category) when the producer knows it, else 0 (then measured) */
    const char *body; /* any bytes; sanitised to UTF-8 */
    size_t body_len;
    size_t body_limit; /* 0 = no limit; else body cut to at most this many bytes (on a code point boundary) */
    const uint8_t *trace_id; /* NULL or 16 bytes */
    const uint8_t *span_id;  /* NULL or 8 bytes */
    uint32_t flags;
    uint32_t dropped_attrs; /* attributes the count limit left out */
    const otel_attr *attrs; /* copied; string values sanitised */
    size_t nattrs;
    int keys_measured; /* 1: each attrs[i].key_len is strlen(attrs[i].key) (else measured) */
    size_t static_keys; /* the first static_keys attributes' keys are the library's own string
                         * constants (static storage, ASCII, key_len set): the record points
                         * at them instead of copying (and checking) them */
    int changed_after; /* 1: the record is changed once built (masked): wire_size is left 0 */
    size_t attr_limit; /* string attribute values cut to this many bytes; 0 = body_limit */
} otel_record_input;

/* 1 when p[0..n) is all zero: an absent trace or span id. Eight bytes at a
 * time: the encoders ask twice per record and id. */
static inline int otel_bytes_all_zero(const uint8_t *p, size_t n)
{
    uint64_t acc = 0, w;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        acc |= w;
    }
    for (; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* Builds a record in one allocation; NULL when out of memory. */
otel_record *otel_record_new(const otel_record_input *in);
void otel_record_free(otel_record *r);
/* otel_record_free for each of recs[0..n) (NULL ones skipped), in one pass. */
void otel_records_free(otel_record *const *recs, size_t n);

/* log4c priority -> OTel SeverityNumber (FATAL 21, ALERT 19,
 * CRIT 18, ERROR 17, WARN 13, NOTICE 10, INFO 9, DEBUG 5, TRACE 1;
 * bucketed by priority/100, negative clamps to FATAL, >= 800 to TRACE). */
int32_t otel_severity_number(int log4c_priority);
/* log4c's own name for the priority (as log4c_priority_to_string). */
const char *otel_severity_text(int log4c_priority);

#endif
