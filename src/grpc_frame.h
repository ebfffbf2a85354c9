/*
 * grpc_frame.h - the gRPC length-prefixed message framing (docs/OPERATIONS.md,
 * "OTLP/gRPC"): each message on the wire is one byte of flags (1 = the
 * message is compressed with the call's grpc-encoding), a 4-byte big-endian
 * length, then the message itself.
 */
#ifndef LOG4C_OTEL_GRPC_FRAME_H
#define LOG4C_OTEL_GRPC_FRAME_H

#include <stddef.h>

struct otel_buf;

#define OTEL_GRPC_FRAME_HEADER 5

/* Appends the frame header for a message of len bytes, then the message, to
 * out. compressed sets the flag byte. Returns 0, or -1 when len does not fit
 * in 32 bits or memory runs out. */
int otel_grpc_frame(const char *msg, size_t len, int compressed, struct otel_buf *out);

/* Reads the first message of a response body in[0..len). On success (0)
 * *msg and *msg_len point into in and *compressed holds the flag. An empty
 * body gives 0 with *msg_len 0 (a trailers-only answer carries no message).
 * Returns -1 when the body is cut short or the flag byte is neither 0 nor 1. */
int otel_grpc_unframe(const char *in, size_t len, const char **msg, size_t *msg_len, int *compressed);

#endif
