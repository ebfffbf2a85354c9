/*
 * traces_sink.h - routes traces-as-logs lines to a log4c category.
 */
#ifndef LOG4C_OTEL_TRACES_SINK_H
#define LOG4C_OTEL_TRACES_SINK_H

/* Creates the traces category (name: LOG4C_OTEL_TRACES_CATEGORY, else the
 * span configuration's category, default "traces") and makes span ends log
 * their line there. Call again after otel_span_set_config() to pick up a
 * new category. Returns 0, -1 when log4c refuses. */
int otel_traces_sink_install(void);

#endif
