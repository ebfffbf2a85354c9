/*
 * hex.h - the value of one hexadecimal digit, either case: the one reading
 * used by percent-decoding (settings.c), grpc-message decoding
 * (grpc_status.c), JavaScript regex escapes (js_regex.c) and JSON \u
 * escapes (json_pos.c). trace_context.c accepts lower case only, as W3C
 * Trace Context requires, and keeps its own.
 */
#ifndef LOG4C_OTEL_HEX_H
#define LOG4C_OTEL_HEX_H

/* 0-15 for a hex digit c, else -1. */
static inline int otel_hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#endif
