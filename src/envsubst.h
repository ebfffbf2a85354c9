/*
 * envsubst.h - %VAR% and %VAR?literal% in configuration strings
 * (io.Insights' rule for additionalAttributes), with the edge cases fixed:
 *
 *  - a reference may appear anywhere in a string, any number of times;
 *  - VAR is [A-Za-z_][A-Za-z0-9_.-]*; names are case-sensitive (POSIX);
 *  - "%VAR?text%": text (anything but '%', possibly empty) is a literal used
 *    when VAR is unset; it is not itself expanded;
 *  - a variable set to "" is set: it yields "" (the fallback is not used);
 *  - "%%" is one literal '%'; any other '%' that does not start a
 *    well-formed reference is kept as is ("100%", "%not a name%");
 *  - substituted text is never scanned again (no recursion, no injection);
 *  - VAR unset and no fallback: the whole value is unresolved (the caller
 *    omits the attribute or header and warns once).
 */
#ifndef LOG4C_OTEL_ENVSUBST_H
#define LOG4C_OTEL_ENVSUBST_H

#include <stddef.h>
#include "settings.h"

#define OTEL_SUBST_OK 0
#define OTEL_SUBST_UNSET 1     /* a variable without fallback is unset; *out is NULL */
#define OTEL_SUBST_NOMEM (-1)

/* Expands s into *out (malloc'd). On OTEL_SUBST_UNSET the first unset
 * variable's name is copied into missing (when given). */
int otel_env_substitute(const char *s, otel_getenv_fn get, char **out, char *missing, size_t missing_len);

#endif
