/*
 * spool_file.c - the spool's file format (see spool_file.h): little-endian
 * fields written byte by byte (no struct layout on disk), zlib's crc32.
 */
#include "spool_file.h"
#include "write_all.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zlib.h>

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t entry_crc(const uint8_t *head8, const uint8_t *payload, size_t len)
{
    uLong c = crc32(0L, Z_NULL, 0);
    c = crc32(c, head8, 8);
    /* zlib takes uInt lengths: the bound (64 MiB) keeps len within one */
    c = crc32(c, payload, (uInt)len);
    return (uint32_t)c;
}

void otel_spool_header(uint8_t hdr[OTEL_SPOOL_HEADER_BYTES], unsigned encoding)
{
    memset(hdr, 0, OTEL_SPOOL_HEADER_BYTES);
    memcpy(hdr, OTEL_SPOOL_MAGIC, 8);
    hdr[8] = OTEL_SPOOL_VERSION & 0xff;
    hdr[9] = OTEL_SPOOL_VERSION >> 8;
    hdr[10] = (uint8_t)encoding;
    hdr[11] = (uint8_t)(encoding >> 8);
}

int otel_spool_append(int fd, const void *payload, size_t len, uint32_t records)
{
    if (len > OTEL_SPOOL_MAX_ENTRY) {
        errno = EINVAL;
        return -1;
    }
    uint8_t head[OTEL_SPOOL_ENTRY_HEADER_BYTES];
    put32(head, (uint32_t)len);
    put32(head + 4, records);
    put32(head + 8, entry_crc(head, payload, len));
    struct iovec iov[2] = {{head, sizeof head}, {(void *)payload, len}};
    /* a short write (disk full, signal) is finished or reported; the entry
     * it leaves behind is a torn tail the reader skips */
    return otel_writev_all(fd, iov, 2, NULL);
}

otel_spool_status otel_spool_reader_init(otel_spool_reader *r, const uint8_t *buf, size_t len)
{
    memset(r, 0, sizeof *r);
    r->buf = buf;
    r->len = len;
    if (len < OTEL_SPOOL_HEADER_BYTES)
        return OTEL_SPOOL_TORN;
    if (memcmp(buf, OTEL_SPOOL_MAGIC, 8) != 0)
        return OTEL_SPOOL_BAD_MAGIC;
    if ((buf[8] | buf[9] << 8) != OTEL_SPOOL_VERSION)
        return OTEL_SPOOL_BAD_VERSION;
    r->encoding = (unsigned)(buf[10] | buf[11] << 8);
    if (r->encoding > OTEL_SPOOL_JSON)
        return OTEL_SPOOL_CORRUPT;
    r->off = OTEL_SPOOL_HEADER_BYTES;
    return OTEL_SPOOL_END;
}

otel_spool_status otel_spool_entry_check(const uint8_t *h, size_t left, const uint8_t **payload, size_t *len,
                                         uint32_t *records)
{
    if (left == 0)
        return OTEL_SPOOL_END;
    if (left < OTEL_SPOOL_ENTRY_HEADER_BYTES)
        return OTEL_SPOOL_TORN;
    uint32_t n = get32(h);
    if (n > OTEL_SPOOL_MAX_ENTRY)
        return OTEL_SPOOL_CORRUPT;
    if (left - OTEL_SPOOL_ENTRY_HEADER_BYTES < n)
        return OTEL_SPOOL_TORN;
    const uint8_t *p = h + OTEL_SPOOL_ENTRY_HEADER_BYTES;
    if (entry_crc(h, p, n) != get32(h + 8))
        return OTEL_SPOOL_CORRUPT;
    *payload = p;
    *len = n;
    *records = get32(h + 4);
    return OTEL_SPOOL_ENTRY;
}

uint32_t otel_spool_entry_length(const uint8_t h[OTEL_SPOOL_ENTRY_HEADER_BYTES]) { return get32(h); }

otel_spool_status otel_spool_next(otel_spool_reader *r, const uint8_t **payload, size_t *len, uint32_t *records)
{
    if (r->off < OTEL_SPOOL_HEADER_BYTES || r->off > r->len)
        return OTEL_SPOOL_CORRUPT; /* not initialised, or misused */
    otel_spool_status st = otel_spool_entry_check(r->buf + r->off, r->len - r->off, payload, len, records);
    if (st == OTEL_SPOOL_ENTRY)
        r->off += OTEL_SPOOL_ENTRY_HEADER_BYTES + *len;
    return st;
}

const char *otel_spool_status_str(otel_spool_status st)
{
    switch (st) {
    case OTEL_SPOOL_ENTRY: return "an entry";
    case OTEL_SPOOL_END: return "the end";
    case OTEL_SPOOL_TORN: return "torn tail (the file ends inside an entry)";
    case OTEL_SPOOL_CORRUPT: return "corrupt entry (checksum or length)";
    case OTEL_SPOOL_BAD_MAGIC: return "not a spool file (wrong magic)";
    case OTEL_SPOOL_BAD_VERSION: return "unsupported spool version";
    case OTEL_SPOOL_BAD_COUNT: return "record count not what the entry holds";
    }
    return "unknown status";
}
