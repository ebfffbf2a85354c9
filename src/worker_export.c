/*
 * worker_export.c - what both of the worker's modes (worker.c's plain
 * export thread, worker_spool.c's sender and drainer) do with records:
 * take the logging threads' lane entries into the queue as records,
 * account for records done (waking flushers), write the file exporter,
 * encode, send and settle requests.
 */
#include "worker_internal.h"
#include "census.h"
#include "clock.h"
#include "diag.h"
#include "lane_entry.h"
#include "reentry.h"

#include <stdlib.h>

/* 1 when count has reached *mark (which is then cleared: a flusher still
 * short of its own target sets it again) */
static int mark_reached(uint64_t count, uint64_t *mark)
{
    if (count < *mark)
        return 0;
    *mark = UINT64_MAX;
    return 1;
}

void otel_worker_account(otel_worker *w, uint64_t n)
{
    if (!n)
        return;
    pthread_mutex_lock(&w->lock);
    w->done += n;
    int reached = mark_reached(w->done, &w->wake_done);
    pthread_mutex_unlock(&w->lock);
    if (reached)
        pthread_cond_broadcast(&w->progress);
}

/* ---- the file exporter ----
 * Every batch goes to every configured exporter. The record counters
 * (exported, dropped_*) follow the primary exporter: HTTP when an endpoint
 * is configured, else the file; file_records / file_errors always count what
 * the file exporter wrote or failed to write. Returns 0 when written. */
int otel_worker_export_file(otel_worker *w, otel_record *const *recs, size_t n)
{
    otel_buf_reset(&w->file_buf);
    int rc = otel_encode_json(&w->resource, recs, n, &w->file_buf);
    if (rc == 0)
        rc = otel_json_file_export(w->file, w->file_buf.data, w->file_buf.len);
    else
        otel_diag("log4c-otel: out of memory encoding %zu records for the file; dropped", n);
    otel_worker_count(rc == 0 ? &w->file_records : &w->file_errors, n);
    if (!w->http)
        otel_worker_settle(w, rc == 0 ? OTEL_OUT_EXPORTED : OTEL_OUT_EXPORT_FAILED, n);
    return rc;
}

int otel_worker_encode(otel_worker *w, otel_record *const *recs, size_t n, otel_buf *buf)
{
    otel_buf_reset(buf);
    return w->settings.protocol == OTEL_PROTOCOL_HTTP_JSON ? otel_encode_json(&w->resource, recs, n, buf)
                                                           : otel_encode_protobuf(&w->resource, recs, n, buf);
}

/* the split bounds the records; the resource comes on top of them */
size_t otel_worker_request_cap(const otel_worker *w)
{
    size_t overhead = otel_resource_overhead_bound(&w->resource);
    return w->settings.max_request_bytes > overhead ? w->settings.max_request_bytes - overhead : 1;
}

void otel_worker_send(otel_worker *w, const void *body, size_t len, uint64_t records, uint64_t deadline_ns,
                      otel_export_result *res)
{
    otel_http_export(w->http, body, len, deadline_ns, &w->abort, res);
    otel_worker_count(&w->export_requests, res->attempts);
    if (res->attempts > 1)
        otel_worker_count(&w->export_retries, res->attempts - 1);
    otel_worker_count(&w->export_unanswered, records * res->unanswered);
}

/* Settles n records sent in one request with result res (not FAILED). */
void otel_worker_settle_sent(otel_worker *w, const otel_export_result *res, uint64_t n)
{
    if (res->outcome == OTEL_EXPORT_OK) {
        uint64_t rejected = res->rejected > 0 ? (uint64_t)res->rejected : 0;
        if (rejected > n)
            rejected = n;
        otel_worker_settle(w, OTEL_OUT_EXPORTED, n - rejected);
        otel_worker_settle(w, OTEL_OUT_REJECTED, rejected);
        if (rejected)
            otel_diag("log4c-otel: collector rejected %llu of %llu records: %s", (unsigned long long)rejected,
                      (unsigned long long)n, res->message);
    } else {
        otel_worker_settle(w, OTEL_OUT_HTTP_ERROR, n);
        otel_diag("log4c-otel: dropped %llu records: %s", (unsigned long long)n, res->message);
    }
}

/* ---- the hand-off lanes ---- */

/* What one feed collects: records go on a handful at a time (one lock for
 * all), all with the same observed time (one clock read). */
typedef struct feed_hand {
    otel_worker *w;
    uint64_t now_ns;
    size_t n, cap;              /* cap <= OTEL_WORKER_FEED_HAND */
    otel_worker_sink_fn sink;   /* NULL: into the queue */
    void *sink_ctx;
    int last;                   /* the shutdown's last feed: passes feed_shut */
    otel_record *recs[OTEL_WORKER_FEED_HAND];
} feed_hand;

/* into the queue; a full (or closed) queue counts the drop */
static void to_queue(otel_worker *w, otel_record **recs, size_t n)
{
    if (otel_queue_push_n(w->queue, recs, n) < n)
        for (size_t i = 0; i < n; i++)
            otel_record_free(recs[i]);
}

static void hand_on(void *arg)
{
    feed_hand *h = arg;
    if (h->n) {
        if (h->sink)
            h->sink(h->w, h->recs, h->n, h->sink_ctx);
        else
            to_queue(h->w, h->recs, h->n);
    }
    h->n = 0;
}

/* one staged entry -> a record in hand */
static void feed_entry(void *arg, const void *entry, size_t size)
{
    feed_hand *h = arg;
    otel_record *r = otel_lane_entry_record(h->w->builder, entry, size, h->now_ns, NULL);
    if (!r)
        return;
    h->recs[h->n++] = r;
    if (h->n == h->cap)
        hand_on(h);
}

/* Up to max staged entries through the pipeline and on as h says. */
static void feed(otel_worker *w, size_t max, feed_hand *h)
{
    otel_stage *s = atomic_load_explicit(&w->stage, memory_order_acquire);
    if (!s)
        return;
    pthread_mutex_lock(&w->feed_lock);
    if (atomic_load(&w->feed_shut) && !h->last) {
        pthread_mutex_unlock(&w->feed_lock);
        return;
    }
    uint64_t refused[OTEL_BANDS];
    /* entries leave the lanes for the queue (or the filtered count) whole
     * in any snapshot of the counters (census.h) */
    otel_census_move_begin();
    size_t n = otel_stage_drain_then(s, feed_entry, hand_on, h, max, refused);
    int any_refused = 0;
    for (unsigned b = 0; b < OTEL_BANDS; b++)
        any_refused |= refused[b] != 0;
    if (any_refused) /* by severity band */
        otel_queue_shed(w->queue, refused);
    otel_census_move_end();
    pthread_mutex_unlock(&w->feed_lock);
    if (n || any_refused) { /* a flush may wait for the lanes */
        pthread_mutex_lock(&w->lock);
        int reached = mark_reached(otel_stage_taken(s), &w->wake_taken);
        pthread_mutex_unlock(&w->lock);
        if (reached)
            pthread_cond_broadcast(&w->progress);
    }
}

void otel_worker_feed(otel_worker *w, size_t max)
{
    feed_hand h = {.w = w, .now_ns = otel_realtime_ns(), .cap = OTEL_WORKER_FEED_HAND};
    feed(w, max, &h);
}

void otel_worker_feed_last(otel_worker *w, size_t chunk, otel_worker_sink_fn sink, void *ctx)
{
    feed_hand h = {.w = w,
                   .now_ns = otel_realtime_ns(),
                   .cap = chunk < OTEL_WORKER_FEED_HAND ? chunk : OTEL_WORKER_FEED_HAND,
                   .sink = sink,
                   .sink_ctx = ctx,
                   .last = 1};
    feed(w, SIZE_MAX, &h);
}

/* The start of each of the worker's threads: nothing on it may append
 * (reentry.h); a batch array of max_export_batch_size, NULL when out of memory. */
otel_record **otel_worker_thread_begin(const otel_worker *w)
{
    otel_reentry_mark_internal_thread();
    return malloc(w->settings.max_export_batch_size * sizeof(otel_record *));
}

