/*
 * env_alias.c - choosing between a variable's current and older spelling
 * (see env_alias.h).
 */
#include "env_alias.h"

#include <stddef.h>

static int set(const char *v) { return v != NULL && *v != '\0'; }

const char *otel_env_pick(const char *(*get)(const char *), const char *name, const char *older)
{
    if (set(get(name)))
        return name;
    return set(get(older)) ? older : name;
}
