/*
 * preinit.c - the pre-initialisation buffer: one allocation per entry (the
 * struct, the appender's name and the entry's bytes), a FIFO under one
 * lock.
 */
#include "preinit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ROUND8(n) (((n) + 7u) & ~(size_t)7u)

otel_preinit_entry *otel_preinit_entry_new(const char *tag, size_t data_size)
{
    size_t tag_size = strlen(tag) + 1;
    size_t head = ROUND8(sizeof(otel_preinit_entry) + tag_size);
    if (data_size > SIZE_MAX - head)
        return NULL;
    otel_preinit_entry *e = malloc(head + data_size); /* malloc's alignment: the data 8-aligned */
    if (!e)
        return NULL;
    memset(e, 0, sizeof *e);
    e->size = head + data_size;
    char *t = (char *)(e + 1);
    memcpy(t, tag, tag_size);
    e->tag = t;
    e->data_size = data_size;
    e->data = (char *)e + head;
    return e;
}

void otel_preinit_entry_free(otel_preinit_entry *e) { free(e); }

int otel_preinit_push(otel_preinit *b, otel_preinit_entry *e)
{
    pthread_mutex_lock(&b->lock);
    int fits = b->count < b->max_records && e->size <= b->max_bytes && b->bytes <= b->max_bytes - e->size;
    if (fits) {
        e->next = NULL;
        if (b->tail)
            b->tail->next = e;
        else
            b->head = e;
        b->tail = e;
        b->count++;
        b->bytes += e->size;
    }
    pthread_mutex_unlock(&b->lock);
    if (!fits)
        free(e);
    return fits ? 0 : -1;
}

otel_preinit_entry *otel_preinit_take(otel_preinit *b)
{
    pthread_mutex_lock(&b->lock);
    otel_preinit_entry *h = b->head;
    b->head = b->tail = NULL;
    b->count = b->bytes = 0;
    pthread_mutex_unlock(&b->lock);
    return h;
}
