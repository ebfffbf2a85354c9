/*
 * preinit.h - the pre-initialisation buffer (issue 6): records logged
 * before the configuration is loaded, kept raw (before the pipeline, which
 * needs the configuration to filter and redact) and only in memory, in
 * order, up to a bound in records and bytes. Thread-safe.
 */
#ifndef LOG4C_OTEL_PREINIT_H
#define LOG4C_OTEL_PREINIT_H

#include <stddef.h>
#include <pthread.h>
#include <stdint.h>
#include "loc_data.h"
#include "pipeline.h"

/* One buffered entry: deep copies of what the appender collected. */
typedef struct otel_preinit_entry {
    struct otel_preinit_entry *next;
    size_t size;             /* bytes of the whole allocation (the bound counts them) */
    const char *tag;         /* the appender's name */
    otel_pipeline_input in;  /* everything points into this allocation */
    int has_ld;              /* ld holds a copy of the call's otel_loc_data */
    otel_loc_data ld;
} otel_preinit_entry;

typedef struct otel_preinit {
    pthread_mutex_t lock;
    otel_preinit_entry *head, *tail;
    size_t count, bytes;
    size_t max_records, max_bytes;
} otel_preinit;

/* Copies in (and ld, when not NULL) into a new entry tagged tag. NULL when
 * out of memory. */
otel_preinit_entry *otel_preinit_entry_new(const char *tag, const otel_pipeline_input *in, const otel_loc_data *ld);
void otel_preinit_entry_free(otel_preinit_entry *e);

/* Appends e (ownership passes) unless that would exceed a bound: then e is
 * freed and -1 returned (the caller counts the drop). */
int otel_preinit_push(otel_preinit *b, otel_preinit_entry *e);

/* Takes the whole list, oldest first (NULL when empty); the buffer is empty after. */
otel_preinit_entry *otel_preinit_take(otel_preinit *b);

#endif
