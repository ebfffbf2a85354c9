/*
 * test_config.c - the JSON configuration: %VAR% substitution edge cases,
 * the position scanner, the accepted shapes and spellings, every error
 * message (file, line, column, key path, expectation), notes for unknown
 * keys, merging of sources, and what reaches the exporter settings, the
 * workers' settings and the otel_file appender registry.
 */
#include <check.h>
#include "run_suite.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "configuration.h"
#include "envsubst.h"
#include "grpc_exporter.h"
#include "json_pos.h"
#include "log4c-otel.h"
#include "resource.h"
#include "settings.h"

static const char *env[16][2];
static size_t nenv;
static void env_reset(void) { nenv = 0; }
static void env_set(const char *k, const char *v)
{
    env[nenv][0] = k;
    env[nenv][1] = v;
    nenv++;
}
static const char *fake_getenv(const char *name)
{
    for (size_t i = 0; i < nenv; i++)
        if (strcmp(env[i][0], name) == 0)
            return env[i][1];
    return NULL;
}

START_TEST(env_substitution)
{
    env_reset();
    env_set("USER", "ann");
    env_set("EMPTY", "");
    env_set("A.B-c", "dotted");
    env_set("X", "%USER%"); /* never expanded again */
    static const struct {
        const char *in, *want; /* want NULL: unresolved */
        const char *missing;
    } rows[] = {
        {"plain", "plain", ""},
        {"%USER%", "ann", ""},
        {"u=%USER%, again %USER%.", "u=ann, again ann.", ""},
        {"%NOPE?fallback%", "fallback", ""},
        {"%USER?fallback%", "ann", ""},
        {"%NOPE?%", "", ""},                /* empty fallback */
        {"%EMPTY?fb%", "", ""},             /* set to "" counts as set */
        {"%NOPE%", NULL, "NOPE"},
        {"a %NOPE% b %USER%", NULL, "NOPE"},
        {"100%", "100%", ""},               /* a lone % stays */
        {"50% of %USER%", "50% of ann", ""},
        {"%%USER%%", "%USER%", ""},          /* %% is a literal % */
        {"%not a name%", "%not a name%", ""},
        {"%1X%", "%1X%", ""},                /* names start with a letter or _ */
        {"%A.B-c%", "dotted", ""},
        {"%X%", "%USER%", ""},              /* no recursion */
        {"%NOPE?a?b%", "a?b", ""},
        {"%user%", NULL, "user"},           /* case-sensitive */
        {"%", "%", ""},
        {"%USER", "%USER", ""},             /* unterminated */
        {"%NOPE?unterminated", "%NOPE?unterminated", ""},
        {"", "", ""},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *out = (char *)1, missing[32];
        int rc = otel_env_substitute(rows[i].in, fake_getenv, &out, missing, sizeof missing);
        if (rows[i].want) {
            ck_assert_msg(rc == OTEL_SUBST_OK, "row %zu (%s): rc %d", i, rows[i].in, rc);
            ck_assert_msg(strcmp(out, rows[i].want) == 0, "row %zu (%s): got \"%s\"", i, rows[i].in, out);
        } else {
            ck_assert_msg(rc == OTEL_SUBST_UNSET && out == NULL, "row %zu (%s): rc %d", i, rows[i].in, rc);
            ck_assert_str_eq(missing, rows[i].missing);
        }
        free(out);
    }
}
END_TEST

START_TEST(position_scanner)
{
    const char *t = "{\n  \"a\": 1,\n  \"logs\": {\"filters\": [ {}, {\"x\": 2, \"hideRegex\": \"(\"} ],\n"
                    "   \"k.e\\\"y\": \"\xc3\xa9\", \"u\\u00e9\": true}\n}";
    static const struct {
        const char *path;
        int line, col;
    } rows[] = {
        {"", 1, 1},
        {"a", 2, 8},
        {"logs", 3, 11},
        {"logs.filters", 3, 23},
        {"logs.filters[0]", 3, 25},
        {"logs.filters[1].hideRegex", 3, 51},
        {"logs[\"k.e\\\"y\"]", 4, 14},
        {"logs.u\xc3\xa9", 4, 30},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int l = 0, c = 0;
        ck_assert_msg(otel_json_locate(t, strlen(t), rows[i].path, &l, &c) == 0, "row %zu not found", i);
        ck_assert_msg(l == rows[i].line && c == rows[i].col, "row %zu (%s): %d:%d", i, rows[i].path, l, c);
    }
    int l, c;
    ck_assert_int_eq(otel_json_locate(t, strlen(t), "logs.filters[2]", &l, &c), -1);
    ck_assert_int_eq(otel_json_locate(t, strlen(t), "nope", &l, &c), -1);
    ck_assert_int_eq(otel_json_locate(t, strlen(t), "a.b", &l, &c), -1);
    ck_assert_int_eq(otel_json_locate(t, strlen(t), "logs[", &l, &c), -1);
}
END_TEST

static int load(otel_config *cfg, const char *json, otel_config_error *err)
{
    otel_config_init(cfg);
    memset(err, 0, sizeof *err);
    return otel_config_load_text(cfg, "cfg.json", json, strlen(json), fake_getenv, err);
}

/* json loaded and applied over the settings of an empty environment. */
static void load_applied(otel_config *cfg, otel_settings *s, const char *json)
{
    env_reset();
    char e[256];
    ck_assert_int_eq(otel_settings_load(s, fake_getenv, e, sizeof e), 0);
    otel_config_error err;
    ck_assert_msg(load(cfg, json, &err) == 0, "%s", err.message);
    ck_assert_int_eq(otel_config_apply(cfg, fake_getenv, s), 0);
}

START_TEST(shapes_and_spellings)
{
    static const char *const docs[] = {
        "{\"url\":\"http://c:1/v1/logs\",\"batchSettings\":{\"maxQueueSize\":7},\"providerSettings\":"
        "{\"forceFlushTimeoutMillis\":3}}",
        "{\"logs\":{\"url\":\"http://c:1/v1/logs\",\"processorSettings\":{\"maxQueueSize\":7},"
        "\"loggerProviderSettings\":{\"forceFlushTimeoutMillis\":3}}}",
        "{\"otel\":{\"enabled\":true,\"logs\":{\"enabled\":true,\"url\":\"http://c:1/v1/logs\","
        "\"batchSettings\":{\"maxQueueSize\":7},\"loggerProviderSettings\":{\"forceFlushTimeoutMillis\":3}}}}",
    };
    for (size_t i = 0; i < 3; i++) {
        otel_config cfg;
        otel_config_error err;
        ck_assert_int_eq(load(&cfg, docs[i], &err), 0);
        ck_assert_str_eq(cfg.logs.url, "http://c:1/v1/logs");
        ck_assert_int_eq(cfg.logs.max_queue_size, 7);
        ck_assert_int_eq(cfg.logs.force_flush_timeout_ms, 3);
        ck_assert(otel_config_logs_enabled(&cfg));
        otel_config_free(&cfg);
    }
}
END_TEST

START_TEST(applied_to_settings)
{
    env_reset();
    env_set("TOKEN", "s3cret");
    env_set("REGION", "eu");
    otel_settings s;
    char e[256];
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, e, sizeof e), 0);
    otel_config cfg;
    otel_config_error err;
    const char *json =
        "{\"otel\":{\"headers\":{\"X-Team\":\"a\",\"Authorization\":\"root\"},\"serviceName\":\"svc-%REGION%\","
        "\"finalExportTimeoutMs\":1234,"
        "\"logs\":{\"url\":\"http://ignored/v1/logs\",\"headers\":{\"Authorization\":\"Bearer %TOKEN%\"},"
        "\"compression\":\"gzip\",\"timeoutMillis\":99,\"keepAlive\":false,"
        "\"exporterSettings\":{\"url\":\"https://c:4318/v1/logs\",\"headers\":{\"X-Team\":\"b\",\"X-Gone\":\"%UNSET%\"}},"
        "\"batchSettings\":{\"maxQueueSize\":10,\"maxExportBatchSize\":50,\"scheduledDelayMillis\":0,"
        "\"exportTimeoutMillis\":5,\"blockTimeoutMillis\":250},"
        "\"additionalResourceAttributes\":{\"region\":\"%REGION%\",\"n\":3,\"gone\":\"%UNSET%\"}}}}";
    ck_assert_int_eq(load(&cfg, json, &err), 0);
    ck_assert_int_eq(otel_config_apply(&cfg, fake_getenv, &s), 0);
    ck_assert_str_eq(s.logs_url, "https://c:4318/v1/logs");
    ck_assert_int_eq(s.compression, OTEL_COMPRESSION_GZIP);
    ck_assert_int_eq(s.request_timeout_ms, 99);
    ck_assert_int_eq(s.no_keep_alive, 1);
    ck_assert_uint_eq(s.max_queue_size, 10);
    ck_assert_uint_eq(s.max_export_batch_size, 10); /* capped at the queue size */
    ck_assert_int_eq(s.schedule_delay_ms, 0);
    ck_assert_int_eq(s.export_timeout_ms, 5);
    ck_assert_int_eq(s.block_timeout_ms, 250);
    ck_assert_int_eq(s.shutdown_timeout_ms, 1234);
    ck_assert_uint_eq(s.nheaders, 2);
    for (size_t i = 0; i < s.nheaders; i++) {
        if (strcmp(s.headers[i].name, "Authorization") == 0)
            ck_assert_str_eq(s.headers[i].value, "Bearer s3cret");
        else
            ck_assert_str_eq(s.headers[i].value, "b");
    }
    ck_assert_str_eq(otel_resource_get(&s, "region"), "eu");
    ck_assert_str_eq(otel_resource_get(&s, "service.name"), "svc-eu");
    ck_assert_ptr_null(otel_resource_get(&s, "gone"));
    /* the two unset variables: one warning each */
    size_t warnings = 0;
    for (size_t i = 0; i < cfg.nnotes; i++)
        warnings += cfg.notes[i].kind == OTEL_CONFIG_NOTE_WARNING;
    ck_assert_uint_eq(warnings, 2);
    /* describe never prints a header value or the token */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    otel_config_describe(&cfg, &s, f);
    fclose(f);
    ck_assert_ptr_null(strstr(buf, "s3cret"));
    ck_assert_ptr_nonnull(strstr(buf, "Authorization: ****"));
    free(buf);
    otel_config_free(&cfg);
    otel_settings_free(&s);
}
END_TEST

/* The destination URL describe prints: no user:password@ (an unencoded '/'
 * in the password too), no query text, and hideRegex applied. */
START_TEST(describe_url_hides_credentials_and_query)
{
    otel_settings s;
    otel_config cfg;
    load_applied(&cfg, &s,
                 "{\"logs\":{\"url\":\"http://user:pa/ss@c:4318/v1/tenant-t0p/logs?api_key=K3y\","
                 "\"defaults\":{\"hideRegex\":\"t0p\"}}}");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    otel_config_describe(&cfg, &s, f);
    fclose(f);
    ck_assert_msg(strstr(buf, "destination: OTLP over HTTP to http://c:4318/v1/tenant-***/logs?****\n") != NULL, "%s", buf);
    ck_assert_msg(!strstr(buf, "pa/ss") && !strstr(buf, "user") && !strstr(buf, "K3y"), "%s", buf);
    free(buf);
    otel_config_free(&cfg);
    otel_settings_free(&s);
}
END_TEST

/* log4c-otel-check's filters: what each rule sets itself (options merge
 * first-wins across matching rules), then the defaults in force. */
START_TEST(describe_filters_say_what_each_rule_sets)
{
    otel_config cfg;
    otel_config_error err;
    env_reset();
    ck_assert_int_eq(load(&cfg, "{\"filters\": [{\"categoryName\": \"app\", \"allowedAttributes\": [\"keep\"]},"
                                " {\"severity\": \"DEBUG\", \"enabled\": false, \"hideRegex\": \"x+\"},"
                                " {\"bodyRegex\": \"b\"}], \"defaults\": {\"enabled\": true}}", &err), 0);
    otel_settings s;
    char msg[256];
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, msg, sizeof msg), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    otel_config_describe(&cfg, &s, f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "filters: (every matching rule in order gives the options it sets, the first to "
                                      "set one wins, then defaults; hideRegex: defaults' and every matching rule's)\n"
                                      "  [0] match: categoryName \"app\"\n"
                                      "      sets: allowedAttributes [\"keep\"]\n"
                                      "  [1] match: severity 5-8\n"
                                      "      sets: enabled false hideRegex \"x+\"\n"
                                      "  [2] match: bodyRegex \"b\"\n"
                                      "      sets: (nothing)\n"
                                      "defaults:\n"
                                      "  enabled: true\n"));
    free(buf);
    otel_config_free(&cfg);
    otel_settings_free(&s);
}
END_TEST

/* logs.sources, logs.file and "appenders" are parsed once at load; each
 * worker's settings and the appender registry are built from the typed
 * result, over the environment (defaults -> env -> JSON). */
START_TEST(sections_typed_at_load)
{
    env_reset();
    env_set("HOME", "/nonexistent");
    env_set("LOG4C_OTEL_FILE", "/tmp/from-env.jsonl");
    env_set("LOG4C_OTEL_FILE_MAX_SIZE", "4K");
    env_set("LOG4C_OTEL_FILE_APPENDER_MODE", "0640");
    env_set("LOG4C_OTEL_FILE_APPENDER_FSYNC", "250");
    otel_config cfg;
    otel_config_error err;
    const char *json = "{\"logs\":{\"sources\":{\"default\":\"mine\",\"rules\":[{\"categoryName\":\"a.b\","
                       "\"source\":\"ab\"}]},\"file\":{\"backups\":2,\"compress\":true}},"
                       "\"appenders\":{\"a.log\":{\"fsync\":\"line\",\"backups\":3},\"b.log\":{\"fsync\":100}}}";
    ck_assert_int_eq(load(&cfg, json, &err), 0);
    for (int i = 0; i < 2; i++) { /* every worker gets the same */
        otel_settings s;
        ck_assert_int_eq(otel_config_worker_settings(&cfg, fake_getenv, &s), 0);
        ck_assert_str_eq(s.sources.default_source, "mine");
        ck_assert_uint_eq(s.sources.nrules, 1);
        ck_assert_str_eq(s.sources.rules[0].category, "a.b");
        ck_assert_str_eq(s.file.path, "/tmp/from-env.jsonl"); /* env, the JSON gives no path */
        ck_assert_uint_eq(s.file.max_size, 4096);             /* env */
        ck_assert_uint_eq(s.file.backups, 2);                 /* JSON over env */
        ck_assert_int_eq(s.file.gzip, 1);
        otel_settings_free(&s);
    }
    char e[256];
    ck_assert_int_eq(otel_config_apply_global(&cfg, fake_getenv, e, sizeof e), 0);
    otel_line_file_settings a, b;
    ck_assert_int_eq(otel_line_file_settings_lookup("a.log", &a), 1);
    ck_assert_int_eq(a.fsync_policy, OTEL_FSYNC_LINE);
    ck_assert_int_eq(a.fsync_interval_ms, 250); /* "line" keeps the env's interval */
    ck_assert_uint_eq(a.backups, 3);
    ck_assert_uint_eq(a.mode, 0640); /* env */
    ck_assert_int_eq(otel_line_file_settings_lookup("b.log", &b), 1);
    ck_assert_int_eq(b.fsync_policy, OTEL_FSYNC_INTERVAL);
    ck_assert_int_eq(b.fsync_interval_ms, 100);
    ck_assert_uint_eq(b.backups, 5); /* default */
    otel_line_file_settings_clear_registry();
    otel_config_free(&cfg);
}
END_TEST

START_TEST(unknown_keys_are_noted_once)
{
    otel_config cfg;
    otel_config_error err;
    const char *json = "{\"otel\":{\"shiny\":1,\"logs\":{\"nope\":true,\"filters\":[{\"what\":1}],"
                       "\"batchSettings\":{\"x\":1},\"useDefaultFilters\":true}}}";
    ck_assert_int_eq(load(&cfg, json, &err), 0);
    const char *want[] = {"cfg.json:1:18: otel.shiny: unknown key, ignored",
                          "cfg.json:1:35: otel.logs.nope: unknown key, ignored",
                          "cfg.json:1:59: otel.logs.filters[0].what: unknown key, ignored",
                          "cfg.json:1:84: otel.logs.batchSettings.x: unknown key, ignored",
                          "otel.logs.useDefaultFilters"};
    ck_assert_uint_eq(cfg.nnotes, 5);
    for (size_t i = 0; i < 5; i++)
        ck_assert_msg(strstr(cfg.notes[i].text, want[i]) != NULL, "note %zu: %s", i, cfg.notes[i].text);
    otel_config_free(&cfg);
}
END_TEST

/* Every error: the exact sentence the user reads. */
/* logs.spool.maxBytes: bytes or a size string, at least 64K (the same
 * number-or-size reading as logs.file.maxLogSize) */
START_TEST(spool_max_bytes)
{
    env_reset();
    static const struct {
        const char *value;
        long long want; /* -2: rejected */
    } rows[] = {
        {"65536", 65536},      {"\"256M\"", 256ll << 20}, {"\"1GiB\"", 1ll << 30}, {"\"64K\"", 65536},
        {"65535", -2},         {"\"63K\"", -2},           {"-1", -2},               {"1.5e6", -2},
        {"true", -2},          {"\"12Q\"", -2},           {"\"\"", -2},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char json[160];
        snprintf(json, sizeof json, "{\"logs\": {\"spool\": {\"maxBytes\": %s}}}", rows[i].value);
        otel_config cfg;
        otel_config_error err;
        int rc = load(&cfg, json, &err);
        if (rows[i].want == -2) {
            ck_assert_msg(rc == LOG4C_OTEL_ECONFIG, "%s accepted", rows[i].value);
            ck_assert_msg(strstr(err.message, "expected a size of at least 64K") != NULL, "%s: %s", rows[i].value,
                          err.message);
        } else {
            ck_assert_msg(rc == 0, "%s rejected: %s", rows[i].value, err.message);
            ck_assert_int_eq(cfg.logs.spool_max_bytes, rows[i].want);
        }
        otel_config_free(&cfg);
    }
}
END_TEST

START_TEST(error_messages)
{
    env_reset();
    static const struct {
        const char *json, *want;
    } rows[] = {
        {"{\"url\": ", "cfg.json:1:8: invalid JSON: unexpected token near end of file"},
        {"{\"a\":1,\n \"a\":2}", "cfg.json:2:4: invalid JSON: duplicate object key near '\"a\"'"},
        /* the text the parser stopped at is not quoted: it can be a secret */
        {"{\"headers\": {\"Authorization\": \"Bearer s3cr3t\n\"}}", "cfg.json:1:44: invalid JSON: unexpected newline"},
        {"{\"headers\": {\"Authorization\": Bearer s3cr3t}}", "cfg.json:1:36: invalid JSON: invalid token"},
        {"[1]", "cfg.json:1:1: expected a JSON object (the logs settings, {\"logs\": ...} or {\"otel\": ...}), got an array"},
        {"{\"otel\": 3}", "cfg.json:1:10: otel: expected an object, got an integer"},
        {"{\"filters\": {}}", "cfg.json:1:13: filters: expected an array of filter objects, got an object"},
        {"{\"filters\": [1]}", "cfg.json:1:14: filters[0]: expected an object, got an integer"},
        {"{\"filters\": [{}, {}, {\"hideRegex\": \"(ab\"}]}",
         "cfg.json:1:36: filters[2].hideRegex: expected a valid regular expression (JavaScript: missing closing parenthesis at offset 3)"},
        {"{\"logs\": {\"filters\": [{\"bodyRegex\": 5}]}}",
         "cfg.json:1:37: logs.filters[0].bodyRegex: expected a regular expression (a string), got an integer"},
        {"{\"filters\": [{\"categoryName\": \"#[\"}]}",
         "cfg.json:1:31: filters[0].categoryName: expected a valid regular expression (JavaScript: missing terminating ] for character class at offset 1)"},
        {"{\"filters\": [{\"categoryName\": \"\"}]}",
         "cfg.json:1:31: filters[0].categoryName: expected a non-empty category name or \"#regex\", got an empty string"},
        {"{\"filters\": [{\"severity\": \"LOUD\"}]}",
         "cfg.json:1:27: filters[0].severity: expected a severity name (any case): TRACE, DEBUG, INFO, WARN, ERROR, FATAL, ALL, MARK, OFF, VERBOSE, INFORMATION, INFORMATIONAL, NOTICE, WARNING, "
         "ERR, CRIT, CRITICAL, ALERT, EMERG or EMERGENCY, got \"LOUD\""},
        {"{\"filters\": [{\"severity\": 3}]}",
         "cfg.json:1:27: filters[0].severity: expected a severity name (any case): TRACE, DEBUG, INFO, WARN, ERROR, FATAL, ALL, MARK, OFF, VERBOSE, INFORMATION, INFORMATIONAL, NOTICE, WARNING, "
         "ERR, CRIT, CRITICAL, ALERT, EMERG or EMERGENCY, got an integer"},
        {"{\"filters\": [{\"enabled\": \"no\"}]}", "cfg.json:1:26: filters[0].enabled: expected true or false, got a string"},
        {"{\"logs\": {\"protocol\": \"grpc2\"}}",
         "cfg.json:1:23: logs.protocol: expected \"http/protobuf\", \"http/json\" or \"grpc\", got \"grpc2\""},
        {"{\"logs\": {\"exporterSettings\": {\"protocol\": \"HTTP/JSON\"}}}",
         "cfg.json:1:44: logs.exporterSettings.protocol: expected \"http/protobuf\", \"http/json\" or \"grpc\", got "
         "\"HTTP/JSON\""},
        {"{\"url\": \"http://c:1/v1/logs\", \"protocol\": 2}",
         "cfg.json:1:43: protocol: expected \"http/protobuf\", \"http/json\" or \"grpc\", got an integer"},
        {"{\"defaults\": {\"allowedAttributes\": [\"a\", 2]}}",
         "cfg.json:1:42: defaults.allowedAttributes[1]: expected an attribute name (a string), got an integer"},
        {"{\"defaults\": {\"allowedAttributes\": \"a\"}}",
         "cfg.json:1:36: defaults.allowedAttributes: expected an array of attribute names, got a string"},
        {"{\"batchSettings\": {\"maxQueueSize\": -5}}",
         "cfg.json:1:36: batchSettings.maxQueueSize: expected a positive integer, got -5"},
        {"{\"processorSettings\": {\"scheduledDelayMillis\": -1}}",
         "cfg.json:1:48: processorSettings.scheduledDelayMillis: expected a non-negative integer, got -1"},
        {"{\"batchSettings\": {\"maxExportBatchSize\": 1.5}}",
         "cfg.json:1:42: batchSettings.maxExportBatchSize: expected a positive integer, got 1.5"},
        {"{\"timeoutMillis\": \"10\"}", "cfg.json:1:19: timeoutMillis: expected a positive integer, got a string"},
        {"{\"providerSettings\": {\"logRecordLimits\": {\"attributeCountLimit\": -1}}}",
         "cfg.json:1:66: providerSettings.logRecordLimits.attributeCountLimit: expected a non-negative integer, got -1"},
        {"{\"maxAttributeDepth\": -2}", "cfg.json:1:23: maxAttributeDepth: expected a non-negative integer, got -2"},
        {"{\"finalExportTimeoutMs\": null}", "cfg.json:1:26: finalExportTimeoutMs: expected a non-negative integer, got null"},
        {"{\"compression\": \"br\"}", "cfg.json:1:17: compression: expected \"none\" or \"gzip\", got \"br\""},
        {"{\"url\": \"ftp://x\"}", "cfg.json:1:9: url: expected a URL starting with http:// or https://"},
        {"{\"url\": \"%NOPE%/v1/logs\"}",
         "cfg.json:1:9: url: environment variable NOPE is not set and has no fallback (%NOPE?fallback%)"},
        {"{\"exporterSettings\": {\"keepAlive\": 1}}",
         "cfg.json:1:36: exporterSettings.keepAlive: expected true or false, got an integer"},
        {"{\"headers\": {\"Authorization\": 42}}",
         "cfg.json:1:31: headers.Authorization: expected a string header value, got an integer"},
        {"{\"headers\": {\"bad name\": \"v\"}}", "cfg.json:1:26: headers[\"bad name\"]: expected a valid HTTP header name"},
        /* not a token: the variable's names are held to the same rule */
        {"{\"headers\": {\"c(\": \"v\"}}", "cfg.json:1:20: headers.c(: expected a valid HTTP header name"},
        {"{\"headers\": {\"caf\u00e9\": \"v\"}}", "cfg.json:1:22: headers.caf\u00e9: expected a valid HTTP header name"},
        /* one object naming a header twice, in two cases: which one is meant? */
        {"{\"headers\": {\"X-A\": \"1\", \"x-a\": \"2\"}}",
         "cfg.json:1:33: headers.x-a: the header \"X-A\" is given twice (header names ignore case)"},
        {"{\"additionalAttributes\": [1]}",
         "cfg.json:1:26: additionalAttributes: expected an object of attribute names and values, got an array"},
        {"{\"otel\": {\"enabled\": \"yes\", \"logs\": {}}}", "cfg.json:1:22: otel.enabled: expected true or false, got a string"},
        {"{\"otel\": {\"logs\": {\"batchSettings\": []}}}", "cfg.json:1:37: otel.logs.batchSettings: expected an object, got an array"},
        {"{\"logs\": {\"addResourceAttributesToAttributes\": 0}}",
         "cfg.json:1:48: logs.addResourceAttributesToAttributes: expected true or false, got an integer"},
        /* every section reports the bad value's own key path and position */
        {"{\"logs\": {\"sources\": {\"rules\": {}}}}", "cfg.json:1:32: logs.sources.rules: expected an array"},
        {"{\"sources\": {\"enabled\": 1}}", "cfg.json:1:25: sources.enabled: expected true or false"},
        {"{\"logs\": {}, \"traces\": {\"filters\": [{\"source\": \"\"}]}}",
         "cfg.json:1:48: traces.filters[0].source: expected a non-empty string"},
        {"{\"logs\": {}, \"appenders\": {\"a.log\": {\"backups\": 10001}}}",
         "cfg.json:1:49: appenders[\"a.log\"].backups: expected a number from 0 to 10000"},
        {"{\"logs\": {\"file\": {\"compress\": \"yes\"}}}", "cfg.json:1:32: logs.file.compress: expected true or false"},
        /* a misspelt key in a masking or filtering position fails closed */
        {"{\"logs\": {\"defaults\": {\"hiddeRegex\": \"x\"}}}",
         "cfg.json:1:38: logs.defaults.hiddeRegex: unknown key; did you mean hideRegex?"},
        {"{\"filters\": [{\"categoryName\": \"a\", \"HideRegex\": \"x\"}]}",
         "cfg.json:1:49: filters[0].HideRegex: unknown key; did you mean hideRegex?"},
        {"{\"filters\": [{\"bodyRegx\": \"x\"}]}", "cfg.json:1:27: filters[0].bodyRegx: unknown key; did you mean bodyRegex?"},
        {"{\"filters\": [{\"severty\": \"INFO\"}]}", "cfg.json:1:26: filters[0].severty: unknown key; did you mean severity?"},
        {"{\"filters\": [{\"allowedAttribute\": []}]}",
         "cfg.json:1:35: filters[0].allowedAttribute: unknown key; did you mean allowedAttributes?"},
        {"{\"logs\": {\"filter\": []}}", "cfg.json:1:21: logs.filter: unknown key; did you mean filters?"},
        {"{\"logs\": {\"defualts\": {}}}", "cfg.json:1:23: logs.defualts: unknown key; did you mean defaults?"},
        {"{\"otel\": {\"enable\": false}}", "cfg.json:1:21: otel.enable: unknown key; did you mean enabled?"},
        {"{\"traces\": {\"filters\": [{\"sourc\": \"ws\"}]}}",
         "cfg.json:1:35: traces.filters[0].sourc: unknown key; did you mean source?"},
        /* a document of no accepted shape */
        {"{\"urll\": 1, \"x\": 2}", "cfg.json:1:1: no key of an accepted shape: {\"otel\": {...}}, a document of "
                                      "sections (logs, traces, appenders, metrics, serviceName, ...) or a bare logs "
                                      "object (url, exporterSettings, filters, defaults, ...)"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        otel_config cfg;
        otel_config_error err;
        int rc = load(&cfg, rows[i].json, &err);
        char buf[1024];
        otel_config_error_format(&err, buf, sizeof buf);
        ck_assert_msg(rc == LOG4C_OTEL_ECONFIG, "row %zu: rc %d", i, rc);
        ck_assert_msg(strcmp(buf, rows[i].want) == 0, "row %zu:\n got: %s\nwant: %s", i, buf, rows[i].want);
        otel_config_free(&cfg);
    }
}
END_TEST

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* A traces-only document is the sectioned shape (its logs keep their
 * defaults); unknown keys far from any masking key are noted, never an
 * error; severity names of log4js and long spellings are accepted. */
START_TEST(shapes_unknown_keys_and_severity_names)
{
    otel_config cfg;
    otel_config_error err;
    ck_assert_int_eq(load(&cfg, "{\"traces\": {\"enabled\": true, \"filters\": [{\"source\": \"ws\", \"log\": true}]}}", &err), 0);
    ck_assert_ptr_nonnull(cfg.traces);
    ck_assert_int_eq(otel_config_logs_enabled(&cfg), 1);
    otel_config_free(&cfg);
    ck_assert_int_eq(load(&cfg, "{\"appenders\": {\"a\": {\"backups\": 2}}}", &err), 0);
    ck_assert_uint_eq(cfg.appenders.n, 1);
    otel_config_free(&cfg);
    ck_assert_int_eq(load(&cfg, "{\"serviceName\": \"svc\"}", &err), 0); /* a root-only key: sectioned */
    otel_config_free(&cfg);
    ck_assert_int_eq(load(&cfg, "{}", &err), 0);
    otel_config_free(&cfg);
    /* unknown keys far from every masking key: noted in every section */
    ck_assert_int_eq(load(&cfg, "{\"logs\": {\"colour\": 1, \"file\": {\"rotateDaily\": true}, \"sources\": {\"x\": 1}},"
                                " \"traces\": {\"sampler\": 1}, \"appenders\": {\"a\": {\"fsyncEvery\": 1}}}", &err), 0);
    const char *want[] = {"logs.colour", "logs.file.rotateDaily", "logs.sources.x", "traces.sampler",
                          "appenders.a.fsyncEvery"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int found = 0;
        for (size_t j = 0; j < cfg.nnotes; j++)
            if (strstr(cfg.notes[j].text, want[i]) && strstr(cfg.notes[j].text, "unknown key"))
                found = 1;
        ck_assert_msg(found, "no note for %s", want[i]);
    }
    otel_config_free(&cfg);
    static const struct {
        const char *name;
        int min, max;
    } sev[] = {
        {"Warning", 13, 16}, {"information", 9, 12}, {"Critical", 17, 20}, {"error", 17, 20}, {"Fatal", 21, 24},
        {"trace", 1, 4},     {"Debug", 5, 8},        {"notice", 9, 12},    {"MARK", 21, 24},  {"off", 25, 24},
        {"all", 0, 24},
    };
    for (size_t i = 0; i < sizeof sev / sizeof sev[0]; i++) {
        char json[128];
        snprintf(json, sizeof json, "{\"filters\": [{\"severity\": \"%s\"}]}", sev[i].name);
        ck_assert_msg(load(&cfg, json, &err) == 0, "%s", sev[i].name);
        ck_assert_int_eq(cfg.logs.filters.rules[0].sev_min, sev[i].min);
        ck_assert_int_eq(cfg.logs.filters.rules[0].sev_max, sev[i].max);
        otel_config_free(&cfg);
    }
    /* the error for an unknown name lists what is accepted: every name it
     * lists is, and the common ones are listed */
    ck_assert_int_ne(load(&cfg, "{\"filters\": [{\"severity\": \"LOUD\"}]}", &err), 0);
    char msg[1024];
    otel_config_error_format(&err, msg, sizeof msg);
    otel_config_free(&cfg);
    const char *from = strstr(msg, "(any case): "), *to = strstr(msg, ", got ");
    ck_assert_ptr_nonnull(from);
    ck_assert_ptr_nonnull(to);
    from += strlen("(any case): ");
    char names[512];
    snprintf(names, sizeof names, "%.*s", (int)(to - from), from);
    size_t listed = 0;
    for (char *save = NULL, *t = strtok_r(names, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        if (strcmp(t, "or") == 0)
            continue;
        char json[128];
        snprintf(json, sizeof json, "{\"filters\": [{\"severity\": \"%s\"}]}", t);
        ck_assert_msg(load(&cfg, json, &err) == 0, "listed but refused: %s", t);
        otel_config_free(&cfg);
        listed++;
    }
    ck_assert_uint_eq(listed, 20);
    for (size_t i = 0; i < sizeof sev / sizeof sev[0]; i++) {
        char up[32];
        size_t n = strlen(sev[i].name);
        for (size_t j = 0; j <= n; j++)
            up[j] = (char)toupper((unsigned char)sev[i].name[j]);
        ck_assert_msg(strstr(msg, up) != NULL, "accepted but not listed: %s", up);
    }
}
END_TEST


START_TEST(sources_found_and_merged)
{
    strcpy(tmpdir, "/tmp/test_config_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    write_file("log4c-otel.json", "{\"logs\":{\"url\":\"http://file/v1/logs\",\"timeoutMillis\":5,"
                                  "\"filters\":[{\"categoryName\":\"a\"}]}}");
    env_reset();
    env_set("LOG4C_RCPATH", tmpdir);
    otel_config cfg;
    otel_config_error err;
    memset(&err, 0, sizeof err);
    otel_config_init(&cfg);
    /* found along LOG4C_RCPATH; the C API's JSON string wins member by member */
    otel_config_request req = {1, NULL, "{\"otel\":{\"logs\":{\"timeoutMillis\":7}}}"};
    ck_assert_int_eq(otel_config_load(&cfg, &req, fake_getenv, &err), 0);
    ck_assert_str_eq(cfg.logs.url, "http://file/v1/logs");
    ck_assert_int_eq(cfg.logs.timeout_ms, 7);
    ck_assert_uint_eq(cfg.logs.filters.nrules, 1);
    otel_config_free(&cfg);

    /* an error in the API's JSON names it; one in the file names the file */
    otel_config_request bad = {1, NULL, "{\"timeoutMillis\": -1}"};
    otel_config_init(&cfg);
    ck_assert_int_eq(otel_config_load(&cfg, &bad, fake_getenv, &err), LOG4C_OTEL_ECONFIG);
    char buf[1024];
    ck_assert_str_eq(otel_config_error_format(&err, buf, sizeof buf),
                     "<json string>:1:19: timeoutMillis: expected a positive integer, got -1");
    otel_config_free(&cfg);
    write_file("bad.json", "{\n  \"filters\": [\n    {\"hideRegex\": \"[\"}\n  ]\n}\n");
    char p[256];
    snprintf(p, sizeof p, "%s/bad.json", tmpdir);
    env_set("LOG4C_OTEL_CONFIG", p);
    otel_config_request found = {1, NULL, NULL};
    otel_config_init(&cfg);
    ck_assert_int_eq(otel_config_load(&cfg, &found, fake_getenv, &err), LOG4C_OTEL_ECONFIG);
    char want[512];
    snprintf(want, sizeof want,
             "%s:3:19: filters[0].hideRegex: expected a valid regular expression (JavaScript: missing terminating ] for "
             "character class at offset 1)", p);
    ck_assert_str_eq(otel_config_error_format(&err, buf, sizeof buf), want);
    otel_config_free(&cfg);
    /* LOG4C_OTEL_CONFIG naming a missing file is an error, not a silent default */
    env_reset();
    env_set("LOG4C_OTEL_CONFIG", "/nonexistent/x.json");
    otel_config_init(&cfg);
    ck_assert_int_eq(otel_config_load(&cfg, &found, fake_getenv, &err), LOG4C_OTEL_ECONFIG);
    ck_assert_str_eq(otel_config_error_format(&err, buf, sizeof buf),
                     "/nonexistent/x.json: cannot open the configuration file: No such file or directory");
    otel_config_free(&cfg);
    /* nothing anywhere: defaults */
    env_reset();
    env_set("HOME", "/nonexistent");
    otel_config_init(&cfg);
    ck_assert_int_eq(otel_config_load(&cfg, &found, fake_getenv, &err), 0);
    ck_assert_ptr_null(cfg.sources);
    otel_config_free(&cfg);
    snprintf(p, sizeof p, "rm -rf %s", tmpdir);
    ck_assert_int_eq(system(p), 0);
}
END_TEST

/* A file found by search ranks below the OTEL_* variables that are set and
 * is used only when trusted; LOG4C_OTEL_CONFIG is taken as given. */
START_TEST(searched_file_precedence_and_trust)
{
    strcpy(tmpdir, "/tmp/test_config_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    write_file("log4c-otel.json", "{\"logs\":{\"url\":\"http://file/v1/logs\",\"timeoutMillis\":5,"
                                  "\"headers\":{\"a\":\"file\",\"b\":\"file\"},"
                                  "\"additionalResourceAttributes\":{\"env.x\":\"file\",\"keep\":\"file\"}}}");
    char p[256];
    snprintf(p, sizeof p, "%s/log4c-otel.json", tmpdir);
    env_reset();
    env_set("LOG4C_RCPATH", tmpdir);
    env_set("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4318");
    env_set("OTEL_EXPORTER_OTLP_HEADERS", "A=env");
    env_set("OTEL_RESOURCE_ATTRIBUTES", "env.x=env");
    otel_config cfg;
    otel_config_error err;
    memset(&err, 0, sizeof err);
    otel_config_request req = {1, NULL, NULL};
    otel_config_init(&cfg);
    ck_assert_int_eq(otel_config_load(&cfg, &req, fake_getenv, &err), 0);
    ck_assert_ptr_nonnull(cfg.searched);
    ck_assert_str_eq(cfg.searched, p);
    ck_assert_ptr_null(cfg.refused);
    ck_assert_ptr_null(cfg.logs.url);            /* the set endpoint variable wins */
    ck_assert_int_eq(cfg.logs.timeout_ms, 5);    /* no variable: the file gives it */
    ck_assert_uint_eq(cfg.logs.headers.n, 1);    /* header a (any case) is the variable's */
    ck_assert_str_eq(cfg.logs.headers.a[0].key, "b");
    ck_assert_uint_eq(cfg.logs.additional_resource_attributes.n, 1);
    ck_assert_str_eq(cfg.logs.additional_resource_attributes.a[0].key, "keep");
    otel_config_free(&cfg);

    /* the same file named explicitly wins over the environment */
    env_set("LOG4C_OTEL_CONFIG", p);
    otel_config_init(&cfg);
    ck_assert_int_eq(otel_config_load(&cfg, &req, fake_getenv, &err), 0);
    ck_assert_ptr_null(cfg.searched);
    ck_assert_str_eq(cfg.logs.url, "http://file/v1/logs");
    ck_assert_uint_eq(cfg.logs.headers.n, 2);
    otel_config_free(&cfg);
    /* and the C API's file too */
    env_reset();
    env_set("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4318");
    otel_config_request api = {1, p, NULL};
    otel_config_init(&cfg);
    ck_assert_int_eq(otel_config_load(&cfg, &api, fake_getenv, &err), 0);
    ck_assert_str_eq(cfg.logs.url, "http://file/v1/logs");
    otel_config_free(&cfg);

    /* untrusted: writable by others, then its directory, then another owner */
    env_reset();
    env_set("LOG4C_RCPATH", tmpdir);
    ck_assert_int_eq(chmod(p, 0666), 0);
    otel_config_init(&cfg);
    ck_assert_int_eq(otel_config_load(&cfg, &req, fake_getenv, &err), 0);
    ck_assert_ptr_null(cfg.searched);
    ck_assert_ptr_nonnull(cfg.refused);
    ck_assert_ptr_nonnull(strstr(cfg.refused, "writable by group or others"));
    ck_assert_ptr_null(cfg.logs.url);
    otel_config_free(&cfg);
    ck_assert_int_eq(chmod(p, 0644), 0);
    ck_assert_int_eq(chmod(tmpdir, 0770), 0);
    otel_config_init(&cfg);
    ck_assert_int_eq(otel_config_load(&cfg, &req, fake_getenv, &err), 0);
    ck_assert_ptr_nonnull(cfg.refused);
    ck_assert_ptr_nonnull(strstr(cfg.refused, "its directory"));
    ck_assert_ptr_null(cfg.logs.url);
    otel_config_free(&cfg);
    ck_assert_int_eq(chmod(tmpdir, 0700), 0);
    otel_config_init(&cfg);
    ck_assert_int_eq(otel_config_load(&cfg, &req, fake_getenv, &err), 0);
    ck_assert_ptr_null(cfg.refused); /* trusted again */
    ck_assert_str_eq(cfg.logs.url, "http://file/v1/logs");
    otel_config_free(&cfg);
    if (geteuid() == 0) { /* root can give the file away */
        ck_assert_int_eq(chown(p, 65534, 65534), 0);
        otel_config_init(&cfg);
        ck_assert_int_eq(otel_config_load(&cfg, &req, fake_getenv, &err), 0);
        ck_assert_ptr_nonnull(cfg.refused);
        ck_assert_ptr_nonnull(strstr(cfg.refused, "owned by uid 65534"));
        ck_assert_ptr_null(cfg.logs.url);
        otel_config_free(&cfg);
        /* named explicitly, it is taken as given */
        env_set("LOG4C_OTEL_CONFIG", p);
        otel_config_init(&cfg);
        ck_assert_int_eq(otel_config_load(&cfg, &req, fake_getenv, &err), 0);
        ck_assert_str_eq(cfg.logs.url, "http://file/v1/logs");
        otel_config_free(&cfg);
    }
    unlink(p);
    rmdir(tmpdir);
}
END_TEST

/* items[0..n) sorted and joined by ';' into out */
static void join_sorted(char (*items)[128], size_t n, char *out, size_t len)
{
    qsort(items, n, sizeof items[0], (int (*)(const void *, const void *))strcmp);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strncat(out, ";", len - strlen(out) - 1);
        strncat(out, items[i], len - strlen(out) - 1);
    }
}

/* An attribute list as "k=v" entries sorted by key, joined by ';'
 * (strings as they are, the other types as JSON writes them). */
static void attrs_text(const otel_attr_list *l, char *out, size_t len)
{
    char items[32][128];
    size_t n = l->n < 32 ? l->n : 32;
    for (size_t i = 0; i < n; i++) {
        const otel_attr *a = &l->a[i];
        switch (a->type) {
        case OTEL_VALUE_STRING: snprintf(items[i], sizeof items[i], "%s=%s", a->key, a->v.str.s); break;
        case OTEL_VALUE_INT: snprintf(items[i], sizeof items[i], "%s=%lld", a->key, (long long)a->v.i); break;
        case OTEL_VALUE_BOOL: snprintf(items[i], sizeof items[i], "%s=%s", a->key, a->v.b ? "true" : "false"); break;
        default: snprintf(items[i], sizeof items[i], "%s=?", a->key); break;
        }
    }
    join_sorted(items, n, out, len);
}

/* cfg loaded (row's test) from the searched file text, with the variables
 * var1 and var2 set to val1 and val2 where those are not NULL */
static void load_searched(otel_config *cfg, size_t row, const char *text, const char *var1, const char *val1,
                          const char *var2, const char *val2)
{
    write_file("log4c-otel.json", text);
    env_reset();
    env_set("LOG4C_RCPATH", tmpdir);
    env_set("HOME", "/nonexistent");
    if (val1)
        env_set(var1, val1);
    if (val2)
        env_set(var2, val2);
    otel_config_error err;
    memset(&err, 0, sizeof err);
    otel_config_request req = {1, NULL, NULL};
    otel_config_init(cfg);
    ck_assert_msg(otel_config_load(cfg, &req, fake_getenv, &err) == 0, "row %zu: %s", row, err.message);
    ck_assert_msg(cfg->searched != NULL, "row %zu: file not used", row);
}

/* OTEL_RESOURCE_ATTRIBUTES (and OTEL_SERVICE_NAME) over a searched file's
 * resource attributes: a name the variable gives removes the file's
 * attribute of that flattened name however the file spells it (a top-level
 * key, nested objects, dotted keys inside them, the service* keys of the
 * root), at the root and in `logs`; only that attribute, never a sibling or
 * one nested deeper; names are compared percent-decoded, as the variable is
 * applied; a malformed variable gives nothing and so removes nothing. Both
 * the file's attributes left and the resource a worker ends with are
 * checked. */
START_TEST(searched_file_resource_attributes_yield_to_env)
{
    static const struct {
        const char *file;       /* the searched file */
        const char *ra, *svc;   /* OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME (NULL: unset) */
        const char *left;       /* the file's resource attributes left (attrs_text) */
        const char *final[4][2]; /* string attributes of the worker's resource */
    } rows[] = {
        /* nested objects; the sibling stays */
        {"{\"logs\":{\"additionalResourceAttributes\":{\"deployment\":{\"environment\":\"prod\",\"tier\":\"gold\"}}}}",
         "deployment.environment=dev", NULL, "deployment.tier=gold",
         {{"deployment.environment", "dev"}, {"deployment.tier", "gold"}}},
        /* a dotted key inside an object */
        {"{\"logs\":{\"additionalResourceAttributes\":{\"a\":{\"b.c\":\"file\",\"b.d\":\"keep\"}}}}", "a.b.c=env", NULL,
         "a.b.d=keep", {{"a.b.c", "env"}, {"a.b.d", "keep"}}},
        /* two levels down */
        {"{\"logs\":{\"additionalResourceAttributes\":{\"a\":{\"b\":{\"c\":\"file\"},\"x\":\"keep\"}}}}", "a.b.c=env",
         NULL, "a.x=keep", {{"a.b.c", "env"}, {"a.x", "keep"}}},
        /* an object under a dotted key */
        {"{\"logs\":{\"additionalResourceAttributes\":{\"a.b\":{\"c\":\"file\",\"d\":\"keep\"}}}}", "a.b.c=env", NULL,
         "a.b.d=keep", {{"a.b.c", "env"}, {"a.b.d", "keep"}}},
        /* every spelling of one name at once; names that only start alike stay */
        {"{\"logs\":{\"additionalResourceAttributes\":{\"a.b.c\":1,\"a\":{\"b.c\":2,\"b\":{\"c\":3,\"cd\":\"k1\"},"
         "\"bc\":\"k2\"},\"a.b\":{\"c\":true},\"a.bd\":\"k3\",\"a.b.c.d\":\"k4\"}}}",
         "a.b.c=env", NULL, "a.b.c.d=k4;a.b.cd=k1;a.bc=k2;a.bd=k3",
         {{"a.b.c", "env"}, {"a.b.cd", "k1"}, {"a.bc", "k2"}, {"a.b.c.d", "k4"}}},
        /* only the attribute of that name: an object there flattens deeper and stays */
        {"{\"logs\":{\"additionalResourceAttributes\":{\"a\":{\"b\":\"file\",\"b2\":\"x\"},\"a.b\":{\"c\":\"deeper\"}}}}",
         "a.b=env", NULL, "a.b.c=deeper;a.b2=x", {{"a.b", "env"}, {"a.b.c", "deeper"}, {"a.b2", "x"}}},
        /* the root's and the logs' attributes both yield */
        {"{\"otel\":{\"additionalResourceAttributes\":{\"deployment\":{\"environment\":\"prod\"},\"r\":\"keep\"},"
         "\"logs\":{\"additionalResourceAttributes\":{\"deployment.environment\":\"p2\",\"k\":\"v\"}}}}",
         "deployment.environment=dev", NULL, "k=v;r=keep", {{"deployment.environment", "dev"}, {"k", "v"}}},
        /* names compared percent-decoded: the raw spelling is another name */
        {"{\"logs\":{\"additionalResourceAttributes\":{\"my key\":\"file\",\"a\":{\"b\":\"file\"},\"my%20key\":\"raw\"}}}",
         " my%20key = v ,%61.b=w", NULL, "my%20key=raw", {{"my key", "v"}, {"a.b", "w"}, {"my%20key", "raw"}}},
        /* malformed (an entry without '='): the variable gives nothing, removes nothing */
        {"{\"logs\":{\"additionalResourceAttributes\":{\"deployment\":{\"environment\":\"prod\"},\"oops\":\"file\"}}}",
         "deployment.environment=dev,oops", NULL, "deployment.environment=prod;oops=file",
         {{"deployment.environment", "prod"}, {"oops", "file"}}},
        /* malformed (a bad escape): the same */
        {"{\"logs\":{\"additionalResourceAttributes\":{\"a\":\"file\",\"b\":\"file\"}}}", "a=env,b=%zz", NULL,
         "a=file;b=file", {{"a", "file"}, {"b", "file"}}},
        /* the root's serviceVersion, userId, serviceName and serviceId are those attributes */
        {"{\"otel\":{\"serviceVersion\":\"1.0\",\"userId\":\"ann\",\"serviceName\":\"fsvc\",\"serviceId\":\"fid\","
         "\"logs\":{}}}",
         "service.version=2.0,user.id=bob", NULL, "service.instance.id=fid;service.name=fsvc",
         {{"service.version", "2.0"}, {"user.id", "bob"}, {"service.name", "fsvc"}, {"service.instance.id", "fid"}}},
        {"{\"otel\":{\"serviceName\":\"fsvc\",\"logs\":{}}}", "service.name=esvc", NULL, "",
         {{"service.name", "esvc"}}},
        /* OTEL_SERVICE_NAME: service.name however the file spells it */
        {"{\"serviceName\":\"f0\",\"logs\":{\"additionalResourceAttributes\":{\"service\":{\"name\":\"f\","
         "\"version\":\"1\"}}}}",
         NULL, "esvc", "service.version=1", {{"service.name", "esvc"}, {"service.version", "1"}}},
    };
    strcpy(tmpdir, "/tmp/test_config_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    char p[256];
    snprintf(p, sizeof p, "%s/log4c-otel.json", tmpdir);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        otel_config cfg;
        load_searched(&cfg, i, rows[i].file, "OTEL_RESOURCE_ATTRIBUTES", rows[i].ra, "OTEL_SERVICE_NAME", rows[i].svc);
        char got[1024];
        attrs_text(&cfg.logs.additional_resource_attributes, got, sizeof got);
        ck_assert_msg(strcmp(got, rows[i].left) == 0, "row %zu: left \"%s\", want \"%s\"", i, got, rows[i].left);
        otel_settings s;
        ck_assert_int_eq(otel_config_worker_settings(&cfg, fake_getenv, &s), 0);
        for (size_t j = 0; j < 4 && rows[i].final[j][0]; j++) {
            const char *v = otel_resource_get(&s, rows[i].final[j][0]);
            ck_assert_msg(v && strcmp(v, rows[i].final[j][1]) == 0, "row %zu: resource %s is \"%s\", want \"%s\"", i,
                          rows[i].final[j][0], v ? v : "(none)", rows[i].final[j][1]);
        }
        otel_settings_free(&s);
        otel_config_free(&cfg);
    }
    unlink(p);
    rmdir(tmpdir);
}
END_TEST

/* A header list as "name=value" entries sorted, joined by ';'. */
static void headers_text(const otel_header *h, size_t n, char *out, size_t len)
{
    char items[16][128];
    n = n < 16 ? n : 16;
    for (size_t i = 0; i < n; i++)
        snprintf(items[i], sizeof items[i], "%s=%s", h[i].name, h[i].value);
    join_sorted(items, n, out, len);
}

/* An explicit file's header replaces every header of that name (in any
 * case) the variable gave, a repeated one too: the name is sent once. */
START_TEST(explicit_file_header_replaces_every_one_of_its_name)
{
    strcpy(tmpdir, "/tmp/test_config_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    char p[256];
    snprintf(p, sizeof p, "%s/explicit.json", tmpdir);
    write_file("explicit.json", "{\"logs\":{\"headers\":{\"x-a\":\"file\"}}}");
    env_reset();
    env_set("HOME", "/nonexistent");
    env_set("LOG4C_OTEL_CONFIG", p);
    env_set("OTEL_EXPORTER_OTLP_HEADERS", "x-a=1,b=2,X-A=3,x-a=4,c=5");
    otel_config cfg;
    otel_config_error err;
    memset(&err, 0, sizeof err);
    otel_config_request req = {1, NULL, NULL};
    otel_config_init(&cfg);
    ck_assert_msg(otel_config_load(&cfg, &req, fake_getenv, &err) == 0, "%s", err.message);
    otel_settings s;
    ck_assert_int_eq(otel_config_worker_settings(&cfg, fake_getenv, &s), 0);
    char got[1024];
    headers_text(s.headers, s.nheaders, got, sizeof got);
    ck_assert_str_eq(got, "b=2;c=5;x-a=file");
    otel_settings_free(&s);
    otel_config_free(&cfg);
    unlink(p);
    rmdir(tmpdir);
}
END_TEST

/* Header names ignore case across the root, `logs` and exporterSettings:
 * a later object's header replaces an earlier one's however it is spelt,
 * and the name is sent once, as the last object spells it. */
START_TEST(header_objects_merge_names_in_any_case)
{
    otel_settings s;
    otel_config cfg;
    load_applied(&cfg, &s,
                 "{\"otel\":{\"headers\":{\"X-A\":\"root\",\"r\":\"root\"},"
                 "\"logs\":{\"headers\":{\"x-a\":\"logs\",\"L\":\"logs\"},"
                 "\"exporterSettings\":{\"headers\":{\"X-a\":\"es\",\"l\":\"es\"}}}}}");
    char got[1024];
    headers_text(s.headers, s.nheaders, got, sizeof got);
    ck_assert_str_eq(got, "X-a=es;l=es;r=root");
    otel_config_free(&cfg);
    otel_settings_free(&s);
}
END_TEST

/* OTEL_EXPORTER_OTLP_(LOGS_)HEADERS over a searched file's headers: the
 * variable is read as the settings apply it (the LOGS_ one when set and not
 * empty, else the generic one; names percent-decoded; a malformed entry
 * skipped alone), and each header it gives removes the file's header of
 * that name in any case, in the root, `logs` and exporterSettings; an entry
 * the settings skip removes nothing. Both the file's headers left and the
 * headers a worker ends with are checked; every row is run and the rows
 * that differ are all reported. */
START_TEST(searched_file_headers_yield_to_env)
{
    static const struct {
        const char *file;        /* the searched file */
        const char *logs, *gen;  /* OTEL_EXPORTER_OTLP_LOGS_HEADERS, OTEL_EXPORTER_OTLP_HEADERS (NULL: unset) */
        const char *left;        /* the file's headers left (headers_text of cfg.logs.headers) */
        const char *final;       /* the worker's headers (headers_text) */
    } rows[] = {
        /* 0: a percent-encoded name is the decoded one; the raw spelling is another name */
        {"{\"logs\":{\"headers\":{\"x-token\":\"file\",\"x%2Dtoken\":\"raw\",\"x-other\":\"keep\"}}}",
         NULL, " x%2Dtoken = env ", "x%2Dtoken=raw;x-other=keep", "x%2Dtoken=raw;x-other=keep;x-token=env"},
        /* 1: another case, in the root, `logs` and exporterSettings, decoded first */
        {"{\"otel\":{\"headers\":{\"X-TENANT\":\"root\",\"r\":\"keep\"},\"logs\":{\"headers\":{\"x-Tenant\":\"logs\"},"
         "\"exporterSettings\":{\"headers\":{\"x-tenant\":\"es\",\"AUTHORIZATION\":\"file\"}}}}}",
         NULL, "X%2dTENANT=env,%41uthorization=Bearer%20env", "r=keep",
         "Authorization=Bearer env;X-TENANT=env;r=keep"},
        /* 2: malformed entries (no '=', a name that is no HTTP token, LF in the value,
         * a bad escape, an empty name) beside good ones: only the good ones remove
         * (a file cannot name the header c( either: it is no token) */
        {"{\"logs\":{\"headers\":{\"a\":\"file\",\"b\":\"file\",\"d\":\"file\",\"e\":\"file\","
         "\"f\":\"file\"}}}",
         NULL, "a=env,b,c(=env,d=x%0Ay,e=%zz,=f,F=env", "b=file;d=file;e=file",
         "F=env;a=env;b=file;d=file;e=file"},
        /* 3: LOGS_ wins over the generic one: the generic one's headers stay the file's */
        {"{\"logs\":{\"headers\":{\"a\":\"file\",\"a-b\":\"file\",\"b\":\"file\"}}}",
         "A%2Db=logs,a=logs", "b=gen", "b=file", "A-b=logs;a=logs;b=file"},
        /* 4: a LOGS_ variable that is all malformed still wins: nothing is removed */
        {"{\"logs\":{\"headers\":{\"oops\":\"file\",\"b\":\"file\"}}}",
         "oops", "b=gen", "b=file;oops=file", "b=file;oops=file"},
        /* 5: an empty LOGS_ variable counts as unset: the generic one is used */
        {"{\"logs\":{\"headers\":{\"a\":\"file\",\"b\":\"file\"}}}",
         "", "%62=gen", "a=file", "a=file;b=gen"},
    };
    strcpy(tmpdir, "/tmp/test_config_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    char p[256];
    snprintf(p, sizeof p, "%s/log4c-otel.json", tmpdir);
    int failed = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        otel_config cfg;
        load_searched(&cfg, i, rows[i].file, "OTEL_EXPORTER_OTLP_LOGS_HEADERS", rows[i].logs, "OTEL_EXPORTER_OTLP_HEADERS",
                      rows[i].gen);
        char got[1024];
        attrs_text(&cfg.logs.headers, got, sizeof got);
        if (strcmp(got, rows[i].left) != 0) {
            fprintf(stderr, "row %zu: headers left \"%s\", want \"%s\"\n", i, got, rows[i].left);
            failed++;
        }
        otel_settings s;
        ck_assert_int_eq(otel_config_worker_settings(&cfg, fake_getenv, &s), 0);
        headers_text(s.headers, s.nheaders, got, sizeof got);
        if (strcmp(got, rows[i].final) != 0) {
            fprintf(stderr, "row %zu: worker's headers \"%s\", want \"%s\"\n", i, got, rows[i].final);
            failed++;
        }
        otel_settings_free(&s);
        otel_config_free(&cfg);
    }
    unlink(p);
    rmdir(tmpdir);
    ck_assert_msg(failed == 0, "%d header list(s) differ (listed above)", failed);
}
END_TEST

/* The exporter's `protocol` key: the values OTEL_EXPORTER_OTLP_PROTOCOL
 * takes, in logs and in exporterSettings; the URL follows it as it follows
 * the variable; a searched file yields to a set variable, an explicit one
 * wins over it. */
static void load_settings_with(otel_settings *s, const char *json_path_env)
{
    (void)json_path_env;
    otel_config cfg;
    otel_config_init(&cfg);
    otel_config_request req = {1, NULL, NULL};
    char msg[512];
    ck_assert_int_eq(otel_config_load_settings(&cfg, &req, fake_getenv, s, NULL, msg, sizeof msg), 0);
    otel_config_free(&cfg);
}

START_TEST(protocol_key)
{
    otel_config cfg;
    otel_config_error err;
    env_reset();
    ck_assert_int_eq(load(&cfg, "{\"logs\": {\"protocol\": \"http/json\"}}", &err), 0);
    ck_assert_int_eq(cfg.logs.protocol, OTEL_PROTOCOL_HTTP_JSON);
    otel_config_free(&cfg);
    ck_assert_int_eq(load(&cfg, "{\"logs\": {\"protocol\": \"http/json\", "
                                "\"exporterSettings\": {\"protocol\": \"http/protobuf\"}}}", &err), 0);
    ck_assert_int_eq(cfg.logs.protocol, OTEL_PROTOCOL_HTTP_PROTOBUF); /* exporterSettings wins, as for url */
    otel_config_free(&cfg);
    ck_assert_int_eq(load(&cfg, "{}", &err), 0);
    ck_assert_int_eq(cfg.logs.protocol, -1);
    otel_config_free(&cfg);
    int grpc = otel_grpc_supported();
    int rc = load(&cfg, "{\"logs\": {\"protocol\": \"grpc\"}}", &err);
    char msg[1024];
    otel_config_error_format(&err, msg, sizeof msg);
    if (grpc) {
        ck_assert_int_eq(rc, 0);
        ck_assert_int_eq(cfg.logs.protocol, OTEL_PROTOCOL_GRPC);
    } else {
        ck_assert_int_eq(rc, LOG4C_OTEL_ECONFIG);
        ck_assert_str_eq(msg, "cfg.json:1:23: logs.protocol: \"grpc\" needs a libcurl with HTTP/2, and this one has "
                              "none: use \"http/protobuf\" or \"http/json\"");
    }
    otel_config_free(&cfg);

    /* applied: the URL follows the protocol unless one is given */
    strcpy(tmpdir, "/tmp/test_config_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    char p[256];
    snprintf(p, sizeof p, "%s/log4c-otel.json", tmpdir);
    otel_protocol want = grpc ? OTEL_PROTOCOL_GRPC : OTEL_PROTOCOL_HTTP_JSON;
    const char *name = grpc ? "grpc" : "http/json";
    char json[256];
    snprintf(json, sizeof json, "{\"logs\": {\"protocol\": \"%s\"}}", name);
    write_file("log4c-otel.json", json);
    otel_settings s;
    env_reset();
    env_set("LOG4C_OTEL_CONFIG", p);
    load_settings_with(&s, p);
    ck_assert_int_eq(s.protocol, want);
    ck_assert_str_eq(s.logs_url, grpc ? "http://localhost:4317" : "http://localhost:4318/v1/logs");
    otel_settings_free(&s);
    env_set("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:9999/");
    load_settings_with(&s, p);
    ck_assert_str_eq(s.logs_url, grpc ? "http://env:9999/" : "http://env:9999/v1/logs");
    otel_settings_free(&s);
    /* an explicit file wins over the variable */
    env_set("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    load_settings_with(&s, p);
    ck_assert_int_eq(s.protocol, want);
    otel_settings_free(&s);
    /* a url in the file is used as it is */
    snprintf(json, sizeof json, "{\"logs\": {\"protocol\": \"%s\", \"url\": \"http://file:1234/x\"}}", name);
    write_file("log4c-otel.json", json);
    load_settings_with(&s, p);
    ck_assert_int_eq(s.protocol, want);
    ck_assert_str_eq(s.logs_url, "http://file:1234/x");
    otel_settings_free(&s);
    /* found by search: a set variable wins; an unset one lets the file decide */
    snprintf(json, sizeof json, "{\"logs\": {\"exporterSettings\": {\"protocol\": \"%s\"}}}", name);
    write_file("log4c-otel.json", json);
    env_reset();
    env_set("LOG4C_RCPATH", tmpdir);
    env_set("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "http/protobuf");
    load_settings_with(&s, p);
    ck_assert_int_eq(s.protocol, OTEL_PROTOCOL_HTTP_PROTOBUF);
    ck_assert_str_eq(s.logs_url, "http://localhost:4318/v1/logs");
    otel_settings_free(&s);
    env_reset();
    env_set("LOG4C_RCPATH", tmpdir);
    load_settings_with(&s, p);
    ck_assert_int_eq(s.protocol, want);
    otel_settings_free(&s);
    unlink(p);
    rmdir(tmpdir);
}
END_TEST

START_TEST(attribute_values_and_depth)
{
    env_reset();
    env_set("V", "val");
    otel_config cfg;
    otel_config_error err;
    const char *json = "{\"maxAttributeDepth\": 1, \"additionalAttributes\": {\"s\": \"%V%\", \"i\": -3, \"d\": 2.5,"
                       " \"b\": false, \"n\": null, \"arr\": [1, \"x\"], \"o\": {\"k\": \"v\", \"deep\": {\"z\": 1}},"
                       " \"gone\": \"%UNSET%\"}}";
    ck_assert_int_eq(load(&cfg, json, &err), 0);
    const otel_attr_list *l = &cfg.logs.additional_attributes;
    ck_assert_str_eq(otel_attr_list_get(l, "s")->v.str.s, "val");
    ck_assert_int_eq(otel_attr_list_get(l, "i")->v.i, -3);
    ck_assert(otel_attr_list_get(l, "d")->v.d == 2.5);
    ck_assert_int_eq(otel_attr_list_get(l, "b")->type, OTEL_VALUE_BOOL);
    ck_assert_ptr_null(otel_attr_list_get(l, "n"));
    ck_assert_str_eq(otel_attr_list_get(l, "arr")->v.str.s, "[1,\"x\"]");
    ck_assert_str_eq(otel_attr_list_get(l, "o.k")->v.str.s, "v");
    ck_assert_ptr_null(otel_attr_list_get(l, "o.deep.z")); /* deeper than maxAttributeDepth */
    ck_assert_ptr_null(otel_attr_list_get(l, "gone"));
    ck_assert_uint_eq(l->n, 6);
    otel_config_free(&cfg);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("config");
    TCase *t = tcase_create("core");
    tcase_add_test(t, env_substitution);
    tcase_add_test(t, position_scanner);
    tcase_add_test(t, shapes_and_spellings);
    tcase_add_test(t, spool_max_bytes);
    tcase_add_test(t, applied_to_settings);
    tcase_add_test(t, sections_typed_at_load);
    tcase_add_test(t, unknown_keys_are_noted_once);
    tcase_add_test(t, error_messages);
    tcase_add_test(t, shapes_unknown_keys_and_severity_names);
    tcase_add_test(t, sources_found_and_merged);
    tcase_add_test(t, searched_file_precedence_and_trust);
    tcase_add_test(t, searched_file_resource_attributes_yield_to_env);
    tcase_add_test(t, searched_file_headers_yield_to_env);
    tcase_add_test(t, explicit_file_header_replaces_every_one_of_its_name);
    tcase_add_test(t, header_objects_merge_names_in_any_case);
    tcase_add_test(t, protocol_key);
    tcase_add_test(t, describe_filters_say_what_each_rule_sets);
    tcase_add_test(t, describe_url_hides_credentials_and_query);
    tcase_add_test(t, attribute_values_and_depth);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return run_suite(suite()); }
