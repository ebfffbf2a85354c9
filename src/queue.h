/*
 * queue.h - the bounded queue between application threads (many producers)
 * and the worker (one consumer). Bounded by bytes, which it shares with the
 * hand-off lanes (stage.h), and by a record count when the user set one
 * (the lanes' records and the queue's together); a push never waits: when
 * full it fails and the drop is counted, by severity band. Each band may
 * fill only its share of either bound (band.h): the lowest bands are
 * refused first.
 *
 * The queue also keeps the pipeline's record ledger (accepted, queued, in
 * flight, and every outcome) under its one lock, so that a snapshot always
 * adds up: accepted == queued + in_flight + the sum of the outcomes.
 */
#ifndef LOG4C_OTEL_QUEUE_H
#define LOG4C_OTEL_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include "band.h"
#include "record.h"

typedef struct otel_queue otel_queue;

/* What finally happened to a record (the ledger's outcome columns). */
typedef enum otel_outcome {
    OTEL_OUT_EXPORTED = 0,
    OTEL_OUT_QUEUE_FULL,
    OTEL_OUT_EXPORT_FAILED,
    OTEL_OUT_REJECTED,
    OTEL_OUT_HTTP_ERROR,
    OTEL_OUT_SHUTDOWN,
    OTEL_OUT_SPOOLED,    /* written to the disk spool */
    OTEL_OUT_SPOOL_FULL, /* the spool could not take them (max bytes, write error) */
    OTEL_OUT_N
} otel_outcome;

/* A consistent copy of the ledger. */
typedef struct otel_ledger {
    uint64_t accepted; /* every record offered to otel_queue_push / _refuse */
    uint64_t queued, in_flight;
    uint64_t out[OTEL_OUT_N];
    uint64_t shed[OTEL_BANDS]; /* of out[OTEL_OUT_QUEUE_FULL]: by severity band */
} otel_ledger;

/* max_records: the bound on records waiting (in the queue and, through
 * otel_queue_admit, in the lanes); 0: none, the bytes bound them (the ring
 * grows as needed). wake_at: the consumer is woken early once this many
 * records are queued (the export batch size), or once the queued bytes
 * reach half of max_bytes (below every severity band's share, band.h: so
 * that a burst of large records does not hit the byte cap while the
 * consumer sleeps out its schedule delay). NULL when out of memory. */
otel_queue *otel_queue_new(size_t max_records, size_t max_bytes, size_t wake_at);
/* Frees the queue and any record still in it. */
void otel_queue_free(otel_queue *q);

/* Enqueues r (ownership passes on success). Returns 0, -1 when full
 * (counted as OTEL_OUT_QUEUE_FULL), -2 when closed (OTEL_OUT_SHUTDOWN); on
 * failure the caller keeps r. Every call counts as accepted. */
int otel_queue_push(otel_queue *q, otel_record *r);

/* Records built from lane entries, which were admitted under the bounds
 * when they were staged, for recs[0..n) in order under one lock: pushed
 * unless the queue is closed (counted dropped_shutdown), whatever the
 * bounds (they come in at most an export batch at a time, and their
 * entries' bytes are released as they are read). Each pushed one becomes
 * NULL in recs, each refused one stays (the caller frees it). Returns how
 * many were pushed. */
size_t otel_queue_push_n(otel_queue *q, otel_record **recs, size_t n);

/* Blocking mode: like otel_queue_push, but when full waits for room until
 * deadline_ns (CLOCK_MONOTONIC; 0: no wait) or the queue is closed. A
 * record larger than the byte cap fails at once. */
int otel_queue_push_wait(otel_queue *q, otel_record *r, uint64_t deadline_ns);

/* Counts a record that was offered but never pushed: accepted and outcome
 * `why` (not OTEL_OUT_QUEUE_FULL: otel_queue_shed) in one step. */
void otel_queue_refuse(otel_queue *q, otel_outcome why);

/* otel_queue_refuse for n records at once. */
void otel_queue_refuse_n(otel_queue *q, otel_outcome why, uint64_t n);

/* Counts records refused for lack of room elsewhere (the lanes): n[band]
 * of each band, accepted and dropped_queue_full. */
void otel_queue_shed(otel_queue *q, const uint64_t n[OTEL_BANDS]);

/* Counts n records that go straight into flight without being stored (at
 * the shutdown deadline, after otel_queue_close, lane leftovers go to the
 * spool): accepted, pushed and in flight, as if pushed and popped at once;
 * their holder settles them (otel_queue_settle) like popped ones. */
void otel_queue_take_over(otel_queue *q, uint64_t n);

/* The hand-off lanes (stage.h) keep raw entries in chunks whose
 * bytes count against the same byte cap as queued records. reserve: 0 when
 * bytes more fit the share of band (pushes then have that much less room),
 * -1 when not or when closed; release gives them back. */
int otel_queue_reserve(otel_queue *q, size_t bytes, unsigned band);
void otel_queue_release(otel_queue *q, size_t bytes);
/* Bytes of the byte cap neither queued records nor the lanes' chunks hold
 * (for the lanes' cache of read chunks, which stays within it). */
size_t otel_queue_room(otel_queue *q);

/* The record bound's side for the lanes (with max_records set): admit
 * counts one more record of band waiting, 0 when it fits that band's share,
 * -1 (nothing counted) when not; unadmit gives n back. Lock-free. */
int otel_queue_admit(otel_queue *q, unsigned band);
void otel_queue_unadmit(otel_queue *q, size_t n);

/* The consumer settles n popped (in-flight) records with outcome `why`. */
void otel_queue_settle(otel_queue *q, otel_outcome why, uint64_t n);

/* Copies the ledger under the lock. */
void otel_queue_ledger(otel_queue *q, otel_ledger *out);

/* Refuses every later push (pops still work). */
void otel_queue_close(otel_queue *q);

/* Takes up to max records into out (they become in flight until settled),
 * first waiting until at least wake_at records are queued, the bytes reach
 * the wake mark, the queue was kicked since the last pop, or
 * deadline_ns (CLOCK_MONOTONIC) passes, whichever is first (a deadline in
 * the past: no wait). *kicked (if not NULL) tells whether a kick was
 * pending; the pop consumes it. Returns the number taken (may be 0). */
size_t otel_queue_pop(otel_queue *q, otel_record **out, size_t max, uint64_t deadline_ns, int *kicked);

/* Takes up to max records without waiting and without touching the
 * consumer's wake state (a second consumer, the spool drainer, uses it). */
size_t otel_queue_try_pop(otel_queue *q, otel_record **out, size_t max);

/* Wakes the consumer now (or makes its next pop return at once). */
void otel_queue_kick(otel_queue *q);

/* Counters. pushed: records ever taken into the queue (refused ones not
 * included: a flush waits for these). */
uint64_t otel_queue_pushed(otel_queue *q);
size_t otel_queue_count(otel_queue *q);
size_t otel_queue_bytes(otel_queue *q);

#endif
