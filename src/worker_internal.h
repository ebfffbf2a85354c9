/*
 * worker_internal.h - what worker.c (the export worker) and worker_spool.c
 * (its disk-spool mode) share: the worker's state and the helpers
 * both use. Internal: nothing else includes it.
 */
#ifndef LOG4C_OTEL_WORKER_INTERNAL_H
#define LOG4C_OTEL_WORKER_INTERNAL_H

#include "worker.h"
#include "buf.h"
#include "encode.h"
#include "json_file_exporter.h"
#include "http_exporter.h"
#include "queue.h"
#include "spool.h"
#include "stage.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct otel_worker {
    otel_settings settings;
    otel_resource resource;
    otel_queue *queue;
    otel_http_exporter *http;        /* NULL: no endpoint configured and a file instead */
    otel_json_file_exporter *file;   /* NULL: no file exporter */
    otel_buf file_buf;          /* the file's OTLP/JSON line */
    pthread_t thread;
    int thread_started;

    pthread_mutex_t lock; /* guards done, shut_down; signals progress to flushers */
    pthread_cond_t progress;
    uint64_t done; /* records popped and accounted for */
    /* the smallest target a flush waits for, of done and of the lanes' taken
     * count (UINT64_MAX: none): progress wakes flushers only on reaching it,
     * not once per batch */
    uint64_t wake_done, wake_taken;
    int shut_down;
    pthread_mutex_t shutdown_lock; /* serialises otel_worker_shutdown */

    atomic_int closing;  /* no more submissions */
    atomic_int stop;     /* the thread must exit */
    volatile int abort;  /* abort the export in flight (read by the HTTP exporter) */

    /* the record counters live in the queue's ledger (one lock, consistent
     * snapshots); these count requests */
    atomic_uint_fast64_t export_requests, export_retries, export_unanswered;
    atomic_uint_fast64_t file_records, file_errors; /* the file exporter's */

    /* ---- the logging threads' hand-off lanes (NULL: records are
     * built on the logging thread and submitted) and what turns an entry
     * into a record ---- */
    _Atomic(otel_stage *) stage;
    const struct otel_record_builder *builder; /* builds records from lane entries */
    /* Set (under feed_lock, with the queue's close) when shutdown closes the
     * queue: from then on only the shutdown's last feed takes entries from
     * the lanes (to the spool, or counted dropped_shutdown), so no thread
     * still draining pushes one into the closed queue. */
    pthread_mutex_t feed_lock;
    atomic_int feed_shut;

    /* ---- the spool (NULL: off); used by worker_spool.c ---- */
    otel_spool *spool;
    pthread_mutex_t spool_lock; /* the spool and the sender's requests below; taken before lock */
    pthread_cond_t wake;        /* with lock: ends the sender's backoff and the drainer's nap */
    pthread_t drainer;
    int drainer_started;
    atomic_int drainer_stop;
    atomic_int spool_pending;   /* a copy of otel_spool_pending, for the shutdown wait */
    int gave_up;                /* under lock: a replay failed after shutdown began */
    /* the sender's encoded requests of one popped batch (under spool_lock) */
    otel_buf *reqs;
    uint32_t *req_records;
    size_t nreqs, reqs_cap, req_next;
    int ahead;                  /* the drainer spooled reqs[ahead_from..ahead_upto) */
    size_t ahead_from, ahead_upto;
    uint64_t next_try;          /* sender only: when to replay next */
    unsigned fails;
    uint64_t rng;
    long retry_base_ms;
    atomic_uint_fast64_t replayed, replay_dropped;
};

static inline void otel_worker_count(atomic_uint_fast64_t *c, uint64_t n)
{
    atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* n in-flight records reach their outcome */
static inline void otel_worker_settle(otel_worker *w, otel_outcome why, uint64_t n)
{
    if (n)
        otel_queue_settle(w->queue, why, n);
}

/* ---- worker_export.c: shared by both modes ---- */

/* Moves up to max entries the logging threads staged into the queue
 * (records built under the builder, lane_entry.h; SIZE_MAX: all); refusals
 * at the lanes are counted queue_full. Every consumer calls it before it
 * looks at the queue; it wakes flushers waiting for the lanes. */
void otel_worker_feed(otel_worker *w, size_t max);

/* Where the shutdown's last feed hands records, n at a time (ownership
 * passes). */
#define OTEL_WORKER_FEED_HAND 64 /* records handed on together, at most */
typedef void (*otel_worker_sink_fn)(otel_worker *w, otel_record **recs, size_t n, void *ctx);

/* The shutdown's last feed, after the queue is closed: every entry the
 * lanes still hold, as records handed to sink(w, recs, n, ctx) at most
 * chunk at a time; sink NULL: into the closed queue, which counts them
 * dropped_shutdown. */
void otel_worker_feed_last(otel_worker *w, size_t chunk, otel_worker_sink_fn sink, void *ctx);

/* The start of each of the worker's threads: marks it internal (nothing on
 * it may append) and allocates a batch of max_export_batch_size (NULL when
 * out of memory). */
otel_record **otel_worker_thread_begin(const otel_worker *w);

/* n records popped are accounted for: wakes the flushers. */
void otel_worker_account(otel_worker *w, uint64_t n);

/* Writes recs[0..n) to the file exporter and counts it. 0 when written. */
int otel_worker_export_file(otel_worker *w, otel_record *const *recs, size_t n);

/* The byte cap for otel_batch_split (the resource comes on top). */
size_t otel_worker_request_cap(const otel_worker *w);

/* Encodes recs[0..n) in the configured protocol into buf (reset first). */
int otel_worker_encode(otel_worker *w, otel_record *const *recs, size_t n, otel_buf *buf);

/* One HTTP export of a request holding records records until deadline_ns
 * (or abort); counts requests, retries and unanswered records. */
void otel_worker_send(otel_worker *w, const void *body, size_t len, uint64_t records, uint64_t deadline_ns,
                      otel_export_result *res);

/* Settles n records sent in one request with result res (not FAILED). */
void otel_worker_settle_sent(otel_worker *w, const otel_export_result *res, uint64_t n);

/* ---- worker_spool.c: the spool mode ---- */

/* Opens settings.spool_dir (a directory we cannot use: one line, no spool)
 * and prepares the sender's replay state. */
void otel_worker_spool_open(otel_worker *w);

/* The thread bodies with a spool: the sender replaces the plain worker
 * thread; the drainer moves the queue to the spool while the sender cannot. */
void *otel_worker_spool_sender_main(void *arg);
void *otel_worker_drainer_main(void *arg);

/* At shutdown: waits until the spool is replayed, the deadline passes or a
 * replay fails. */
void otel_worker_spool_wait(otel_worker *w, uint64_t deadline_ns);

/* Encodes, spools and accounts for recs[0..n); frees them. Under spool_lock
 * or with the threads joined. */
void otel_worker_spool_records(otel_worker *w, otel_record **recs, size_t n, otel_buf *buf);

/* Closes the spool (kept for the next start) and frees the sender's
 * requests; the threads are joined. */
void otel_worker_spool_close(otel_worker *w);

#endif
