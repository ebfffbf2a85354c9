/*
 * log4c-otel-check - validates a log4c-otel configuration and prints the
 * effective settings (header values, URL credentials and whatever
 * defaults.hideRegex matches are masked).
 *
 *     log4c-otel-check [FILE]
 *
 * With FILE, that file is checked on top of the environment (as
 * log4c_otel_init_with_config(FILE, NULL) would load it, without the file
 * search); without, the file log4c_otel_init() would find (LOG4C_OTEL_CONFIG,
 * else log4c-otel.json in $LOG4C_RCPATH, $HOME, the current directory).
 * Exit status: 0 valid, 1 invalid (the error on stderr), 2 usage.
 */
#include "configuration.h"
#include "log4c-otel.h"
#include "settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *real_getenv(const char *name) { return getenv(name); }

/* (log4c_otel_strerror lives in the log4c glue, which this tool does not link) */
static const char *reason(int rc)
{
    return rc == LOG4C_OTEL_ENOMEM ? "out of memory" : rc == LOG4C_OTEL_EUNSUPPORTED ? "not supported"
                                                                                     : "invalid configuration";
}

int main(int argc, char **argv)
{
    if (argc > 2 || (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))) {
        fprintf(stderr, "usage: log4c-otel-check [FILE]\n"
                        "Validates a log4c-otel JSON configuration (default: the one log4c_otel_init() finds)\n"
                        "and prints the effective settings, secrets masked. Exit 0 valid, 1 invalid.\n");
        return 2;
    }
    otel_settings s;
    otel_config cfg;
    char err[1024];
    otel_config_init(&cfg);
    otel_config_request req = {argc < 2, argc == 2 ? argv[1] : NULL, NULL};
    /* the runtime's own loading: environment, JSON sources, applied */
    int rc = otel_config_load_settings(&cfg, &req, real_getenv, &s, "log4c-otel-check: ", err, sizeof err);
    if (rc != LOG4C_OTEL_OK) {
        if (err[0])
            fprintf(stderr, "%s\n", err);
        else
            fprintf(stderr, "log4c-otel-check: %s\n", reason(rc));
        otel_config_free(&cfg);
        otel_settings_free(&s);
        return 1;
    }
    otel_config_describe(&cfg, &s, stdout);
    printf("configuration valid\n");
    otel_config_free(&cfg);
    otel_settings_free(&s);
    return 0;
}
