/*
 * resource.h - the OTel resource of this process: detected attributes
 * (service.instance.id, host.name, process.*, telemetry.sdk.*), overridden by
 * OTEL_RESOURCE_ATTRIBUTES, then OTEL_SERVICE_NAME.
 */
#ifndef LOG4C_OTEL_RESOURCE_H
#define LOG4C_OTEL_RESOURCE_H

#include "filter.h"
#include "settings.h"

/* Fills s->resource / s->nresource. Returns 0 or LOG4C_OTEL_ENOMEM. A
 * malformed OTEL_RESOURCE_ATTRIBUTES is discarded whole (as the spec asks),
 * reported once and counted in s->nwarnings. */
int otel_resource_build(otel_settings *s, otel_getenv_fn get);
void otel_resource_free(otel_settings *s);

/* The attributes an OTEL_RESOURCE_ATTRIBUTES value (list) gives, as
 * otel_resource_build applies them: each(ctx, key, value) for each
 * attribute, key and value trimmed and percent-decoded (otel_parse_kv_list),
 * once per key with the last value a repeated key has, in the order the keys
 * first appear. A list with a malformed entry gives nothing (each is not
 * called). Returns the number of malformed entries (0 when the list is
 * used), or -1 when out of memory or each returned non-zero. */
int otel_resource_env_attributes(const char *list, int (*each)(void *ctx, const char *key, const char *value),
                                 void *ctx);

/* Sets (adds or replaces) one resource attribute, copying it (the JSON
 * configuration's additionalResourceAttributes). 0 or -1 (out of memory). */
int otel_resource_set_attr(otel_settings *s, const otel_attr *a);

/* This process's service.instance.id (a UUID v4 and its NUL): the same
 * for every caller in one process, drawn afresh in a forked child. */
void otel_resource_instance_id(char out[37]);

/* fork(): hold the identifier's lock across it (the runtime's
 * pthread_atfork handlers), so a child never inherits it locked. */
void otel_resource_atfork_prepare(void);
void otel_resource_atfork_release(void);
/* The identifier drawn so far ("" when none), read between prepare and
 * release (in the child: the parent's). */
void otel_resource_atfork_held_id(char out[37]);

/* Masks every key and string value of s's resource under the rules that
 * apply to no particular entry (the category "": defaults' hideRegex, or a
 * rule without categoryName), as records' attributes are masked. Returns
 * 0, or -1 when they cannot be masked (rules NULL, out of memory): the
 * resource must then not be sent. */
int otel_resource_mask(otel_settings *s, const otel_filter_set *rules);

/* The value of a string resource attribute, or NULL. */
const char *otel_resource_get(const otel_settings *s, const char *key);

#endif
