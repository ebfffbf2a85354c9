/*
 * fuzz_config.c - the JSON configuration loader and %VAR% substitution.
 * The input is "VARS\n\0JSON": up to the first NUL, NAME=VALUE lines for a
 * fake environment; after it, the configuration text (no NUL: all JSON).
 *
 * Checks: no crash or leak; the result is OK, ECONFIG or ENOMEM; on
 * ECONFIG the formatted error is non-empty and names the source, and a
 * line/column, when given, lies inside the text; on OK the filters are
 * resolved (every rule has options), the pipeline builds and runs one record
 * per filter without crashing and never grows a masked string, and a
 * worker's settings built from it carry its sections; every
 * substitution of the JSON text as a string terminates and gives OK or
 * UNSET with a name.
 */
#include "fuzz_common.h"

#include <string.h>

#include "configuration.h"
#include "envsubst.h"
#include "log4c-otel.h"
#include "pipeline.h"
#include "settings.h"

#define MAX_VARS 32
static const char *names[MAX_VARS], *values[MAX_VARS];
static size_t nvars;

static const char *fake_getenv(const char *name)
{
    FUZZ_CHECK(name != NULL);
    for (size_t i = 0; i < nvars; i++)
        if (strcmp(names[i], name) == 0)
            return values[i];
    if (strcmp(name, "HOME") == 0 || strcmp(name, "LOG4C_RCPATH") == 0)
        return "/nonexistent";
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t vlen = nul ? (size_t)(nul - data) : 0;
    const char *json = nul ? (const char *)nul + 1 : (const char *)data;
    size_t jlen = nul ? size - vlen - 1 : size;

    char *vars = fuzz_strndup(data, vlen);
    nvars = 0;
    for (char *line = vars; line && nvars < MAX_VARS;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *eq = strchr(line, '=');
        if (eq && eq != line) {
            *eq = '\0';
            names[nvars] = line;
            values[nvars] = eq + 1;
            nvars++;
        }
        line = nl ? nl + 1 : NULL;
    }

    otel_config cfg;
    otel_config_error err;
    memset(&err, 0, sizeof err);
    otel_config_init(&cfg);
    int rc = otel_config_load_text(&cfg, "fuzz.json", json, jlen, fake_getenv, &err);
    FUZZ_CHECK(rc == LOG4C_OTEL_OK || rc == LOG4C_OTEL_ECONFIG || rc == LOG4C_OTEL_ENOMEM);
    if (rc == LOG4C_OTEL_ECONFIG) {
        char buf[1024];
        otel_config_error_format(&err, buf, sizeof buf);
        FUZZ_CHECK(strncmp(buf, "fuzz.json", 9) == 0);
        FUZZ_CHECK(err.message[0] != '\0');
        FUZZ_CHECK(err.line >= 0 && err.column >= 0);
        if (err.line > 0) {
            size_t lines = 1;
            for (size_t i = 0; i < jlen; i++)
                lines += json[i] == '\n';
            FUZZ_CHECK((size_t)err.line <= lines + 1);
        }
    }
    if (rc == LOG4C_OTEL_OK) {
        /* a worker's settings come from the typed sections alone */
        otel_settings ws;
        int wr = otel_config_worker_settings(&cfg, fake_getenv, &ws);
        FUZZ_CHECK(wr == LOG4C_OTEL_OK || wr == LOG4C_OTEL_ENOMEM);
        if (wr == LOG4C_OTEL_OK && cfg.log_sources)
            FUZZ_CHECK(ws.sources.nrules == cfg.log_sources->nrules);
        if (wr == LOG4C_OTEL_OK && cfg.file.backups >= 0)
            FUZZ_CHECK(ws.file.backups == (unsigned)cfg.file.backups);
        otel_settings_free(&ws);
    }
    if (rc == LOG4C_OTEL_OK) {
        otel_pipeline p;
        if (otel_pipeline_init(&p, &cfg, NULL) == LOG4C_OTEL_OK) {
            static const char body[] = "user=bob password=hunter2 \xc3\xa9\xff card 4111 1111 1111 1111";
            otel_attr a = {.key = "k", .type = OTEL_VALUE_STRING, .v.str = {"secret tok_123", 14}};
            for (size_t i = 0; i <= p.filters.nrules; i++) {
                const char *cat = i < p.filters.nrules && p.filters.rules[i].category ? p.filters.rules[i].category
                                                                                    : "app.x";
                otel_pipeline_input in = {.rec = {.log4c_priority = (int)(i % 9) * 100, .category = cat,
                                                  .body = body, .body_len = sizeof body - 1, .attrs = &a, .nattrs = 1}};
                int why = 0;
                otel_record *r = otel_pipeline_build_record(&p, &in, &why);
                if (r) {
                    FUZZ_CHECK(r->body_len <= sizeof body - 1 + 2 * 3); /* U+FFFD for \xff at most */
                    FUZZ_CHECK(strlen(r->body) == r->body_len);
                    otel_record_free(r);
                } else {
                    FUZZ_CHECK(why == OTEL_PIPELINE_FILTERED || why == OTEL_PIPELINE_NOMEM);
                }
            }
            otel_pipeline_free(&p);
        }
    }
    otel_config_free(&cfg);

    /* the text itself as a value with %VAR% references */
    char *s = fuzz_strndup((const uint8_t *)json, jlen);
    char *out = NULL, missing[64];
    int sr = otel_env_substitute(s, fake_getenv, &out, missing, sizeof missing);
    FUZZ_CHECK(sr == OTEL_SUBST_OK || sr == OTEL_SUBST_UNSET || sr == OTEL_SUBST_NOMEM);
    if (sr == OTEL_SUBST_OK)
        FUZZ_CHECK(out != NULL);
    else
        FUZZ_CHECK(out == NULL);
    if (sr == OTEL_SUBST_UNSET)
        FUZZ_CHECK(missing[0] != '\0');
    free(out);
    free(s);
    free(vars);
    return 0;
}
