/*
 * env_alias.h - environment variables that also answer to an older name:
 * which of the two spellings to read.
 */
#ifndef LOG4C_OTEL_ENV_ALIAS_H
#define LOG4C_OTEL_ENV_ALIAS_H

/* The name to read for a variable whose older spelling still works: name
 * when it is set to a non-empty value, else older when that is, else name
 * (so that messages name the current spelling). get reads one variable. */
const char *otel_env_pick(const char *(*get)(const char *), const char *name, const char *older);

#endif
