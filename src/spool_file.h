/*
 * spool_file.h - the on-disk format of the outage spool: a file
 * header, then entries appended one after another, each one export request
 * as it would have been sent (already filtered and redacted: the spool never
 * sees anything the pipeline did not already let out), with a CRC-32.
 *
 *   header (16 bytes): "L4COSPL\0" | version u16 LE (1) | encoding u16 LE | 0 u32
 *   entry:  length u32 LE | records u32 LE | crc32 u32 LE | payload[length]
 *           (crc32: zlib's, over the 8 bytes of length and records, then the payload)
 *
 * The reader works on a memory buffer (fuzzable) and stops at the first bad
 * point: a torn tail (the file ends inside an entry) or a corrupt entry
 * (CRC mismatch, length beyond the bound). Entries before it stay good.
 */
#ifndef LOG4C_OTEL_SPOOL_FILE_H
#define LOG4C_OTEL_SPOOL_FILE_H

#include <stddef.h>
#include <stdint.h>

#define OTEL_SPOOL_MAGIC "L4COSPL"      /* 7 characters and the NUL: 8 bytes */
#define OTEL_SPOOL_VERSION 1
#define OTEL_SPOOL_HEADER_BYTES 16
#define OTEL_SPOOL_ENTRY_HEADER_BYTES 12
#define OTEL_SPOOL_MAX_ENTRY (64u << 20) /* larger lengths are corruption, not data */

/* encoding of the payloads: the request body's content type */
enum { OTEL_SPOOL_PROTOBUF = 0, OTEL_SPOOL_JSON = 1 };

/* Fills hdr with the file header for encoding. */
void otel_spool_header(uint8_t hdr[OTEL_SPOOL_HEADER_BYTES], unsigned encoding);

/* Appends one entry to fd with a single write (header and payload
 * together, so that a kill leaves at most one torn entry at the tail).
 * Returns 0, or -1 (errno set; EINVAL when len exceeds the bound). */
int otel_spool_append(int fd, const void *payload, size_t len, uint32_t records);

typedef struct otel_spool_reader {
    const uint8_t *buf;
    size_t len, off;     /* off: where the next entry starts */
    unsigned encoding;
} otel_spool_reader;

typedef enum otel_spool_status {
    OTEL_SPOOL_ENTRY = 1,    /* an entry was returned */
    OTEL_SPOOL_END = 0,      /* clean end of the file */
    OTEL_SPOOL_TORN = -1,    /* the file ends inside an entry (or inside the header) */
    OTEL_SPOOL_CORRUPT = -2, /* CRC mismatch or an impossible length */
    OTEL_SPOOL_BAD_MAGIC = -3,
    OTEL_SPOOL_BAD_VERSION = -4,
    OTEL_SPOOL_BAD_COUNT = -5, /* the record count differs from the records the payload holds (spool.c) */
} otel_spool_status;

/* Checks the header. OTEL_SPOOL_END (ready: call next), TORN for a file
 * shorter than the header (an empty file included), BAD_MAGIC or
 * BAD_VERSION. */
otel_spool_status otel_spool_reader_init(otel_spool_reader *r, const uint8_t *buf, size_t len);

/* The next entry: *payload points into the buffer. After anything but
 * OTEL_SPOOL_ENTRY, r->off is the bad point (or the end) and later calls
 * return the same status. */
otel_spool_status otel_spool_next(otel_spool_reader *r, const uint8_t **payload, size_t *len, uint32_t *records);

/* Checks the entry starting at h, with left bytes available from h on
 * (the same rules as otel_spool_next; used by the directory reader, which
 * reads entry by entry with pread). */
otel_spool_status otel_spool_entry_check(const uint8_t *h, size_t left, const uint8_t **payload, size_t *len,
                                         uint32_t *records);
/* The payload length an entry header claims (not checked). */
uint32_t otel_spool_entry_length(const uint8_t h[OTEL_SPOOL_ENTRY_HEADER_BYTES]);

/* A static sentence for a status (for the one diagnostic line). */
const char *otel_spool_status_str(otel_spool_status st);

#endif
