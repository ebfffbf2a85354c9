/*
 * plain_log4c.c - a log4c program that has never heard of log4c-otel: the
 * zero-code test runs it with LD_PRELOAD=liblog4c-otel.so LOG4C_APPENDER=otel.
 *
 *   plain_log4c N   logs N records "plain N" to category "plain.app"
 */
#include <log4c.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 10;
    if (log4c_init() != 0)
        return 1;
    log4c_category_t *cat = log4c_category_get("plain.app");
    for (long i = 0; i < n; i++)
        log4c_category_log(cat, LOG4C_PRIORITY_WARN, "plain %ld", i);
    log4c_fini();
    return 0;
}
