/*
 * test_json_file_exporter.c - the JSON file exporter: sizes with K/M/G,
 * the default path, which exporters run for which environment, the JSON
 * section parser, mode 0600, rotation (every line kept exactly once,
 * backups bounded, gzip), and that an OTLP/JSON line never contains a raw
 * newline.
 */
#include <check.h>
#include "run_suite.h"
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "encode.h"
#include "config_logs_file.h"
#include "json_file_exporter.h"
#include "log4c-otel.h"
#include "settings.h"
#include "fake_env.h"



START_TEST(default_path)
{
    env_reset();
    env_set("XDG_STATE_HOME", "/x/state");
    env_set("HOME", "/home/u");
    char *p = otel_json_file_default_path(fake_getenv, "my/svc");
    ck_assert_str_eq(p, "/x/state/log4c-otel/my_svc.jsonl");
    free(p);
    env_reset();
    env_set("HOME", "/home/u");
    p = otel_json_file_default_path(fake_getenv, NULL);
    ck_assert_str_eq(p, "/home/u/.local/state/log4c-otel/log4c-otel.jsonl");
    free(p);
    env_reset();
    env_set("XDG_STATE_HOME", "relative"); /* not absolute: ignored, as the XDG spec says */
    env_set("HOME", "/");
    p = otel_json_file_default_path(fake_getenv, ".hidden");
    ck_assert_str_eq(p, "./_hidden.jsonl");
    free(p);
}
END_TEST

/* Which exporters run for which environment. */
START_TEST(exporter_choice)
{
    otel_settings s;
    char err[256];
    env_reset();
    env_set("HOME", "/home/u");
    env_set("OTEL_SERVICE_NAME", "svc");
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), 0);
    ck_assert_str_eq(s.file.path, "/home/u/.local/state/log4c-otel/svc.jsonl");
    ck_assert_int_eq(s.file.is_default, 1);
    ck_assert_int_eq(otel_settings_http_enabled(&s), 0);
    ck_assert_uint_eq(s.file.max_size, 10u << 20);
    ck_assert_uint_eq(s.file.backups, 5);
    ck_assert_int_eq(s.file.gzip, 0);
    otel_settings_free(&s);

    env_set("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318");
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), 0);
    ck_assert_ptr_null(s.file.path);
    ck_assert_int_eq(otel_settings_http_enabled(&s), 1);
    otel_settings_free(&s);

    env_set("LOG4C_OTEL_JSON_FILE", "/tmp/both.jsonl");
    env_set("LOG4C_OTEL_JSON_FILE_MAX_SIZE", "64K");
    env_set("LOG4C_OTEL_JSON_FILE_BACKUPS", "0");
    env_set("LOG4C_OTEL_JSON_FILE_GZIP", "true");
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), 0);
    ck_assert_str_eq(s.file.path, "/tmp/both.jsonl");
    ck_assert_int_eq(otel_settings_http_enabled(&s), 1);
    ck_assert_uint_eq(s.file.max_size, 64u << 10);
    ck_assert_uint_eq(s.file.backups, 0);
    ck_assert_int_eq(s.file.gzip, 1);
    otel_settings_free(&s);

    /* no endpoint, file off: HTTP to localhost; the older spellings
     * LOG4C_OTEL_FILE* still work */
    env_reset();
    env_set("LOG4C_OTEL_FILE", "none");
    env_set("LOG4C_OTEL_FILE_MAX_SIZE", "lots");
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), 0);
    ck_assert_ptr_null(s.file.path);
    ck_assert_int_eq(otel_settings_http_enabled(&s), 1);
    ck_assert_str_eq(s.logs_url, "http://localhost:4318/v1/logs");
    ck_assert_uint_eq(s.nwarnings, 1); /* the bad size was reported */
    otel_settings_free(&s);

    /* both spellings set: LOG4C_OTEL_JSON_FILE* win (the older ones are not
     * even read: their bad values raise no warning); empty counts as unset */
    env_reset();
    env_set("LOG4C_OTEL_JSON_FILE", "/tmp/new.jsonl");
    env_set("LOG4C_OTEL_FILE", "/tmp/old.jsonl");
    env_set("LOG4C_OTEL_JSON_FILE_MAX_SIZE", "1K");
    env_set("LOG4C_OTEL_FILE_MAX_SIZE", "lots");
    env_set("LOG4C_OTEL_JSON_FILE_BACKUPS", "");
    env_set("LOG4C_OTEL_FILE_BACKUPS", "9");
    env_set("LOG4C_OTEL_JSON_FILE_GZIP", "false");
    env_set("LOG4C_OTEL_FILE_GZIP", "maybe");
    ck_assert_int_eq(otel_settings_load(&s, fake_getenv, err, sizeof err), 0);
    ck_assert_str_eq(s.file.path, "/tmp/new.jsonl");
    ck_assert_uint_eq(s.file.max_size, 1024);
    ck_assert_uint_eq(s.file.backups, 9);
    ck_assert_int_eq(s.file.gzip, 0);
    ck_assert_uint_eq(s.nwarnings, 0);
    otel_settings_free(&s);
}
END_TEST

static int parse(const char *json, otel_json_file_settings *f, char *err)
{
    json_error_t je;
    json_t *j = json_loads(json, 0, &je);
    ck_assert_ptr_nonnull(j);
    otel_logs_file_config c;
    otel_config_error e;
    otel_logs_file_config_init(&c);
    memset(&e, 0, sizeof e);
    int rc = otel_logs_file_config_from_json(j, "logs.file", &c, &e) == 0 ? LOG4C_OTEL_OK : LOG4C_OTEL_ECONFIG;
    if (rc == LOG4C_OTEL_OK)
        ck_assert_int_eq(otel_logs_file_config_apply(&c, f), 0);
    else
        otel_config_error_format(&e, err, 256);
    otel_logs_file_config_free(&c);
    json_decref(j);
    return rc;
}

START_TEST(json_section)
{
    otel_json_file_settings f;
    char err[256] = "";
    otel_json_file_settings_init(&f);
    ck_assert_int_eq(parse("{\"filename\":\"/var/log/a.jsonl\",\"maxLogSize\":\"2M\",\"backups\":3,\"compress\":true,"
                           "\"x\":1}", &f, err), LOG4C_OTEL_OK);
    ck_assert_str_eq(f.path, "/var/log/a.jsonl");
    ck_assert_uint_eq(f.max_size, 2u << 20);
    ck_assert_uint_eq(f.backups, 3);
    ck_assert_int_eq(f.gzip, 1);
    ck_assert_int_eq(parse("{\"path\":\"/b\",\"maxLogSize\":1000}", &f, err), LOG4C_OTEL_OK);
    ck_assert_str_eq(f.path, "/b");
    ck_assert_uint_eq(f.max_size, 1000);
    ck_assert_uint_eq(f.backups, 3); /* untouched */
    ck_assert_int_eq(parse("{\"enabled\":false}", &f, err), LOG4C_OTEL_OK);
    ck_assert_int_eq(f.disabled, 1);
    static const struct {
        const char *json, *msg;
    } bad[] = {
        {"[]", "logs.file: expected an object"},
        {"{\"maxLogSize\":\"10Q\"}", "logs.file.maxLogSize: expected"},
        {"{\"maxLogSize\":-1}", "logs.file.maxLogSize: expected"},
        {"{\"backups\":-1}", "logs.file.backups: expected an integer"},
        {"{\"compress\":\"yes\"}", "logs.file.compress: expected true or false"},
        {"{\"filename\":\"\"}", "logs.file.filename: expected a non-empty file name"},
        {"{\"enabled\":0}", "logs.file.enabled: expected true or false"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(parse(bad[i].json, &f, err), LOG4C_OTEL_ECONFIG);
        ck_assert_msg(strstr(err, bad[i].msg) != NULL, "row %zu: %s", i, err);
        ck_assert_str_eq(f.path, "/b"); /* unchanged on error */
    }
    otel_json_file_settings_free(&f);
}
END_TEST

static char dir[256];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/l4o-file-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[600];
    while (d && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    if (d)
        closedir(d);
    rmdir(dir);
}

/* Reads a (possibly gzipped) file into buf; returns its length or -1. */
static long slurp(const char *path, char *buf, size_t cap)
{
    gzFile g = gzopen(path, "rb"); /* reads plain files too */
    if (!g)
        return -1;
    int n = gzread(g, buf, (unsigned)cap);
    gzclose(g);
    return n;
}

/* Writes lines "line <i> xxxx" through rotation and checks every line is in
 * exactly one of the files, no file exceeds the limit, backups are bounded. */
static void rotation_case(int gzip, unsigned backups, int nlines)
{
    make_dir();
    char path[300];
    snprintf(path, sizeof path, "%s/out.jsonl", dir);
    otel_json_file_settings s;
    otel_json_file_settings_init(&s);
    s.path = path;
    s.max_size = 200;
    s.backups = backups;
    s.gzip = gzip;
    otel_json_file_exporter *e = otel_json_file_exporter_new(&s);
    ck_assert_ptr_nonnull(e);
    for (int i = 0; i < nlines; i++) {
        char line[64];
        int n = snprintf(line, sizeof line, "{\"line\":%d,\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxx\"}", i);
        ck_assert_int_eq(otel_json_file_export(e, line, (size_t)n), 0);
        ck_assert(otel_json_file_size(e) <= 200);
    }
    otel_json_file_exporter_free(e);

    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    int *seen = calloc((size_t)nlines, sizeof *seen);
    static char buf[1 << 16];
    unsigned files = 0;
    for (unsigned k = 0; k <= backups + 1; k++) {
        char p[320];
        if (k == 0)
            snprintf(p, sizeof p, "%s", path);
        else
            snprintf(p, sizeof p, "%s.%u%s", path, k, gzip ? ".gz" : "");
        long n = slurp(p, buf, sizeof buf - 1);
        if (n < 0) {
            ck_assert_msg(k == 0 || k > backups || 1, "missing %s", p);
            continue;
        }
        ck_assert_msg(k <= backups, "backup %s beyond the limit", p);
        ck_assert_int_eq(stat(p, &st), 0);
        ck_assert_int_eq(st.st_mode & 0777, 0600);
        files++;
        buf[n] = '\0';
        ck_assert(n <= 200);
        for (char *l = buf; *l;) {
            char *nl = strchr(l, '\n');
            ck_assert_ptr_nonnull(nl); /* every line complete */
            int i = atoi(l + strlen("{\"line\":"));
            ck_assert(i >= 0 && i < nlines);
            seen[i]++;
            l = nl + 1;
        }
    }
    /* with enough backups every line is there once; otherwise the newest ones */
    int first_kept = -1;
    for (int i = 0; i < nlines; i++) {
        ck_assert_int_le(seen[i], 1);
        if (seen[i] && first_kept < 0)
            first_kept = i;
        if (first_kept >= 0)
            ck_assert_msg(seen[i] == 1, "line %d lost after %d", i, first_kept);
    }
    if (backups >= 20)
        ck_assert_int_eq(first_kept, 0);
    else
        ck_assert_uint_eq(files, backups + 1);
    free(seen);
    remove_dir();
}

START_TEST(rotation_keeps_every_line_once)
{
    rotation_case(0, 50, 60);
    rotation_case(1, 50, 60);
    rotation_case(0, 2, 60);
    rotation_case(1, 3, 60);
}
END_TEST

START_TEST(rotation_without_backups_truncates)
{
    make_dir();
    char path[300];
    snprintf(path, sizeof path, "%s/t.jsonl", dir);
    otel_json_file_settings s;
    otel_json_file_settings_init(&s);
    s.path = path;
    s.max_size = 30;
    s.backups = 0;
    otel_json_file_exporter *e = otel_json_file_exporter_new(&s);
    ck_assert_int_eq(otel_json_file_export(e, "0123456789", 10), 0);
    ck_assert_int_eq(otel_json_file_export(e, "0123456789", 10), 0);
    ck_assert_int_eq(otel_json_file_export(e, "abcdefghij", 10), 0); /* 33 > 30: starts over */
    /* a line larger than the limit is written alone, never split */
    ck_assert_int_eq(otel_json_file_export(e, "0123456789012345678901234567890123456789", 40), 0);
    otel_json_file_exporter_free(e);
    static char buf[256];
    long n = slurp(path, buf, sizeof buf - 1);
    buf[n] = '\0';
    ck_assert_str_eq(buf, "0123456789012345678901234567890123456789\n");
    remove_dir();
}
END_TEST

START_TEST(unwritable_path_fails_cleanly)
{
    otel_json_file_settings s;
    otel_json_file_settings_init(&s);
    s.path = "/nonexistent-dir/x/y.jsonl";
    otel_json_file_exporter *e = otel_json_file_exporter_new(&s);
    ck_assert_int_eq(otel_json_file_export(e, "x", 1), -1);
    ck_assert_int_eq(otel_json_file_export(e, "x", 1), -1);
    otel_json_file_exporter_free(e);
}
END_TEST

/* The JSON encoder escapes every control character: a line is one line. */
START_TEST(json_line_has_no_raw_newline)
{
    char body[64];
    for (int i = 0; i < 32; i++)
        body[i] = (char)(i ? i : ' ');
    memcpy(body + 32, "\xe2\x80\xa8\xe2\x80\xa9\x7f end", 11);
    otel_attr a = {.key = "k\nv", .type = OTEL_VALUE_STRING, .v.str = {"a\r\nb", 4}};
    otel_record_input in = {.log4c_priority = 600, .category = "c\nat", .body = body, .body_len = 43,
                            .attrs = &a, .nattrs = 1};
    otel_record *r = otel_record_new(&in);
    otel_buf b = OTEL_BUF_INIT;
    ck_assert_int_eq(otel_encode_json(NULL, &r, 1, &b), 0);
    ck_assert_ptr_null(memchr(b.data, '\n', b.len));
    ck_assert_ptr_null(memchr(b.data, '\r', b.len));
    for (size_t i = 0; i < b.len; i++)
        ck_assert_msg((unsigned char)b.data[i] >= 0x20, "raw control 0x%02x at %zu", b.data[i], i);
    json_error_t je;
    json_t *j = json_loadb(b.data, b.len, 0, &je);
    ck_assert_msg(j != NULL, "not JSON: %s", je.text);
    json_decref(j);
    otel_buf_free(&b);
    otel_record_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("file_exporter");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, default_path);
    tcase_add_test(tc, exporter_choice);
    tcase_add_test(tc, json_section);
    tcase_add_test(tc, rotation_keeps_every_line_once);
    tcase_add_test(tc, rotation_without_backups_truncates);
    tcase_add_test(tc, unwritable_path_fails_cleanly);
    tcase_add_test(tc, json_line_has_no_raw_newline);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
