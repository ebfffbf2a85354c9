/*
 * worker.c - the export thread of one pipeline. It waits for a full batch or
 * the schedule delay, splits what it took into requests under the byte cap,
 * encodes, sends (retries live in the HTTP exporter) and accounts every
 * record exactly once: exported, or dropped with a reason.
 *
 * With a spool directory the threads are those of worker_spool.c; what
 * both modes share is in worker_export.c.
 */
#include "worker_internal.h"
#include "clock.h"
#include "diag.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* ---- progress a flush waits for ----
 * Two counters: records done (w->done) and entries the lanes gave up
 * (otel_stage_taken). Each has a mark, the smallest target a waiting flush
 * wants (UINT64_MAX: none), so that progress wakes flushers only when it
 * reaches one, not once per batch. Both under w->lock. */

static uint64_t done_count(otel_worker *w, otel_stage *s)
{
    (void)s;
    return w->done;
}

static uint64_t taken_count(otel_worker *w, otel_stage *s)
{
    (void)w;
    return otel_stage_taken(s);
}

/* Waits until count(w, s) >= target, the deadline or the shutdown, keeping
 * *mark at the smallest target waited for; caller holds no lock. */
static int wait_progress(otel_worker *w, uint64_t (*count)(otel_worker *, otel_stage *), otel_stage *s,
                         uint64_t *mark, uint64_t target, uint64_t deadline_ns)
{
    struct timespec ts = otel_timespec(deadline_ns);
    int rc = LOG4C_OTEL_OK;
    pthread_mutex_lock(&w->lock);
    while (count(w, s) < target) {
        if (target < *mark)
            *mark = target;
        if (w->shut_down || pthread_cond_timedwait(&w->progress, &w->lock, &ts) == ETIMEDOUT) {
            rc = count(w, s) < target ? LOG4C_OTEL_ETIMEDOUT : LOG4C_OTEL_OK;
            break;
        }
    }
    pthread_mutex_unlock(&w->lock);
    return rc;
}

/* Sends recs[0..n) as one request and accounts for them. */
static void export_request(otel_worker *w, otel_record *const *recs, size_t n, otel_buf *buf)
{
    if (w->file)
        otel_worker_export_file(w, recs, n);
    if (!w->http)
        return;
    if (otel_worker_encode(w, recs, n, buf) != 0) {
        otel_diag("log4c-otel: out of memory encoding %zu records; dropped", n);
        otel_worker_settle(w, OTEL_OUT_EXPORT_FAILED, n);
        return;
    }
    otel_export_result res;
    uint64_t deadline = otel_now_ns() + (uint64_t)w->settings.export_timeout_ms * 1000000ull;
    otel_worker_send(w, buf->data, buf->len, n, deadline, &res);
    if (res.outcome != OTEL_EXPORT_FAILED)
        otel_worker_settle_sent(w, &res, n);
    else if (__atomic_load_n(&w->abort, __ATOMIC_SEQ_CST))
        otel_worker_settle(w, OTEL_OUT_SHUTDOWN, n);
    else {
        otel_worker_settle(w, OTEL_OUT_EXPORT_FAILED, n);
        otel_diag("log4c-otel: dropped %zu records after %u attempts: %s", n, res.attempts, res.message);
    }
}

/* Exports a popped batch in requests under the byte cap, then frees it. */
static void export_batch(otel_worker *w, otel_record **batch, size_t n, otel_buf *buf)
{
    size_t cap = otel_worker_request_cap(w), off = 0;
    while (off < n) {
        size_t k = otel_batch_split(batch + off, n - off, cap);
        if (__atomic_load_n(&w->abort, __ATOMIC_SEQ_CST)) {
            /* past the deadline: no more HTTP, but a local file write is cheap */
            if (w->file)
                otel_worker_export_file(w, batch + off, k);
            if (w->http)
                otel_worker_settle(w, OTEL_OUT_SHUTDOWN, k);
        } else
            export_request(w, batch + off, k, buf);
        off += k;
    }
    otel_records_free(batch, n);
}

/* ---- the hand-off lanes ---- */

#define LANE_WAKE_BATCHES 4

/* Entries a lane takes between its wakes of the export thread:
 * LANE_WAKE_BATCHES export batches. A wake of the sleeping export thread
 * costs the logging call that makes it a futex call and, on a VM, an
 * interrupt to the other CPU, or the woken thread takes the caller's CPU
 * (measured on the 2-core development VM: 10-400 us on that call), so at a
 * steady rate fewer wakes keep the logging thread's tail short. A burst
 * finds the export thread awake (a kick then wakes no one), the
 * schedule delay still bounds how long an entry waits, and half of the byte
 * cap in use wakes it too (otel_queue_reserve), whatever the number of
 * lanes. With maxQueueSize set, nothing wakes it as the record count nears
 * that bound, and several lanes may fill it together before any has taken
 * four batches: a lane then wakes it every batch. */
static size_t lane_wake_at(const otel_settings *st)
{
    size_t batch = st->max_export_batch_size ? st->max_export_batch_size : 1;
    if (st->max_queue_size)
        return batch;
    return batch <= SIZE_MAX / LANE_WAKE_BATCHES ? batch * LANE_WAKE_BATCHES : SIZE_MAX;
}

static int stage_reserve(void *q, size_t bytes, unsigned band) { return otel_queue_reserve(q, bytes, band); }
static void stage_release(void *q, size_t bytes) { otel_queue_release(q, bytes); }
static void stage_kick(void *q) { otel_queue_kick(q); }
static size_t stage_room(void *q) { return otel_queue_room(q); }
static int stage_admit(void *q, unsigned band) { return otel_queue_admit(q, band); }
static void stage_unadmit(void *q, size_t n) { otel_queue_unadmit(q, n); }

int otel_worker_enable_stage(otel_worker *w, const struct otel_record_builder *b)
{
    if (w->settings.block_timeout_ms > 0 || atomic_load(&w->stage))
        return -1;
    otel_stage_hooks h = {stage_reserve, stage_release, stage_kick, w->queue, NULL, NULL, stage_room};
    /* the byte cap bounds the lanes and the queue together; so does
     * maxQueueSize, when set, for records (each lane entry is admitted) */
    if (w->settings.max_queue_size) {
        h.admit = stage_admit;
        h.unadmit = stage_unadmit;
    }
    otel_stage *s = otel_stage_new(&h, lane_wake_at(&w->settings));
    if (!s)
        return -1;
    /* a burst's drained chunks are kept for the next one (not page-faulted
     * afresh) within the byte cap's room left (lanes, queue and cache
     * together stay within the cap), and freed once the lanes have stayed
     * empty for four schedule delays */
    otel_stage_set_cache(s, w->settings.max_queue_bytes, (uint64_t)w->settings.schedule_delay_ms * 4000000ull);
    /* a busy lane keeps the chunks a drain read (LANE_WAKE_BATCHES batches'
     * worth) as spares, reserved, for its next ones, so that it takes them
     * without a lock: up to a sixteenth of the byte cap over all lanes and
     * at most 4 MiB */
    size_t spares = w->settings.max_queue_bytes / 16;
    otel_stage_set_spares(s, spares < ((size_t)4 << 20) ? spares : (size_t)4 << 20);
    w->builder = b;
    atomic_store_explicit(&w->stage, s, memory_order_release);
    return 0;
}

otel_stage *otel_worker_stage(otel_worker *w)
{
    if (atomic_load_explicit(&w->closing, memory_order_acquire))
        return NULL;
    return atomic_load_explicit(&w->stage, memory_order_acquire);
}

static void *worker_main(void *arg)
{
    otel_worker *w = arg;
    size_t max = w->settings.max_export_batch_size;
    otel_record **batch = otel_worker_thread_begin(w);
    otel_buf buf = OTEL_BUF_INIT;
    int draining = 0;
    otel_http_thread_blocks_signals(); /* start_threads blocked every signal here */

    while (batch && !atomic_load(&w->stop)) {
        int kicked = 0;
        uint64_t deadline = draining ? 0 : otel_now_ns() + (uint64_t)w->settings.schedule_delay_ms * 1000000ull;
        /* a batch at a time from the lanes: records are built just before
         * they are encoded (cache-warm, memory reused) */
        otel_worker_feed(w, max);
        size_t n = otel_queue_pop(w->queue, batch, max, deadline, &kicked);
        if (n < max && kicked) { /* woken by the lanes: what they staged is a batch */
            otel_worker_feed(w, max - n);
            n += otel_queue_try_pop(w->queue, batch + n, max - n);
        }
        /* a flush empties the queue batch by batch without waiting */
        draining = (kicked || draining) && n == max;
        if (n)
            export_batch(w, batch, n, &buf);
        otel_worker_account(w, n);
    }
    if (!batch)
        otel_diag("log4c-otel: out of memory: the export thread stopped");
    free(batch);
    otel_buf_free(&buf);
    return NULL;
}

/* The export thread (and with a spool the drainer); 0, or -1 when one
 * could not start. */
static int start_threads(otel_worker *w)
{
    /* block every signal in the worker: the application's handlers must run
     * on its own threads, and libcurl must not be interrupted */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&w->thread, NULL, w->spool ? otel_worker_spool_sender_main : worker_main, w);
    if (rc == 0)
        w->thread_started = 1; /* should the drainer fail: shutdown stops it */
    if (rc == 0 && w->spool) {
        rc = pthread_create(&w->drainer, NULL, otel_worker_drainer_main, w);
        w->drainer_started = rc == 0;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc == 0 ? 0 : -1;
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
    pthread_mutex_init(&w->feed_lock, NULL);
    otel_cond_init_monotonic(&w->progress);
    otel_cond_init_monotonic(&w->wake);
    w->wake_done = w->wake_taken = UINT64_MAX;

    w->queue = otel_queue_new(w->settings.max_queue_size, w->settings.max_queue_bytes,
                              w->settings.max_export_batch_size);
    /* HTTP and/or the file */
    int want_http = otel_settings_http_enabled(&w->settings);
    if (want_http)
        w->http = otel_http_exporter_new(&w->settings);
    if (w->settings.file.path) {
        w->file = otel_json_file_exporter_new(&w->settings.file);
        static atomic_int told;
        if (w->settings.file.is_default && w->file && !atomic_exchange(&told, 1))
            otel_diag("log4c-otel: no OTLP endpoint configured: writing OTLP/JSON lines to %s "
                      "(set OTEL_EXPORTER_OTLP_ENDPOINT, or LOG4C_OTEL_JSON_FILE to a path or \"none\")",
                      w->settings.file.path);
    }
    if (!w->queue || (want_http && !w->http) || (w->settings.file.path && !w->file)) {
        *err = LOG4C_OTEL_ENOMEM;
        otel_worker_free(w);
        return NULL;
    }
    /* the spool serves the HTTP exporter; a directory we cannot use
     * is reported once and the worker runs without it */
    if (w->http && w->settings.spool_dir)
        otel_worker_spool_open(w);
    if (start_threads(w) != 0) {
        *err = LOG4C_OTEL_ETHREAD;
        otel_worker_free(w);
        return NULL;
    }
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

/* Waits until the lanes have given up every entry committed before the
 * call (the worker builds them batch by batch), or the deadline. */
static int wait_stage(otel_worker *w, uint64_t deadline_ns)
{
    otel_stage *s = atomic_load_explicit(&w->stage, memory_order_acquire);
    if (!s || atomic_load(&w->feed_shut)) /* shut: the shutdown settles the lanes */
        return LOG4C_OTEL_OK;
    uint64_t target = otel_stage_committed(s);
    if (!w->thread_started) { /* nobody else drains */
        otel_worker_feed(w, SIZE_MAX);
        return LOG4C_OTEL_OK;
    }
    otel_queue_kick(w->queue);
    return wait_progress(w, taken_count, s, &w->wake_taken, target, deadline_ns);
}

int otel_worker_flush(otel_worker *w, uint64_t deadline_ns)
{
    int rc = wait_stage(w, deadline_ns); /* staged by this thread and those before it */
    if (rc != LOG4C_OTEL_OK)
        return rc;
    uint64_t target = otel_queue_pushed(w->queue);
    otel_queue_kick(w->queue);
    return wait_progress(w, done_count, NULL, &w->wake_done, target, deadline_ns);
}

/* Aborts the export in flight, stops and joins the threads. */
static void stop_threads(otel_worker *w)
{
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
}

/* past the shutdown deadline, with a spool: straight to it, counted as
 * taken over by the queue (accepted) and then spooled or spool_full */
static void to_spool(otel_worker *w, otel_record **recs, size_t n, void *sbuf)
{
    otel_queue_take_over(w->queue, n);
    otel_worker_spool_records(w, recs, n, sbuf);
}

/* What is left in the queue and in the lanes missed the deadline: to the
 * spool when there is one (a local write, fast), else dropped. */
static void settle_leftovers(otel_worker *w)
{
    otel_record *left[OTEL_WORKER_FEED_HAND];
    /* a pop becomes one spool entry (or several): at most a batch, the
     * bound docs/OPERATIONS.md gives on what a kill during its replay re-sends */
    size_t n, chunk = w->settings.max_export_batch_size < OTEL_WORKER_FEED_HAND ? w->settings.max_export_batch_size
                                                                           : OTEL_WORKER_FEED_HAND;
    otel_buf sbuf = OTEL_BUF_INIT;
    if (!w->spool) /* staged meanwhile: into the closed queue, counted dropped_shutdown */
        otel_worker_feed_last(w, OTEL_WORKER_FEED_HAND, NULL, NULL);
    while ((n = otel_queue_pop(w->queue, left, chunk, 0, NULL)) > 0) {
        if (w->spool) {
            otel_worker_spool_records(w, left, n, &sbuf); /* accounts for them */
            continue;
        }
        otel_worker_settle(w, OTEL_OUT_SHUTDOWN, n);
        for (size_t i = 0; i < n; i++)
            otel_record_free(left[i]);
        otel_worker_account(w, n); /* a later flush must not report a timeout */
    }
    if (w->spool) /* then what the lanes still hold (newer than the queue's), in order */
        otel_worker_feed_last(w, chunk, to_spool, &sbuf);
    otel_buf_free(&sbuf);
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
    /* staged before closing: through the pipeline like the rest, while the
     * worker exports batch by batch (nothing new is staged from here on) */
    int rc = wait_stage(w, deadline_ns);
    /* a submit that passed the closing check cannot strand a record; what
     * the lanes still hold waits there for settle_leftovers */
    pthread_mutex_lock(&w->feed_lock);
    atomic_store(&w->feed_shut, 1);
    otel_queue_close(w->queue);
    pthread_mutex_unlock(&w->feed_lock);
    pthread_mutex_lock(&w->lock);
    pthread_mutex_unlock(&w->lock);
    pthread_cond_broadcast(&w->wake); /* a sender backing off tries once more now */
    if (w->thread_started) {
        int frc = otel_worker_flush(w, deadline_ns);
        if (rc == LOG4C_OTEL_OK)
            rc = frc;
    }
    if (w->spool && w->thread_started)
        otel_worker_spool_wait(w, deadline_ns); /* replay while the collector answers */
    stop_threads(w);
    settle_leftovers(w);
    otel_worker_spool_close(w);
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
    otel_json_file_exporter_free(w->file);
    otel_buf_free(&w->file_buf);
    otel_worker_spool_close(w);
    otel_stage_free(atomic_load(&w->stage)); /* before the queue: it releases its reservations there */
    otel_queue_free(w->queue);
    otel_settings_free(&w->settings);
    pthread_mutex_destroy(&w->lock);
    pthread_mutex_destroy(&w->shutdown_lock);
    pthread_mutex_destroy(&w->spool_lock);
    pthread_mutex_destroy(&w->feed_lock);
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
    acc->export_unanswered += atomic_load(&w->export_unanswered);
    acc->file_records += atomic_load(&w->file_records);
    acc->file_errors += atomic_load(&w->file_errors);
    acc->spooled += l.out[OTEL_OUT_SPOOLED];
    acc->dropped_spool_full += l.out[OTEL_OUT_SPOOL_FULL];
    acc->replayed += atomic_load(&w->replayed);
    acc->replay_dropped += atomic_load(&w->replay_dropped);
    otel_stage *s = atomic_load(&w->stage);
    if (s) {
        /* refused at a lane but not folded into the ledger by a drain yet:
         * shown now, on both sides of the ledger */
        uint64_t pending, refused[OTEL_BANDS];
        otel_stage_counts_by_band(s, &pending, refused);
        acc->staged += pending;
        for (unsigned b = 0; b < OTEL_BANDS; b++) {
            acc->accepted += refused[b];
            acc->dropped_queue_full += refused[b];
            l.shed[b] += refused[b];
        }
    }
    acc->shed_debug += l.shed[OTEL_BAND_DEBUG];
    acc->shed_info += l.shed[OTEL_BAND_INFO];
    acc->shed_warn += l.shed[OTEL_BAND_WARN];
    acc->shed_error += l.shed[OTEL_BAND_ERROR];
}
