/*
 * record_pool.h - memory for records, recycled per thread.
 *
 * The worker builds a batch of records (up to maxExportBatchSize) and frees
 * them all after the export: more than malloc's per-thread cache holds, so
 * every free and every next allocation took malloc's slow path (~300
 * instructions a record). Each thread keeps the blocks it freed, by size
 * class, for its next records: up to OTEL_RECORD_POOL_MAX_BYTES a thread,
 * released when the thread exits. Blocks above the largest class, and every
 * block under AddressSanitizer (so a use after free is still caught), go
 * straight to malloc and free.
 */
#ifndef LOG4C_OTEL_RECORD_POOL_H
#define LOG4C_OTEL_RECORD_POOL_H

#include <stddef.h>

/* What one thread keeps at most (blocks it freed, waiting for reuse). */
#define OTEL_RECORD_POOL_MAX_BYTES (1024 * 1024)

/* At least bytes of memory aligned for any object; NULL when out of memory. */
void *otel_record_mem_alloc(size_t bytes);
/* Gives back what otel_record_mem_alloc(bytes) returned (same bytes);
 * p may come from another thread. NULL does nothing. */
void otel_record_mem_free(void *p, size_t bytes);
/* otel_record_mem_free for each of the n blocks of mems (NULL ones
 * skipped), whose byte count each block holds itself, as a size_t at
 * offset size_at: a batch given back in one pass, the per-thread checks
 * made once. */
void otel_record_mem_free_n(void *const *mems, size_t n, size_t size_at);
/* Bytes the calling thread keeps for reuse (tests). */
size_t otel_record_pool_bytes(void);
/* 1 when blocks are kept for reuse, 0 when built without (sanitizers). */
int otel_record_pool_enabled(void);

#endif
