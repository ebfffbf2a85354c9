/*
 * spool.h - the outage spool's directory: this process's own
 * segment files, appended to, and the files of dead processes it claimed at
 * start, replayed first. Files (format in spool_file.h) are named
 *   spool-<CLOCK_REALTIME ns, 20 digits>-<pid>-<random>.l4cs
 * so that name order is creation order; each is held with an exclusive
 * flock by the process that writes or replays it, so a live process's file
 * is never claimed. Replay progress of a file lives in "<name>.pos" (the
 * offset of the next entry, written after each delivered entry), so a crash
 * during replay re-sends at most the entry in flight.
 *
 * Not thread-safe: the caller serialises every call (the worker holds its
 * spool lock). The payload otel_spool_peek returns stays valid until the next
 * peek or close, so one thread may send it without the lock while others put.
 */
#ifndef LOG4C_OTEL_SPOOL_H
#define LOG4C_OTEL_SPOOL_H

#include <stddef.h>
#include <stdint.h>

typedef struct otel_spool otel_spool;

#define OTEL_SPOOL_DEFAULT_MAX_BYTES (256ull << 20)
#define OTEL_SPOOL_MIN_MAX_BYTES (64ull << 10)

/* Opens dir (created 0700 when missing) for payloads of `encoding`
 * (OTEL_SPOOL_PROTOBUF or _JSON) and claims the spool files of dead
 * processes (oldest first), with one diagnostic line per bad file: shorter
 * than the header -> deleted; wrong magic or version -> renamed to
 * "<name>.bad"; another encoding -> left alone. max_bytes bounds the bytes
 * of the files this instance holds (claimed ones included). NULL with a
 * sentence in err when the directory cannot be used. */
otel_spool *otel_spool_open(const char *dir, uint64_t max_bytes, unsigned encoding, char *err, size_t errlen);

/* Releases the files (unlocked, kept for the next start when they still
 * hold entries) and frees s. */
void otel_spool_close(otel_spool *s);

/* Appends one encoded request of `records` records. 0; -1 when it would
 * pass max_bytes (nothing written); -2 on a write error (diagnosed; a partial
 * entry is truncated away). */
int otel_spool_put(otel_spool *s, const void *payload, size_t len, uint32_t records);

/* 1 when s has room for `bytes` more payload bytes in `entries` entries. */
int otel_spool_room(const otel_spool *s, uint64_t bytes, unsigned entries);

/* 1 when entries wait to be replayed. */
int otel_spool_pending(const otel_spool *s);

/* The oldest entry not yet consumed. 1 (*payload, *len, *records set), or 0
 * when none is left. A torn or corrupt point ends its file: the rest is
 * skipped with one diagnostic line and the file deleted. */
int otel_spool_peek(otel_spool *s, const uint8_t **payload, size_t *len, uint32_t *records);

/* The entry of the last peek was settled (delivered or refused for good):
 * moves past it, records the progress in the sidecar and deletes the file
 * (and its sidecar) once nothing is left in it. */
void otel_spool_consume(otel_spool *s);

/* For tests and diagnostics. */
uint64_t otel_spool_disk_bytes(const otel_spool *s);
size_t otel_spool_files(const otel_spool *s);
/* Segment size at which put starts a new own file (default max_bytes / 4,
 * at most 64 MiB): replayed segments can be deleted while the outage goes on. */
void otel_spool_set_segment_bytes(otel_spool *s, uint64_t bytes);

#endif
