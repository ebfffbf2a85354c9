/*
 * worker.c - the export thread of one pipeline. It waits for a full batch or
 * the schedule delay, splits what it took into requests under the byte cap,
 * encodes, sends (retries live in the HTTP exporter) and accounts every
 * record exactly once: exported, or dropped with a reason.
 *
 * Issue 6, with a spool directory: a request that fails with a retryable
 * error after one try budget (timeoutMillis) goes to the spool at once, and
 * from then on every record goes through the spool, oldest first, until the
 * replay has caught up (FIFO). A second thread, the drainer, moves queued
 * records into the spool while entries wait there, or when the queue passes
 * half its bounds while the sender is stuck in an export (it then spools the
 * sender's requests first, so the order holds). The sender replays the
 * oldest entry, at backoff intervals while the collector is down.
 */
#include "worker.h"
#include "clock.h"
#include "diag.h"
#include "encode.h"
#include "file_exporter.h"
#include "http_exporter.h"
#include "queue.h"
#include "reentry.h"
#include "spool.h"
#include "spool_file.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct otel_worker {
    otel_settings settings;
    otel_resource resource;
    otel_queue *queue;
    otel_http_exporter *http;   /* NULL: no endpoint configured and a file instead (issue 5) */
    otel_file_exporter *file;   /* NULL: no file exporter (issue 5) */
    otel_buf file_buf;          /* the file's OTLP/JSON line */
    pthread_t thread;
    int thread_started;

    pthread_mutex_t lock; /* guards done, shut_down; signals progress to flushers */
    pthread_cond_t progress;
    uint64_t done; /* records popped and accounted for */
    int shut_down;
    pthread_mutex_t shutdown_lock; /* serialises otel_worker_shutdown */

    atomic_int closing;  /* no more submissions */
    atomic_int stop;     /* the thread must exit */
    volatile int abort;  /* abort the export in flight (read by the HTTP exporter) */

    /* the record counters live in the queue's ledger (one lock, consistent
     * snapshots); these count requests */
    atomic_uint_fast64_t export_requests, export_retries;
    atomic_uint_fast64_t file_records, file_errors; /* issue 5 */

    /* ---- issue 6: the spool (NULL: off) ---- */
    otel_spool *spool;
    pthread_mutex_t spool_lock; /* the spool and the sender's requests below; taken before lock */
    pthread_cond_t wake;        /* with lock: ends the sender's backoff and the drainer's nap */
    pthread_t drainer;
    int drainer_started;
    atomic_int drainer_stop;
    atomic_int spool_pending;   /* a copy of otel_spool_pending, for the shutdown wait */
    atomic_uint_fast64_t shutdown_deadline;
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

static void count(atomic_uint_fast64_t *c, uint64_t n)
{
    atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* n in-flight records reach their outcome */
static void settle(otel_worker *w, otel_outcome why, uint64_t n)
{
    if (n)
        otel_queue_settle(w->queue, why, n);
}

static void account(otel_worker *w, uint64_t n)
{
    if (!n)
        return;
    pthread_mutex_lock(&w->lock);
    w->done += n;
    pthread_mutex_unlock(&w->lock);
    pthread_cond_broadcast(&w->progress);
}

/* ---- issue 5: the file exporter ----
 * Every batch goes to every configured exporter. The record counters
 * (exported, dropped_*) follow the primary exporter: HTTP when an endpoint
 * is configured, else the file; file_records / file_errors always count what
 * the file exporter wrote or failed to write. Returns 0 when written. */
static int export_file(otel_worker *w, otel_record *const *recs, size_t n)
{
    otel_buf_reset(&w->file_buf);
    int rc = otel_encode_json(&w->resource, recs, n, &w->file_buf);
    if (rc == 0)
        rc = otel_file_export(w->file, w->file_buf.data, w->file_buf.len);
    else
        otel_diag("log4c-otel: out of memory encoding %zu records for the file; dropped", n);
    count(rc == 0 ? &w->file_records : &w->file_errors, n);
    if (!w->http)
        settle(w, rc == 0 ? OTEL_OUT_EXPORTED : OTEL_OUT_EXPORT_FAILED, n);
    return rc;
}

static int encode(otel_worker *w, otel_record *const *recs, size_t n, otel_buf *buf)
{
    otel_buf_reset(buf);
    return w->settings.protocol == OTEL_PROTOCOL_HTTP_JSON ? otel_encode_json(&w->resource, recs, n, buf)
                                                           : otel_encode_protobuf(&w->resource, recs, n, buf);
}

/* the split bounds the records; the resource comes on top of them */
static size_t request_cap(otel_worker *w)
{
    size_t overhead = otel_resource_overhead_bound(&w->resource);
    return w->settings.max_request_bytes > overhead ? w->settings.max_request_bytes - overhead : 1;
}

static void send_until(otel_worker *w, const void *body, size_t len, uint64_t deadline_ns, otel_export_result *res)
{
    otel_http_export(w->http, body, len, deadline_ns, &w->abort, res);
    count(&w->export_requests, res->attempts);
    if (res->attempts > 1)
        count(&w->export_retries, res->attempts - 1);
}

/* Settles n records sent in one request with result res (not FAILED). */
static void settle_sent(otel_worker *w, const otel_export_result *res, uint64_t n)
{
    if (res->outcome == OTEL_EXPORT_OK) {
        uint64_t rejected = res->rejected > 0 ? (uint64_t)res->rejected : 0;
        if (rejected > n)
            rejected = n;
        settle(w, OTEL_OUT_EXPORTED, n - rejected);
        settle(w, OTEL_OUT_REJECTED, rejected);
        if (rejected)
            otel_diag("log4c-otel: collector rejected %llu of %llu records: %s", (unsigned long long)rejected,
                      (unsigned long long)n, res->message);
    } else {
        settle(w, OTEL_OUT_HTTP_ERROR, n);
        otel_diag("log4c-otel: dropped %llu records: %s", (unsigned long long)n, res->message);
    }
}

/* Sends recs[0..n) as one request and accounts for them. */
static void export_request(otel_worker *w, otel_record *const *recs, size_t n, otel_buf *buf)
{
    if (w->file)
        export_file(w, recs, n);
    if (!w->http)
        return;
    if (encode(w, recs, n, buf) != 0) {
        otel_diag("log4c-otel: out of memory encoding %zu records; dropped", n);
        settle(w, OTEL_OUT_EXPORT_FAILED, n);
        return;
    }
    otel_export_result res;
    uint64_t deadline = otel_now_ns() + (uint64_t)w->settings.export_timeout_ms * 1000000ull;
    send_until(w, buf->data, buf->len, deadline, &res);
    if (res.outcome != OTEL_EXPORT_FAILED)
        settle_sent(w, &res, n);
    else if (__atomic_load_n(&w->abort, __ATOMIC_SEQ_CST))
        settle(w, OTEL_OUT_SHUTDOWN, n);
    else {
        settle(w, OTEL_OUT_EXPORT_FAILED, n);
        otel_diag("log4c-otel: dropped %zu records after %u attempts: %s", n, res.attempts, res.message);
    }
}

/* Exports a popped batch in requests under the byte cap, then frees it. */
static void export_batch(otel_worker *w, otel_record **batch, size_t n, otel_buf *buf)
{
    size_t cap = request_cap(w), off = 0;
    while (off < n) {
        size_t k = otel_batch_split(batch + off, n - off, cap);
        if (__atomic_load_n(&w->abort, __ATOMIC_SEQ_CST)) {
            /* past the deadline: no more HTTP, but a local file write is cheap */
            if (w->file)
                export_file(w, batch + off, k);
            if (w->http)
                settle(w, OTEL_OUT_SHUTDOWN, k);
        } else
            export_request(w, batch + off, k, buf);
        off += k;
    }
    for (size_t i = 0; i < n; i++)
        otel_record_free(batch[i]);
}

/* The start of each of the worker's threads: nothing on it may append
 * (issue 6); a batch array of max_export_batch_size, NULL when out of memory. */
static otel_record **thread_begin(const otel_worker *w)
{
    otel_reentry_mark_internal_thread();
    return malloc(w->settings.max_export_batch_size * sizeof(otel_record *));
}

/* ---- issue 6: the spool ---- */

/* after any spool change, under spool_lock */
static void note_pending(otel_worker *w)
{
    atomic_store(&w->spool_pending, otel_spool_pending(w->spool));
    pthread_cond_broadcast(&w->progress);
}

static uint64_t try_budget_ns(const otel_worker *w)
{
    long ms = w->settings.export_timeout_ms;
    if (w->settings.request_timeout_ms > 0 && w->settings.request_timeout_ms < ms)
        ms = w->settings.request_timeout_ms;
    return (uint64_t)ms * 1000000ull;
}

static void send_body(otel_worker *w, const void *body, size_t len, otel_export_result *res)
{
    send_until(w, body, len, otel_now_ns() + try_budget_ns(w), res);
}

/* Appends one encoded request; settles its records. Under spool_lock. */
static void spool_put(otel_worker *w, const void *body, size_t len, uint32_t n)
{
    int rc = otel_spool_put(w->spool, body, len, n);
    settle(w, rc == 0 ? OTEL_OUT_SPOOLED : OTEL_OUT_SPOOL_FULL, n);
    if (rc == -1) {
        static atomic_int told;
        if (!atomic_exchange(&told, 1))
            otel_diag("log4c-otel: the spool is full (maxBytes %llu): dropping records until it drains",
                      (unsigned long long)w->settings.spool_max_bytes);
    }
}

/* Encodes batch[0..n) into the sender's requests (under spool_lock) and
 * frees the records. */
static int encode_requests(otel_worker *w, otel_record **batch, size_t n)
{
    size_t cap = request_cap(w), off = 0;
    w->nreqs = w->req_next = 0;
    w->ahead = 0;
    uint64_t lost = 0;
    while (off < n) {
        size_t k = otel_batch_split(batch + off, n - off, cap);
        if (w->file)
            export_file(w, batch + off, k);
        if (w->nreqs == w->reqs_cap) {
            size_t nc = w->reqs_cap ? w->reqs_cap * 2 : 4;
            otel_buf *nb = realloc(w->reqs, nc * sizeof *nb);
            uint32_t *nr = nb ? realloc(w->req_records, nc * sizeof *nr) : NULL;
            if (nb)
                w->reqs = nb;
            if (!nb || !nr)
                goto oom;
            w->req_records = nr;
            for (size_t i = w->reqs_cap; i < nc; i++)
                w->reqs[i] = (otel_buf)OTEL_BUF_INIT;
            w->reqs_cap = nc;
        }
        if (encode(w, batch + off, k, &w->reqs[w->nreqs]) != 0)
            goto oom;
        w->req_records[w->nreqs++] = (uint32_t)k;
        off += k;
        continue;
    oom:
        otel_diag("log4c-otel: out of memory encoding %zu records; dropped", k);
        settle(w, OTEL_OUT_EXPORT_FAILED, k);
        lost += k;
        off += k;
    }
    for (size_t i = 0; i < n; i++)
        otel_record_free(batch[i]);
    account(w, lost);
    return 0;
}

/* Encodes and spools records (the drainer, and shutdown's leftovers); frees
 * them. Under spool_lock. */
static void spool_records(otel_worker *w, otel_record **recs, size_t n, otel_buf *buf)
{
    size_t cap = request_cap(w), off = 0;
    while (off < n) {
        size_t k = otel_batch_split(recs + off, n - off, cap);
        if (w->file)
            export_file(w, recs + off, k);
        if (encode(w, recs + off, k, buf) != 0) {
            otel_diag("log4c-otel: out of memory encoding %zu records; dropped", k);
            settle(w, OTEL_OUT_EXPORT_FAILED, k);
        } else
            spool_put(w, buf->data, buf->len, (uint32_t)k);
        off += k;
    }
    for (size_t i = 0; i < n; i++)
        otel_record_free(recs[i]);
    account(w, n);
}

/* Sends the sender's requests in order; a retryable failure spools the
 * rest. */
static void send_requests(otel_worker *w)
{
    for (;;) {
        pthread_mutex_lock(&w->spool_lock);
        size_t i = w->req_next;
        if (i >= w->nreqs || w->ahead) {
            /* all sent, or the drainer spooled what is left before it was sent */
            uint64_t n = 0;
            for (size_t j = i; j < w->nreqs; j++) {
                settle(w, j < w->ahead_upto ? OTEL_OUT_SPOOLED : OTEL_OUT_SPOOL_FULL, w->req_records[j]);
                n += w->req_records[j];
            }
            w->nreqs = w->req_next = 0;
            w->ahead = 0;
            pthread_mutex_unlock(&w->spool_lock);
            account(w, n);
            return;
        }
        pthread_mutex_unlock(&w->spool_lock);

        otel_export_result res;
        send_body(w, w->reqs[i].data, w->reqs[i].len, &res);

        pthread_mutex_lock(&w->spool_lock);
        uint64_t n = w->req_records[i];
        if (w->ahead) {
            /* reqs[i] is the spool's head entry when the drainer wrote it */
            int in_spool = i < w->ahead_upto;
            if (res.outcome != OTEL_EXPORT_FAILED) {
                const uint8_t *p;
                size_t len;
                uint32_t r;
                if (in_spool && otel_spool_peek(w->spool, &p, &len, &r))
                    otel_spool_consume(w->spool);
                settle_sent(w, &res, n);
            } else
                settle(w, in_spool ? OTEL_OUT_SPOOLED : OTEL_OUT_SPOOL_FULL, n);
            w->req_next = i + 1;
            note_pending(w);
            pthread_mutex_unlock(&w->spool_lock);
            account(w, n);
            continue; /* the rest: settled at the top */
        }
        if (res.outcome != OTEL_EXPORT_FAILED) {
            settle_sent(w, &res, n);
            w->req_next = i + 1;
            pthread_mutex_unlock(&w->spool_lock);
            account(w, n);
            continue;
        }
        /* retryable (or aborted at the shutdown deadline): this request and
         * the rest go to the spool, and the spool comes first from now on */
        uint64_t all = 0;
        for (size_t j = i; j < w->nreqs; j++) {
            spool_put(w, w->reqs[j].data, w->reqs[j].len, w->req_records[j]);
            all += w->req_records[j];
        }
        w->nreqs = w->req_next = 0;
        note_pending(w);
        pthread_mutex_unlock(&w->spool_lock);
        account(w, all);
        if (!__atomic_load_n(&w->abort, __ATOMIC_SEQ_CST))
            otel_diag("log4c-otel: export failed (%s): spooling to %s until the collector answers", res.message,
                      w->settings.spool_dir);
        w->fails = 1;
        w->next_try = otel_now_ns() + (uint64_t)otel_backoff_ms(1, w->retry_base_ms, 30000, (uint32_t)w->rng) * 1000000ull;
        return;
    }
}

/* One replay attempt of the spool's oldest entry, or a wait for the next. */
static void replay_step(otel_worker *w)
{
    int closing = atomic_load(&w->closing);
    pthread_mutex_lock(&w->lock);
    if (w->gave_up || (!closing && otel_now_ns() < w->next_try)) {
        /* back off; shutdown and stop end the wait */
        struct timespec ts = otel_timespec(w->gave_up ? otel_now_ns() + 100000000ull : w->next_try);
        if (!atomic_load(&w->stop) && atomic_load(&w->closing) == closing)
            pthread_cond_timedwait(&w->wake, &w->lock, &ts);
        pthread_mutex_unlock(&w->lock);
        return;
    }
    pthread_mutex_unlock(&w->lock);

    const uint8_t *p;
    size_t len;
    uint32_t recs;
    pthread_mutex_lock(&w->spool_lock);
    int have = otel_spool_peek(w->spool, &p, &len, &recs);
    note_pending(w);
    pthread_mutex_unlock(&w->spool_lock);
    if (!have)
        return;
    /* p stays valid: only this thread peeks */
    otel_export_result res;
    send_body(w, p, len, &res);
    if (res.outcome == OTEL_EXPORT_FAILED) {
        if (__atomic_load_n(&w->abort, __ATOMIC_SEQ_CST))
            return;
        w->rng = w->rng * 6364136223846793005ull + 1442695040888963407ull;
        long ms = otel_backoff_ms(++w->fails, w->retry_base_ms, 30000, (uint32_t)(w->rng >> 32));
        w->next_try = otel_now_ns() + (uint64_t)ms * 1000000ull;
        if (closing) {
            pthread_mutex_lock(&w->lock);
            w->gave_up = 1; /* the collector is down: keep the spool for the next start */
            pthread_mutex_unlock(&w->lock);
            pthread_cond_broadcast(&w->progress);
        }
        return;
    }
    pthread_mutex_lock(&w->spool_lock);
    otel_spool_consume(w->spool);
    note_pending(w);
    pthread_mutex_unlock(&w->spool_lock);
    w->fails = 0;
    w->next_try = 0;
    uint64_t rejected = 0;
    if (res.outcome == OTEL_EXPORT_OK)
        rejected = res.rejected > 0 ? ((uint64_t)res.rejected < recs ? (uint64_t)res.rejected : recs) : 0;
    else
        rejected = recs;
    count(&w->replayed, recs - rejected);
    count(&w->replay_dropped, rejected);
    if (rejected)
        otel_diag("log4c-otel: replaying the spool: dropped %llu of %u records: %s", (unsigned long long)rejected,
                  recs, res.message);
}

/* The sender thread when the spool is on. */
static void *spool_sender_main(void *arg)
{
    otel_worker *w = arg;
    size_t max = w->settings.max_export_batch_size;
    otel_record **batch = thread_begin(w);
    int draining = 0;
    while (batch && !atomic_load(&w->stop)) {
        if (atomic_load(&w->spool_pending)) {
            replay_step(w);
            continue;
        }
        int kicked = 0;
        uint64_t deadline = draining ? 0 : otel_now_ns() + (uint64_t)w->settings.schedule_delay_ms * 1000000ull;
        otel_queue_pop(w->queue, batch, 0, deadline, &kicked); /* waits only */
        pthread_mutex_lock(&w->spool_lock);
        if (otel_spool_pending(w->spool)) { /* the drainer spooled meanwhile: the spool first */
            pthread_mutex_unlock(&w->spool_lock);
            continue;
        }
        size_t n = otel_queue_try_pop(w->queue, batch, max);
        draining = (kicked || draining) && n == max;
        if (n)
            encode_requests(w, batch, n);
        pthread_mutex_unlock(&w->spool_lock);
        if (n)
            send_requests(w);
    }
    if (!batch)
        otel_diag("log4c-otel: out of memory: the export thread stopped");
    free(batch);
    return NULL;
}

/* The drainer: queue -> spool while the spool holds entries, or when the
 * queue passes half its bounds (then the sender's unsent requests first). */
static void drain(otel_worker *w, otel_record **batch, size_t max, otel_buf *buf)
{
    pthread_mutex_lock(&w->spool_lock);
    if (!otel_spool_pending(w->spool)) {
        size_t count = otel_queue_count(w->queue), bytes = otel_queue_bytes(w->queue);
        if (count < (w->settings.max_queue_size + 1) / 2 && bytes < w->settings.max_queue_bytes / 2) {
            pthread_mutex_unlock(&w->spool_lock);
            return;
        }
        if (w->req_next < w->nreqs && !w->ahead) {
            uint64_t bytes_needed = 0;
            for (size_t j = w->req_next; j < w->nreqs; j++)
                bytes_needed += w->reqs[j].len;
            if (!otel_spool_room(w->spool, bytes_needed, (unsigned)(w->nreqs - w->req_next))) {
                pthread_mutex_unlock(&w->spool_lock); /* full: the queue drops, as without a spool */
                return;
            }
            w->ahead = 1;
            w->ahead_from = w->ahead_upto = w->req_next;
            while (w->ahead_upto < w->nreqs &&
                   otel_spool_put(w->spool, w->reqs[w->ahead_upto].data, w->reqs[w->ahead_upto].len,
                                  w->req_records[w->ahead_upto]) == 0)
                w->ahead_upto++;
            if (w->ahead_upto < w->nreqs) { /* a write error: order would break, stop here */
                note_pending(w);
                pthread_mutex_unlock(&w->spool_lock);
                return;
            }
        }
    }
    size_t n;
    while ((n = otel_queue_try_pop(w->queue, batch, max)) > 0)
        spool_records(w, batch, n, buf);
    note_pending(w);
    pthread_mutex_unlock(&w->spool_lock);
}

static void *drainer_main(void *arg)
{
    otel_worker *w = arg;
    size_t max = w->settings.max_export_batch_size;
    otel_record **batch = thread_begin(w);
    otel_buf buf = OTEL_BUF_INIT;
    while (batch && !atomic_load(&w->drainer_stop)) {
        pthread_mutex_lock(&w->lock);
        struct timespec ts = otel_timespec(otel_now_ns() + 20000000ull); /* 20 ms: a few batches at 50k/s */
        if (!atomic_load(&w->drainer_stop))
            pthread_cond_timedwait(&w->wake, &w->lock, &ts);
        pthread_mutex_unlock(&w->lock);
        drain(w, batch, max, &buf);
    }
    free(batch);
    otel_buf_free(&buf);
    return NULL;
}

static long retry_base_ms(void)
{
    const char *v = getenv("LOG4C_OTEL_RETRY_BASE_MS"); /* as the HTTP exporter reads it */
    long n = v ? atol(v) : 0;
    return n > 0 ? n : 1000;
}

static void *worker_main(void *arg)
{
    otel_worker *w = arg;
    size_t max = w->settings.max_export_batch_size;
    otel_record **batch = thread_begin(w);
    otel_buf buf = OTEL_BUF_INIT;
    int draining = 0;

    while (batch && !atomic_load(&w->stop)) {
        int kicked = 0;
        uint64_t deadline = draining ? 0 : otel_now_ns() + (uint64_t)w->settings.schedule_delay_ms * 1000000ull;
        size_t n = otel_queue_pop(w->queue, batch, max, deadline, &kicked);
        /* a flush empties the queue batch by batch without waiting */
        draining = (kicked || draining) && n == max;
        if (n)
            export_batch(w, batch, n, &buf);
        account(w, n);
    }
    if (!batch)
        otel_diag("log4c-otel: out of memory: the export thread stopped");
    free(batch);
    otel_buf_free(&buf);
    return NULL;
}

otel_worker *otel_worker_start(otel_settings *s, int *err)
{
    otel_worker *w = calloc(1, sizeof *w);
    if (!w) {
        *err = LOG4C_OTEL_ENOMEM;
        return NULL;
    }
    w->settings = *s;
    memset(s, 0, sizeof *s);
    w->resource.attrs = w->settings.resource;
    w->resource.nattrs = w->settings.nresource;
    pthread_mutex_init(&w->lock, NULL);
    pthread_mutex_init(&w->shutdown_lock, NULL);
    pthread_mutex_init(&w->spool_lock, NULL);
    otel_cond_init_monotonic(&w->progress);
    otel_cond_init_monotonic(&w->wake);

    w->queue = otel_queue_new(w->settings.max_queue_size, w->settings.max_queue_bytes,
                              w->settings.max_export_batch_size);
    /* issue 5: HTTP and/or the file */
    int want_http = otel_settings_http_enabled(&w->settings);
    if (want_http)
        w->http = otel_http_exporter_new(&w->settings);
    if (w->settings.file.path) {
        w->file = otel_file_exporter_new(&w->settings.file);
        static atomic_int told;
        if (w->settings.file.is_default && w->file && !atomic_exchange(&told, 1))
            otel_diag("log4c-otel: no OTLP endpoint configured: writing OTLP/JSON lines to %s "
                      "(set OTEL_EXPORTER_OTLP_ENDPOINT, or LOG4C_OTEL_FILE to a path or \"none\")",
                      w->settings.file.path);
    }
    if (!w->queue || (want_http && !w->http) || (w->settings.file.path && !w->file)) {
        *err = LOG4C_OTEL_ENOMEM;
        otel_worker_free(w);
        return NULL;
    }
    /* issue 6: the spool serves the HTTP exporter; a directory we cannot use
     * is reported once and the worker runs without it */
    if (w->http && w->settings.spool_dir) {
        char why[512];
        w->spool = otel_spool_open(w->settings.spool_dir, w->settings.spool_max_bytes,
                                   w->settings.protocol == OTEL_PROTOCOL_HTTP_JSON ? OTEL_SPOOL_JSON
                                                                                   : OTEL_SPOOL_PROTOBUF,
                                   why, sizeof why);
        if (!w->spool)
            otel_diag("log4c-otel: spool off: %s", why);
        else
            atomic_store(&w->spool_pending, otel_spool_pending(w->spool)); /* claimed files: replay first */
        w->retry_base_ms = retry_base_ms();
        w->rng = otel_now_ns() ^ (uint64_t)(uintptr_t)w;
    }
    /* block every signal in the worker: the application's handlers must run
     * on its own threads, and libcurl must not be interrupted */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&w->thread, NULL, w->spool ? spool_sender_main : worker_main, w);
    if (rc == 0 && w->spool) {
        if (pthread_create(&w->drainer, NULL, drainer_main, w) == 0)
            w->drainer_started = 1;
        else
            rc = -1; /* the sender runs; shutdown stops it */
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc == -1) {
        w->thread_started = 1;
        *err = LOG4C_OTEL_ETHREAD;
        otel_worker_free(w);
        return NULL;
    }
    if (rc != 0) {
        *err = LOG4C_OTEL_ETHREAD;
        otel_worker_free(w);
        return NULL;
    }
    w->thread_started = 1;
    *err = LOG4C_OTEL_OK;
    return w;
}

const otel_settings *otel_worker_settings(const otel_worker *w) { return &w->settings; }

int otel_worker_submit(otel_worker *w, otel_record *r)
{
    if (atomic_load_explicit(&w->closing, memory_order_acquire)) {
        otel_record_free(r);
        otel_queue_refuse(w->queue, OTEL_OUT_SHUTDOWN);
        return -1;
    }
    /* blocking mode waits for room up to block_timeout_ms, then drops */
    long block = w->settings.block_timeout_ms;
    uint64_t deadline = block > 0 ? otel_now_ns() + (uint64_t)block * 1000000ull : 0;
    if (otel_queue_push_wait(w->queue, r, deadline) != 0) { /* counted by the queue */
        otel_record_free(r);
        return -1;
    }
    return 0;
}

/* Waits until done >= target or the deadline; caller holds no lock. */
static int wait_done(otel_worker *w, uint64_t target, uint64_t deadline_ns)
{
    struct timespec ts = otel_timespec(deadline_ns);
    int rc = LOG4C_OTEL_OK;
    pthread_mutex_lock(&w->lock);
    while (w->done < target) {
        if (w->shut_down || pthread_cond_timedwait(&w->progress, &w->lock, &ts) == ETIMEDOUT) {
            rc = w->done < target ? LOG4C_OTEL_ETIMEDOUT : LOG4C_OTEL_OK;
            break;
        }
    }
    pthread_mutex_unlock(&w->lock);
    return rc;
}

int otel_worker_flush(otel_worker *w, uint64_t deadline_ns)
{
    uint64_t target = otel_queue_pushed(w->queue);
    otel_queue_kick(w->queue);
    return wait_done(w, target, deadline_ns);
}

int otel_worker_shutdown(otel_worker *w, uint64_t deadline_ns)
{
    pthread_mutex_lock(&w->shutdown_lock); /* two callers must not both join the thread */
    pthread_mutex_lock(&w->lock);
    int already = w->shut_down;
    pthread_mutex_unlock(&w->lock);
    if (already) {
        pthread_mutex_unlock(&w->shutdown_lock);
        return LOG4C_OTEL_OK;
    }

    atomic_store(&w->shutdown_deadline, deadline_ns);
    atomic_store_explicit(&w->closing, 1, memory_order_release);
    otel_queue_close(w->queue); /* a submit that passed the closing check cannot strand a record */
    pthread_mutex_lock(&w->lock);
    pthread_mutex_unlock(&w->lock);
    pthread_cond_broadcast(&w->wake); /* a sender backing off tries once more now */
    int rc = w->thread_started ? otel_worker_flush(w, deadline_ns) : LOG4C_OTEL_OK;
    if (w->spool && w->thread_started) {
        /* replay what the spool holds while the collector answers, until
         * the deadline; one failed try ends it (the next start replays) */
        struct timespec ts = otel_timespec(deadline_ns);
        pthread_mutex_lock(&w->lock);
        while (atomic_load(&w->spool_pending) && !w->gave_up &&
               pthread_cond_timedwait(&w->progress, &w->lock, &ts) != ETIMEDOUT)
            ;
        pthread_mutex_unlock(&w->lock);
    }
    __atomic_store_n(&w->abort, 1, __ATOMIC_SEQ_CST); /* the HTTP exporter reads it atomically */
    atomic_store(&w->stop, 1);
    atomic_store(&w->drainer_stop, 1);
    otel_queue_kick(w->queue);
    pthread_mutex_lock(&w->lock);
    pthread_mutex_unlock(&w->lock);
    pthread_cond_broadcast(&w->wake);
    if (w->thread_started) {
        pthread_join(w->thread, NULL);
        w->thread_started = 0;
    }
    if (w->drainer_started) {
        pthread_join(w->drainer, NULL);
        w->drainer_started = 0;
    }
    /* whatever is left missed the deadline: to the spool when there is one
     * (a local write, fast), else dropped */
    otel_record *left[64];
    size_t n;
    otel_buf sbuf = OTEL_BUF_INIT;
    while ((n = otel_queue_pop(w->queue, left, 64, 0, NULL)) > 0) {
        if (w->spool) {
            spool_records(w, left, n, &sbuf); /* accounts for them */
            continue;
        }
        settle(w, OTEL_OUT_SHUTDOWN, n);
        for (size_t i = 0; i < n; i++)
            otel_record_free(left[i]);
        account(w, n); /* a later flush must not report a timeout */
    }
    otel_buf_free(&sbuf);
    otel_spool_close(w->spool); /* unlocks: the next start replays what is left */
    w->spool = NULL;
    atomic_store(&w->spool_pending, 0);
    pthread_mutex_lock(&w->lock);
    w->shut_down = 1;
    pthread_mutex_unlock(&w->lock);
    pthread_cond_broadcast(&w->progress);
    pthread_mutex_unlock(&w->shutdown_lock);
    return rc;
}

void otel_worker_free(otel_worker *w)
{
    if (!w)
        return;
    if (w->thread_started)
        otel_worker_shutdown(w, 0);
    otel_http_exporter_free(w->http);
    otel_file_exporter_free(w->file);
    otel_buf_free(&w->file_buf);
    otel_spool_close(w->spool);
    for (size_t i = 0; i < w->reqs_cap; i++)
        otel_buf_free(&w->reqs[i]);
    free(w->reqs);
    free(w->req_records);
    otel_queue_free(w->queue);
    otel_settings_free(&w->settings);
    pthread_mutex_destroy(&w->lock);
    pthread_mutex_destroy(&w->shutdown_lock);
    pthread_mutex_destroy(&w->spool_lock);
    pthread_cond_destroy(&w->progress);
    pthread_cond_destroy(&w->wake);
    free(w);
}

void otel_worker_add_stats(otel_worker *w, log4c_otel_stats_t *acc)
{
    otel_ledger l;
    otel_queue_ledger(w->queue, &l);
    acc->accepted += l.accepted;
    acc->queued += l.queued;
    acc->in_flight += l.in_flight;
    acc->exported += l.out[OTEL_OUT_EXPORTED];
    acc->dropped_queue_full += l.out[OTEL_OUT_QUEUE_FULL];
    acc->dropped_export_failed += l.out[OTEL_OUT_EXPORT_FAILED];
    acc->dropped_rejected += l.out[OTEL_OUT_REJECTED];
    acc->dropped_http_error += l.out[OTEL_OUT_HTTP_ERROR];
    acc->dropped_shutdown += l.out[OTEL_OUT_SHUTDOWN];
    acc->export_requests += atomic_load(&w->export_requests);
    acc->export_retries += atomic_load(&w->export_retries);
    acc->file_records += atomic_load(&w->file_records);
    acc->file_errors += atomic_load(&w->file_errors);
    acc->spooled += l.out[OTEL_OUT_SPOOLED];
    acc->dropped_spool_full += l.out[OTEL_OUT_SPOOL_FULL];
    acc->replayed += atomic_load(&w->replayed);
    acc->replay_dropped += atomic_load(&w->replay_dropped);
}
