/*
 * band.h - severity bands: the order in which records are shed when room
 * runs out (docs/DESIGN.md, "Shedding"). Four bands, by the OpenTelemetry
 * SeverityNumber ranges: TRACE and DEBUG (1-8), INFO (9-12; log4c's NOTICE
 * and INFO), WARN (13-16), ERROR and FATAL (17-24; log4c's ERROR, CRIT,
 * ALERT, FATAL).
 *
 * Each band may fill a bound (the queue's bytes, or a record count the user
 * set) only up to its share of it: TRACE/DEBUG 5/8, INFO 6/8, WARN 7/8,
 * ERROR/FATAL all of it. So the lowest band present is refused first, and
 * each band has an eighth of the bound that no lower band can take: a WARN
 * record is refused only once WARN and ERROR records alone fill more than
 * an eighth of the bound.
 */
#ifndef LOG4C_OTEL_BAND_H
#define LOG4C_OTEL_BAND_H

#include <stddef.h>
#include <stdint.h>

enum { OTEL_BAND_DEBUG = 0, OTEL_BAND_INFO, OTEL_BAND_WARN, OTEL_BAND_ERROR, OTEL_BANDS };

/* A log4c priority's band (lower numbers are more severe; as
 * otel_severity_number buckets them by priority / 100). */
static inline unsigned otel_band_of_priority(int priority)
{
    return priority < 400 ? OTEL_BAND_ERROR : priority < 500 ? OTEL_BAND_WARN : priority < 700 ? OTEL_BAND_INFO
                                                                                               : OTEL_BAND_DEBUG;
}

/* An OTel SeverityNumber's band (0, unspecified: INFO). */
static inline unsigned otel_band_of_severity(int32_t sev)
{
    return sev <= 0 ? OTEL_BAND_INFO : sev <= 8 ? OTEL_BAND_DEBUG : sev <= 12 ? OTEL_BAND_INFO
                                                                  : sev <= 16 ? OTEL_BAND_WARN : OTEL_BAND_ERROR;
}

/* How much of bound a band may fill (at least 1 of it, for tiny bounds). */
static inline size_t otel_band_limit(size_t bound, unsigned band)
{
    size_t s = 5 + (band < OTEL_BANDS ? band : OTEL_BANDS - 1); /* eighths */
    size_t l = bound / 8 * s + bound % 8 * s / 8;
    return l ? l : bound;
}

#endif
