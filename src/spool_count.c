/*
 * spool_count.c - the log records of an encoded export request, counted
 * by walking its protobuf fields or its JSON (spool_count.h).
 */
#include "spool_count.h"
#include "spool_file.h"

#include <jansson.h>

static int varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    *v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (*p >= end)
            return -1;
        uint8_t b = *(*p)++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return 0;
    }
    return -1;
}

/* Walks one message: calls each(field's bytes) for every length-delimited
 * field numbered `field`, skips the others. 0, or -1 when malformed. */
static int walk(const uint8_t *p, const uint8_t *end, unsigned field,
                int (*each)(const uint8_t *, const uint8_t *, uint64_t *), uint64_t *acc)
{
    while (p < end) {
        uint64_t key, n;
        if (varint(&p, end, &key) != 0)
            return -1;
        switch (key & 7) {
        case 0:
            if (varint(&p, end, &n) != 0)
                return -1;
            break;
        case 1:
        case 5: {
            size_t w = (key & 7) == 1 ? 8 : 4;
            if ((size_t)(end - p) < w)
                return -1;
            p += w;
            break;
        }
        case 2:
            if (varint(&p, end, &n) != 0 || n > (uint64_t)(end - p))
                return -1;
            if ((key >> 3) == field && each(p, p + n, acc) != 0)
                return -1;
            p += n;
            break;
        default:
            return -1;
        }
    }
    return 0;
}

static int one_record(const uint8_t *p, const uint8_t *end, uint64_t *acc)
{
    (void)p, (void)end;
    ++*acc;
    return 0;
}

/* ScopeLogs: log_records = 2 */
static int scope_logs(const uint8_t *p, const uint8_t *end, uint64_t *acc) { return walk(p, end, 2, one_record, acc); }

/* ResourceLogs: scope_logs = 2 */
static int resource_logs(const uint8_t *p, const uint8_t *end, uint64_t *acc)
{
    return walk(p, end, 2, scope_logs, acc);
}

static int count_json(const uint8_t *p, size_t len, uint64_t *out)
{
    json_t *doc = json_loadb((const char *)p, len, 0, NULL);
    json_t *rl = json_object_get(doc, "resourceLogs");
    int rc = json_is_array(rl) ? 0 : -1;
    size_t i, j;
    json_t *r, *s;
    *out = 0;
    json_array_foreach(rl, i, r) {
        json_t *sl = json_object_get(r, "scopeLogs");
        if (!sl)
            continue;
        if (!json_is_array(sl)) {
            rc = -1;
            break;
        }
        json_array_foreach(sl, j, s) {
            json_t *lr = json_object_get(s, "logRecords");
            if (lr && !json_is_array(lr)) {
                rc = -1;
                break;
            }
            *out += json_array_size(lr);
        }
    }
    json_decref(doc);
    return rc;
}

int otel_spool_count_records(const uint8_t *p, size_t len, unsigned encoding, uint64_t *out)
{
    *out = 0;
    if (encoding == OTEL_SPOOL_JSON)
        return count_json(p, len, out);
    return walk(p, p + len, 1, resource_logs, out);
}
