/*
 * severity_names.c - the severity names of the filters and their bands
 * (severity_names.h).
 */
#include "severity_names.h"

#include <stddef.h>
#include <strings.h>

static const struct {
    const char *name;
    int min, max;
} NAMES[] = {
    {"TRACE", 1, 4},       {"VERBOSE", 1, 4},
    {"DEBUG", 5, 8},
    {"INFO", 9, 12},       {"INFORMATION", 9, 12}, {"INFORMATIONAL", 9, 12}, {"NOTICE", 9, 12},
    {"WARN", 13, 16},      {"WARNING", 13, 16},
    {"ERROR", 17, 20},     {"ERR", 17, 20},        {"CRIT", 17, 20},          {"CRITICAL", 17, 20},
    {"ALERT", 17, 20},
    {"FATAL", 21, 24},     {"EMERG", 21, 24},      {"EMERGENCY", 21, 24},     {"MARK", 21, 24},
    {"ALL", 0, 24},        /* every record: the same as no severity key */
    {"OFF", 25, 24},       /* no record: an empty band */
};

int otel_severity_name_band(const char *name, int *min, int *max)
{
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
        if (strcasecmp(name, NAMES[i].name) == 0) {
            *min = NAMES[i].min;
            *max = NAMES[i].max;
            return 0;
        }
    return -1;
}
