/*
 * loc_data.c - the per-thread publication of otel_loc_data (see loc_data.h).
 */
#include "loc_data.h"

static __thread const otel_loc_data *published;

const otel_loc_data *otel_loc_data_enter(const otel_loc_data *d)
{
    const otel_loc_data *prev = published;
    published = d;
    return prev;
}

void otel_loc_data_leave(const otel_loc_data *previous) { published = previous; }

const otel_loc_data *otel_loc_data_get(const void *loc_data)
{
    if (!loc_data || loc_data != published)
        return NULL;
    const otel_loc_data *d = loc_data;
    return d->magic == OTEL_LOC_DATA_MAGIC ? d : NULL;
}
