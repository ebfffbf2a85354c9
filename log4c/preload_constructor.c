/*
 * preload_constructor.c - zero-code mode: LD_PRELOAD=liblog4c-otel.so plus
 * LOG4C_APPENDER=otel makes an unmodified log4c program export. The
 * constructor runs before main(), so before the program's log4c_init().
 * A program that calls log4c_otel_init() itself gets the same result (the
 * call is idempotent).
 */
#include "glue.h"

/* Only registers: the configuration is read at log4c_otel_init() or when
 * log4c first opens the appender, so a program may still set OTEL_*
 * variables in main() before either. */
__attribute__((constructor)) static void log4c_otel_preload(void)
{
    (void)otel_register();
}
