/*
 * preinit.h - the pre-initialisation buffer: records logged before the
 * configuration is loaded, kept raw (before the pipeline, which needs the
 * configuration to filter and mask) and only in memory, in order, up to a
 * bound in records and bytes. Thread-safe.
 */
#ifndef LOG4C_OTEL_PREINIT_H
#define LOG4C_OTEL_PREINIT_H

#include <stddef.h>
#include <pthread.h>
#include <stdint.h>

/* One buffered entry: the event as a lane entry (lane_entry.h), which the
 * loading thread builds the record from once the configuration is loaded. */
typedef struct otel_preinit_entry {
    struct otel_preinit_entry *next;
    size_t size;            /* bytes of the whole allocation (the bound counts them) */
    const char *tag;        /* the appender's name */
    size_t data_size;       /* bytes of the entry at data */
    void *data;             /* 8-byte aligned, in this allocation */
} otel_preinit_entry;

typedef struct otel_preinit {
    pthread_mutex_t lock;
    otel_preinit_entry *head, *tail;
    size_t count, bytes;
    size_t max_records, max_bytes;
} otel_preinit;

/* A new entry tagged tag (copied) with room for data_size bytes at
 * e->data, for the caller to fill. NULL when out of memory. */
otel_preinit_entry *otel_preinit_entry_new(const char *tag, size_t data_size);
void otel_preinit_entry_free(otel_preinit_entry *e);

/* Appends e (ownership passes) unless that would exceed a bound: then e is
 * freed and -1 returned (the caller counts the drop). */
int otel_preinit_push(otel_preinit *b, otel_preinit_entry *e);

/* Takes the whole list, oldest first (NULL when empty); the buffer is empty after. */
otel_preinit_entry *otel_preinit_take(otel_preinit *b);

#endif
