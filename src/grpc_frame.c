/*
 * grpc_frame.c - the gRPC length-prefixed message framing around the
 * ExportLogsServiceRequest we send and the response we read back.
 */
#include <stdint.h>

#include "buf.h"
#include "grpc_frame.h"

int otel_grpc_frame(const char *msg, size_t len, int compressed, otel_buf *out)
{
    if ((uint64_t)len > UINT32_MAX)
        return -1;
    unsigned char h[OTEL_GRPC_FRAME_HEADER] = {compressed ? 1 : 0, (unsigned char)(len >> 24),
                                               (unsigned char)(len >> 16), (unsigned char)(len >> 8),
                                               (unsigned char)len};
    if (otel_buf_reserve(out, sizeof h + len) != 0)
        return -1;
    otel_buf_append(out, h, sizeof h);
    if (len)
        otel_buf_append(out, msg, len);
    return 0;
}

int otel_grpc_unframe(const char *in, size_t len, const char **msg, size_t *msg_len, int *compressed)
{
    *msg = in;
    *msg_len = 0;
    *compressed = 0;
    if (len == 0)
        return 0;
    if (len < OTEL_GRPC_FRAME_HEADER)
        return -1;
    const unsigned char *h = (const unsigned char *)in;
    if (h[0] > 1)
        return -1;
    uint32_t n = (uint32_t)h[1] << 24 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 8 | h[4];
    if ((uint64_t)n > (uint64_t)(len - OTEL_GRPC_FRAME_HEADER))
        return -1;
    *msg = in + OTEL_GRPC_FRAME_HEADER;
    *msg_len = n;
    *compressed = h[0];
    return 0;
}
