/*
 * census.h - the counters' lock. A record that moves from one counter to
 * another (a logging thread's lane into the queue or the filtered count,
 * the pre-initialisation buffer into a worker) moves while the mover holds
 * it shared; log4c_otel_stats() reads every counter holding it exclusive,
 * so a snapshot sees each record in exactly one place. Records entering
 * (a log call) or moving inside one queue's ledger (under the queue's own
 * lock) need no census.
 *
 * Lock order: the runtime's registry lock, a worker's feed lock, the
 * census, then a stage's and a queue's locks.
 */
#ifndef LOG4C_OTEL_CENSUS_H
#define LOG4C_OTEL_CENSUS_H

void otel_census_move_begin(void);
void otel_census_move_end(void);
void otel_census_read_begin(void);
void otel_census_read_end(void);

/* fork(): held exclusive across it (the runtime's pthread_atfork handlers);
 * the child starts with a fresh lock. */
void otel_census_atfork_prepare(void);
void otel_census_atfork_parent(void);
void otel_census_atfork_child(void);

#endif
