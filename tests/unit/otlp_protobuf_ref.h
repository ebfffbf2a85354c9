/*
 * otlp_protobuf_ref.h - protobuf-c's packing of a batch, the reference for
 * the direct writer (otel_encode_protobuf). Same contract as it.
 */
#ifndef LOG4C_OTEL_TEST_OTLP_PROTOBUF_REF_H
#define LOG4C_OTEL_TEST_OTLP_PROTOBUF_REF_H

#include "encode.h"

int otel_encode_protobuf_ref(const otel_resource *res, otel_record *const *recs, size_t n, otel_buf *out);

#endif
