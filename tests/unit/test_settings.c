/*
 * test_settings.c - OTEL_* environment parsing, endpoint resolution,
 * header and resource-attribute lists with percent-encoding.
 */
#include <check.h>
#include "run_suite.h"
#include <stdlib.h>
#include <string.h>

#include "log4c-otel.h"
#include "resource.h"
#include "settings.h"
#include "fake_env.h"

static const char *header(const otel_settings *s, const char *name)
{
    for (size_t i = 0; i < s->nheaders; i++)
        if (strcmp(s->headers[i].name, name) == 0)
            return s->headers[i].value;
    return NULL;
}

START_TEST(endpoint_resolution)
{
    static const struct {
        const char *logs, *generic, *want;
    } rows[] = {
        {NULL, NULL, "http://localhost:4318/v1/logs"},
        {NULL, "http://c:4318", "http://c:4318/v1/logs"},
        {NULL, "http://c:4318/", "http://c:4318/v1/logs"},
        {NULL, "https://c/base/path", "https://c/base/path/v1/logs"},
        {"http://l:1/custom", "http://c:4318", "http://l:1/custom"},
        {"http://l:1/", NULL, "http://l:1/"}, /* per-signal: used as is */
        {"", "http://c", "http://c/v1/logs"},
        {NULL, " http://c:9 ", "http://c:9/v1/logs"},
        /* the path goes before the base's query or fragment */
        {NULL, "http://c:4318?k=v", "http://c:4318/v1/logs?k=v"},
        {NULL, "http://c:4318/base/?k=v&a=b", "http://c:4318/base/v1/logs?k=v&a=b"},
        {NULL, "http://c:4318/base#f", "http://c:4318/base/v1/logs#f"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *u = otel_resolve_logs_url(rows[i].logs, rows[i].generic);
        ck_assert_msg(strcmp(u, rows[i].want) == 0, "row %zu: %s", i, u);
        free(u);
    }
}
END_TEST

START_TEST(defaults)
{
    env_reset();
    otel_settings s;
    char err[256];
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), LOG4C_OTEL_OK);
    ck_assert_str_eq(s.logs_url, "http://localhost:4318/v1/logs");
    ck_assert_int_eq(s.endpoint_configured, 0);
    ck_assert_int_eq(s.protocol, OTEL_PROTOCOL_HTTP_PROTOBUF);
    ck_assert_int_eq(s.compression, OTEL_COMPRESSION_NONE);
    ck_assert_uint_eq(s.max_queue_size, 0); /* no count: the byte cap bounds */
    ck_assert_uint_eq(s.max_export_batch_size, 512);
    ck_assert_int_eq(s.schedule_delay_ms, 1000);
    ck_assert_int_eq(s.export_timeout_ms, 30000);
    ck_assert_int_eq(s.request_timeout_ms, 10000);
    ck_assert_int_eq(s.shutdown_timeout_ms, 5000);
    ck_assert_int_eq(s.block_timeout_ms, 0); /* never waits unless asked */
    ck_assert_uint_eq(s.max_request_bytes, 4u << 20);
    ck_assert_uint_eq(s.nheaders, 0);
    ck_assert_uint_eq(s.nwarnings, 0);
    ck_assert_int_eq(s.sdk_disabled, 0);
    ck_assert_ptr_nonnull(otel_resource_get(&s, "service.name"));
    ck_assert_str_eq(otel_resource_get(&s, "telemetry.sdk.name"), "log4c-otel");
    ck_assert_str_eq(otel_resource_get(&s, "telemetry.sdk.version"), LOG4C_OTEL_VERSION);
    ck_assert_uint_eq(strlen(otel_resource_get(&s, "service.instance.id")), 36);
    otel_settings_free(&s);
}
END_TEST

START_TEST(full_environment)
{
    env_reset();
    env_set("OTEL_EXPORTER_OTLP_ENDPOINT", "http://gen:4318");
    env_set("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "http/json");
    env_set("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    env_set("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip");
    env_set("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer%20abc , x-tenant = t1,broken,=novalue");
    env_set("OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "2500");
    env_set("OTEL_EXPORTER_OTLP_TIMEOUT", "7");
    env_set("OTEL_BLRP_MAX_QUEUE_SIZE", "100");
    env_set("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "500"); /* clamped to the queue size */
    env_set("OTEL_BLRP_SCHEDULE_DELAY", "250");
    env_set("OTEL_BLRP_EXPORT_TIMEOUT", "abc"); /* invalid: default kept, one warning */
    env_set("OTEL_EXPORTER_OTLP_INSECURE", "TRUE");
    env_set("OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE", "/ca.pem");
    env_set("LOG4C_OTEL_BLOCK_TIMEOUT", "40");
    otel_settings s;
    char err[256];
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), LOG4C_OTEL_OK);
    ck_assert_str_eq(s.logs_url, "http://gen:4318/v1/logs");
    ck_assert_int_eq(s.endpoint_configured, 1);
    ck_assert_int_eq(s.protocol, OTEL_PROTOCOL_HTTP_JSON);
    ck_assert_int_eq(s.compression, OTEL_COMPRESSION_GZIP);
    ck_assert_uint_eq(s.nheaders, 2);
    ck_assert_str_eq(header(&s, "Authorization"), "Bearer abc");
    ck_assert_str_eq(header(&s, "x-tenant"), "t1");
    ck_assert_int_eq(s.request_timeout_ms, 2500);
    ck_assert_uint_eq(s.max_queue_size, 100);
    ck_assert_uint_eq(s.max_export_batch_size, 100);
    ck_assert_int_eq(s.schedule_delay_ms, 250);
    ck_assert_int_eq(s.export_timeout_ms, 30000);
    ck_assert_int_eq(s.insecure, 1);
    ck_assert_str_eq(s.ca_file, "/ca.pem");
    ck_assert_int_eq(s.block_timeout_ms, 40);
    ck_assert_uint_eq(s.nwarnings, 2); /* two bad header entries (one line), one bad integer */
    otel_settings_free(&s);
}
END_TEST

START_TEST(unsupported_values_are_errors)
{
    otel_settings s;
    char err[256];
    env_reset();
    env_set("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "smoke-signals");
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), LOG4C_OTEL_ECONFIG);
    otel_settings_free(&s);

    env_reset();
    env_set("OTEL_EXPORTER_OTLP_COMPRESSION", "zstd");
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), LOG4C_OTEL_EUNSUPPORTED);
    otel_settings_free(&s);

    env_reset();
    env_set("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://x");
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), LOG4C_OTEL_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err, "ftp://x"));
    otel_settings_free(&s);

    /* the message names the endpoint, never its credentials or query */
    env_reset();
    env_set("OTEL_EXPORTER_OTLP_ENDPOINT", "htps://user:Pw0rd@collector:4318?api_key=K3y");
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), LOG4C_OTEL_ECONFIG);
    ck_assert_msg(strstr(err, "\"htps://collector:4318/v1/logs?****\" must start with") != NULL, "%s", err);
    ck_assert_msg(!strstr(err, "Pw0rd") && !strstr(err, "user") && !strstr(err, "K3y"), "%s", err);
    otel_settings_free(&s);
}
END_TEST

START_TEST(header_values_never_in_messages)
{
    otel_settings s;
    char err[256];
    env_reset();
    env_set("OTEL_EXPORTER_OTLP_HEADERS", "api-key=s3cr3t%zz");
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), LOG4C_OTEL_OK);
    ck_assert_uint_eq(s.nheaders, 0); /* bad escape: entry skipped */
    ck_assert_uint_eq(s.nwarnings, 1);
    ck_assert_ptr_null(strstr(err, "s3cr3t"));
    otel_settings_free(&s);
}
END_TEST

START_TEST(header_names_and_values_checked)
{
    otel_settings s;
    char err[256];
    env_reset();
    /* a space or CR/LF in a name, CR/LF in a value: each entry is left out, the others kept */
    env_set("OTEL_EXPORTER_OTLP_HEADERS", "good=1,bad name=2,x\r\ny=3,v=a%0D%0AEvil: 1,ok-2 = two ");
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), LOG4C_OTEL_OK);
    ck_assert_uint_eq(s.nheaders, 2);
    ck_assert_str_eq(header(&s, "good"), "1");
    ck_assert_str_eq(header(&s, "ok-2"), "two");
    ck_assert_uint_eq(s.nwarnings, 1);
    otel_settings_free(&s);
}
END_TEST

START_TEST(resource_attributes)
{
    otel_settings s;
    char err[256];
    env_reset();
    env_set("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod,team=a%2Cb%3Dc, host.name = myhost ,");
    env_set("OTEL_SERVICE_NAME", "svc-from-env");
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), LOG4C_OTEL_OK);
    ck_assert_str_eq(otel_resource_get(&s, "deployment.environment"), "prod");
    ck_assert_str_eq(otel_resource_get(&s, "team"), "a,b=c");
    ck_assert_str_eq(otel_resource_get(&s, "host.name"), "myhost"); /* user value wins */
    ck_assert_str_eq(otel_resource_get(&s, "service.name"), "svc-from-env");
    ck_assert_uint_eq(s.nwarnings, 0);
    otel_settings_free(&s);

    /* OTEL_SERVICE_NAME wins over service.name in the list; without it the list's value is used */
    env_reset();
    env_set("OTEL_RESOURCE_ATTRIBUTES", "service.name=from-list");
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), LOG4C_OTEL_OK);
    ck_assert_str_eq(otel_resource_get(&s, "service.name"), "from-list");
    otel_settings_free(&s);

    /* a malformed list is discarded whole */
    env_reset();
    env_set("OTEL_RESOURCE_ATTRIBUTES", "good=1,bad%zz=2");
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), LOG4C_OTEL_OK);
    ck_assert_ptr_null(otel_resource_get(&s, "good"));
    ck_assert_uint_eq(s.nwarnings, 1);
    otel_settings_free(&s);

    env_reset();
    env_set("OTEL_RESOURCE_ATTRIBUTES", "novalue");
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), LOG4C_OTEL_OK);
    ck_assert_uint_eq(s.nwarnings, 1);
    otel_settings_free(&s);
}
END_TEST

/* otel_parse_size: maxLogSize and the *_MAX_SIZE variables of the file
 * exporter and of the otel_file appender */
/* Every boolean variable: "true" in any case turns it on; unset, empty and
 * "false" do not; anything else does not, with one warning (OTel's rule,
 * and docs/CONFIGURATION.md's: an unparsable value warns). The LOGS_ variant of
 * INSECURE wins over the generic one when set. */
static int flag_of(const otel_settings *s, size_t which)
{
    switch (which) {
    case 0:
        return s->sdk_disabled;
    case 1:
    case 2:
        return s->insecure;
    default:
        return s->file.gzip;
    }
}

START_TEST(boolean_variables)
{
    static const char *const names[] = {"OTEL_SDK_DISABLED", "OTEL_EXPORTER_OTLP_INSECURE",
                                        "OTEL_EXPORTER_OTLP_LOGS_INSECURE", "LOG4C_OTEL_JSON_FILE_GZIP",
                                        "LOG4C_OTEL_FILE_GZIP"};
    static const struct {
        const char *v;
        int on, warnings;
    } rows[] = {
        {"true", 1, 0}, {"TRUE", 1, 0}, {"True", 1, 0}, {"false", 0, 0}, {"FALSE", 0, 0},
        {"", 0, 0},     {"1", 0, 1},    {"yes", 0, 1},  {" true", 0, 1},
    };
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++)
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
            env_reset();
            env_set(names[n], rows[i].v);
            otel_settings s;
            char err[256];
            ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), LOG4C_OTEL_OK);
            ck_assert_msg(flag_of(&s, n) == rows[i].on, "%s row %zu (%s)", names[n], i, rows[i].v);
            ck_assert_msg(s.nwarnings == (unsigned)rows[i].warnings, "%s row %zu (%s): %u warnings", names[n], i,
                          rows[i].v, s.nwarnings);
            otel_settings_free(&s);
        }
    /* the LOGS_ variable decides (and is the one warned about) when set */
    env_reset();
    env_set("OTEL_EXPORTER_OTLP_INSECURE", "true");
    env_set("OTEL_EXPORTER_OTLP_LOGS_INSECURE", "false");
    otel_settings s;
    char err[256];
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), LOG4C_OTEL_OK);
    ck_assert_int_eq(s.insecure, 0);
    ck_assert_uint_eq(s.nwarnings, 0);
    otel_settings_free(&s);
    env_reset();
    env_set("OTEL_EXPORTER_OTLP_INSECURE", "false");
    env_set("OTEL_EXPORTER_OTLP_LOGS_INSECURE", "TRUE");
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), LOG4C_OTEL_OK);
    ck_assert_int_eq(s.insecure, 1);
    otel_settings_free(&s);
}
END_TEST

START_TEST(sizes)
{
    static const struct {
        const char *in;
        uint64_t want;
        int ok;
    } rows[] = {
        {"0", 0, 1}, {"123", 123, 1}, {"1048576", 1048576, 1}, {"10K", 10240, 1}, {"10k", 10240, 1},
        {"512k", 512u << 10, 1}, {"5M", 5242880, 1}, {"10M", 10u << 20, 1}, {"1G", 1ull << 30, 1},
        {"3g", 3221225472ull, 1}, {" 2MB ", 2u << 20, 1}, {"3MiB", 3u << 20, 1}, {"10KB", 10240, 1},
        {"7b", 7, 1}, {" 1", 1, 1}, {"", 0, 0}, {"K", 0, 0}, {"M", 0, 0}, {"10X", 0, 0}, {"-1", 0, 0},
        {"1.5M", 0, 0}, {"10 K", 0, 0}, {"10 M B", 0, 0}, {"99999999999999999999", 0, 0}, {"17179869184G", 0, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint64_t v = 12345;
        int rc = otel_parse_size(rows[i].in, &v);
        ck_assert_msg((rc == 0) == rows[i].ok, "row %zu (%s): rc %d", i, rows[i].in, rc);
        if (rows[i].ok)
            ck_assert_msg(v == rows[i].want, "row %zu: %llu", i, (unsigned long long)v);
    }
}
END_TEST

START_TEST(percent_decode)
{
    char *d = otel_percent_decode("a%20b%2c%41", 11);
    ck_assert_str_eq(d, "a b,A");
    free(d);
    ck_assert_ptr_null(otel_percent_decode("bad%2", 5));
    ck_assert_ptr_null(otel_percent_decode("bad%g0", 6));
    ck_assert_ptr_null(otel_percent_decode("cut%00here", 10)); /* would truncate silently */
    d = otel_percent_decode("", 0);
    ck_assert_str_eq(d, "");
    free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("settings");
    TCase *tc = tcase_create("env");
    tcase_add_test(tc, endpoint_resolution);
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, full_environment);
    tcase_add_test(tc, unsupported_values_are_errors);
    tcase_add_test(tc, header_values_never_in_messages);
    tcase_add_test(tc, header_names_and_values_checked);
    tcase_add_test(tc, resource_attributes);
    tcase_add_test(tc, percent_decode);
    tcase_add_test(tc, sizes);
    tcase_add_test(tc, boolean_variables);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
