/*
 * stage.h - the hand-off between logging threads and the worker:
 * each thread that logs gets its own lane, a list of chunks it appends raw
 * entries to without a lock or an allocation per entry; one consumer at a
 * time (the worker, a flush, the shutdown) drains every lane in order and
 * turns the entries into records. What the logging thread pays is a copy.
 *
 * Memory is bounded: every chunk is reserved from the owner's byte budget
 * (the queue's byte cap) before it is used and released when the consumer
 * has read it; an entry that finds no room is refused and counted, by its
 * severity band (band.h): the budget gives each band its share, so the
 * lowest bands are refused first. An owner that also bounds the number of
 * records admits each entry (admit) before it is written.
 * Entries of one thread are drained in the order they were written.
 */
#ifndef LOG4C_OTEL_STAGE_H
#define LOG4C_OTEL_STAGE_H

#include <stddef.h>
#include <stdint.h>

#include "band.h"

typedef struct otel_stage otel_stage;
typedef struct otel_stage_lane otel_stage_lane;

/* What the stage asks of its owner. reserve: 0 when `bytes` more fit the
 * budget for an entry of severity band `band` (then they are counted), -1
 * when not; release gives them back; kick: a lane has wake_at new entries
 * (wake the consumer). admit: 0 when one more record of `band` fits the
 * owner's record bound (then it is counted), -1 when not; unadmit gives n
 * back (a refusal after the admit, or entries the consumer has read: the
 * owner counts what the consumer made of them itself). Any may be NULL (no
 * budget, no wake, no record bound; admit and unadmit go together). room:
 * the bytes the budget has left (NULL: the cache is bounded by its cap
 * alone, otel_stage_set_cache). Called from logging threads and the
 * consumer. */
typedef struct otel_stage_hooks {
    int (*reserve)(void *ctx, size_t bytes, unsigned band);
    void (*release)(void *ctx, size_t bytes);
    void (*kick)(void *ctx);
    void *ctx;
    int (*admit)(void *ctx, unsigned band);
    void (*unadmit)(void *ctx, size_t n);
    size_t (*room)(void *ctx);
} otel_stage_hooks;

/* Read chunks a lane keeps for its thread's next ones (still reserved), at
 * most: one, and more while the stage's spare bytes allow
 * (otel_stage_set_spares); a drain that reads nothing from the lane frees
 * them. */
#define OTEL_STAGE_SPARES 8

/* NULL when out of memory. wake_at: entries per lane between kicks (>= 1). */
otel_stage *otel_stage_new(const otel_stage_hooks *hooks, size_t wake_at);

/* Frees every lane and chunk, releasing their reservations; entries not
 * drained are lost (drain first). No thread may write to s any more; a
 * thread's later writes to a new stage get a new lane. */
void otel_stage_free(otel_stage *s);

/* Producer: room for an entry of size bytes and severity band `band`
 * (band.h) in the calling thread's lane, or NULL when it is refused (over
 * the budget or the record bound, or out of memory: counted by band, see
 * otel_stage_drain). Fill it, then otel_stage_commit(*lane, size)
 * before the next begin on this thread. The pointer is 8-byte aligned. */
void *otel_stage_begin(otel_stage *s, size_t size, unsigned band, otel_stage_lane **lane);
void otel_stage_commit(otel_stage_lane *lane, size_t size);

/* Consumer: calls fn for up to max committed entries (SIZE_MAX: all), each
 * lane in order (a bounded drain starts at the next lane each time, so a
 * busy lane cannot starve the others), and frees what has been read (a
 * busy lane keeps read chunks as spares for its thread's next ones, one or
 * up to OTEL_STAGE_SPARES (otel_stage_set_spares); a lane with nothing to
 * read gives them up; a freed
 * chunk may go to the cache, otel_stage_set_cache) and the lanes of threads
 * that have exited. Serialised: one drain at a time,
 * from any thread. Returns the number of entries passed to fn; *refused
 * (if not NULL) gets the number of refusals since the previous drain. fn
 * must not write to s. With an admit hook, the entries read are given
 * back (unadmit) once the drain is done. */
typedef void (*otel_stage_fn)(void *ctx, const void *entry, size_t size);
size_t otel_stage_drain(otel_stage *s, otel_stage_fn fn, void *ctx, size_t max, uint64_t *refused);

/* As otel_stage_drain, then done(ctx) once, still inside the drain (before
 * its count of entries taken moves on): a consumer that collects what fn
 * gave it hands it on there, so no one counting sees entries in between.
 * refused (if not NULL) gets the refusals since the previous drain by band. */
size_t otel_stage_drain_then(otel_stage *s, otel_stage_fn fn, void (*done)(void *ctx), void *ctx, size_t max,
                             uint64_t refused[OTEL_BANDS]);

/* Entries ever committed plus refusals (a flush's target), and entries
 * ever drained plus refusals reported: a flush that saw committed() == C
 * is through the stage once taken() >= C. */
uint64_t otel_stage_committed(otel_stage *s);
uint64_t otel_stage_taken(otel_stage *s);

/* Entries waiting in the lanes, and refusals no drain has reported yet
 * (in flux while threads write): the counters show a refusal at once,
 * even while the consumer is busy elsewhere. Never waits for a drain in
 * progress (it builds and masks records, which may take long): during one,
 * entries it has read but not yet reported may still count as pending. */
void otel_stage_counts(otel_stage *s, uint64_t *pending, uint64_t *refused);
/* The same, with the refusals by band. */
void otel_stage_counts_by_band(otel_stage *s, uint64_t *pending, uint64_t refused[OTEL_BANDS]);

/* Bytes of the chunks currently reserved (for tests and stats). */
size_t otel_stage_reserved(otel_stage *s);

/* The cache of read chunks (stage.c): at most `bytes` of them are kept for
 * the lanes' next chunks instead of being freed (0, the default: none),
 * and with a room hook at most the budget's room left, so the budget and
 * the cache together stay within the budget's bound (the cache gives chunks
 * back to malloc when the room shrinks: at a drain that read entries, and
 * when a lane's chunk comes from malloc). Cached chunks are not reserved
 * from the budget (a chunk is reserved again when a lane takes it).
 * CACHE_IDLE_DRAINS drains in a row (4) after which no lane had taken a
 * chunk from the cache (nothing logged, or a trickle the lanes' own chunks
 * hold), over at least idle_ns from the first of them, free them all, as
 * does otel_stage_free.
 * Set before the stage is used. */
void otel_stage_set_cache(otel_stage *s, size_t bytes, uint64_t idle_ns);

/* The lanes' spare chunks past each lane's first (stage.c): at most
 * `bytes` of them over all lanes (0, the default: one spare per lane).
 * They stay reserved from the budget, so a lane takes one without a lock;
 * a lane idle at a drain gives its spares up. Set before the stage is used. */
void otel_stage_set_spares(otel_stage *s, size_t bytes);

/* Bytes of chunks in the cache now (for tests). */
size_t otel_stage_cached(otel_stage *s);

#endif
