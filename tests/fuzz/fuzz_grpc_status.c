/*
 * fuzz_grpc_status.c - the readers of a gRPC server's answer, which is
 * untrusted input: the RetryInfo reader (a serialized google.rpc.Status, raw
 * and as the base64 grpc-status-details-bin value), the response frame and
 * its partial_success, and grpc-message decoding.
 *
 * Checks: a delay is -1 or within [0, OTEL_GRPC_RETRY_DELAY_MAX_MS]; the
 * base64 form of the same bytes gives the same delay; unframing stays inside
 * the input; the decoded message is NUL-terminated inside its buffer.
 */
#include "fuzz_common.h"

#include <string.h>

#include "grpc_frame.h"
#include "grpc_status.h"

static void to_base64(const uint8_t *in, size_t n, char *out)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        out[o++] = tbl[v >> 18 & 63];
        out[o++] = tbl[v >> 12 & 63];
        if (i + 1 < n)
            out[o++] = tbl[v >> 6 & 63];
        if (i + 2 < n)
            out[o++] = tbl[v & 63];
    }
    out[o] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long ms = otel_grpc_retry_info_ms(data, size);
    FUZZ_CHECK(ms == -1 || (ms >= 0 && ms <= OTEL_GRPC_RETRY_DELAY_MAX_MS));
    FUZZ_CHECK(otel_grpc_retry_info_ms(data, size) == ms); /* deterministic */

    if (size <= 4096) {
        char *b64 = malloc(size / 3 * 4 + 8);
        FUZZ_CHECK(b64 != NULL);
        to_base64(data, size, b64);
        FUZZ_CHECK(otel_grpc_details_retry_ms(b64) == ms);
        free(b64);
    }

    /* the same bytes as text: a header value */
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    long t = otel_grpc_details_retry_ms(text);
    FUZZ_CHECK(t == -1 || (t >= 0 && t <= OTEL_GRPC_RETRY_DELAY_MAX_MS));
    char msg[33];
    memset(msg, 'x', sizeof msg);
    otel_grpc_message_decode(text, msg, sizeof msg);
    FUZZ_CHECK(memchr(msg, '\0', sizeof msg) != NULL);
    free(text);

    /* as a response body */
    char *body = malloc(size ? size : 1);
    FUZZ_CHECK(body != NULL);
    memcpy(body, data, size);
    const char *m;
    size_t mlen;
    int compressed;
    if (otel_grpc_unframe(body, size, &m, &mlen, &compressed) == 0) {
        FUZZ_CHECK(m >= body && mlen <= size && (size_t)(m - body) + mlen <= size);
        FUZZ_CHECK(compressed == 0 || compressed == 1);
    }
    char why[64];
    long long r = otel_grpc_decode_rejected(body, size, why, sizeof why);
    FUZZ_CHECK(r >= -1);
    FUZZ_CHECK(memchr(why, '\0', sizeof why) != NULL);
    free(body);
    return 0;
}
