/*
 * endpoint_text.c - an endpoint URL as printed (endpoint_text.h).
 */
#include "endpoint_text.h"

#include <stdio.h>
#include <string.h>

void otel_endpoint_text(const char *endpoint, char *out, size_t size)
{
    const char *scheme_end = strstr(endpoint, "://");
    const char *host = scheme_end ? scheme_end + 3 : endpoint;
    /* up to the query: the last '@' there ends a user:password (one with an
     * unencoded '/' in the password too: the text is for reading, and a
     * path with an '@' loses a little of what is printed, never a secret) */
    size_t upto = strcspn(host, "?#");
    const char *from = host;
    for (const char *p = host; p < host + upto; p++)
        if (*p == '@')
            from = p + 1;
    size_t keep = upto - (size_t)(from - host);
    /* a query or fragment can carry a key: shown as there, never its text */
    const char *rest = host[upto] == '?' ? "?****" : host[upto] == '#' ? "#****" : "";
    snprintf(out, size, "%.*s%.*s%s", (int)(host - endpoint), endpoint, (int)keep, from, rest);
}
