/*
 * severity_names.h - the names a filter's `severity` accepts and the band
 * of OTel severity numbers each matches (docs/CONFIGURATION.md, "Filters").
 *
 * Any case. log4js's levels TRACE, DEBUG, INFO, WARN, ERROR, FATAL match
 * their OTel band (ERROR: 17-20, so log4c's ERROR, CRIT and ALERT); log4js's
 * extra levels: ALL matches every record (severity UNSPECIFIED included),
 * OFF matches none, MARK (ranked above FATAL by log4js; log4c has no such
 * level) matches the FATAL band. Long and syslog spellings match the band
 * of their short form: WARNING = WARN; INFORMATION, INFORMATIONAL, NOTICE =
 * INFO; ERR, CRIT, CRITICAL, ALERT = ERROR; EMERG, EMERGENCY = FATAL;
 * VERBOSE = TRACE.
 */
#ifndef LOG4C_OTEL_SEVERITY_NAMES_H
#define LOG4C_OTEL_SEVERITY_NAMES_H

/* name -> [*min, *max]; 0, or -1 for a name not listed above. min 0 (ALL)
 * is the "no severity key" of a filter rule: every record matches; OFF is
 * an empty band (min > max). */
int otel_severity_name_band(const char *name, int *min, int *max);

#endif
