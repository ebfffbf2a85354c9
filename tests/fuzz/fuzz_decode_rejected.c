/*
 * fuzz_decode_rejected.c - otel_decode_rejected: the collector's
 * ExportLogsServiceResponse (protobuf or OTLP/JSON) is untrusted input.
 *
 * Input: byte 0 is a mode (bit 0: JSON; bits 1-2: size of the message
 * buffer: none, 1, 7 or 256 bytes), the rest is the response body, copied
 * into an exact-size buffer with no terminating NUL (as curl delivers it).
 * Checks: the result is -1 or >= 0; the message is NUL-terminated inside
 * its buffer and never written past it; the answer is deterministic and
 * does not depend on the message buffer; an empty (or, for JSON, blank)
 * body is full success.
 */
#include "fuzz_common.h"

#include <string.h>

#include "encode.h"

static const size_t msg_sizes[4] = {0, 1, 7, 256};

static long long decode(const char *body, size_t len, int is_json, size_t msglen, char *first_msg)
{
    /* the buffer is exactly msglen bytes (none at all for 0: pass NULL) */
    char *msg = msglen ? malloc(msglen) : NULL;
    if (msg)
        memset(msg, 'x', msglen);
    long long r = otel_decode_rejected(body, len, is_json, msg, msglen);
    FUZZ_CHECK(r >= -1);
    if (msg) {
        size_t mlen = strnlen(msg, msglen);
        FUZZ_CHECK(mlen < msglen); /* always terminated */
        if (first_msg) {
            /* a shorter buffer holds a prefix of the longer one's message */
            size_t flen = strlen(first_msg);
            FUZZ_CHECK(mlen == (flen < msglen - 1 ? flen : msglen - 1));
            FUZZ_CHECK(memcmp(msg, first_msg, mlen) == 0);
        }
        free(msg);
    }
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int is_json = data[0] & 1;
    size_t msglen = msg_sizes[(data[0] >> 1) & 3];
    size_t len = size - 1;
    char *body = malloc(len ? len : 1);
    FUZZ_CHECK(body != NULL);
    memcpy(body, data + 1, len);

    /* The reference answer, with a large message buffer. */
    char big[1024];
    memset(big, 'x', sizeof big);
    long long r = otel_decode_rejected(body, len, is_json, big, sizeof big);
    FUZZ_CHECK(r >= -1);
    FUZZ_CHECK(memchr(big, '\0', sizeof big) != NULL);

    FUZZ_CHECK(decode(body, len, is_json, msglen, big) == r);
    FUZZ_CHECK(decode(body, len, is_json, 0, NULL) == r);

    if (len == 0)
        FUZZ_CHECK(r == 0 && big[0] == '\0');
    if (is_json) {
        int blank = 1;
        for (size_t i = 0; i < len; i++)
            if (!strchr(" \t\r\n", body[i]) || body[i] == '\0')
                blank = 0;
        if (blank)
            FUZZ_CHECK(r == 0);
    }
    /* The other decoder on the same bytes must not crash either. */
    long long other = otel_decode_rejected(body, len, !is_json, NULL, 0);
    FUZZ_CHECK(other >= -1);
    free(body);
    return 0;
}
