/*
 * worker_spool.c - the worker with a spool directory. A request
 * that fails with a retryable error after one try budget (timeoutMillis)
 * goes to the spool at once, and from then on every record goes through the
 * spool, oldest first, until the replay has caught up (FIFO). A second
 * thread, the drainer, moves queued records into the spool while entries
 * wait there, or when the queue passes half its bounds while the sender is
 * stuck in an export (it then spools the sender's requests first, so the
 * order holds). The sender replays the oldest entry, at backoff intervals
 * while the collector is down.
 */
#include "worker_internal.h"
#include "clock.h"
#include "diag.h"
#include "spool_file.h"

#include <errno.h>
#include <stdlib.h>

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

static void send_body(otel_worker *w, const void *body, size_t len, uint64_t records, otel_export_result *res)
{
    otel_worker_send(w, body, len, records, otel_now_ns() + try_budget_ns(w), res);
}

/* Appends one encoded request; settles its records. Under spool_lock. */
static void spool_put(otel_worker *w, const void *body, size_t len, uint32_t n)
{
    int rc = otel_spool_put(w->spool, body, len, n);
    otel_worker_settle(w, rc == 0 ? OTEL_OUT_SPOOLED : OTEL_OUT_SPOOL_FULL, n);
    if (rc == -1) {
        static atomic_int told;
        if (!atomic_exchange(&told, 1))
            otel_diag("log4c-otel: the spool is full (maxBytes %llu): dropping records until it drains",
                      (unsigned long long)w->settings.spool_max_bytes);
    }
}

/* Encodes batch[0..n) into the sender's requests (under spool_lock) and
 * frees the records. */
static void encode_requests(otel_worker *w, otel_record **batch, size_t n)
{
    size_t cap = otel_worker_request_cap(w), off = 0;
    w->nreqs = w->req_next = 0;
    w->ahead = 0;
    uint64_t lost = 0;
    while (off < n) {
        size_t k = otel_batch_split(batch + off, n - off, cap);
        if (w->file)
            otel_worker_export_file(w, batch + off, k);
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
        if (otel_worker_encode(w, batch + off, k, &w->reqs[w->nreqs]) != 0)
            goto oom;
        w->req_records[w->nreqs++] = (uint32_t)k;
        off += k;
        continue;
    oom:
        otel_diag("log4c-otel: out of memory encoding %zu records; dropped", k);
        otel_worker_settle(w, OTEL_OUT_EXPORT_FAILED, k);
        lost += k;
        off += k;
    }
    for (size_t i = 0; i < n; i++)
        otel_record_free(batch[i]);
    otel_worker_account(w, lost);
}

/* The drainer's batches, and shutdown's leftovers. */
void otel_worker_spool_records(otel_worker *w, otel_record **recs, size_t n, otel_buf *buf)
{
    size_t cap = otel_worker_request_cap(w), off = 0;
    while (off < n) {
        size_t k = otel_batch_split(recs + off, n - off, cap);
        if (w->file)
            otel_worker_export_file(w, recs + off, k);
        if (otel_worker_encode(w, recs + off, k, buf) != 0) {
            otel_diag("log4c-otel: out of memory encoding %zu records; dropped", k);
            otel_worker_settle(w, OTEL_OUT_EXPORT_FAILED, k);
        } else
            spool_put(w, buf->data, buf->len, (uint32_t)k);
        off += k;
    }
    for (size_t i = 0; i < n; i++)
        otel_record_free(recs[i]);
    otel_worker_account(w, n);
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
                otel_outcome why = j < w->ahead_upto ? OTEL_OUT_SPOOLED : OTEL_OUT_SPOOL_FULL;
                otel_worker_settle(w, why, w->req_records[j]);
                n += w->req_records[j];
            }
            w->nreqs = w->req_next = 0;
            w->ahead = 0;
            pthread_mutex_unlock(&w->spool_lock);
            otel_worker_account(w, n);
            return;
        }
        pthread_mutex_unlock(&w->spool_lock);

        otel_export_result res;
        send_body(w, w->reqs[i].data, w->reqs[i].len, w->req_records[i], &res);

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
                otel_worker_settle_sent(w, &res, n);
            } else
                otel_worker_settle(w, in_spool ? OTEL_OUT_SPOOLED : OTEL_OUT_SPOOL_FULL, n);
            w->req_next = i + 1;
            note_pending(w);
            pthread_mutex_unlock(&w->spool_lock);
            otel_worker_account(w, n);
            continue; /* the rest: settled at the top */
        }
        if (res.outcome != OTEL_EXPORT_FAILED) {
            otel_worker_settle_sent(w, &res, n);
            w->req_next = i + 1;
            pthread_mutex_unlock(&w->spool_lock);
            otel_worker_account(w, n);
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
        otel_worker_account(w, all);
        if (!__atomic_load_n(&w->abort, __ATOMIC_SEQ_CST))
            otel_diag("log4c-otel: export failed (%s): spooling to %s until the collector answers", res.message,
                      w->settings.spool_dir);
        w->fails = 1;
        long ms = otel_backoff_ms(1, w->retry_base_ms, 30000, (uint32_t)w->rng);
        w->next_try = otel_now_ns() + (uint64_t)ms * 1000000ull;
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
    send_body(w, p, len, recs, &res);
    if (res.outcome == OTEL_EXPORT_FAILED) {
        if (__atomic_load_n(&w->abort, __ATOMIC_SEQ_CST))
            return;
        w->rng = w->rng * 6364136223846793005ull + 1442695040888963407ull;
        long ms = otel_backoff_ms(++w->fails, w->retry_base_ms, 30000, (uint32_t)(w->rng >> 32));
        w->next_try = otel_now_ns() + (uint64_t)ms * 1000000ull;
        if (w->fails == 1) /* the first failure after progress (or at start): once per outage */
            otel_diag("log4c-otel: replaying the spool from %s failed (%s): retrying at backoff intervals",
                      w->settings.spool_dir, res.message);
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
    otel_worker_count(&w->replayed, recs - rejected);
    otel_worker_count(&w->replay_dropped, rejected);
    if (rejected)
        otel_diag("log4c-otel: replaying the spool: dropped %llu of %u records: %s", (unsigned long long)rejected,
                  recs, res.message);
}

/* The sender thread when the spool is on. */
void *otel_worker_spool_sender_main(void *arg)
{
    otel_worker *w = arg;
    size_t max = w->settings.max_export_batch_size;
    otel_record **batch = otel_worker_thread_begin(w);
    int draining = 0;
    otel_http_thread_blocks_signals(); /* start_threads blocked every signal here */
    while (batch && !atomic_load(&w->stop)) {
        if (atomic_load(&w->spool_pending)) {
            replay_step(w);
            continue;
        }
        int kicked = 0;
        uint64_t deadline = draining ? 0 : otel_now_ns() + (uint64_t)w->settings.schedule_delay_ms * 1000000ull;
        otel_queue_pop(w->queue, batch, 0, deadline, &kicked); /* waits only */
        otel_worker_feed(w, max);
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
        /* what waits in the logging threads' lanes counts too: the sender may
         * be stuck in a request */
        otel_stage *st = atomic_load(&w->stage);
        uint64_t staged = 0, refused;
        if (st)
            otel_stage_counts(st, &staged, &refused);
        size_t count = otel_queue_count(w->queue) + (size_t)staged,
               bytes = otel_queue_bytes(w->queue) + (st ? otel_stage_reserved(st) : 0);
        if ((!w->settings.max_queue_size || count < (w->settings.max_queue_size + 1) / 2) &&
            bytes < w->settings.max_queue_bytes / 2) {
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
    for (;;) { /* a batch at a time: the lanes, then the queue, into the spool */
        otel_worker_feed(w, max);
        if ((n = otel_queue_try_pop(w->queue, batch, max)) == 0)
            break;
        otel_worker_spool_records(w, batch, n, buf);
    }
    note_pending(w);
    pthread_mutex_unlock(&w->spool_lock);
}

void *otel_worker_drainer_main(void *arg)
{
    otel_worker *w = arg;
    size_t max = w->settings.max_export_batch_size;
    otel_record **batch = otel_worker_thread_begin(w);
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

void otel_worker_spool_open(otel_worker *w)
{
    char why[512];
    w->spool = otel_spool_open(w->settings.spool_dir, w->settings.spool_max_bytes,
                               w->settings.protocol == OTEL_PROTOCOL_HTTP_JSON ? OTEL_SPOOL_JSON
                                                                               : OTEL_SPOOL_PROTOBUF,
                               why, sizeof why);
    if (!w->spool)
        otel_diag("log4c-otel: spool off: %s", why);
    else
        atomic_store(&w->spool_pending, otel_spool_pending(w->spool)); /* claimed files: replay first */
    w->retry_base_ms = otel_retry_base_ms();
    w->rng = otel_now_ns() ^ (uint64_t)(uintptr_t)w;
}

void otel_worker_spool_wait(otel_worker *w, uint64_t deadline_ns)
{
    /* one failed try ends it: the next start replays */
    struct timespec ts = otel_timespec(deadline_ns);
    pthread_mutex_lock(&w->lock);
    while (atomic_load(&w->spool_pending) && !w->gave_up &&
           pthread_cond_timedwait(&w->progress, &w->lock, &ts) != ETIMEDOUT)
        ;
    pthread_mutex_unlock(&w->lock);
}

void otel_worker_spool_close(otel_worker *w)
{
    otel_spool_close(w->spool); /* unlocks: the next start replays what is left */
    w->spool = NULL;
    atomic_store(&w->spool_pending, 0);
    for (size_t i = 0; i < w->reqs_cap; i++)
        otel_buf_free(&w->reqs[i]);
    free(w->reqs);
    free(w->req_records);
    w->reqs = NULL;
    w->req_records = NULL;
    w->nreqs = w->reqs_cap = w->req_next = 0;
}
