/*
 * fuzz_spool.c - the spool file reader (otel_spool_reader_init / _next) on
 * arbitrary bytes: a spool file left by a crash, a full disk or anyone with
 * write access to the directory. Checks that every entry returned lies
 * inside the buffer and passes its CRC again, that the reader always
 * advances, ends with a definite status, and stays at a bad point; and
 * that counting an entry's records (as a replay does before believing its
 * count) never reads outside it and never counts more records than its
 * bytes can hold.
 */
#include "fuzz_common.h"

#include <zlib.h>

#include "spool_count.h"
#include "spool_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    otel_spool_reader r;
    otel_spool_status st = otel_spool_reader_init(&r, data, size);
    if (st != OTEL_SPOOL_END) {
        FUZZ_CHECK(st == OTEL_SPOOL_TORN || st == OTEL_SPOOL_BAD_MAGIC || st == OTEL_SPOOL_BAD_VERSION ||
                   st == OTEL_SPOOL_CORRUPT);
        return 0;
    }
    FUZZ_CHECK(r.encoding <= OTEL_SPOOL_JSON);
    const uint8_t *p;
    size_t n;
    uint32_t recs;
    size_t entries = 0;
    for (;;) {
        size_t before = r.off;
        st = otel_spool_next(&r, &p, &n, &recs);
        if (st != OTEL_SPOOL_ENTRY)
            break;
        entries++;
        FUZZ_CHECK(r.off > before && r.off <= size);
        FUZZ_CHECK(p >= data && p + n <= data + size);
        FUZZ_CHECK(n <= OTEL_SPOOL_MAX_ENTRY);
        FUZZ_CHECK(p == data + before + OTEL_SPOOL_ENTRY_HEADER_BYTES);
        uLong c = crc32(crc32(crc32(0L, Z_NULL, 0), data + before, 8), p, (uInt)n);
        FUZZ_CHECK((uint32_t)c == ((uint32_t)data[before + 8] | (uint32_t)data[before + 9] << 8 |
                                   (uint32_t)data[before + 10] << 16 | (uint32_t)data[before + 11] << 24));
        FUZZ_CHECK(entries <= size / OTEL_SPOOL_ENTRY_HEADER_BYTES);
        for (unsigned enc = OTEL_SPOOL_PROTOBUF; enc <= OTEL_SPOOL_JSON; enc++) {
            uint64_t counted;
            if (otel_spool_count_records(p, n, enc, &counted) == 0)
                FUZZ_CHECK(counted <= n / 2); /* a record takes two bytes at least */
        }
    }
    FUZZ_CHECK(st == OTEL_SPOOL_END || st == OTEL_SPOOL_TORN || st == OTEL_SPOOL_CORRUPT);
    FUZZ_CHECK(st != OTEL_SPOOL_END || r.off == size);
    size_t at = r.off;
    FUZZ_CHECK(otel_spool_next(&r, &p, &n, &recs) == st && r.off == at); /* stays put */
    return 0;
}
