/*
 * record.c - building a record in one allocation, and the log4c priority →
 * OTel severity map (README.md, "What is sent").
 */
#include "record.h"
#include "encode.h"
#include "record_pool.h"
#include "short_copy.h"
#include "utf8.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    int32_t number;
    const char *text;
    size_t text_len;
} SEVERITY[] = {
#define SEV(n, t) {n, t, sizeof t - 1}
    /* index = log4c priority / 100 */
    SEV(21, "FATAL"),  SEV(19, "ALERT"), SEV(18, "CRIT"),  SEV(17, "ERROR"), SEV(13, "WARN"),
    SEV(10, "NOTICE"), SEV(9, "INFO"),   SEV(5, "DEBUG"),  SEV(1, "TRACE"),
#undef SEV
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

_Static_assert(sizeof(void *) != 8 || sizeof(otel_attr) == 32, "key_len fills padding, it does not grow otel_attr");
_Static_assert(offsetof(otel_record, category) < offsetof(otel_record, category_len) &&
                   offsetof(otel_record, category_len) < offsetof(otel_record, body) &&
                   offsetof(otel_record, body) < offsetof(otel_record, body_len) &&
                   offsetof(otel_record, body_len) < offsetof(otel_record, trace_id) &&
                   offsetof(otel_record, trace_id) < offsetof(otel_record, span_id) &&
                   offsetof(otel_record, span_id) < offsetof(otel_record, flags),
               "init_record zeroes category .. span_id as one run");
/* otel_record has no padding on 64-bit: a field added to it changes its size
 * and fails here until init_record writes it too */
_Static_assert(sizeof(void *) != 8 || sizeof(otel_record) == 128, "init_record writes every field of otel_record");

/* Keys the input did not measure (otel_record_input.keys_measured 0) are
 * measured once per record: up to this many on the stack, the rest
 * measured again where needed (a record with more attributes is rare). */
#define KEYS_MEASURED 64

typedef struct lens {
    size_t cat, strings; /* category bytes; bytes of all strings, NULs included */
    size_t key[KEYS_MEASURED];
} lens;

static size_t cstr_len(const char *s) { return s ? strlen(s) : 0; }

static size_t key_len_at(const otel_record_input *in, const lens *l, size_t i)
{
    return in->keys_measured ? in->attrs[i].key_len : i < KEYS_MEASURED ? l->key[i] : cstr_len(in->attrs[i].key);
}

/* Measures every string; 0 when one is over its limit (it must be cut on a
 * code point boundary: the sanitising path does that). */
static int measure(const otel_record_input *in, const char *cat, size_t alim, lens *l)
{
    if (in->body_limit && in->body_len > in->body_limit)
        return 0;
    l->cat = in->category_len ? in->category_len : strlen(cat);
    /* the input's members read once, into locals: l's stores may alias them */
    size_t strings = l->cat + 1 + in->body_len + 1;
    size_t nattrs = in->nattrs, nstatic = in->static_keys;
    const otel_attr *attrs = in->attrs;
    int keys_measured = in->keys_measured;
    for (size_t i = 0; i < nattrs; i++) {
        const otel_attr *a = &attrs[i];
        if (i >= nstatic) { /* a constant key is not copied */
            size_t klen = keys_measured ? a->key_len : cstr_len(a->key);
            if (!keys_measured && i < KEYS_MEASURED) /* measured keys are read again from in */
                l->key[i] = klen;
            strings += klen + 1;
        }
        if (a->type == OTEL_VALUE_STRING) {
            if (alim && a->v.str.s_len > alim)
                return 0;
            strings += a->v.str.s_len + 1;
        }
    }
    l->strings = strings;
    return 1;
}

/* Copies len bytes, NUL-terminated; returns where the next string goes. */
static char *put(char *dst, const char *t, size_t len)
{
    otel_copy_short(dst, t, len);
    dst[len] = '\0';
    return dst + len + 1;
}

static size_t record_head(size_t nattrs) { return align8(sizeof(otel_record)) + align8(nattrs * sizeof(otel_attr)); }

/* The parts every record has, strings aside (category, body and
 * wire_size left empty); *sev_len gets strlen(r->severity_text). */
static inline __attribute__((always_inline)) otel_record *init_record(char *mem, size_t total,
                                                                      const otel_record_input *in, size_t *sev_len)
{
    otel_record *r = (otel_record *)mem;
    int sev = in->log4c_priority, i = severity_index(sev); /* otel_severity_number/_text, inlined */
    *sev_len = sev >= 900 ? (sev >= 1000 ? sizeof "UNKNOWN" : sizeof "NOTSET") - 1 : SEVERITY[i].text_len;
    /* field by field: a whole-struct initialiser zeroes all of it first
     * (rep stos, ~25 instructions) before writing most of it again */
    r->time_unix_nano = in->time_unix_nano;
    r->observed_time_unix_nano = in->observed_time_unix_nano;
    r->severity_number = SEVERITY[i].number;
    r->severity_text_len = (uint32_t)*sev_len;
    r->severity_text = sev >= 1000 ? "UNKNOWN" : sev >= 900 ? "NOTSET" : SEVERITY[i].text;
    /* category, category_len, body, body_len, trace_id, span_id */
    memset(&r->category, 0, offsetof(otel_record, flags) - offsetof(otel_record, category));
    if (in->trace_id)
        memcpy(r->trace_id, in->trace_id, 16);
    if (in->span_id)
        memcpy(r->span_id, in->span_id, 8);
    r->flags = in->flags;
    r->dropped_attrs = in->dropped_attrs;
    r->nattrs = in->nattrs;
    r->attrs = (otel_attr *)(mem + align8(sizeof(otel_record)));
    r->size = total;
    r->wire_size = 0;
    return r;
}

/* otel_pb_log_record_base_size of a record init_record wrote from in, with
 * fewer tests: its severity comes from SEVERITY (a number in 1..21, one
 * varint byte; a text never empty), its body is set, and an id absent from
 * in is zero. test_record checks it against the measured size for every
 * priority, with and without each optional field. */
static inline size_t base_size(const otel_record *r, size_t sev_len, const otel_record_input *in)
{
    size_t sz = 2 + 2 + sev_len + otel_pb_len_field(otel_pb_len_field(r->body_len));
    sz += (r->time_unix_nano ? 1 + 8 : 0) + (r->observed_time_unix_nano ? 1 + 8 : 0) + (r->flags ? 1 + 4 : 0);
    if (r->dropped_attrs)
        sz += 1 + otel_varint_size(r->dropped_attrs);
    if (in->trace_id && !otel_bytes_all_zero(r->trace_id, sizeof r->trace_id))
        sz += 2 + sizeof r->trace_id;
    if (in->span_id && !otel_bytes_all_zero(r->span_id, sizeof r->span_id))
        sz += 2 + sizeof r->span_id;
    return sz;
}

/* The common case: every string copied as is, then validated as one run
 * (the NULs between them are ASCII and no sequence can span one, so the run
 * is valid exactly when each string is). NULL when a string needs
 * sanitising or memory is short (*nomem). */
static inline __attribute__((always_inline)) otel_record *build_plain(const otel_record_input *in, const char *cat,
                                                                     const char *body, size_t alim, int *nomem)
{
    lens l;
    if (!measure(in, cat, alim, &l))
        return NULL;
    size_t head = record_head(in->nattrs), total = head + l.strings;
    char *mem = otel_record_mem_alloc(total);
    if (!mem) {
        *nomem = 1;
        return NULL;
    }
    size_t sev_len;
    otel_record *r = init_record(mem, total, in, &sev_len);
    char *s = mem + head;
    r->category = s;
    r->category_len = l.cat;
    if (body == cat + l.cat + 1) { /* the body follows the category (a lane entry): one copy */
        memcpy(s, cat, l.cat + 1 + in->body_len);
        s[l.cat] = '\0';
        s += l.cat + 1;
        r->body = s;
        s[in->body_len] = '\0';
        s += in->body_len + 1;
    } else {
        s = put(s, cat, l.cat);
        r->body = s;
        s = put(s, body, in->body_len);
    }
    r->body_len = in->body_len;
    /* the LogRecord's bytes, measured on the way unless they will change */
    size_t wire = in->changed_after ? 0 : base_size(r, sev_len, in);
    /* the input's members read once: the string copies (char stores) may
     * alias them, so reading them through in would load them again */
    size_t nattrs = in->nattrs, nstatic = in->static_keys;
    int measured = !in->changed_after;
    const otel_attr *attrs = in->attrs;
    otel_attr *d = r->attrs;
    for (size_t i = 0; i < nattrs; i++, d++) {
        const otel_attr *a = &attrs[i];
        size_t klen = i < nstatic ? a->key_len : key_len_at(in, &l, i);
        *d = *a;
        d->key_len = (uint32_t)klen;
        if (i >= nstatic) {
            d->key = s;
            s = put(s, a->key ? a->key : "", klen);
        }
        if (a->type == OTEL_VALUE_STRING) {
            d->v.str.s = s;
            s = put(s, a->v.str.s ? a->v.str.s : "", a->v.str.s_len);
        }
        if (measured)
            wire += otel_pb_attr_field_size(d, klen);
    }
    /* all ASCII (the usual record) is the cheaper test; else the full one */
    if (otel_utf8_ascii_inline(mem + head, l.strings) || otel_utf8_valid(mem + head, l.strings)) {
        r->wire_size = wire;
        return r;
    }
    otel_record_free(r);
    return NULL;
}

/* Any bytes: each string sanitised to UTF-8 and cut at its limit. */
static otel_record *build_sanitized(const otel_record_input *in, const char *cat, const char *body, size_t alim)
{
    size_t cat_raw = strlen(cat);
    size_t strings = text_len(cat, cat_raw, 0) + 1 + text_len(body, in->body_len, in->body_limit) + 1;
    for (size_t i = 0; i < in->nattrs; i++) {
        const otel_attr *a = &in->attrs[i];
        if (i >= in->static_keys)
            strings += text_len(a->key ? a->key : "", cstr_len(a->key), 0) + 1;
        if (a->type == OTEL_VALUE_STRING)
            strings += text_len(a->v.str.s ? a->v.str.s : "", a->v.str.s_len, alim) + 1;
    }
    size_t head = record_head(in->nattrs), total = head + strings;
    char *mem = otel_record_mem_alloc(total);
    if (!mem)
        return NULL;
    size_t sev_len;
    otel_record *r = init_record(mem, total, in, &sev_len); /* wire_size 0: measured when needed */
    char *s = mem + head;
    r->category = s;
    r->category_len = copy_text(s, cat, cat_raw, 0);
    s += r->category_len + 1;
    r->body = s;
    r->body_len = copy_text(s, body, in->body_len, in->body_limit);
    s += r->body_len + 1;
    for (size_t i = 0; i < in->nattrs; i++) {
        const otel_attr *a = &in->attrs[i];
        otel_attr *d = &r->attrs[i];
        *d = *a; /* a constant key (the first static_keys) is kept, key_len with it */
        if (i >= in->static_keys) {
            d->key = s;
            size_t klen = copy_text(s, a->key ? a->key : "", cstr_len(a->key), 0);
            d->key_len = (uint32_t)klen;
            s += klen + 1;
        }
        if (a->type == OTEL_VALUE_STRING) {
            size_t n = copy_text(s, a->v.str.s ? a->v.str.s : "", a->v.str.s_len, alim);
            d->v.str.s = s;
            d->v.str.s_len = n;
            s += n + 1;
        }
    }
    return r;
}

/* Every string of a record is valid UTF-8 (protobuf strings must be, or a
 * collector rejects the whole request): the body and values, and also the
 * category (a log4crc may be Latin-1) and the attribute keys. */
otel_record *otel_record_new(const otel_record_input *in)
{
    const char *cat = in->category ? in->category : "";
    const char *body = in->body ? in->body : "";
    size_t alim = in->attr_limit ? in->attr_limit : in->body_limit;
    if (in->attr_limit && in->body_limit && in->body_limit < alim)
        alim = in->body_limit;
    int nomem = 0;
    otel_record *r = build_plain(in, cat, body, alim, &nomem);
    return r || nomem ? r : build_sanitized(in, cat, body, alim);
}

void otel_record_free(otel_record *r)
{
    if (r)
        otel_record_mem_free(r, r->size);
}

void otel_records_free(otel_record *const *recs, size_t n)
{
    otel_record_mem_free_n((void *const *)recs, n, offsetof(otel_record, size));
}
