/*
 * reentry.c - the no-feedback-loop guard: two thread-local flags, so the
 * check costs no lock and no shared cache line on the append path.
 */
#include "reentry.h"

static __thread int internal_thread;
static __thread int depth;

void otel_reentry_mark_internal_thread(void) { internal_thread = 1; }

int otel_reentry_enter(void)
{
    if (internal_thread || depth > 0)
        return 0;
    depth = 1;
    return 1;
}

void otel_reentry_leave(void) { depth = 0; }
