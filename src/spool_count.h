/*
 * spool_count.h - counting the log records an encoded export request
 * holds, so that a spool entry's record count is checked against its
 * content instead of believed.
 */
#ifndef LOG4C_OTEL_SPOOL_COUNT_H
#define LOG4C_OTEL_SPOOL_COUNT_H

#include <stddef.h>
#include <stdint.h>

/* The number of LogRecords in an ExportLogsServiceRequest encoded as
 * encoding (OTEL_SPOOL_PROTOBUF or OTEL_SPOOL_JSON, spool_file.h): the
 * sum over resourceLogs[].scopeLogs[].logRecords. 0 (*out set), or -1 when
 * the payload does not decode. */
int otel_spool_count_records(const uint8_t *p, size_t len, unsigned encoding, uint64_t *out);

#endif
