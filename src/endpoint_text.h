/*
 * endpoint_text.h - an endpoint URL as the library prints it (diagnostics,
 * log4c-otel-check): never its user:password@ part, nor the text of its
 * query or fragment, either of which can hold a credential.
 */
#ifndef LOG4C_OTEL_ENDPOINT_TEXT_H
#define LOG4C_OTEL_ENDPOINT_TEXT_H

#include <stddef.h>

/* endpoint without any user:password@ part and with its query or fragment
 * shown as "?****" or "#****", into out (cut to size, NUL-terminated). */
void otel_endpoint_text(const char *endpoint, char *out, size_t size);

#endif
