/*
 * test_traces_format.c - the traces-as-logs line against hand-written
 * expected lines: ids, root/nested parents, status, durations, span names
 * with whitespace, JSON escaping and typed values, the redaction seam.
 */
#include <check.h>
#include "run_suite.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "traces_as_logs.h"

static const uint8_t TID[16] = {0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6,
                                0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36};
static const uint8_t SID[8] = {0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7};
static const uint8_t PID[8] = {0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x67};
#define IDS "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-"

static otel_attr S(const char *k, const char *v)
{
    otel_attr a = {.key = k, .type = OTEL_VALUE_STRING, .v.str = {v, strlen(v)}};
    return a;
}
static otel_attr I(const char *k, int64_t v) { otel_attr a = {.key = k, .type = OTEL_VALUE_INT, .v.i = v}; return a; }
static otel_attr D(const char *k, double v) { otel_attr a = {.key = k, .type = OTEL_VALUE_DOUBLE, .v.d = v}; return a; }
static otel_attr B(const char *k, int v) { otel_attr a = {.key = k, .type = OTEL_VALUE_BOOL, .v.b = v}; return a; }

static void expect(const otel_span_line *l, const char *want)
{
    otel_buf b = OTEL_BUF_INIT;
    ck_assert_int_eq(otel_traces_line_format(l, &b), 0);
    ck_assert_int_eq(otel_buf_append(&b, "", 1), 0);
    ck_assert_str_eq(b.data, want);
    ck_assert_uint_eq(strlen(b.data), b.len - 1); /* no NUL inside */
    otel_buf_free(&b);
}

START_TEST(root_span_no_attributes)
{
    otel_span_line l = {.trace_id = TID, .span_id = SID, .name = "checkout", .status = 0, .duration_ms = 0};
    expect(&l, IDS "0000000000000000 checkout 0 0 {}");
}
END_TEST

START_TEST(nested_span_ok_typed_attributes)
{
    otel_attr a[] = {S("http.method", "GET"), I("items", 3), I("neg", INT64_MIN), D("ratio", 0.1),
                     D("big", 1e300), B("cached", 1), B("retried", 0), D("whole", 2.0)};
    otel_span_line l = {.trace_id = TID, .span_id = SID, .parent_span_id = PID, .name = "db.query",
                        .status = 1, .duration_ms = 1234, .attrs = a, .nattrs = 8};
    expect(&l, IDS "deadbeef01234567 db.query 1 1234 "
               "{\"http.method\":\"GET\",\"items\":3,\"neg\":-9223372036854775808,\"ratio\":0.1,"
               "\"big\":1e+300,\"cached\":true,\"retried\":false,\"whole\":2}");
}
END_TEST

START_TEST(error_status_with_message)
{
    otel_attr a[] = {I("code", 503)};
    otel_span_line l = {.trace_id = TID, .span_id = SID, .parent_span_id = PID, .name = "call",
                        .status = 2, .duration_ms = 30000, .attrs = a, .nattrs = 1,
                        .status_message = "upstream \"down\""};
    expect(&l, IDS "deadbeef01234567 call 2 30000 {\"code\":503,\"otel.status_description\":\"upstream \\\"down\\\"\"}");
    otel_span_line none = {.trace_id = TID, .span_id = SID, .name = "x", .status = 2, .status_message = ""};
    expect(&none, IDS "0000000000000000 x 2 0 {\"otel.status_description\":\"\"}");
    otel_span_line bad = {.trace_id = TID, .span_id = SID, .name = "x", .status = 7};
    expect(&bad, IDS "0000000000000000 x 0 0 {}");
}
END_TEST

START_TEST(durations)
{
    otel_span_line l = {.trace_id = TID, .span_id = SID, .name = "d", .duration_ms = UINT64_C(18446744073709551615)};
    expect(&l, IDS "0000000000000000 d 0 18446744073709551615 {}");
    l.duration_ms = 86400000;
    expect(&l, IDS "0000000000000000 d 0 86400000 {}");
}
END_TEST

START_TEST(span_name_whitespace_and_controls)
{
    otel_span_line l = {.trace_id = TID, .span_id = SID, .name = "GET /orders\t{id}\nnext"};
    expect(&l, IDS "0000000000000000 GET_/orders_{id}_next 0 0 {}");
    l.name = "";
    expect(&l, IDS "0000000000000000 _ 0 0 {}");
    l.name = "nb\xc2\xa0sp ls\xe2\x80\xa8ps\xe2\x80\xa9id\xe3\x80\x80x\x7f\x01";
    expect(&l, IDS "0000000000000000 nb_sp_ls_ps_id_x__ 0 0 {}");
    /* the line is pure ASCII: other characters as \uXXXX, as in the JSON */
    l.name = "caf\xc3\xa9-\xf0\x9f\x98\x80";
    expect(&l, IDS "0000000000000000 caf\\u00e9-\\ud83d\\ude00 0 0 {}");
    l.name = "bad\xff";
    expect(&l, IDS "0000000000000000 bad\\ufffd 0 0 {}");
    l.name = "C:\\u0041"; /* a backslash is doubled: the escapes stay unambiguous */
    expect(&l, IDS "0000000000000000 C:\\\\u0041 0 0 {}");
}
END_TEST

START_TEST(json_escaping)
{
    otel_attr a[] = {
        S("q", "say \"hi\""),
        S("bs", "C:\\dir\\"),
        S("ctl", "\b\f\n\r\t\x01\x1f\x7f"),
        S("bmp", "caf\xc3\xa9 \xe2\x82\xac \xe2\x80\xa8"),
        S("astral", "\xf0\x9f\x98\x80"),
        S("invalid", "a\xff\xc3\x28z"),
        S("k\"ey\n\xc3\xa9", "v"),
        S("sp ace", "with spaces inside"),
        S("slash", "</script>"),
    };
    otel_span_line l = {.trace_id = TID, .span_id = SID, .name = "esc", .attrs = a, .nattrs = 9};
    expect(&l, IDS "0000000000000000 esc 0 0 {"
               "\"q\":\"say \\\"hi\\\"\","
               "\"bs\":\"C:\\\\dir\\\\\","
               "\"ctl\":\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\","
               "\"bmp\":\"caf\\u00e9 \\u20ac \\u2028\","
               "\"astral\":\"\\ud83d\\ude00\","
               "\"invalid\":\"a\\ufffd\\ufffd(z\","
               "\"k\\\"ey\\n\\u00e9\":\"v\","
               "\"sp ace\":\"with spaces inside\","
               "\"slash\":\"</script>\"}");
}
END_TEST

START_TEST(doubles_exact_and_non_finite)
{
    otel_attr a[] = {D("a", 1.0 / 3), D("b", -0.0), D("c", 5e-324), D("nan", NAN), D("inf", INFINITY),
                     D("minf", -INFINITY), D("e", 123456789012345678.0)};
    otel_span_line l = {.trace_id = TID, .span_id = SID, .name = "n", .attrs = a, .nattrs = 7};
    expect(&l, IDS "0000000000000000 n 0 0 {\"a\":0.3333333333333333,\"b\":-0,\"c\":4.94065645841247e-324,"
               "\"nan\":null,\"inf\":null,\"minf\":null,\"e\":1.2345678901234568e+17}");
}
END_TEST

/* the hideRegex seam: a toy redactor masking "secret" */
static char *mask_secret(void *ctx, const char *s, size_t len, size_t *out_len)
{
    (*(int *)ctx)++;
    const char *hit = memmem(s, len, "secret", 6);
    if (!hit)
        return NULL;
    char *o = malloc(len + 1);
    memcpy(o, s, len);
    memset(o + (hit - s), '*', 6);
    o[len] = '\0';
    *out_len = len;
    return o;
}

static char *failing(void *ctx, const char *s, size_t len, size_t *out_len)
{
    (void)ctx, (void)s, (void)len;
    *out_len = (size_t)-1;
    return NULL;
}

START_TEST(redaction_seam)
{
    int calls = 0;
    otel_traces_set_redactor(mask_secret, &calls);
    otel_attr a[] = {S("secret", "my secret!"), I("n", 1), S("other", "fine")};
    otel_span_line l = {.trace_id = TID, .span_id = SID, .name = "secret", .status = 2, .attrs = a, .nattrs = 3,
                        .status_message = "secret leaked"};
    /* the name, every key, string values and the status message are redacted */
    expect(&l, IDS "0000000000000000 ****** 2 0 {\"******\":\"my ******!\",\"n\":1,\"other\":\"fine\","
               "\"otel.status_description\":\"****** leaked\"}");
    ck_assert_int_eq(calls, 7);
    /* before the rewrite: the redactor sees the name's whitespace as given */
    l.name = "a secret\tb";
    l.nattrs = 0;
    l.status_message = NULL;
    expect(&l, IDS "0000000000000000 a_******_b 2 0 {}");
    l.name = "secret";
    l.nattrs = 3;
    l.status_message = "secret leaked";
    otel_traces_set_redactor(failing, NULL);
    expect(&l, IDS "0000000000000000 [withheld] 2 0 {\"[withheld]\":null,\"[withheld]\":1,\"[withheld]\":null,"
               "\"otel.status_description\":null}");
    otel_traces_set_redactor(NULL, NULL);
    size_t n;
    ck_assert_ptr_null(otel_redact_string("abc", 3, &n));
    ck_assert_uint_eq(n, 3);
}
END_TEST

START_TEST(appends_to_existing_buffer)
{
    otel_buf b = OTEL_BUF_INIT;
    otel_buf_append_str(&b, "prefix:");
    otel_span_line l = {.trace_id = TID, .span_id = SID, .name = "a"};
    ck_assert_int_eq(otel_traces_line_format(&l, &b), 0);
    otel_buf_append(&b, "", 1);
    ck_assert_str_eq(b.data, "prefix:" IDS "0000000000000000 a 0 0 {}");
    otel_buf_free(&b);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("traces_format");
    TCase *tc = tcase_create("line");
    tcase_add_test(tc, root_span_no_attributes);
    tcase_add_test(tc, nested_span_ok_typed_attributes);
    tcase_add_test(tc, error_status_with_message);
    tcase_add_test(tc, durations);
    tcase_add_test(tc, span_name_whitespace_and_controls);
    tcase_add_test(tc, json_escaping);
    tcase_add_test(tc, doubles_exact_and_non_finite);
    tcase_add_test(tc, redaction_seam);
    tcase_add_test(tc, appends_to_existing_buffer);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()); }
