/*
 * test_queue.c - the bounded queue: count and byte bounds, drops, wakeups
 * (by count and by bytes), kicks, many producers against one consumer with
 * nothing lost, and a ledger that adds up in every snapshot; when room runs
 * out the lowest severity band is refused first, by bytes and by count, and
 * the drops are counted by band.
 */
#include <check.h>
#include "run_suite.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "queue.h"

static otel_record *rec(const char *body)
{
    otel_record_input in = {.category = "q", .body = body, .body_len = strlen(body)};
    return otel_record_new(&in);
}

START_TEST(count_bound)
{
    otel_queue *q = otel_queue_new(3, 1 << 20, 2);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(otel_queue_push(q, rec("x")), 0);
    otel_record *r = rec("over");
    ck_assert_int_eq(otel_queue_push(q, r), -1); /* full: caller keeps ownership */
    otel_record_free(r);
    ck_assert_uint_eq(otel_queue_count(q), 3);
    ck_assert_uint_eq(otel_queue_pushed(q), 3);
    otel_record *out[8];
    ck_assert_uint_eq(otel_queue_pop(q, out, 8, 0, NULL), 3);
    ck_assert_uint_eq(otel_queue_bytes(q), 0);
    for (int i = 0; i < 3; i++)
        otel_record_free(out[i]);
    otel_queue_free(q);
}
END_TEST

static otel_record *rec_at(int priority)
{
    otel_record_input in = {.category = "q", .body = "same size", .body_len = 9, .log4c_priority = priority};
    return otel_record_new(&in);
}

/* pushes records of priority until one is refused; how many went in */
static size_t push_until_full(otel_queue *q, int priority)
{
    size_t n = 0;
    for (;;) {
        otel_record *r = rec_at(priority);
        if (otel_queue_push(q, r) != 0) {
            otel_record_free(r);
            return n;
        }
        ck_assert_uint_lt(++n, 1000);
    }
}

/* a bound of 16 records' worth, by bytes or by count: TRACE/DEBUG fill 10,
 * INFO, WARN and ERROR 2 more each; each refusal is counted in its band;
 * records built from lane entries (push_n) pass the bounds */
static void check_bands(otel_queue *q)
{
    static const int prio[OTEL_BANDS] = {700, 600, 400, 300}; /* DEBUG, INFO, WARN, ERROR */
    static const size_t room[OTEL_BANDS] = {10, 2, 2, 2};
    for (unsigned b = 0; b < OTEL_BANDS; b++) {
        ck_assert_uint_eq(push_until_full(q, prio[b]), room[b]);
        for (unsigned lower = 0; lower < b; lower++) /* still no room for lower bands */
            ck_assert_uint_eq(push_until_full(q, prio[lower]), 0);
    }
    ck_assert_uint_eq(push_until_full(q, 800), 0); /* TRACE: the DEBUG band */
    otel_ledger led;
    otel_queue_ledger(q, &led);
    ck_assert_uint_eq(led.shed[OTEL_BAND_DEBUG], 1 + 3 + 1);
    ck_assert_uint_eq(led.shed[OTEL_BAND_INFO], 1 + 2);
    ck_assert_uint_eq(led.shed[OTEL_BAND_WARN], 1 + 1);
    ck_assert_uint_eq(led.shed[OTEL_BAND_ERROR], 1);
    ck_assert_uint_eq(led.out[OTEL_OUT_QUEUE_FULL], 5 + 3 + 2 + 1);
    ck_assert_uint_eq(otel_queue_count(q), 16);
    otel_record *fed[2] = {rec_at(700), rec_at(600)};
    ck_assert_uint_eq(otel_queue_push_n(q, fed, 2), 2);
    ck_assert_uint_eq(otel_queue_count(q), 18);
    uint64_t lanes[OTEL_BANDS] = {4, 3, 0, 0};
    otel_queue_shed(q, lanes);
    otel_queue_ledger(q, &led);
    ck_assert_uint_eq(led.shed[OTEL_BAND_DEBUG], 5 + 4);
    ck_assert_uint_eq(led.shed[OTEL_BAND_INFO], 3 + 3);
    ck_assert_uint_eq(led.out[OTEL_OUT_QUEUE_FULL], 11 + 7);
    ck_assert_uint_eq(led.accepted, 18 + 18);
    otel_record *out[32];
    size_t n = otel_queue_pop(q, out, 32, 0, NULL);
    ck_assert_uint_eq(n, 18);
    for (size_t i = 0; i < n; i++)
        otel_record_free(out[i]);
}

START_TEST(bytes_shed_lowest_band_first)
{
    otel_record *one = rec_at(600);
    otel_queue *q = otel_queue_new(0, one->size * 16, 1000);
    otel_record_free(one);
    check_bands(q);
    otel_queue_free(q);
}
END_TEST

START_TEST(count_sheds_lowest_band_first)
{
    otel_queue *q = otel_queue_new(16, 1 << 20, 1000);
    check_bands(q);
    /* the lanes' records count against the same bound: admitted up to each
     * band's share, given back by unadmit and by pops */
    ck_assert_int_eq(otel_queue_push(q, rec_at(600)), 0);
    for (int i = 0; i < 11; i++)
        ck_assert_int_eq(otel_queue_admit(q, OTEL_BAND_INFO), 0);
    ck_assert_int_eq(otel_queue_admit(q, OTEL_BAND_INFO), -1);
    ck_assert_int_eq(otel_queue_admit(q, OTEL_BAND_WARN), 0);
    ck_assert_int_eq(otel_queue_admit(q, OTEL_BAND_WARN), 0);
    ck_assert_int_eq(otel_queue_admit(q, OTEL_BAND_WARN), -1);
    ck_assert_int_eq(otel_queue_admit(q, OTEL_BAND_ERROR), 0);
    ck_assert_int_eq(otel_queue_admit(q, OTEL_BAND_ERROR), 0);
    ck_assert_int_eq(otel_queue_admit(q, OTEL_BAND_ERROR), -1);
    otel_record *r = rec_at(300);
    ck_assert_int_eq(otel_queue_push(q, r), -1);
    otel_record_free(r);
    otel_queue_unadmit(q, 15);
    otel_record *out[2];
    ck_assert_uint_eq(otel_queue_pop(q, out, 2, 0, NULL), 1);
    otel_record_free(out[0]);
    for (int i = 0; i < 12; i++)
        ck_assert_int_eq(otel_queue_admit(q, OTEL_BAND_INFO), 0);
    otel_queue_unadmit(q, 12);
    otel_queue_free(q);
}
END_TEST

/* without a record bound the ring grows: the bytes bound it */
START_TEST(no_count_bound_grows)
{
    otel_queue *q = otel_queue_new(0, 64u << 20, 100000);
    for (int i = 0; i < 5000; i++)
        ck_assert_int_eq(otel_queue_push(q, rec_at(600)), 0);
    ck_assert_uint_eq(otel_queue_count(q), 5000);
    otel_record *out[64];
    size_t n, total = 0;
    while ((n = otel_queue_try_pop(q, out, 64)) > 0) {
        total += n;
        for (size_t i = 0; i < n; i++)
            otel_record_free(out[i]);
    }
    ck_assert_uint_eq(total, 5000);
    otel_queue_free(q);
}
END_TEST

START_TEST(byte_bound)
{
    otel_record *a = rec("aaaaaaaaaa");
    size_t one = a->size;
    otel_queue *q = otel_queue_new(100, one * 2, 100);
    ck_assert_int_eq(otel_queue_push(q, a), 0);
    ck_assert_int_eq(otel_queue_push(q, rec("bbbbbbbbbb")), 0);
    otel_record *c = rec("cccccccccc");
    ck_assert_int_eq(otel_queue_push(q, c), -1);
    otel_record_free(c);
    ck_assert_uint_eq(otel_queue_bytes(q), one * 2);
    otel_queue_free(q); /* frees what is still queued (checked by valgrind/ASan runs) */
}
END_TEST

START_TEST(fifo_order_and_partial_pop)
{
    otel_queue *q = otel_queue_new(4, 1 << 20, 4);
    char b[16];
    otel_record *out[4];
    /* wrap around the ring twice */
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 3; i++) {
            snprintf(b, sizeof b, "%d-%d", round, i);
            ck_assert_int_eq(otel_queue_push(q, rec(b)), 0);
        }
        ck_assert_uint_eq(otel_queue_pop(q, out, 2, 0, NULL), 2);
        ck_assert_uint_eq(otel_queue_pop(q, out + 2, 2, 0, NULL), 1);
        for (int i = 0; i < 3; i++) {
            snprintf(b, sizeof b, "%d-%d", round, i);
            ck_assert_str_eq(out[i]->body, b);
            otel_record_free(out[i]);
        }
    }
    otel_queue_free(q);
}
END_TEST

/* records from the lanes come in batches (push_n): in order across the
 * ring's end and its growth, NULLs skipped and left, the bytes, counts and
 * ledger as one push each; refused once closed */
START_TEST(push_n_in_order_across_wrap_and_growth)
{
    otel_queue *q = otel_queue_new(0, 1 << 20, 1000);
    char b[32];
    otel_record *out[4000];
    size_t next_in = 0, next_out = 0, bytes = 0;
    for (int round = 0; round < 12; round++) {
        otel_record *fed[1500];
        /* the last round queues past 1024 while the ring has wrapped: it grows */
        size_t nfed = round < 6 ? 100 : round < 11 ? 300 : 1500, nrec = 0;
        for (size_t i = 0; i < nfed; i++) {
            if (i % 7 == 3) {
                fed[i] = NULL;
                continue;
            }
            snprintf(b, sizeof b, "r%zu", next_in++);
            fed[i] = rec(b);
            bytes += fed[i]->size;
            nrec++;
        }
        ck_assert_uint_eq(otel_queue_push_n(q, fed, nfed), nrec);
        for (size_t i = 0; i < nfed; i++)
            ck_assert_ptr_null(fed[i]);
        ck_assert_uint_eq(otel_queue_bytes(q), bytes);
        /* pop a little less than was pushed: the head walks round the ring */
        size_t n = otel_queue_try_pop(q, out, nrec - 20);
        ck_assert_uint_eq(n, nrec - 20);
        for (size_t i = 0; i < n; i++) {
            snprintf(b, sizeof b, "r%zu", next_out++);
            ck_assert_str_eq(out[i]->body, b);
            bytes -= out[i]->size;
            otel_record_free(out[i]);
        }
        ck_assert_uint_eq(otel_queue_bytes(q), bytes);
    }
    ck_assert_uint_eq(otel_queue_count(q), 12 * 20);
    otel_ledger led;
    otel_queue_ledger(q, &led);
    ck_assert_uint_eq(led.accepted, next_in);
    ck_assert_uint_eq(led.queued, 12 * 20);
    ck_assert_uint_eq(otel_queue_pushed(q), next_in);
    size_t n = otel_queue_try_pop(q, out, 4000);
    ck_assert_uint_eq(n, 12 * 20);
    for (size_t i = 0; i < n; i++) {
        snprintf(b, sizeof b, "r%zu", next_out++);
        ck_assert_str_eq(out[i]->body, b);
        otel_record_free(out[i]);
    }
    ck_assert_uint_eq(otel_queue_bytes(q), 0);

    otel_queue_close(q);
    otel_record *late[3] = {rec("x"), NULL, rec("y")};
    ck_assert_uint_eq(otel_queue_push_n(q, late, 3), 0);
    ck_assert_ptr_nonnull(late[0]);
    ck_assert_ptr_nonnull(late[2]);
    otel_record_free(late[0]);
    otel_record_free(late[2]);
    otel_queue_ledger(q, &led);
    ck_assert_uint_eq(led.out[OTEL_OUT_SHUTDOWN], 2);
    ck_assert_uint_eq(led.accepted, next_in + 2);
    otel_queue_free(q);
}
END_TEST

START_TEST(pop_waits_for_deadline_when_below_batch)
{
    otel_queue *q = otel_queue_new(10, 1 << 20, 5);
    ck_assert_int_eq(otel_queue_push(q, rec("x")), 0);
    otel_record *out[10];
    int kicked = -1;
    uint64_t t0 = otel_now_ns();
    size_t n = otel_queue_pop(q, out, 10, t0 + 50000000ull, &kicked);
    ck_assert_uint_ge(otel_now_ns() - t0, 45000000ull); /* it did wait for the deadline */
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(kicked, 0);
    otel_record_free(out[0]);
    otel_queue_free(q);
}
END_TEST

START_TEST(kick_before_pop_is_not_lost)
{
    otel_queue *q = otel_queue_new(10, 1 << 20, 5);
    otel_queue_kick(q);
    otel_record *out[10];
    int kicked = 0;
    /* deadline far away: only the pending kick can make it return */
    size_t n = otel_queue_pop(q, out, 10, otel_now_ns() + 60ull * 1000000000ull, &kicked);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(kicked, 1);
    otel_queue_free(q);
}
END_TEST

#define PRODUCERS 8
#define PER_PRODUCER 20000

struct consumer {
    otel_queue *q;
    int stop;
    long seen[PRODUCERS];
    long out_of_order;
    long total;
};

static void *producer(void *arg)
{
    otel_queue *q = ((void **)arg)[0];
    long id = (long)(intptr_t)((void **)arg)[1];
    char b[32];
    for (long i = 0; i < PER_PRODUCER; i++) {
        snprintf(b, sizeof b, "%ld %ld", id, i);
        otel_record *r = rec(b);
        while (otel_queue_push(q, r) != 0)
            sched_yield(); /* queue full: bounded by the consumer's progress */
    }
    return NULL;
}

static void *consumer(void *arg)
{
    struct consumer *c = arg;
    otel_record *out[64];
    while (c->total < (long)PRODUCERS * PER_PRODUCER) {
        size_t n = otel_queue_pop(c->q, out, 64, otel_now_ns() + 10000000ull, NULL);
        for (size_t i = 0; i < n; i++) {
            long id, seq;
            ck_assert_int_eq(sscanf(out[i]->body, "%ld %ld", &id, &seq), 2);
            if (seq != c->seen[id])
                c->out_of_order++;
            c->seen[id] = seq + 1;
            otel_record_free(out[i]);
        }
        c->total += (long)n;
    }
    return NULL;
}

START_TEST(many_producers_nothing_lost)
{
    otel_queue *q = otel_queue_new(256, 1 << 20, 64);
    struct consumer c = {.q = q};
    pthread_t cons, prod[PRODUCERS];
    void *args[PRODUCERS][2];
    pthread_create(&cons, NULL, consumer, &c);
    for (long i = 0; i < PRODUCERS; i++) {
        args[i][0] = q;
        args[i][1] = (void *)(intptr_t)i;
        pthread_create(&prod[i], NULL, producer, args[i]);
    }
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(prod[i], NULL);
    pthread_join(cons, NULL);
    ck_assert_int_eq(c.total, (long)PRODUCERS * PER_PRODUCER);
    ck_assert_int_eq(c.out_of_order, 0); /* per-producer FIFO */
    for (int i = 0; i < PRODUCERS; i++)
        ck_assert_int_eq(c.seen[i], PER_PRODUCER);
    ck_assert_uint_eq(otel_queue_pushed(q), (uint64_t)PRODUCERS * PER_PRODUCER);
    otel_queue_free(q);
}
END_TEST

/* half the byte cap queued wakes the consumer although the batch (count)
 * is far from full. The deadline is 600 s, beyond the test case's timeout:
 * only the byte mark can make pop return. */
START_TEST(byte_mark_means_no_wait)
{
    otel_record *probe = rec("0123456789");
    size_t one = probe->size;
    otel_record_free(probe);
    otel_queue *q = otel_queue_new(1000, 8 * one, 1000);
    for (int i = 0; i < 4; i++) /* 4/8 of the cap: at the mark */
        ck_assert_int_eq(otel_queue_push(q, rec("0123456789")), 0);
    otel_record *out[16];
    size_t n = otel_queue_pop(q, out, 16, otel_now_ns() + 600ull * 1000000000ull, NULL);
    ck_assert_uint_eq(n, 4);
    for (size_t i = 0; i < n; i++)
        otel_record_free(out[i]);
    otel_queue_free(q);
}
END_TEST

struct waiter {
    otel_queue *q;
    size_t n;
    otel_record *out[16];
};

static void *wait_pop(void *arg)
{
    struct waiter *w = arg;
    w->n = otel_queue_pop(w->q, w->out, 16, otel_now_ns() + 600ull * 1000000000ull, NULL);
    return NULL;
}

/* A consumer already asleep is signalled when a push crosses the byte mark. */
START_TEST(byte_mark_wakes_sleeping_consumer)
{
    otel_record *probe = rec("0123456789");
    size_t one = probe->size;
    otel_record_free(probe);
    otel_queue *q = otel_queue_new(1000, 8 * one, 1000);
    struct waiter w = {.q = q};
    pthread_t t;
    pthread_create(&t, NULL, wait_pop, &w);
    /* give the consumer time to fall asleep (if it has not, pop returns at
     * once anyway: the test can only pass late, never wrongly) */
    struct timespec ts = {0, 50000000};
    nanosleep(&ts, NULL);
    for (int i = 0; i < 4; i++) /* half the cap: the mark */
        ck_assert_int_eq(otel_queue_push(q, rec("0123456789")), 0);
    pthread_join(t, NULL);
    ck_assert_uint_ge(w.n, 1);
    for (size_t i = 0; i < w.n; i++)
        otel_record_free(w.out[i]);
    otel_queue_free(q);
}
END_TEST

#define LEDGER_PER_PRODUCER 20000

struct ledger_run {
    otel_queue *q;
    atomic_int producers_done;
    atomic_int stop;
    long snapshots, bad;
};

static void *ledger_producer(void *arg)
{
    struct ledger_run *lr = arg;
    for (long i = 0; i < LEDGER_PER_PRODUCER; i++) {
        otel_record *r = rec("ledger");
        if (otel_queue_push(lr->q, r) != 0)
            otel_record_free(r); /* full: the queue counted it */
    }
    atomic_fetch_add(&lr->producers_done, 1);
    return NULL;
}

/* pops, holds the batch a moment (in flight), settles with rotating outcomes */
static void *ledger_consumer(void *arg)
{
    struct ledger_run *lr = arg;
    otel_record *out[32];
    unsigned k = 0;
    for (;;) {
        int done = atomic_load(&lr->producers_done) == 4;
        size_t n = otel_queue_pop(lr->q, out, 32, otel_now_ns() + 1000000ull, NULL);
        sched_yield();
        for (size_t i = 0; i < n; i++) {
            otel_outcome why = (otel_outcome)(k++ % OTEL_OUT_N);
            if (why == OTEL_OUT_QUEUE_FULL)
                why = OTEL_OUT_EXPORTED; /* never an outcome of a popped record */
            otel_queue_settle(lr->q, why, 1);
            otel_record_free(out[i]);
        }
        if (done && n == 0)
            break;
    }
    return NULL;
}

static int ledger_balanced(const otel_ledger *l)
{
    uint64_t sum = l->queued + l->in_flight;
    for (int i = 0; i < OTEL_OUT_N; i++)
        sum += l->out[i];
    return sum == l->accepted;
}

static void *ledger_checker(void *arg)
{
    struct ledger_run *lr = arg;
    while (!atomic_load(&lr->stop)) {
        otel_ledger l;
        otel_queue_ledger(lr->q, &l);
        lr->snapshots++;
        if (!ledger_balanced(&l))
            lr->bad++;
    }
    return NULL;
}

START_TEST(ledger_adds_up_in_every_snapshot)
{
    struct ledger_run lr = {.q = otel_queue_new(64, 1 << 20, 16)};
    pthread_t prod[4], cons, chk;
    pthread_create(&chk, NULL, ledger_checker, &lr);
    pthread_create(&cons, NULL, ledger_consumer, &lr);
    for (int i = 0; i < 4; i++)
        pthread_create(&prod[i], NULL, ledger_producer, &lr);
    for (int i = 0; i < 4; i++)
        pthread_join(prod[i], NULL);
    pthread_join(cons, NULL);
    otel_queue_close(lr.q);
    otel_record *late = rec("late");
    ck_assert_int_eq(otel_queue_push(lr.q, late), -2);
    otel_record_free(late);
    otel_queue_refuse(lr.q, OTEL_OUT_SHUTDOWN);
    atomic_store(&lr.stop, 1);
    pthread_join(chk, NULL);

    otel_ledger l;
    otel_queue_ledger(lr.q, &l);
    ck_assert_uint_eq(l.accepted, 4ull * LEDGER_PER_PRODUCER + 2);
    ck_assert_uint_eq(l.queued, 0);
    ck_assert_uint_eq(l.in_flight, 0);
    ck_assert_uint_ge(l.out[OTEL_OUT_SHUTDOWN], 2);
    ck_assert(ledger_balanced(&l));
    ck_assert_int_gt(lr.snapshots, 0);
    ck_assert_int_eq(lr.bad, 0);
    printf("ledger: %ld snapshots, %llu dropped full, %llu settled exported\n", lr.snapshots,
           (unsigned long long)l.out[OTEL_OUT_QUEUE_FULL], (unsigned long long)l.out[OTEL_OUT_EXPORTED]);
    otel_queue_free(lr.q);
}
END_TEST

/* ---- blocking mode: a producer waits for room, up to its deadline ---- */

struct later {
    otel_queue *q;
    int close; /* 1: close the queue; 0: pop one record */
};

static void *act_later(void *arg)
{
    struct later *l = arg;
    struct timespec ts = {0, 100000000};
    nanosleep(&ts, NULL);
    if (l->close)
        otel_queue_close(l->q);
    else {
        otel_record *out[1];
        ck_assert_uint_eq(otel_queue_pop(l->q, out, 1, 0, NULL), 1);
        otel_queue_settle(l->q, OTEL_OUT_EXPORTED, 1);
        otel_record_free(out[0]);
    }
    return NULL;
}

static otel_queue *full_queue(void)
{
    otel_queue *q = otel_queue_new(2, 1 << 20, 2);
    ck_assert_int_eq(otel_queue_push(q, rec("a")), 0);
    ck_assert_int_eq(otel_queue_push(q, rec("b")), 0);
    return q;
}

START_TEST(blocking_push_drops_when_consumer_stays_stalled)
{
    otel_queue *q = full_queue(); /* nobody pops */
    otel_record *r = rec("c");
    ck_assert_int_eq(otel_queue_push_wait(q, r, otel_now_ns() + 50000000ull), -1);
    otel_record_free(r);
    otel_ledger l;
    otel_queue_ledger(q, &l);
    ck_assert_uint_eq(l.accepted, 3);
    ck_assert_uint_eq(l.out[OTEL_OUT_QUEUE_FULL], 1);
    ck_assert_uint_eq(l.queued, 2);
    otel_queue_free(q);
}
END_TEST

/* The deadline is 600 s (beyond the test case's timeout): only the
 * consumer making room can let the push succeed. */
START_TEST(blocking_push_succeeds_when_consumer_resumes)
{
    otel_queue *q = full_queue();
    struct later l = {q, 0};
    pthread_t t;
    pthread_create(&t, NULL, act_later, &l);
    ck_assert_int_eq(otel_queue_push_wait(q, rec("c"), otel_now_ns() + 600ull * 1000000000ull), 0);
    pthread_join(t, NULL);
    otel_ledger led;
    otel_queue_ledger(q, &led);
    ck_assert_uint_eq(led.accepted, 3);
    ck_assert_uint_eq(led.out[OTEL_OUT_QUEUE_FULL], 0);
    ck_assert_uint_eq(led.queued, 2);
    otel_record *out[2];
    ck_assert_uint_eq(otel_queue_pop(q, out, 2, 0, NULL), 2);
    ck_assert_str_eq(out[0]->body, "b");
    ck_assert_str_eq(out[1]->body, "c");
    otel_record_free(out[0]);
    otel_record_free(out[1]);
    otel_queue_free(q);
}
END_TEST

START_TEST(blocking_push_gives_up_when_closed)
{
    otel_queue *q = full_queue();
    struct later l = {q, 1};
    pthread_t t;
    pthread_create(&t, NULL, act_later, &l);
    otel_record *r = rec("c");
    ck_assert_int_eq(otel_queue_push_wait(q, r, otel_now_ns() + 600ull * 1000000000ull), -2);
    otel_record_free(r);
    pthread_join(t, NULL);
    otel_ledger led;
    otel_queue_ledger(q, &led);
    ck_assert_uint_eq(led.out[OTEL_OUT_SHUTDOWN], 1);
    /* a record that can never fit does not wait either */
    otel_queue *small = otel_queue_new(4, 8, 4);
    otel_record *big = rec("far larger than eight bytes");
    ck_assert_int_eq(otel_queue_push_wait(small, big, otel_now_ns() + 600ull * 1000000000ull), -1);
    otel_record_free(big);
    otel_queue_free(small);
    otel_queue_free(q);
}
END_TEST

/* shutdown leftovers taken straight into flight after the close: counted
 * accepted, pushed and in flight, then settled like popped records; the
 * ledger adds up throughout and the queue's contents are untouched */
START_TEST(take_over_after_close)
{
    otel_queue *q = otel_queue_new(8, 1 << 20, 4);
    otel_record *r = rec("queued");
    ck_assert_int_eq(otel_queue_push(q, r), 0);
    otel_queue_close(q);
    uint64_t pushed = otel_queue_pushed(q);
    otel_queue_take_over(q, 5);
    otel_ledger led;
    otel_queue_ledger(q, &led);
    ck_assert_uint_eq(led.accepted, 6);
    ck_assert_uint_eq(led.queued, 1);
    ck_assert_uint_eq(led.in_flight, 5);
    ck_assert_uint_eq(otel_queue_pushed(q), pushed + 5);
    ck_assert(ledger_balanced(&led));
    otel_queue_settle(q, OTEL_OUT_SPOOLED, 4);
    otel_queue_settle(q, OTEL_OUT_SPOOL_FULL, 1);
    otel_queue_ledger(q, &led);
    ck_assert_uint_eq(led.in_flight, 0);
    ck_assert_uint_eq(led.out[OTEL_OUT_SPOOLED], 4);
    ck_assert_uint_eq(led.out[OTEL_OUT_SPOOL_FULL], 1);
    ck_assert(ledger_balanced(&led));
    otel_record *out[2];
    ck_assert_uint_eq(otel_queue_try_pop(q, out, 2), 1); /* the stored one, still there */
    ck_assert_ptr_eq(out[0], r);
    otel_record_free(r);
    otel_queue_free(q);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("queue");
    TCase *tc = tcase_create("queue");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, count_bound);
    tcase_add_test(tc, byte_bound);
    tcase_add_test(tc, bytes_shed_lowest_band_first);
    tcase_add_test(tc, count_sheds_lowest_band_first);
    tcase_add_test(tc, no_count_bound_grows);
    tcase_add_test(tc, fifo_order_and_partial_pop);
    tcase_add_test(tc, push_n_in_order_across_wrap_and_growth);
    tcase_add_test(tc, pop_waits_for_deadline_when_below_batch);
    tcase_add_test(tc, kick_before_pop_is_not_lost);
    tcase_add_test(tc, many_producers_nothing_lost);
    tcase_add_test(tc, byte_mark_means_no_wait);
    tcase_add_test(tc, byte_mark_wakes_sleeping_consumer);
    tcase_add_test(tc, ledger_adds_up_in_every_snapshot);
    tcase_add_test(tc, blocking_push_drops_when_consumer_stays_stalled);
    tcase_add_test(tc, blocking_push_succeeds_when_consumer_resumes);
    tcase_add_test(tc, blocking_push_gives_up_when_closed);
    tcase_add_test(tc, take_over_after_close);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
