/*
 * worker.c - the export thread of one pipeline. It waits for a full batch or
 * the schedule delay, splits what it took into requests under the byte cap,
 * encodes, sends (retries live in the HTTP exporter) and accounts every
 * record exactly once: exported, or dropped with a reason.
 */
#include "worker.h"
#include "clock.h"
#include "diag.h"
#include "encode.h"
#include "file_exporter.h"
#include "http_exporter.h"
#include "queue.h"

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

/* Sends recs[0..n) as one request and accounts for them. */
static void export_request(otel_worker *w, otel_record *const *recs, size_t n, otel_buf *buf)
{
    const otel_settings *s = &w->settings;
    if (w->file)
        export_file(w, recs, n);
    if (!w->http)
        return;
    otel_buf_reset(buf);
    int rc = s->protocol == OTEL_PROTOCOL_HTTP_JSON ? otel_encode_json(&w->resource, recs, n, buf)
                                                    : otel_encode_protobuf(&w->resource, recs, n, buf);
    if (rc != 0) {
        otel_diag("log4c-otel: out of memory encoding %zu records; dropped", n);
        settle(w, OTEL_OUT_EXPORT_FAILED, n);
        return;
    }
    otel_export_result res;
    uint64_t deadline = otel_now_ns() + (uint64_t)s->export_timeout_ms * 1000000ull;
    otel_http_export(w->http, buf->data, buf->len, deadline, &w->abort, &res);
    count(&w->export_requests, res.attempts);
    if (res.attempts > 1)
        count(&w->export_retries, res.attempts - 1);

    switch (res.outcome) {
    case OTEL_EXPORT_OK: {
        uint64_t rejected = res.rejected > 0 ? (uint64_t)res.rejected : 0;
        if (rejected > n)
            rejected = n;
        settle(w, OTEL_OUT_EXPORTED, n - rejected);
        settle(w, OTEL_OUT_REJECTED, rejected);
        if (rejected)
            otel_diag("log4c-otel: collector rejected %llu of %zu records: %s", (unsigned long long)rejected, n,
                      res.message);
        break;
    }
    case OTEL_EXPORT_PERMANENT:
        settle(w, OTEL_OUT_HTTP_ERROR, n);
        otel_diag("log4c-otel: dropped %zu records: %s", n, res.message);
        break;
    case OTEL_EXPORT_FAILED:
    default:
        if (__atomic_load_n(&w->abort, __ATOMIC_SEQ_CST)) {
            settle(w, OTEL_OUT_SHUTDOWN, n);
        } else {
            settle(w, OTEL_OUT_EXPORT_FAILED, n);
            otel_diag("log4c-otel: dropped %zu records after %u attempts: %s", n, res.attempts, res.message);
        }
        break;
    }
}

/* Exports a popped batch in requests under the byte cap, then frees it. */
static void export_batch(otel_worker *w, otel_record **batch, size_t n, otel_buf *buf)
{
    /* the split bounds the records; the resource comes on top of them */
    size_t overhead = otel_resource_overhead_bound(&w->resource);
    size_t cap = w->settings.max_request_bytes > overhead ? w->settings.max_request_bytes - overhead : 1;
    size_t off = 0;
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

static void *worker_main(void *arg)
{
    otel_worker *w = arg;
    size_t max = w->settings.max_export_batch_size;
    otel_record **batch = malloc(max * sizeof *batch);
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
        pthread_mutex_lock(&w->lock);
        w->done += n;
        pthread_mutex_unlock(&w->lock);
        pthread_cond_broadcast(&w->progress);
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
    otel_cond_init_monotonic(&w->progress);

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
    /* block every signal in the worker: the application's handlers must run
     * on its own threads, and libcurl must not be interrupted */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&w->thread, NULL, worker_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
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

    atomic_store_explicit(&w->closing, 1, memory_order_release);
    otel_queue_close(w->queue); /* a submit that passed the closing check cannot strand a record */
    int rc = w->thread_started ? otel_worker_flush(w, deadline_ns) : LOG4C_OTEL_OK;
    __atomic_store_n(&w->abort, 1, __ATOMIC_SEQ_CST); /* the HTTP exporter reads it atomically */
    atomic_store(&w->stop, 1);
    otel_queue_kick(w->queue);
    if (w->thread_started) {
        pthread_join(w->thread, NULL);
        w->thread_started = 0;
    }
    /* whatever is left missed the deadline */
    otel_record *left[64];
    size_t n;
    while ((n = otel_queue_pop(w->queue, left, 64, 0, NULL)) > 0) {
        settle(w, OTEL_OUT_SHUTDOWN, n);
        for (size_t i = 0; i < n; i++)
            otel_record_free(left[i]);
        pthread_mutex_lock(&w->lock);
        w->done += n; /* accounted for: a later flush must not report a timeout */
        pthread_mutex_unlock(&w->lock);
    }
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
    otel_queue_free(w->queue);
    otel_settings_free(&w->settings);
    pthread_mutex_destroy(&w->lock);
    pthread_mutex_destroy(&w->shutdown_lock);
    pthread_cond_destroy(&w->progress);
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
}
