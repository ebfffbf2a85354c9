/*
 * batch.c - what both encoders need about a batch before encoding it:
 * how big each record will be on the wire (so the worker can cut a batch
 * into requests under the size cap) and which records share a ScopeLogs.
 *
 * The sizes follow, field by field, what otlp_protobuf.c writes (proto3:
 * zero/empty scalars are not written; a set oneof member and a set
 * submessage always are). Lengths come from the record's length fields,
 * which are >= the strlen() of the strings written, so a figure can only
 * err upwards.
 */
#include "encode.h"
#include "short_copy.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log4c-otel.h"

/* The longest varint: a 64-bit value, 7 bits a byte. Used where a length is
 * not known when the bound is computed (a ScopeLogs or ResourceLogs grows
 * with the records a request ends up holding). */
#define VARINT_MAX 10
/* Field numbers 1..15 take a one-byte tag; every field we write is below 16. */
#define TAG 1

/* The LogRecord message body, exactly as packed (given NUL-free strings). */
static size_t measure_log_record(const otel_record *r)
{
    size_t st = r->severity_text_len ? r->severity_text_len : r->severity_text ? strlen(r->severity_text) : 0;
    return otel_pb_log_record_base_size(r, st) +
           otel_pb_attrs_size(r->attrs, r->nattrs, 1);
}

size_t otel_log_record_measure(otel_record *r)
{
    return r->wire_size = measure_log_record(r); /* never 0: the body is always written */
}

/* A ScopeLogs header as if r opened a new scope: its tag and (worst-case)
 * length in ResourceLogs, plus the InstrumentationScope{name, version}. */
static size_t scope_header_size(const otel_record *r)
{
    return TAG + VARINT_MAX + otel_pb_len_field(otel_pb_scope_size(r));
}

/* otel_encoded_size_bound of r given its scope header's size. Every record
 * is charged a full scope header, whether or not it ends up first in its
 * scope: the bound must hold for any split. */
static inline size_t size_bound(otel_record *r, size_t header)
{
    return otel_pb_len_field(otel_log_record_size(r)) + header;
}

size_t otel_encoded_size_bound(otel_record *r) { return size_bound(r, scope_header_size(r)); }

size_t otel_resource_overhead_bound(const otel_resource *res)
{
    size_t resource = res ? otel_pb_attrs_size(res->attrs, res->nattrs, 0) : 0;
    /* request.resource_logs tag + length, then ResourceLogs.resource (always
     * set, even when empty). The ScopeLogs are paid for by the records. */
    return TAG + VARINT_MAX + otel_pb_len_field(resource);
}

size_t otel_batch_split(otel_record *const *recs, size_t n, size_t cap)
{
    size_t i, sum = 0;
    /* otel_encoded_size_bound, the scope header's part computed again only
     * when the category's length changes (it depends on nothing else) */
    size_t header_len = SIZE_MAX, header = 0;

    if (n == 0)
        return 0;
    for (i = 0; i < n; i++) {
        otel_record *r = recs[i];
        size_t len = r->category ? r->category_len : 0;
        if (len != header_len) {
            header = scope_header_size(r);
            header_len = len;
        }
        size_t b = size_bound(r, header);
        if (b > cap - sum) /* sum <= cap always holds here: no overflow */
            break;
        sum += b;
    }
    return i == 0 ? 1 : i; /* a record larger than cap travels alone */
}

/* ---- grouping per category ---- */

static const char *category_of(const otel_record *r, size_t *len)
{
    if (r->category == NULL) {
        *len = 0;
        return "";
    }
    *len = r->category_len;
    return r->category;
}

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static inline __attribute__((always_inline)) int same_category(const otel_record *a, const otel_record *b)
{
    size_t la, lb;
    const char *ca = category_of(a, &la), *cb = category_of(b, &lb);
    /* Records of one category may share the pointer; the compare is then
     * free. */
    return la == lb && (ca == cb || otel_equal_short(ca, cb, la));
}

/* Smallest power of two >= 2n (open addressing stays at most half full). */
static size_t table_size_for(size_t n)
{
    size_t t = 8;
    while (t < 2 * n)
        t *= 2;
    return t;
}

/* Assigns each record a group id (first-seen order) into group_of[]; rep[g]
 * is the index of group g's first record. Returns the number of groups. */
static size_t assign_groups(otel_record *const *recs, size_t n, size_t *table, size_t tsize,
                            size_t *group_of, size_t *rep)
{
    size_t i, ngroups = 0, mask = tsize - 1;

    memset(table, 0, tsize * sizeof *table); /* slot = group id + 1; 0 = empty */
    for (i = 0; i < n; i++) {
        /* a run of one category (the common case) needs no hashing */
        if (i > 0 && same_category(recs[i - 1], recs[i])) {
            group_of[i] = group_of[i - 1];
            continue;
        }
        size_t len;
        const char *c = category_of(recs[i], &len);
        size_t slot = (size_t)fnv1a(c, len) & mask;

        while (table[slot] != 0 && !same_category(recs[rep[table[slot] - 1]], recs[i]))
            slot = (slot + 1) & mask;
        if (table[slot] == 0) {
            rep[ngroups] = i;
            table[slot] = ++ngroups;
        }
        group_of[i] = table[slot] - 1;
    }
    return ngroups;
}

int otel_scope_groups_build(otel_scope_groups *g, otel_record *const *recs, size_t n)
{
    size_t tsize, i, total, *mem, *group_of, *cursor, *table;

    g->ngroups = 0;
    g->start = NULL;
    g->order = NULL;
    if (n > SIZE_MAX / sizeof(size_t) / 8)
        return -1;
    /* the usual batch: one category throughout, one group in input order,
     * without the hash table (each record compared with the first, whose
     * category is then read once) */
    size_t run = 1;
    while (run < n && same_category(recs[0], recs[run]))
        run++;
    if (n == 0 || run == n) {
        if ((mem = malloc((2 * n + 2) * sizeof *mem)) == NULL)
            return -1;
        g->start = mem;
        g->order = mem + (n + 1);
        g->ngroups = n ? 1 : 0;
        g->start[0] = 0;
        g->start[g->ngroups] = n;
        for (i = 0; i < n; i++)
            g->order[i] = i;
        return 0;
    }
    tsize = table_size_for(n);
    /* start[n+1] and order[n] are kept; group_of, cursor and table are
     * scratch that lives in the same block, so one malloc serves all. */
    total = (n + 1) + n + n + n + tsize;
    mem = malloc(total * sizeof *mem);
    if (mem == NULL)
        return -1;
    g->start = mem;
    g->order = mem + (n + 1);
    group_of = g->order + n;
    cursor = group_of + n;
    table = cursor + n;

    g->ngroups = assign_groups(recs, n, table, tsize, group_of, cursor);

    /* Counting sort by group id keeps input order within each group. */
    memset(g->start, 0, (g->ngroups + 1) * sizeof *g->start);
    for (i = 0; i < n; i++)
        g->start[group_of[i] + 1]++;
    for (i = 0; i < g->ngroups; i++) {
        g->start[i + 1] += g->start[i];
        cursor[i] = g->start[i];
    }
    for (i = 0; i < n; i++)
        g->order[cursor[group_of[i]]++] = i;
    return 0;
}

void otel_scope_groups_free(otel_scope_groups *g)
{
    free(g->start); /* order and the scratch live in the same block */
    g->start = NULL;
    g->order = NULL;
    g->ngroups = 0;
}
