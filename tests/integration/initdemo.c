/*
 * initdemo.c - a program linked the documented way (-llog4c-otel -llog4c),
 * for the log4crc check at log4c_init() (test_init_check.mjs): it calls
 * log4c_otel_init(), then log4c_init() INITS times (default 1), printing
 * each result, logs one record "init demo" to category "init.demo" and
 * calls log4c_fini().
 *
 *   initdemo [INITS]
 */
#include <log4c.h>
#include <log4c-otel.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    long inits = argc > 1 ? atol(argv[1]) : 1;
    int rc = log4c_otel_init();
    if (rc != LOG4C_OTEL_OK)
        fprintf(stderr, "initdemo: log4c_otel_init: %s\n", log4c_otel_strerror(rc));
    for (long i = 0; i < inits; i++)
        printf("log4c_init: %d\n", log4c_init());
    log4c_category_log(log4c_category_get("init.demo"), LOG4C_PRIORITY_WARN, "init demo");
    log4c_fini();
    return 0;
}
