/*
 * record.c - building a record in one allocation, and the log4c priority →
 * OTel severity map (DESIGN §3).
 */
#include "record.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    int32_t number;
    const char *text;
} SEVERITY[] = {
    /* index = log4c priority / 100 */
    {21, "FATAL"},  {19, "ALERT"}, {18, "CRIT"},  {17, "ERROR"}, {13, "WARN"},
    {10, "NOTICE"}, {9, "INFO"},   {5, "DEBUG"},  {1, "TRACE"},
};

static int severity_index(int p)
{
    if (p < 0)
        return 0;
    if (p >= 800)
        return 8;
    return p / 100;
}

int32_t otel_severity_number(int p)
{
    /* NOTSET (900) and UNKNOWN (1000) are not levels a message is logged at;
     * log4c clamps them to TRACE's bucket when printing, and so do we. */
    return SEVERITY[severity_index(p)].number;
}

const char *otel_severity_text(int p)
{
    /* log4c_priority_to_string prints NOTSET/UNKNOWN for 900+; a record
     * logged at such a priority is still a TRACE-band record for OTel. */
    if (p >= 900 && p < 1000)
        return "NOTSET";
    if (p >= 1000)
        return "UNKNOWN";
    return SEVERITY[severity_index(p)].text;
}

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

/* Valid UTF-8 within the limit (the common case): copied as is, which is
 * much cheaper than the byte-by-byte sanitiser. */
static int as_is(const char *s, size_t len, size_t limit)
{
    return (limit == 0 || len <= limit) && otel_utf8_valid(s, len);
}

/* Bytes text takes in a record: as is, or sanitised (U+FFFD, cut at limit). */
static size_t text_len(const char *t, size_t len, size_t limit)
{
    return as_is(t, len, limit) ? len : otel_utf8_sanitized_len(t, len, limit);
}

/* Copies text as text_len() said, NUL-terminated; returns its length. */
static size_t copy_text(char *dst, const char *t, size_t len, size_t limit)
{
    size_t n = len;
    if (as_is(t, len, limit))
        memcpy(dst, t, len);
    else
        n = otel_utf8_sanitize(dst, t, len, limit);
    dst[n] = '\0';
    return n;
}

/* Bytes of all the strings when every one can be copied as is (the common
 * case: each is validated once, here), or 0 when one needs sanitising. */
static size_t plain_strings(const otel_record_input *in, const char *cat, size_t cat_len, const char *body,
                            size_t alim)
{
    if (!as_is(cat, cat_len, 0) || !as_is(body, in->body_len, in->body_limit))
        return 0;
    size_t strings = cat_len + 1 + in->body_len + 1;
    for (size_t i = 0; i < in->nattrs; i++) {
        const otel_attr *a = &in->attrs[i];
        size_t klen = strlen(a->key);
        if (!as_is(a->key, klen, 0))
            return 0;
        strings += klen + 1;
        if (a->type == OTEL_VALUE_STRING) {
            if (!as_is(a->v.str.s, a->v.str.s_len, alim))
                return 0;
            strings += a->v.str.s_len + 1;
        }
    }
    return strings;
}

/* Copies len bytes already checked as is, NUL-terminated; returns len. */
static size_t copy_plain(char *dst, const char *t, size_t len)
{
    memcpy(dst, t, len);
    dst[len] = '\0';
    return len;
}

/* Every string of a record is valid UTF-8 (protobuf strings must be, or a
 * collector rejects the whole request): the body and values, and also the
 * category (a log4crc may be Latin-1) and the attribute keys. */
otel_record *otel_record_new(const otel_record_input *in)
{
    const char *cat = in->category ? in->category : "";
    const char *body = in->body ? in->body : "";
    size_t cat_raw = strlen(cat);
    size_t alim = in->attr_limit ? in->attr_limit : in->body_limit;
    if (in->attr_limit && in->body_limit && in->body_limit < alim)
        alim = in->body_limit;

    size_t strings = plain_strings(in, cat, cat_raw, body, alim);
    int plain = strings != 0;
    size_t cat_len = plain ? cat_raw : text_len(cat, cat_raw, 0);
    size_t body_len = plain ? in->body_len : text_len(body, in->body_len, in->body_limit);
    if (!plain) {
        strings = cat_len + 1 + body_len + 1;
        for (size_t i = 0; i < in->nattrs; i++) {
            strings += text_len(in->attrs[i].key, strlen(in->attrs[i].key), 0) + 1;
            if (in->attrs[i].type == OTEL_VALUE_STRING)
                strings += text_len(in->attrs[i].v.str.s, in->attrs[i].v.str.s_len, alim) + 1;
        }
    }
    size_t head = align8(sizeof(otel_record)) + align8(in->nattrs * sizeof(otel_attr));
    size_t total = head + strings;
    char *mem = malloc(total);
    if (!mem)
        return NULL;

    otel_record *r = (otel_record *)mem;
    memset(r, 0, sizeof *r);
    r->size = total;
    r->time_unix_nano = in->time_unix_nano;
    r->observed_time_unix_nano = in->observed_time_unix_nano;
    r->severity_number = otel_severity_number(in->log4c_priority);
    r->severity_text = otel_severity_text(in->log4c_priority);
    if (in->trace_id)
        memcpy(r->trace_id, in->trace_id, 16);
    if (in->span_id)
        memcpy(r->span_id, in->span_id, 8);
    r->flags = in->flags;
    r->attrs = (otel_attr *)(mem + align8(sizeof(otel_record)));
    r->nattrs = in->nattrs;

    char *s = mem + head;
    r->category = s;
    r->category_len = plain ? copy_plain(s, cat, cat_raw) : copy_text(s, cat, cat_raw, 0);
    s += cat_len + 1;

    r->body = s;
    r->body_len = plain ? copy_plain(s, body, in->body_len) : copy_text(s, body, in->body_len, in->body_limit);
    s += body_len + 1;

    for (size_t i = 0; i < in->nattrs; i++) {
        const otel_attr *a = &in->attrs[i];
        otel_attr *d = &r->attrs[i];
        d->key = s;
        size_t klen = strlen(a->key);
        s += (plain ? copy_plain(s, a->key, klen) : copy_text(s, a->key, klen, 0)) + 1;
        d->type = a->type;
        if (a->type == OTEL_VALUE_STRING) {
            size_t n = plain ? copy_plain(s, a->v.str.s, a->v.str.s_len) : copy_text(s, a->v.str.s, a->v.str.s_len, alim);
            d->v.str.s = s;
            d->v.str.s_len = n;
            s += n + 1;
        } else {
            d->v = a->v;
        }
    }
    return r;
}

void otel_record_free(otel_record *r) { free(r); }
