/*
 * init_check.c - the check that tells a user why nothing arrives: when
 * log4c_init() has parsed log4crc and no category reaches an appender of
 * the "otel" type, one line on stderr names the log4crc line to add (or
 * LOG4C_APPENDER=otel). log4c 1.2.4 calls nothing of ours after it parses
 * log4crc, so the shared library defines log4c_init() itself: it runs
 * log4c's (the next definition in symbol lookup) and then the check. That
 * takes effect where the library comes before liblog4c in the lookup order:
 * always under LD_PRELOAD, and in programs linked -llog4c-otel -llog4c (the
 * order pkg-config and the CMake target give). Elsewhere log4c's own
 * log4c_init() runs alone and nothing is checked. docs/DESIGN.md
 * ("The log4crc check") says why this mechanism and what it cannot see.
 */
#include "diag.h"
#include "glue.h"
#include "runtime.h"

#include <dlfcn.h>
#include <log4c.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

extern const log4c_appender_type_t otel_appender_type;

/* Whether this appender exports: it has the otel type, or it is the
 * instance the library pre-creates (named "otel"), which registration
 * gives that type whenever it runs. otel_file and log4c's own types write
 * locally and do not count. */
static int exports(const log4c_appender_t *a)
{
    if (!a)
        return 0;
    if (log4c_appender_get_type(a) == &otel_appender_type)
        return 1;
    const char *name = log4c_appender_get_name(a);
    return name && strcmp(name, LOG4C_OTEL_APPENDER_NAME) == 0;
}

/* Whether some category has an exporting appender of its own: that
 * category reaches it, whatever the additivity of the others. log4c's
 * table is unlocked; log4c_init() runs on one thread (log4c's rule). */
static int some_category_exports(void)
{
    log4c_category_t *stack[64];
    log4c_category_t **cats = stack;
    int n = log4c_category_list(cats, 64);
    if (n > 64) {
        cats = malloc((size_t)n * sizeof *cats);
        if (!cats)
            return 1; /* cannot tell: say nothing */
        n = log4c_category_list(cats, n);
    }
    int found = 0;
    for (int i = 0; i < n && !found; i++)
        found = exports(log4c_category_get_appender(cats[i]));
    if (cats != stack)
        free(cats);
    return found;
}

static atomic_flag checked = ATOMIC_FLAG_INIT;

void otel_init_check(void)
{
    if (atomic_flag_test_and_set(&checked))
        return; /* once per process: at the first log4c_init() */
    if (otel_diag_quiet() || otel_runtime_finalized())
        return;
    if (some_category_exports())
        return;
    /* masked like every diagnostic, printed whatever the rate limit: said
     * once, it is the one line that explains the silence */
    otel_diag_always("log4c-otel: no log4c category reaches the \"otel\" appender, so nothing is exported: add "
                     "<category name=\"root\" priority=\"info\" appender=\"otel\"/> to log4crc, or set "
                     "LOG4C_APPENDER=otel (LOG4C_OTEL_QUIET=1 silences this line)");
}

/* Only in the shared library (libtool defines PIC for its objects): in a
 * static link the definition would clash with liblog4c.a's, and there is no
 * next definition to call. */
#ifdef PIC
typedef int (*log4c_init_fn)(void);

int log4c_init(void)
{
    static log4c_init_fn _Atomic next;
    log4c_init_fn real = atomic_load(&next);
    if (!real) {
        void *sym = dlsym(RTLD_NEXT, "log4c_init");
        real = (log4c_init_fn)sym;
        if (!real || real == log4c_init) { /* never call ourselves */
            otel_diag("log4c-otel: log4c's log4c_init() was not found after this library; log4c is not "
                      "initialised");
            return -1;
        }
        atomic_store(&next, real);
    }
    int rc = real();
    otel_init_check();
    return rc;
}
#endif
