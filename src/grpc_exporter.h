/*
 * grpc_exporter.h - what an OTLP/gRPC export asks of libcurl beyond an
 * OTLP/HTTP one (docs/CONFIGURATION.md, "OTLP/gRPC"): HTTP/2 support, the
 * LogsService/Export URL and the gRPC request headers. The transfer itself
 * is http_exporter.c's.
 */
#ifndef LOG4C_OTEL_GRPC_EXPORTER_H
#define LOG4C_OTEL_GRPC_EXPORTER_H

struct curl_slist;

/* The path of the unary call every export makes. */
#define OTEL_GRPC_EXPORT_PATH "/opentelemetry.proto.collector.logs.v1.LogsService/Export"

/* 1 when the libcurl loaded at run time speaks HTTP/2 (curl_version_info
 * lists CURL_VERSION_HTTP2); gRPC needs it. */
int otel_grpc_supported(void);

/* 1 when the libcurl loaded at run time can send another HTTP/2 request on
 * a connection that finished one: 8.0.0 and later. libcurl 7.88 (Debian 12)
 * reuses the connection but ends the second request at once without
 * sending it, so with it every gRPC call opens its own connection. */
int otel_grpc_connection_reusable(void);

/* The URL of the call for an endpoint: its scheme, host and port with the
 * path replaced by OTEL_GRPC_EXPORT_PATH (a gRPC endpoint's own path is not
 * used, as in the OTel SDKs). malloc'd; NULL when the endpoint is no URL or
 * memory runs out. */
char *otel_grpc_url(const char *endpoint);

/* Appends the headers of a gRPC call to *list: content-type
 * application/grpc, te: trailers, grpc-accept-encoding: identity, and
 * grpc-encoding: gzip when gzip. Returns 0 or -1 (out of memory; *list then
 * holds what was appended so far). */
int otel_grpc_request_headers(struct curl_slist **list, int gzip);

/* 1 for a user header name the gRPC call must not carry (te, the grpc-*
 * names, HTTP/2 pseudo headers): it would contradict the call. */
int otel_grpc_header_reserved(const char *name);

#endif
