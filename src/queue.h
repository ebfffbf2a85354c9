/*
 * queue.h - the bounded queue between application threads (many producers)
 * and the worker (one consumer). Bounded by record count and by bytes; a
 * push never waits: when full it fails and the caller counts the drop.
 */
#ifndef LOG4C_OTEL_QUEUE_H
#define LOG4C_OTEL_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include "record.h"

typedef struct otel_queue otel_queue;

/* wake_at: the consumer is woken early once this many records are queued
 * (the export batch size). NULL when out of memory. */
otel_queue *otel_queue_new(size_t max_records, size_t max_bytes, size_t wake_at);
/* Frees the queue and any record still in it. */
void otel_queue_free(otel_queue *q);

/* Enqueues r (ownership passes on success). Returns 0, -1 when full, -2
 * when closed. */
int otel_queue_push(otel_queue *q, otel_record *r);

/* Refuses every later push (pops still work). */
void otel_queue_close(otel_queue *q);

/* Takes up to max records into out, first waiting until at least wake_at
 * records are queued, the queue was kicked since the last pop, or
 * deadline_ns (CLOCK_MONOTONIC) passes, whichever is first (a deadline in
 * the past: no wait). *kicked (if not NULL) tells whether a kick was
 * pending; the pop consumes it. Returns the number taken (may be 0). */
size_t otel_queue_pop(otel_queue *q, otel_record **out, size_t max, uint64_t deadline_ns, int *kicked);

/* Wakes the consumer now (or makes its next pop return at once). */
void otel_queue_kick(otel_queue *q);

/* Counters. pushed: records ever accepted. */
uint64_t otel_queue_pushed(otel_queue *q);
size_t otel_queue_count(otel_queue *q);
size_t otel_queue_bytes(otel_queue *q);

#endif
