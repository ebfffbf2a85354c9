/*
 * leakdemo.c - the program the leak matrix (test_leaks.mjs) runs: it logs
 * every secret shape, at each size given, through every sink a log4crc can
 * route to, and ends spans that carry the same secrets in their name,
 * attribute keys and values and status message.
 *
 *   leakdemo SIZE...
 *
 * Each message is "M<size>-<shape> <secret> <padding> <secret>", exactly
 * SIZE bytes when SIZE is larger than the two secrets (else the two
 * secrets alone), logged at INFO on the category "leak.f" (LEAKDEMO_CATEGORY
 * to change it). Each span is named "S<size>-<shape> <secret>" and carries
 * the attribute "k-<shape> <secret>" = message, and an error status whose
 * message is the secret. Then one record per shape ("R-<shape> attrs")
 * with the secret in attribute keys and a value (log4c_otel_log).
 *
 * Environment: LEAKDEMO_CONFIG_JSON initialises with
 * log4c_otel_init_with_config(NULL, json), else log4c_otel_init();
 * LEAKDEMO_EARLY=1 calls log4c_init() and logs every message once before
 * that (prefix "E" instead of "M"; the library's constructor registered
 * the appender types). Prints {"init":rc} and the counters as JSON lines.
 */
#include <log4c.h>
#include <log4c-otel.h>
#include "stats_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The secret shapes; every secret holds "SECRET" or the card digits, which
 * the test greps for in the raw bytes of every sink. */
static const char *const shapes[][2] = {
    {"pw", "password=Pw0SECRETa1"},
    {"tab", "Bearer\tTk0SECRETb1"},
    {"space", "bearer Tk1SECRETb2"},
    {"jwt", "eyJhbGciOiJIUzI1NiJ9.eyJSECRETc1.sigSECRETd1"},
    {"card", "4929123456781234"},
    {"utf8", "apikey=AK\xff" "SECRETe1"},
};
#define NSHAPES (sizeof shapes / sizeof shapes[0])

static char *message(char tag, long size, size_t shape)
{
    const char *secret = shapes[shape][1];
    char head[64];
    int h = snprintf(head, sizeof head, "%c%ld-%s ", tag, size, shapes[shape][0]);
    size_t sl = strlen(secret), fixed = (size_t)h + sl + 1 + 1 + sl; /* head secret ' ' pad ' ' secret */
    size_t pad = (size_t)size > fixed ? (size_t)size - fixed : 0;
    char *m = malloc(fixed + pad + 1);
    if (!m)
        exit(3);
    char *p = m;
    memcpy(p, head, (size_t)h), p += h;
    memcpy(p, secret, sl), p += sl;
    *p++ = ' ';
    memset(p, '.', pad), p += pad;
    *p++ = ' ';
    memcpy(p, secret, sl), p += sl;
    *p = '\0';
    return m;
}

static void log_all(log4c_category_t *cat, char tag, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        long size = atol(argv[i]);
        for (size_t s = 0; s < NSHAPES; s++) {
            char *m = message(tag, size, s);
            log4c_category_log(cat, LOG4C_PRIORITY_INFO, "%s", m);
            free(m);
        }
    }
}

/* One record per shape with the secret in an attribute key and value:
 * "R-<shape> attrs" with "k-<shape> <secret>" = "<secret>" and an int
 * attribute under a secret key too. */
static void attrs(log4c_category_t *cat)
{
    for (size_t s = 0; s < NSHAPES; s++) {
        char key[128], ikey[128];
        snprintf(key, sizeof key, "k-%s %s", shapes[s][0], shapes[s][1]);
        snprintf(ikey, sizeof ikey, "i-%s %s", shapes[s][0], shapes[s][1]);
        log4c_otel_log(cat, LOG4C_PRIORITY_INFO, LOG4C_OTEL_ATTRS(LOG4C_OTEL_STRING(key, shapes[s][1]), LOG4C_OTEL_INT(ikey, 7)),
                       "R-%s attrs", shapes[s][0]);
    }
}

static void spans(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        long size = atol(argv[i]);
        for (size_t s = 0; s < NSHAPES; s++) {
            char name[128], key[128];
            snprintf(name, sizeof name, "S%ld-%s %s", size, shapes[s][0], shapes[s][1]);
            snprintf(key, sizeof key, "k-%s %s", shapes[s][0], shapes[s][1]);
            char *m = message('A', size, s);
            log4c_otel_span_t *sp;
            if (log4c_otel_span_start(name, &sp) != LOG4C_OTEL_OK) {
                fprintf(stderr, "span start failed\n");
                exit(1);
            }
            log4c_otel_span_set_string(sp, key, m);
            log4c_otel_span_set_status(sp, LOG4C_OTEL_STATUS_ERROR, shapes[s][1]);
            log4c_otel_span_end(sp);
            free(m);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: leakdemo SIZE...\n");
        return 2;
    }
    const char *cname = getenv("LEAKDEMO_CATEGORY") ? getenv("LEAKDEMO_CATEGORY") : "leak.f";
    int early = getenv("LEAKDEMO_EARLY") != NULL;
    if (early) {
        if (log4c_init() != 0)
            return 1;
        log_all(log4c_category_get(cname), 'E', argc, argv);
    }
    const char *cjson = getenv("LEAKDEMO_CONFIG_JSON");
    int rc = cjson ? log4c_otel_init_with_config(NULL, cjson) : log4c_otel_init();
    printf("{\"init\":%d}\n", rc);
    fflush(stdout);
    if (!early && log4c_init() != 0)
        return 1;
    log4c_category_t *cat = log4c_category_get(cname);
    log_all(cat, 'M', argc, argv);
    attrs(cat);
    spans(argc, argv);
    log4c_otel_flush(-1);
    log4c_otel_stats_t st;
    log4c_otel_stats(&st);
    log4c_fini();
    printf("{");
    stats_json_fields(stdout, &st);
    printf("}\n");
    return 0;
}
