/*
 * test_grpc.c - unit tests of the OTLP/gRPC pieces that need no server: the
 * message framing, the retry verdicts for every status code, the RetryInfo
 * reader (google.rpc.Status in grpc-status-details-bin), grpc-message
 * decoding, the framed partial_success, the call URL and headers, and the
 * settings (protocol grpc, its default endpoint). The exchange with a real
 * gRPC server is tests/integration/test_grpc.mjs.
 */
#include <check.h>
#include "run_suite.h"
#include <curl/curl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fake_env.h"
#include "grpc_exporter.h"
#include "grpc_frame.h"
#include "grpc_status.h"
#include "log4c-otel.h"
#include "settings.h"

START_TEST(test_frame_roundtrip)
{
    otel_buf b = OTEL_BUF_INIT;
    ck_assert_int_eq(otel_grpc_frame("hello", 5, 0, &b), 0);
    ck_assert_uint_eq(b.len, 10);
    ck_assert_int_eq(memcmp(b.data, "\0\0\0\0\5hello", 10), 0);
    const char *m;
    size_t n;
    int c;
    ck_assert_int_eq(otel_grpc_unframe(b.data, b.len, &m, &n, &c), 0);
    ck_assert_uint_eq(n, 5);
    ck_assert_int_eq(c, 0);
    ck_assert_int_eq(memcmp(m, "hello", 5), 0);

    otel_buf_reset(&b);
    ck_assert_int_eq(otel_grpc_frame("x", 1, 1, &b), 0);
    ck_assert_int_eq((unsigned char)b.data[0], 1); /* the compressed flag */
    ck_assert_int_eq(otel_grpc_unframe(b.data, b.len, &m, &n, &c), 0);
    ck_assert_int_eq(c, 1);

    /* 300 bytes: the length is big-endian */
    char big[300];
    memset(big, 'a', sizeof big);
    otel_buf_reset(&b);
    ck_assert_int_eq(otel_grpc_frame(big, sizeof big, 0, &b), 0);
    ck_assert_int_eq((unsigned char)b.data[3], 1);
    ck_assert_int_eq((unsigned char)b.data[4], 44);
    otel_buf_free(&b);
}
END_TEST

START_TEST(test_unframe_rejects_bad_frames)
{
    const char *m;
    size_t n;
    int c;
    ck_assert_int_eq(otel_grpc_unframe("", 0, &m, &n, &c), 0); /* trailers-only: no message */
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(otel_grpc_unframe("\0\0\0", 3, &m, &n, &c), -1);          /* cut header */
    ck_assert_int_eq(otel_grpc_unframe("\0\0\0\0\5abc", 8, &m, &n, &c), -1);   /* cut message */
    ck_assert_int_eq(otel_grpc_unframe("\2\0\0\0\1a", 6, &m, &n, &c), -1);     /* unknown flag */
    ck_assert_int_eq(otel_grpc_unframe("\0\xff\xff\xff\xff", 5, &m, &n, &c), -1);
}
END_TEST

START_TEST(test_retryable_codes)
{
    /* OTLP's list, and nothing else */
    for (int code = -1; code <= 20; code++) {
        int want = code == 1 || code == 4 || code == 10 || code == 11 || code == 14 || code == 15;
        ck_assert_int_eq(otel_grpc_code_retryable(code), want);
    }
    ck_assert_str_eq(otel_grpc_code_name(14), "UNAVAILABLE");
    ck_assert_str_eq(otel_grpc_code_name(8), "RESOURCE_EXHAUSTED");
    ck_assert_str_eq(otel_grpc_code_name(99), "UNKNOWN");
}
END_TEST

/* google.rpc.Status{code 8, message "m", details [Any{RetryInfo{retry_delay {secs, nanos}}}]} */
static size_t status_with_retry_info(uint8_t *out, const char *type_url, uint8_t secs, uint32_t nanos_ms)
{
    uint8_t dur[16], ri[20], any[96];
    size_t d = 0, r = 0, a = 0, o = 0;
    dur[d++] = 0x08, dur[d++] = secs;
    if (nanos_ms) {
        uint32_t nanos = nanos_ms * 1000000u;
        dur[d++] = 0x10;
        while (nanos >= 0x80) {
            dur[d++] = (uint8_t)(nanos | 0x80);
            nanos >>= 7;
        }
        dur[d++] = (uint8_t)nanos;
    }
    ri[r++] = 0x0a, ri[r++] = (uint8_t)d;
    memcpy(ri + r, dur, d), r += d;
    size_t tl = strlen(type_url);
    any[a++] = 0x0a, any[a++] = (uint8_t)tl;
    memcpy(any + a, type_url, tl), a += tl;
    any[a++] = 0x12, any[a++] = (uint8_t)r;
    memcpy(any + a, ri, r), a += r;
    out[o++] = 0x08, out[o++] = 8;
    out[o++] = 0x12, out[o++] = 1, out[o++] = 'm';
    out[o++] = 0x1a, out[o++] = (uint8_t)a;
    memcpy(out + o, any, a), o += a;
    return o;
}

static void base64(const uint8_t *in, size_t n, char *out)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        out[o++] = tbl[v >> 18 & 63];
        out[o++] = tbl[v >> 12 & 63];
        out[o++] = i + 1 < n ? tbl[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? tbl[v & 63] : '=';
    }
    out[o] = '\0';
}

START_TEST(test_retry_info)
{
    uint8_t st[160];
    char b64[256];
    size_t n = status_with_retry_info(st, "type.googleapis.com/google.rpc.RetryInfo", 2, 250);
    ck_assert_int_eq(otel_grpc_retry_info_ms(st, n), 2250);
    base64(st, n, b64);
    ck_assert_int_eq(otel_grpc_details_retry_ms(b64), 2250);
    /* unpadded, as gRPC sends binary metadata */
    char *eq = strchr(b64, '=');
    if (eq)
        *eq = '\0';
    ck_assert_int_eq(otel_grpc_details_retry_ms(b64), 2250);

    /* another detail type is no RetryInfo */
    n = status_with_retry_info(st, "type.googleapis.com/google.rpc.DebugInfo", 2, 0);
    ck_assert_int_eq(otel_grpc_retry_info_ms(st, n), -1);
    /* truncated: unreadable */
    n = status_with_retry_info(st, "type.googleapis.com/google.rpc.RetryInfo", 1, 0);
    ck_assert_int_eq(otel_grpc_retry_info_ms(st, n - 3), -1);
    ck_assert_int_eq(otel_grpc_details_retry_ms("not base64!"), -1);
    ck_assert_int_eq(otel_grpc_details_retry_ms(NULL), -1);
    /* a huge delay is capped */
    n = status_with_retry_info(st, "type.googleapis.com/google.rpc.RetryInfo", 0x7f, 0);
    st[n - 1] = 0x7f;
    ck_assert_int_le(otel_grpc_retry_info_ms(st, n), OTEL_GRPC_RETRY_DELAY_MAX_MS);
}
END_TEST

START_TEST(test_judge)
{
    uint8_t st[160];
    char b64[256], why[200];
    base64(st, status_with_retry_info(st, "type.googleapis.com/google.rpc.RetryInfo", 1, 0), b64);
    long delay;

    otel_grpc_answer ok = {200, 0, NULL, NULL, NULL};
    ck_assert_int_eq(otel_grpc_judge(&ok, &delay, why, sizeof why), OTEL_GRPC_OK);

    otel_grpc_answer unavailable = {200, 14, "busy%20now", NULL, NULL};
    ck_assert_int_eq(otel_grpc_judge(&unavailable, &delay, why, sizeof why), OTEL_GRPC_RETRY);
    ck_assert_int_eq(delay, -1);
    ck_assert_ptr_nonnull(strstr(why, "UNAVAILABLE"));
    ck_assert_ptr_nonnull(strstr(why, "busy now"));

    otel_grpc_answer exhausted = {200, 8, NULL, NULL, NULL};
    ck_assert_int_eq(otel_grpc_judge(&exhausted, &delay, why, sizeof why), OTEL_GRPC_PERMANENT);
    exhausted.details = b64;
    ck_assert_int_eq(otel_grpc_judge(&exhausted, &delay, why, sizeof why), OTEL_GRPC_RETRY);
    ck_assert_int_eq(delay, 1000);

    /* RetryInfo also sets the wait of an always-retried code */
    otel_grpc_answer aborted = {200, 10, NULL, b64, NULL};
    ck_assert_int_eq(otel_grpc_judge(&aborted, &delay, why, sizeof why), OTEL_GRPC_RETRY);
    ck_assert_int_eq(delay, 1000);

    /* RetryInfo does not make a permanent code retryable */
    otel_grpc_answer invalid = {200, 3, NULL, b64, NULL};
    ck_assert_int_eq(otel_grpc_judge(&invalid, &delay, why, sizeof why), OTEL_GRPC_PERMANENT);

    /* no grpc-status: judged by the HTTP status */
    otel_grpc_answer proxy503 = {503, -1, NULL, NULL, NULL};
    ck_assert_int_eq(otel_grpc_judge(&proxy503, &delay, why, sizeof why), OTEL_GRPC_RETRY);
    otel_grpc_answer proxy404 = {404, -1, NULL, NULL, NULL};
    ck_assert_int_eq(otel_grpc_judge(&proxy404, &delay, why, sizeof why), OTEL_GRPC_PERMANENT);
    otel_grpc_answer bare200 = {200, -1, NULL, NULL, NULL};
    ck_assert_int_eq(otel_grpc_judge(&bare200, &delay, why, sizeof why), OTEL_GRPC_PERMANENT);

    /* a text the caller decoded (and masked) is quoted instead of the raw message */
    otel_grpc_answer given = {200, 3, "raw%20text", NULL, "given text"};
    ck_assert_int_eq(otel_grpc_judge(&given, &delay, why, sizeof why), OTEL_GRPC_PERMANENT);
    ck_assert_msg(strstr(why, "given text") && !strstr(why, "raw"), "%s", why);
}
END_TEST

START_TEST(test_message_decode)
{
    char out[16];
    otel_grpc_message_decode("a%20b%zz%4", out, sizeof out);
    ck_assert_str_eq(out, "a b%zz%4");
    otel_grpc_message_decode("0123456789abcdefghij", out, 8);
    ck_assert_str_eq(out, "0123456");
    otel_grpc_message_decode(NULL, out, sizeof out);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_framed_rejected)
{
    /* ExportLogsServiceResponse{partial_success{rejected_log_records 7}} */
    static const char resp[] = {0x0a, 0x02, 0x08, 0x07};
    otel_buf b = OTEL_BUF_INIT;
    ck_assert_int_eq(otel_grpc_frame(resp, sizeof resp, 0, &b), 0);
    char msg[64];
    ck_assert_int_eq(otel_grpc_decode_rejected(b.data, b.len, msg, sizeof msg), 7);
    ck_assert_int_eq(otel_grpc_decode_rejected("", 0, msg, sizeof msg), 0);
    ck_assert_int_eq(otel_grpc_decode_rejected(b.data, b.len - 1, msg, sizeof msg), -1);
    b.data[0] = 1; /* a compressed answer we did not ask for */
    ck_assert_int_eq(otel_grpc_decode_rejected(b.data, b.len, msg, sizeof msg), -1);
    otel_buf_free(&b);
}
END_TEST

START_TEST(test_url_and_headers)
{
    char *u = otel_grpc_url("http://collector:4317");
    ck_assert_str_eq(u, "http://collector:4317" OTEL_GRPC_EXPORT_PATH);
    free(u);
    u = otel_grpc_url("https://collector:4317/some/path/?q=1");
    ck_assert_str_eq(u, "https://collector:4317" OTEL_GRPC_EXPORT_PATH);
    free(u);

    struct curl_slist *l = NULL;
    ck_assert_int_eq(otel_grpc_request_headers(&l, 1), 0);
    int ct = 0, te = 0, enc = 0;
    for (struct curl_slist *p = l; p; p = p->next) {
        ct += strcmp(p->data, "content-type: application/grpc") == 0;
        te += strcmp(p->data, "te: trailers") == 0;
        enc += strcmp(p->data, "grpc-encoding: gzip") == 0;
    }
    ck_assert_int_eq(ct + te + enc, 3);
    curl_slist_free_all(l);

    ck_assert(otel_grpc_header_reserved("TE"));
    ck_assert(otel_grpc_header_reserved("grpc-timeout"));
    ck_assert(!otel_grpc_header_reserved("x-api-key"));
}
END_TEST

START_TEST(test_settings_grpc)
{
    otel_settings s;
    char err[256];
    env_reset();
    env_set("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc");
    if (!otel_grpc_supported()) {
        /* a libcurl without HTTP/2: refused, saying why */
        ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), LOG4C_OTEL_EUNSUPPORTED);
        ck_assert_ptr_nonnull(strstr(err, "HTTP/2"));
        otel_settings_free(&s);
        return;
    }
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), 0);
    ck_assert_int_eq(s.protocol, OTEL_PROTOCOL_GRPC);
    ck_assert_str_eq(s.logs_url, "http://localhost:4317");
    otel_settings_free(&s);

    /* no /v1/logs appended to the generic endpoint */
    env_reset();
    env_set("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "grpc");
    env_set("OTEL_EXPORTER_OTLP_ENDPOINT", "https://otel.example:4317");
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), 0);
    ck_assert_str_eq(s.logs_url, "https://otel.example:4317");
    otel_settings_free(&s);

    /* the HTTP default is unchanged */
    env_reset();
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), 0);
    ck_assert_str_eq(s.logs_url, "http://localhost:4318/v1/logs");
    otel_settings_free(&s);

    env_reset();
    env_set("OTEL_EXPORTER_OTLP_PROTOCOL", "GRPC");
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), LOG4C_OTEL_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err, "grpc"));
    otel_settings_free(&s);
}
END_TEST

static Suite *grpc_suite(void)
{
    Suite *s = suite_create("grpc");
    TCase *t = tcase_create("core");
    tcase_add_test(t, test_frame_roundtrip);
    tcase_add_test(t, test_unframe_rejects_bad_frames);
    tcase_add_test(t, test_retryable_codes);
    tcase_add_test(t, test_retry_info);
    tcase_add_test(t, test_judge);
    tcase_add_test(t, test_message_decode);
    tcase_add_test(t, test_framed_rejected);
    tcase_add_test(t, test_url_and_headers);
    tcase_add_test(t, test_settings_grpc);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return run_suite(grpc_suite());
}
