/*
 * grpc_exporter.c - the parts of an OTLP/gRPC export that differ from
 * OTLP/HTTP on the request side: whether libcurl can speak HTTP/2, the
 * LogsService/Export URL, and the gRPC headers.
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grpc_exporter.h"

int otel_grpc_supported(void)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    return v && (v->features & CURL_VERSION_HTTP2) != 0;
}

int otel_grpc_connection_reusable(void)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    return v && v->version_num >= 0x080000;
}

char *otel_grpc_url(const char *endpoint)
{
    CURLU *u = curl_url();
    if (!u)
        return NULL;
    char *out = NULL;
    if (curl_url_set(u, CURLUPART_URL, endpoint, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_PATH, OTEL_GRPC_EXPORT_PATH, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_QUERY, NULL, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) == CURLUE_OK) {
        char *s = NULL;
        if (curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK) {
            out = strdup(s);
            curl_free(s);
        }
    }
    curl_url_cleanup(u);
    return out;
}

int otel_grpc_request_headers(struct curl_slist **list, int gzip)
{
    /* "Expect:" (empty) keeps curl from any 100-continue wait; "te: trailers"
     * is how a gRPC client says it reads grpc-status from trailers. */
    static const char *const fixed[] = {"content-type: application/grpc", "te: trailers",
                                        "grpc-accept-encoding: identity", "Expect:"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        struct curl_slist *l = curl_slist_append(*list, fixed[i]);
        if (!l)
            return -1;
        *list = l;
    }
    if (gzip) {
        struct curl_slist *l = curl_slist_append(*list, "grpc-encoding: gzip");
        if (!l)
            return -1;
        *list = l;
    }
    return 0;
}

int otel_grpc_header_reserved(const char *name)
{
    return strcasecmp(name, "te") == 0 || strncasecmp(name, "grpc-", 5) == 0 || name[0] == ':' ||
           strcasecmp(name, "connection") == 0 || strcasecmp(name, "user-agent") == 0;
}
