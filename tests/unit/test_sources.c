/*
 * test_sources.c - classification of categories into log sources: the
 * defaults, dotted-prefix matching, app names, the JSON section parser
 * (with its error messages), and the cache under concurrent use.
 */
#include <check.h>
#include "run_suite.h"
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "log4c-otel.h"
#include "sources.h"
#include "event_attrs.h"

static otel_sources *defaults(void)
{
    otel_sources_config c;
    ck_assert_int_eq(otel_sources_config_default(&c), 0);
    otel_sources *s = otel_sources_new(&c);
    otel_sources_config_free(&c);
    ck_assert_ptr_nonnull(s);
    return s;
}

/* "source" or "source/app" for category. */
static const char *classify(otel_sources *s, const char *cat)
{
    static char out[256];
    otel_source_class c, u;
    otel_sources_classify(s, cat, &c);
    otel_sources_classify_uncached(s, cat, &u);
    ck_assert_ptr_eq(c.source, u.source);
    ck_assert_uint_eq(c.app_name_len, u.app_name_len);
    ck_assert_uint_eq(c.source_len, u.source_len);
    if (!c.source)
        return "(none)";
    ck_assert_uint_eq(c.source_len, strlen(c.source));
    if (c.app_name)
        snprintf(out, sizeof out, "%s/%.*s", c.source, (int)c.app_name_len, c.app_name);
    else
        snprintf(out, sizeof out, "%s", c.source);
    return out;
}

START_TEST(default_rules)
{
    otel_sources *s = defaults();
    for (int round = 0; round < 2; round++) { /* the second round hits the cache */
        ck_assert_str_eq(classify(s, "app.orders"), "app/orders");
        ck_assert_str_eq(classify(s, "app.orders.db.pool"), "app/orders");
        ck_assert_str_eq(classify(s, "app"), "app");
        ck_assert_str_eq(classify(s, "apps.x"), "platform");
        ck_assert_str_eq(classify(s, "gw"), "gateway");
        ck_assert_str_eq(classify(s, "gw.conn"), "gateway");
        ck_assert_str_eq(classify(s, "gwx"), "platform");
        ck_assert_str_eq(classify(s, "captured.worker"), "captured/worker");
        ck_assert_str_eq(classify(s, "captured.worker.stderr"), "captured/worker");
        ck_assert_str_eq(classify(s, "root"), "platform");
        ck_assert_str_eq(classify(s, ""), "platform");
        ck_assert_str_eq(classify(s, NULL), "platform");
        ck_assert_str_eq(classify(s, "platform.gw"), "platform");
    }
    otel_sources_free(s);
}
END_TEST

static int parse(const char *json, otel_sources_config *c, char *err, size_t errlen)
{
    json_error_t je;
    json_t *j = json_loads(json, 0, &je);
    ck_assert_msg(j != NULL, "bad test JSON: %s", je.text);
    otel_config_error e;
    memset(&e, 0, sizeof e);
    int rc = otel_sources_config_from_json(j, "logs.sources", c, &e) == 0 ? LOG4C_OTEL_OK : LOG4C_OTEL_ECONFIG;
    if (rc != LOG4C_OTEL_OK)
        otel_config_error_format(&e, err, errlen);
    json_decref(j);
    return rc;
}

START_TEST(json_rules_replace_defaults)
{
    otel_sources_config c;
    char err[256];
    ck_assert_int_eq(otel_sources_config_default(&c), 0);
    ck_assert_int_eq(parse("{\"default\":\"host\",\"rules\":["
                           "{\"categoryName\":\"ui.app\",\"source\":\"app\",\"appNameFromCategory\":true},"
                           "{\"categoryName\":\"bus\",\"source\":\"gateway\"},"
                           "{\"categoryName\":\"x\",\"source\":\"custom\",\"unknownKey\":1}],\"other\":2}",
                           &c, err, sizeof err),
                     LOG4C_OTEL_OK);
    otel_sources *s = otel_sources_new(&c);
    ck_assert_str_eq(classify(s, "ui.app.mail"), "app/mail");
    ck_assert_str_eq(classify(s, "bus.conn"), "gateway");
    ck_assert_str_eq(classify(s, "x"), "custom");
    ck_assert_str_eq(classify(s, "app.orders"), "host"); /* the default rules are gone */
    ck_assert_str_eq(classify(s, "gw"), "host");
    otel_sources_free(s);
    otel_sources_config_free(&c);
}
END_TEST

START_TEST(json_partial_and_disabled)
{
    otel_sources_config c;
    char err[256];
    ck_assert_int_eq(otel_sources_config_default(&c), 0);
    /* no rules: the defaults stay; enabled false: no attributes at all */
    ck_assert_int_eq(parse("{\"default\":\"core\"}", &c, err, sizeof err), LOG4C_OTEL_OK);
    otel_sources *s = otel_sources_new(&c);
    ck_assert_str_eq(classify(s, "gw.x"), "gateway");
    ck_assert_str_eq(classify(s, "misc"), "core");
    otel_sources_free(s);
    ck_assert_int_eq(parse("{\"enabled\":false}", &c, err, sizeof err), LOG4C_OTEL_OK);
    s = otel_sources_new(&c);
    ck_assert_str_eq(classify(s, "app.a"), "(none)");
    otel_sources_free(s);
    otel_sources_config_free(&c);
}
END_TEST

START_TEST(json_errors_name_the_key)
{
    static const struct {
        const char *json, *msg;
    } rows[] = {
        {"[]", "logs.sources: expected an object"},
        {"{\"enabled\":1}", "logs.sources.enabled: expected true or false"},
        {"{\"default\":\"\"}", "logs.sources.default: expected a non-empty string"},
        {"{\"rules\":{}}", "logs.sources.rules: expected an array"},
        {"{\"rules\":[1]}", "logs.sources.rules[0]: expected an object"},
        {"{\"rules\":[{\"categoryName\":\"a\",\"source\":\"b\"},{\"source\":\"b\"}]}",
         "logs.sources.rules[1].categoryName: expected a category name or dotted prefix (no regular expression)"},
        {"{\"rules\":[{\"categoryName\":\"#a.*\",\"source\":\"b\"}]}",
         "logs.sources.rules[0].categoryName: expected a category name or dotted prefix (no regular expression)"},
        {"{\"rules\":[{\"categoryName\":\"a..b\",\"source\":\"b\"}]}",
         "logs.sources.rules[0].categoryName: expected a category name or dotted prefix (no regular expression)"},
        {"{\"rules\":[{\"categoryName\":\"a\",\"source\":3}]}", "logs.sources.rules[0].source: expected a non-empty string"},
        {"{\"rules\":[{\"categoryName\":\"a\",\"source\":\"s\",\"appNameFromCategory\":\"yes\"}]}",
         "logs.sources.rules[0].appNameFromCategory: expected true or false"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        otel_sources_config c;
        char err[256] = "";
        ck_assert_int_eq(otel_sources_config_default(&c), 0);
        ck_assert_int_eq(parse(rows[i].json, &c, err, sizeof err), LOG4C_OTEL_ECONFIG);
        ck_assert_msg(strstr(err, rows[i].msg) != NULL, "row %zu: %s", i, err);
        /* on error the configuration is untouched */
        ck_assert_uint_eq(c.nrules, 3);
        ck_assert_str_eq(c.default_source, "platform");
        otel_sources_config_free(&c);
    }
}
END_TEST

/* Many threads classify many categories at once: every answer is right
 * (run under TSan to check the cache's publication). */
static otel_sources *shared;

static void *hammer(void *arg)
{
    long t = (long)(intptr_t)arg;
    char name[64];
    for (int round = 0; round < 50; round++)
        for (int i = 0; i < 2000; i++) {
            int k = (i + (int)t * 7) % 2000;
            snprintf(name, sizeof name, k % 3 == 0 ? "app.a%d.x" : k % 3 == 1 ? "gw.c%d" : "p%d", k);
            otel_source_class c;
            otel_sources_classify(shared, name, &c);
            const char *want = k % 3 == 0 ? "app" : k % 3 == 1 ? "gateway" : "platform";
            if (strcmp(c.source, want) != 0)
                return (void *)1;
            if (k % 3 == 0) {
                char app[32];
                snprintf(app, sizeof app, "a%d", k);
                if (c.app_name_len != strlen(app) || memcmp(c.app_name, app, c.app_name_len) != 0)
                    return (void *)1;
            }
        }
    return NULL;
}

START_TEST(cache_concurrent)
{
    shared = defaults();
    pthread_t th[8];
    for (long t = 0; t < 8; t++)
        pthread_create(&th[t], NULL, hammer, (void *)(intptr_t)t);
    for (int t = 0; t < 8; t++) {
        void *r;
        pthread_join(th[t], &r);
        ck_assert_ptr_null(r);
    }
    otel_sources_free(shared);
}
END_TEST

/* The library's own attributes as the record is built from them: no key
 * missing or repeated, whatever loc_data brings (its keys may repeat the
 * library's, each other, or be missing or empty), and each carries its
 * key's length (the pipeline and the record trust both) */
START_TEST(own_attrs_distinct_and_measured)
{
    otel_attr extra[] = {
        {.key = "thread.id", .type = OTEL_VALUE_INT, .v.i = 1},
        {.key = "log.source", .type = OTEL_VALUE_STRING, .v.str = {"x", 1}},
        {.key = NULL, .type = OTEL_VALUE_INT, .v.i = 2},
        {.key = "", .type = OTEL_VALUE_INT, .v.i = 3},
        {.key = "tenant", .type = OTEL_VALUE_STRING, .v.str = {"a", 1}},
        {.key = "tenant", .type = OTEL_VALUE_STRING, .v.str = {"b", 1}},
        {.key = "code.line.number", .type = OTEL_VALUE_INT, .v.i = 4},
        {.key = "app.name", .type = OTEL_VALUE_STRING, .v.str = {"y", 1}},
    };
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
        extra[i].key_len = 999; /* whatever the caller left there */
    otel_loc_data ld = {.magic = OTEL_LOC_DATA_MAGIC, .app_instance = "i1", .attrs = extra,
                        .nattrs = sizeof extra / sizeof extra[0]};
    otel_source_class cls = {.source = "app", .app_name = "orders", .app_name_len = 6};
    for (int with_file = 0; with_file < 2; with_file++)
        for (int with_ld = 0; with_ld < 2; with_ld++) {
            otel_attr a[OTEL_APPEND_MAX_ATTRS];
            size_t n = otel_event_own_attrs(a, 42, with_file ? "f.c" : NULL, 7, "fn");
            n = otel_event_class_attrs(&cls, with_ld ? &ld : NULL, a, n);
            ck_assert_uint_ge(n, 3);
            int tenant = 0;
            for (size_t i = 0; i < n; i++) {
                ck_assert_ptr_nonnull(a[i].key);
                ck_assert_uint_gt(strlen(a[i].key), 0);
                ck_assert_uint_eq(a[i].key_len, strlen(a[i].key));
                for (size_t j = 0; j < i; j++)
                    ck_assert_msg(strcmp(a[i].key, a[j].key) != 0, "%s twice", a[i].key);
                if (strcmp(a[i].key, "tenant") == 0) {
                    tenant = 1;
                    ck_assert_str_eq(a[i].v.str.s, "a"); /* the first wins */
                }
                if (strcmp(a[i].key, "thread.id") == 0)
                    ck_assert_int_eq(a[i].v.i, 42); /* the library's own wins */
            }
            ck_assert_int_eq(tenant, with_ld);
        }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sources");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, default_rules);
    tcase_add_test(tc, own_attrs_distinct_and_measured);
    tcase_add_test(tc, json_rules_replace_defaults);
    tcase_add_test(tc, json_partial_and_disabled);
    tcase_add_test(tc, json_errors_name_the_key);
    tcase_add_test(tc, cache_concurrent);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
