/*
 * glue.h - what the files of the log4c glue share: registration of the
 * library's types with log4c, and public attributes in the core's terms.
 */
#ifndef LOG4C_OTEL_GLUE_H
#define LOG4C_OTEL_GLUE_H

#include "log4c-otel.h"
#include "record.h"

/* Registers the appender and layout types with log4c and pre-creates the
 * "otel" appender, once (otel_api.c). Reads no configuration. */
int otel_register(void);

/* After log4c_init(): when no log4c category reaches an appender that
 * exports, says so once on stderr (unless quiet). Only the first call
 * checks (init_check.c). */
void otel_init_check(void);

/* A public log4c_otel_attr as a core attribute, pointing into *in (no
 * copy). LOG4C_OTEL_EINVAL for a missing key or an unknown type. */
int otel_attr_from_public(const log4c_otel_attr *in, otel_attr *out);

#endif
