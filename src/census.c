/*
 * census.c - the counters' lock of census.h: one process-wide
 * reader-writer lock, shared by movers, exclusive for a snapshot.
 */
#include "census.h"

#include <pthread.h>

static pthread_rwlock_t census = PTHREAD_RWLOCK_INITIALIZER;

void otel_census_move_begin(void) { pthread_rwlock_rdlock(&census); }
void otel_census_move_end(void) { pthread_rwlock_unlock(&census); }
void otel_census_read_begin(void) { pthread_rwlock_wrlock(&census); }
void otel_census_read_end(void) { pthread_rwlock_unlock(&census); }
void otel_census_atfork_prepare(void) { pthread_rwlock_wrlock(&census); }
void otel_census_atfork_parent(void) { pthread_rwlock_unlock(&census); }

/* The child's thread has another id than the one that took the lock, and
 * glibc's reader-writer lock remembers its writer: a fresh lock instead. */
void otel_census_atfork_child(void) { pthread_rwlock_init(&census, NULL); }
