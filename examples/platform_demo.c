/*
 * platform_demo.c - log4c-otel in a small "desktop platform": platform and
 * gateway categories, two applications logging through the app API, a
 * captured child process, a "workspace load" span tree with a failing step,
 * and a password the sample configuration (examples/demo/log4c-otel.json)
 * masks. With no collector the records go to an OTLP/JSON file and the spans
 * to a traces-as-logs file; with OTEL_EXPORTER_OTLP_ENDPOINT set they are
 * exported there too. At the end it reads the file back and prints a summary.
 *
 * Run it with `make demo` (in a fresh ./demo-out directory).
 */
#include <log4c.h>
#include <log4c-otel.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void platform_start(void)
{
    log4c_category_t *platform = log4c_category_get("platform.core");
    log4c_category_t *gw = log4c_category_get("gw.conn");
    log4c_category_log(platform, LOG4C_PRIORITY_INFO, "platform starting, version %s", LOG4C_OTEL_VERSION);
    log4c_category_log(gw, LOG4C_PRIORITY_INFO, "gateway listening on 127.0.0.1:%d", 8385);
    log4c_category_log(gw, LOG4C_PRIORITY_DEBUG, "gateway heartbeat (filtered out by the configuration)");
    /* a secret in a log line: the sample configuration's hideRegex masks it */
    log4c_category_log(gw, LOG4C_PRIORITY_WARN, "client connected with url=https://admin:hunter2@db.local password=hunter2");
}

static void apps(void)
{
    const log4c_otel_attr attrs[] = {LOG4C_OTEL_STRING("user", "alice"), LOG4C_OTEL_INT("notes.count", 42)};
    log4c_otel_app_log("notes", "notes-1", LOG4C_PRIORITY_INFO, "notes loaded", attrs, 2);
    log4c_otel_app_log("notes", "notes-1", LOG4C_PRIORITY_WARN, "sync is slow (1250 ms)", NULL, 0);
    log4c_otel_app_log("charts", "charts-7", LOG4C_PRIORITY_ERROR, "cannot reach the market data api_key=XYZ-123",
                       NULL, 0);
}

/* A child process whose stdout and stderr become records in captured.helper */
static void captured_child(void)
{
    char *argv[] = {"/bin/sh", "-c",
                    "echo 'helper: ready'; echo 'helper: warning: cache cold' >&2; echo 'helper: done'; exit 3",
                    NULL};
    log4c_otel_capture_options opts;
    log4c_otel_capture_options_init(&opts);
    opts.app_name = "helper";
    log4c_otel_capture *c = NULL;
    int rc = log4c_otel_capture_spawn(&c, argv, &opts);
    if (rc != LOG4C_OTEL_OK) {
        fprintf(stderr, "demo: cannot capture the helper: %s\n", log4c_otel_strerror(rc));
        return;
    }
    int status = 0;
    log4c_otel_capture_wait(c, 10000, &status);
    log4c_otel_capture_free(c);
}

/* workspace load: a span tree, logs inside it, one failing step */
static void workspace_load(void)
{
    log4c_category_t *ws = log4c_category_get("platform.workspace");
    log4c_otel_span_t *load, *step;
    log4c_otel_span_start("workspace.load", &load);
    log4c_otel_span_set_string(load, "workspace", "trading");
    log4c_category_log(ws, LOG4C_PRIORITY_INFO, "loading workspace trading");

    log4c_otel_span_start("workspace.load.layout", &step);
    log4c_otel_span_set_int(step, "windows", 4);
    log4c_category_log(ws, LOG4C_PRIORITY_DEBUG, "layout read: 4 windows");
    log4c_otel_span_set_status(step, LOG4C_OTEL_STATUS_OK, NULL);
    log4c_otel_span_end(step);

    log4c_otel_span_start("workspace.load.apps", &step);
    captured_child(); /* its records carry this span's trace id (TRACEPARENT) */
    log4c_otel_span_end(step);

    log4c_otel_span_start("workspace.load.restore", &step);
    log4c_otel_span_set_string(step, "source", "token=abc123 (masked in the traces line too)");
    log4c_category_log(ws, LOG4C_PRIORITY_ERROR, "restore failed: state file is corrupt");
    log4c_otel_span_set_status(step, LOG4C_OTEL_STATUS_ERROR, "state file is corrupt");
    log4c_otel_span_end(step);

    log4c_otel_span_set_status(load, LOG4C_OTEL_STATUS_ERROR, "one step failed");
    log4c_otel_span_end(load);
}

/* ---- the summary: read the OTLP/JSON file back ---- */

typedef struct tally {
    char key[64];
    int n;
} tally;

static void count(tally *t, size_t max, const char *key)
{
    for (size_t i = 0; i < max; i++) {
        if (t[i].n == 0) {
            snprintf(t[i].key, sizeof t[i].key, "%s", key);
            t[i].n = 1;
            return;
        }
        if (strcmp(t[i].key, key) == 0) {
            t[i].n++;
            return;
        }
    }
}

static const char *attr_string(json_t *attrs, const char *key)
{
    size_t i;
    json_t *a;
    json_array_foreach(attrs, i, a) {
        if (strcmp(json_string_value(json_object_get(a, "key")), key) == 0)
            return json_string_value(json_object_get(json_object_get(a, "value"), "stringValue"));
    }
    return NULL;
}

static void summary(const char *records_path, const char *traces_path)
{
    tally by_source[16] = {{"", 0}}, by_severity[16] = {{"", 0}};
    int records = 0, spans = 0, errors = 0, leaked = 0;
    json_t *sample = NULL; /* the first ERROR record, with its resource and scope */
    char line[1 << 16];
    FILE *f = fopen(records_path, "r");
    while (f && fgets(line, sizeof line, f)) {
        if (strstr(line, "hunter2") || strstr(line, "XYZ-123") || strstr(line, "abc123"))
            leaked++;
        json_t *req = json_loads(line, 0, NULL);
        size_t i, j, k;
        json_t *rl, *sl, *lr;
        json_array_foreach(json_object_get(req, "resourceLogs"), i, rl) {
            json_array_foreach(json_object_get(rl, "scopeLogs"), j, sl) {
                json_array_foreach(json_object_get(sl, "logRecords"), k, lr) {
                    const char *src = attr_string(json_object_get(lr, "attributes"), "log.source");
                    count(by_source, 16, src ? src : "-");
                    count(by_severity, 16, json_string_value(json_object_get(lr, "severityText")));
                    records++;
                    const char *sev = json_string_value(json_object_get(lr, "severityText"));
                    if (!sample && sev && strcmp(sev, "ERROR") == 0)
                        sample = json_pack("{s:O,s:O,s:O}", "resource", json_object_get(rl, "resource"), "scope",
                                           json_object_get(sl, "scope"), "logRecord", lr);
                }
            }
        }
        json_decref(req);
    }
    if (f)
        fclose(f);
    f = fopen(traces_path, "r");
    while (f && fgets(line, sizeof line, f)) {
        char status = 0;
        spans++;
        /* "<ids> <name> <status> <ms> <json>": the status is the 3rd field */
        char *p = strchr(line, ' ');
        p = p ? strchr(p + 1, ' ') : NULL;
        if (p)
            status = p[1];
        errors += status == '2';
        if (strstr(line, "abc123"))
            leaked++;
    }
    if (f)
        fclose(f);

    log4c_otel_stats_t st;
    log4c_otel_stats(&st);
    printf("\nlog4c-otel demo: %d records in %s, %d spans (%d with error status) in %s\n", records, records_path,
           spans, errors, traces_path);
    printf("  records per source:  ");
    for (size_t i = 0; i < 16 && by_source[i].n; i++)
        printf("%s %d  ", by_source[i].key, by_source[i].n);
    printf("\n  records per severity: ");
    for (size_t i = 0; i < 16 && by_severity[i].n; i++)
        printf("%s %d  ", by_severity[i].key, by_severity[i].n);
    printf("\n  filtered by the configuration: %llu; dropped: %llu (queue full %llu, export failed %llu, "
           "HTTP error %llu, shutdown %llu)\n",
           (unsigned long long)st.filtered,
           (unsigned long long)(st.dropped_queue_full + st.dropped_export_failed + st.dropped_rejected +
                                st.dropped_http_error + st.dropped_shutdown + st.dropped_config),
           (unsigned long long)st.dropped_queue_full, (unsigned long long)st.dropped_export_failed,
           (unsigned long long)st.dropped_http_error, (unsigned long long)st.dropped_shutdown);
    printf("  secrets found in the output files: %d %s\n", leaked, leaked ? "(LEAK!)" : "(all masked)");
    if (getenv("OTEL_EXPORTER_OTLP_ENDPOINT"))
        printf("  also exported to %s: %llu records accepted by the collector\n",
               getenv("OTEL_EXPORTER_OTLP_ENDPOINT"), (unsigned long long)st.exported);
    /* how to read the file: one line is one export request (OTLP/JSON) */
    char *pretty = sample ? json_dumps(sample, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    if (pretty) {
        printf("\nOne record of %s (each line of the file is one OTLP/JSON export request):\n  ", records_path);
        for (const char *c = pretty; *c; c++) { /* indented: a summary, not one of the file's lines */
            putchar(*c);
            if (*c == '\n')
                fputs("  ", stdout);
        }
        putchar('\n');
    }
    printf("\nRead it with jq, one record a line:\n"
           "  jq -c '.resourceLogs[].scopeLogs[] | .scope.name as $s | .logRecords[] |"
           " {scope: $s, severity: .severityText, body: .body.stringValue}' %s\n"
           "More recipes: docs/OPERATIONS.md, \"Reading the OTLP/JSON file\".\n",
           records_path);
    free(pretty);
    json_decref(sample);
}

int main(void)
{
    int rc = log4c_otel_init(); /* before log4c_init() */
    if (rc != LOG4C_OTEL_OK) {
        fprintf(stderr, "demo: log4c_otel_init: %s\n", log4c_otel_strerror(rc));
        return 1;
    }
    if (log4c_init() != 0)
        return 1;
    /* log4c creates categories without locks: the capture's reader thread
     * logs to captured.helper, so create it before any thread starts */
    log4c_category_get("captured.helper");

    platform_start();
    apps();
    workspace_load();
    log4c_category_log(log4c_category_get("platform.core"), LOG4C_PRIORITY_INFO, "platform stopping");

    log4c_otel_flush(-1);
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        snprintf(cwd, sizeof cwd, ".");
    char records[4200], traces[4200];
    snprintf(records, sizeof records, "%s/records.jsonl", cwd);
    snprintf(traces, sizeof traces, "%s/traces.log", cwd);
    log4c_fini(); /* flushes and closes the files */
    summary(records, traces);
    return 0;
}
