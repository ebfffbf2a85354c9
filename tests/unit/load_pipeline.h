/*
 * load_pipeline.h - a pipeline from a logs configuration given as JSON
 * text, for the unit tests of what the pipeline decides (filter,
 * the decision cache). No environment: ${VAR} references stay unset.
 */
#ifndef LOG4C_OTEL_TEST_LOAD_PIPELINE_H
#define LOG4C_OTEL_TEST_LOAD_PIPELINE_H

#include <check.h>
#include <string.h>

#include "config_error.h"
#include "configuration.h"
#include "pipeline.h"

static inline const char *no_env(const char *name)
{
    (void)name;
    return NULL;
}

/* Loads json into p (fails the test, saying why, when it does not load). */
static inline void load(otel_pipeline *p, const char *json)
{
    otel_config cfg;
    otel_config_error err;
    memset(&err, 0, sizeof err);
    otel_config_init(&cfg);
    int rc = otel_config_load_text(&cfg, "t.json", json, strlen(json), no_env, &err);
    char buf[1024];
    ck_assert_msg(rc == 0, "load failed: %s", otel_config_error_format(&err, buf, sizeof buf));
    ck_assert_int_eq(otel_pipeline_init(p, &cfg, NULL), 0);
    otel_config_free(&cfg);
}

#endif
