/*
 * queue.c - a mutex-protected ring of record pointers. Producers hold the
 * lock only to store a pointer and update two counters, so contention stays
 * short; the consumer takes records in batches to amortise locking. Without
 * a record bound the ring doubles when full (the byte cap bounds it).
 */
#include "queue.h"
#include "clock.h"
#include "delivery_report.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

struct otel_queue {
    pthread_mutex_t lock;
    pthread_cond_t nonempty;
    pthread_cond_t notfull; /* blocking mode: producers wait here for room */
    int producers_waiting;
    otel_record **ring;
    size_t cap, head, count;
    size_t max_records;  /* 0: none */
    /* with max_records: records waiting, in the ring and admitted into the
     * lanes (otel_queue_admit); lock-free for the lanes. On a cache line of
     * its own: every logging call adds to it, while the worker writes the
     * fields around it under the lock (false sharing otherwise; the same
     * layout as the stage's producer and consumer fields) */
    char pad0_[64];
    atomic_size_t held;
    char pad1_[64];
    size_t bytes, max_bytes, wake_at, wake_bytes;
    size_t staged_bytes; /* reserved by the hand-off lanes (stage.h): under the same cap */
    uint64_t pushed;
    otel_ledger ledger;  /* under lock: one snapshot always adds up */
    int kicked;          /* set by otel_queue_kick, cleared by the next pop */
    int consumer_waiting;
    int closed;          /* set by otel_queue_close: pushes fail */
};

otel_queue *otel_queue_new(size_t max_records, size_t max_bytes, size_t wake_at)
{
    otel_queue *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    /* bounded: the ring takes the bound at once (it grows only should the
     * lanes' records briefly add to it); unbounded: grows from 1024 */
    q->cap = max_records ? max_records : 1024;
    q->ring = calloc(q->cap, sizeof *q->ring);
    if (!q->ring) {
        free(q);
        return NULL;
    }
    q->max_records = max_records;
    atomic_init(&q->held, 0);
    q->max_bytes = max_bytes;
    q->wake_at = wake_at ? wake_at : 1;
    q->wake_bytes = max_bytes / 2; /* below the lowest band's share (band.h) */
    if (q->wake_bytes == 0) /* 0 would never let the consumer wait */
        q->wake_bytes = 1;
    pthread_mutex_init(&q->lock, NULL);
    otel_cond_init_monotonic(&q->nonempty);
    otel_cond_init_monotonic(&q->notfull);
    return q;
}

void otel_queue_free(otel_queue *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->count; i++)
        otel_record_free(q->ring[(q->head + i) % q->cap]);
    free(q->ring);
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->nonempty);
    pthread_cond_destroy(&q->notfull);
    free(q);
}

/* No room for r under its band's share of the byte cap (the record bound
 * is checked by count_in). */
static int full(const otel_queue *q, const otel_record *r)
{
    return q->bytes + q->staged_bytes + r->size > otel_band_limit(q->max_bytes, otel_band_of_severity(r->severity_number));
}

/* Counts r under the record bound: 0 when it fits its band's share. */
static int count_in(otel_queue *q, const otel_record *r)
{
    return q->max_records ? otel_queue_admit(q, otel_band_of_severity(r->severity_number)) : 0;
}

/* Doubles the ring (keeping the order); -1 when out of memory. */
static int grow_ring(otel_queue *q)
{
    size_t cap = q->cap * 2;
    otel_record **ring = malloc(cap * sizeof *ring);
    if (!ring)
        return -1;
    for (size_t i = 0; i < q->count; i++)
        ring[i] = q->ring[(q->head + i) % q->cap];
    free(q->ring);
    q->ring = ring;
    q->cap = cap;
    q->head = 0;
    return 0;
}

int otel_queue_push(otel_queue *q, otel_record *r) { return otel_queue_push_wait(q, r, 0); }

/* Stores r unless the queue is closed or (unless admitted: built from a
 * lane entry) full, counting either; under q->lock. 1 when stored, and
 * *wake says the consumer should be woken. */
static int store_locked(otel_queue *q, otel_record *r, int admitted, int *wake)
{
    q->ledger.accepted++;
    if (q->closed) {
        q->ledger.out[OTEL_OUT_SHUTDOWN]++;
        return 0;
    }
    if (admitted) {
        if (q->max_records)
            atomic_fetch_add_explicit(&q->held, 1, memory_order_relaxed);
    } else if (full(q, r) || count_in(q, r) != 0) {
        q->ledger.out[OTEL_OUT_QUEUE_FULL]++;
        q->ledger.shed[otel_band_of_severity(r->severity_number)]++;
        return 0;
    }
    if (q->count == q->cap && grow_ring(q) != 0) {
        if (q->max_records)
            otel_queue_unadmit(q, 1);
        q->ledger.out[OTEL_OUT_QUEUE_FULL]++;
        q->ledger.shed[otel_band_of_severity(r->severity_number)]++;
        return 0;
    }
    size_t at = q->head + q->count;
    q->ring[at < q->cap ? at : at - q->cap] = r;
    q->count++;
    size_t before = q->bytes;
    q->bytes += r->size;
    q->pushed++;
    q->ledger.queued++;
    /* wake the worker only when a batch is full or the bytes cross the wake
     * mark: fewer wakeups, bigger batches, and room before the byte cap */
    *wake |= q->consumer_waiting &&
             (q->count == q->wake_at || (before < q->wake_bytes && q->bytes >= q->wake_bytes));
    return 1;
}

/* Stores the m records of recs[0..n) that are not NULL in one go, as m
 * store_locked calls would (admitted, not closed), once the ring has room
 * for them all; 0 when it has not (out of memory growing it). Under q->lock. */
static int store_all_locked(otel_queue *q, otel_record **recs, size_t n, size_t m, int *wake)
{
    while (q->count + m > q->cap)
        if (grow_ring(q) != 0)
            return 0;
    size_t at = q->head + q->count, add = 0;
    if (at >= q->cap)
        at -= q->cap;
    for (size_t i = 0; i < n; i++)
        if (recs[i]) {
            q->ring[at] = recs[i];
            if (++at == q->cap)
                at = 0;
            add += recs[i]->size;
            recs[i] = NULL;
        }
    size_t count_before = q->count, bytes_before = q->bytes;
    q->count += m;
    q->bytes += add;
    q->pushed += m;
    q->ledger.accepted += m;
    q->ledger.queued += m;
    if (q->max_records)
        atomic_fetch_add_explicit(&q->held, m, memory_order_relaxed);
    /* store_locked's wake, had the count or the bytes reached their mark
     * one record at a time */
    *wake |= q->consumer_waiting && ((count_before < q->wake_at && q->count >= q->wake_at) ||
                                     (bytes_before < q->wake_bytes && q->bytes >= q->wake_bytes));
    return 1;
}

size_t otel_queue_push_n(otel_queue *q, otel_record **recs, size_t n)
{
    size_t pushed = 0, offered = 0;
    int wake = 0, closed;
    for (size_t i = 0; i < n; i++)
        offered += recs[i] != NULL;
    pthread_mutex_lock(&q->lock);
    if (!q->closed && store_all_locked(q, recs, n, offered, &wake)) {
        pthread_mutex_unlock(&q->lock);
        if (wake)
            pthread_cond_signal(&q->nonempty);
        return offered;
    }
    offered = 0;
    for (size_t i = 0; i < n; i++)
        if (recs[i]) {
            offered++;
            if (store_locked(q, recs[i], 1, &wake)) {
                recs[i] = NULL;
                pushed++;
            }
        }
    closed = q->closed;
    pthread_mutex_unlock(&q->lock);
    otel_report_outcome(closed ? OTEL_OUT_SHUTDOWN : OTEL_OUT_QUEUE_FULL, offered - pushed); /* full: out of memory */
    if (wake)
        pthread_cond_signal(&q->nonempty);
    return pushed;
}

int otel_queue_push_wait(otel_queue *q, otel_record *r, uint64_t deadline_ns)
{
    struct timespec ts = otel_timespec(deadline_ns);
    pthread_mutex_lock(&q->lock);
    /* wait for room only when the record could ever fit */
    if (deadline_ns && r->size <= q->max_bytes) {
        while (!q->closed && (full(q, r) || (q->max_records && atomic_load(&q->held) >=
                                                                  otel_band_limit(q->max_records,
                                                                                  otel_band_of_severity(r->severity_number))))) {
            q->producers_waiting++;
            int rc = pthread_cond_timedwait(&q->notfull, &q->lock, &ts);
            q->producers_waiting--;
            if (rc == ETIMEDOUT)
                break;
        }
    }
    int wake = 0, closed = q->closed, stored = store_locked(q, r, 0, &wake);
    pthread_mutex_unlock(&q->lock);
    if (!stored)
        otel_report_outcome(closed ? OTEL_OUT_SHUTDOWN : OTEL_OUT_QUEUE_FULL, 1);
    if (wake)
        pthread_cond_signal(&q->nonempty);
    return stored ? 0 : closed ? -2 : -1;
}

/* Moves up to max records to out (they become in flight), unlocks, and
 * wakes producers blocked on a full queue. Called with q->lock held. */
static size_t take_and_unlock(otel_queue *q, otel_record **out, size_t max)
{
    size_t n = q->count < max ? q->count : max;
    size_t head = q->head, bytes = 0;
    for (size_t i = 0; i < n; i++) {
        out[i] = q->ring[head];
        bytes += out[i]->size;
        if (++head == q->cap)
            head = 0;
    }
    q->head = head;
    q->bytes -= bytes;
    q->count -= n;
    if (q->max_records && n)
        otel_queue_unadmit(q, n);
    q->ledger.queued -= n;
    q->ledger.in_flight += n;
    int room = n && q->producers_waiting;
    pthread_mutex_unlock(&q->lock);
    if (room)
        pthread_cond_broadcast(&q->notfull);
    return n;
}

size_t otel_queue_pop(otel_queue *q, otel_record **out, size_t max, uint64_t deadline_ns, int *kicked)
{
    struct timespec ts = otel_timespec(deadline_ns);
    pthread_mutex_lock(&q->lock);
    while (q->count < q->wake_at && q->bytes < q->wake_bytes && !q->kicked) {
        q->consumer_waiting = 1;
        int rc = pthread_cond_timedwait(&q->nonempty, &q->lock, &ts);
        q->consumer_waiting = 0;
        if (rc == ETIMEDOUT)
            break;
    }
    if (kicked)
        *kicked = q->kicked;
    q->kicked = 0;
    return take_and_unlock(q, out, max);
}

size_t otel_queue_try_pop(otel_queue *q, otel_record **out, size_t max)
{
    pthread_mutex_lock(&q->lock);
    return take_and_unlock(q, out, max);
}

void otel_queue_refuse(otel_queue *q, otel_outcome why) { otel_queue_refuse_n(q, why, 1); }

void otel_queue_refuse_n(otel_queue *q, otel_outcome why, uint64_t n)
{
    pthread_mutex_lock(&q->lock);
    q->ledger.accepted += n;
    q->ledger.out[why] += n;
    pthread_mutex_unlock(&q->lock);
    otel_report_outcome(why, n);
}

void otel_queue_shed(otel_queue *q, const uint64_t n[OTEL_BANDS])
{
    uint64_t total = 0;
    pthread_mutex_lock(&q->lock);
    for (unsigned b = 0; b < OTEL_BANDS; b++) {
        q->ledger.shed[b] += n[b];
        total += n[b];
    }
    q->ledger.accepted += total;
    q->ledger.out[OTEL_OUT_QUEUE_FULL] += total;
    pthread_mutex_unlock(&q->lock);
    otel_report_outcome(OTEL_OUT_QUEUE_FULL, total);
}

int otel_queue_admit(otel_queue *q, unsigned band)
{
    size_t was = atomic_fetch_add_explicit(&q->held, 1, memory_order_relaxed);
    if (was < otel_band_limit(q->max_records, band))
        return 0;
    atomic_fetch_sub_explicit(&q->held, 1, memory_order_relaxed);
    return -1;
}

void otel_queue_unadmit(otel_queue *q, size_t n) { atomic_fetch_sub_explicit(&q->held, n, memory_order_relaxed); }

int otel_queue_reserve(otel_queue *q, size_t bytes, unsigned band)
{
    pthread_mutex_lock(&q->lock);
    size_t in_use = q->bytes + q->staged_bytes;
    if (q->closed || in_use + bytes > otel_band_limit(q->max_bytes, band)) {
        pthread_mutex_unlock(&q->lock);
        return -1;
    }
    q->staged_bytes += bytes;
    /* memory nears the cap: the consumer drains the lanes now, not at its
     * schedule (once per crossing) */
    int wake = in_use < q->wake_bytes && in_use + bytes >= q->wake_bytes;
    if (wake)
        q->kicked = 1;
    pthread_mutex_unlock(&q->lock);
    if (wake)
        pthread_cond_signal(&q->nonempty);
    return 0;
}

size_t otel_queue_room(otel_queue *q)
{
    pthread_mutex_lock(&q->lock);
    size_t in_use = q->bytes + q->staged_bytes;
    size_t room = in_use < q->max_bytes ? q->max_bytes - in_use : 0;
    pthread_mutex_unlock(&q->lock);
    return room;
}

void otel_queue_release(otel_queue *q, size_t bytes)
{
    pthread_mutex_lock(&q->lock);
    q->staged_bytes -= bytes < q->staged_bytes ? bytes : q->staged_bytes;
    pthread_mutex_unlock(&q->lock);
}

void otel_queue_take_over(otel_queue *q, uint64_t n)
{
    pthread_mutex_lock(&q->lock);
    q->ledger.accepted += n;
    q->pushed += n;
    q->ledger.in_flight += n;
    pthread_mutex_unlock(&q->lock);
}

void otel_queue_settle(otel_queue *q, otel_outcome why, uint64_t n)
{
    pthread_mutex_lock(&q->lock);
    /* a settle never exceeds what was popped; the clamp keeps a bug from
     * wrapping the counter */
    if (n > q->ledger.in_flight)
        n = q->ledger.in_flight;
    q->ledger.in_flight -= n;
    q->ledger.out[why] += n;
    pthread_mutex_unlock(&q->lock);
    otel_report_outcome(why, n);
}

void otel_queue_ledger(otel_queue *q, otel_ledger *out)
{
    pthread_mutex_lock(&q->lock);
    *out = q->ledger;
    pthread_mutex_unlock(&q->lock);
}

void otel_queue_close(otel_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = 1;
    pthread_mutex_unlock(&q->lock);
    pthread_cond_broadcast(&q->notfull); /* a waiting producer gives up now */
}

void otel_queue_kick(otel_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->kicked = 1;
    pthread_mutex_unlock(&q->lock);
    pthread_cond_broadcast(&q->nonempty);
}

uint64_t otel_queue_pushed(otel_queue *q)
{
    pthread_mutex_lock(&q->lock);
    uint64_t n = q->pushed;
    pthread_mutex_unlock(&q->lock);
    return n;
}

size_t otel_queue_count(otel_queue *q)
{
    pthread_mutex_lock(&q->lock);
    size_t n = q->count;
    pthread_mutex_unlock(&q->lock);
    return n;
}

size_t otel_queue_bytes(otel_queue *q)
{
    pthread_mutex_lock(&q->lock);
    size_t n = q->bytes;
    pthread_mutex_unlock(&q->lock);
    return n;
}
