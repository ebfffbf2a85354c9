/*
 * test_queue.c - the bounded queue: count and byte bounds, drops, wakeups,
 * kicks, and many producers against one consumer with nothing lost.
 */
#include <check.h>
#include "run_suite.h"
#include <pthread.h>
#include <sched.h>
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

int main(void)
{
    Suite *s = suite_create("queue");
    TCase *tc = tcase_create("queue");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, count_bound);
    tcase_add_test(tc, byte_bound);
    tcase_add_test(tc, fifo_order_and_partial_pop);
    tcase_add_test(tc, pop_waits_for_deadline_when_below_batch);
    tcase_add_test(tc, kick_before_pop_is_not_lost);
    tcase_add_test(tc, many_producers_nothing_lost);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
